/**
 * Jest reporter that writes results.json. It keeps every finished test case as it comes, so the
 * entrypoint's watchdog can write partial results if the overall budget runs out mid-run.
 * Loaded through reporter.js (which registers the in-memory TypeScript loader).
 */
import type { AggregatedResult, Reporter, Test, TestCaseResult, TestResult } from '@jest/reporters';
import { relative } from 'node:path';
import { type CheckDefinition, loadChecks } from './checkDefinitions';
import { readMeasurements } from './measurements';
import { type CaseOutcome, type Results, buildResults, writeResults } from './results';

export interface GraderReporterOptions {
  /** The exercise's checks.ts (exports `checks` or default from defineChecks). */
  checksPath: string;
  resultsPath: string;
}

const REGISTRY = Symbol.for('backend-pro.grader-reporter');
const processStartedAt = Date.now() - process.uptime() * 1000;

/** The reporter of the current run, for the entrypoint's watchdog. */
export function activeReporter(): GraderReporter | undefined {
  return (globalThis as Record<symbol, GraderReporter | undefined>)[REGISTRY];
}

export default class GraderReporter implements Pick<Reporter, 'onTestCaseResult' | 'onTestFileResult' | 'onRunComplete'> {
  private readonly cases = new Map<string, CaseOutcome>();
  private readonly fileErrors: Array<{ file: string; message: string }> = [];
  private readonly checks: readonly CheckDefinition[];
  private readonly loadError?: string;
  private readonly rootDir: string;
  private written?: Results;

  constructor(
    globalConfig: { rootDir: string },
    private readonly options: GraderReporterOptions,
  ) {
    this.rootDir = globalConfig.rootDir;
    let checks: readonly CheckDefinition[] = [];
    try {
      checks = loadChecks(options.checksPath);
    } catch (error) {
      this.loadError = `could not load ${options.checksPath}: ${(error as Error).message}`;
    }
    this.checks = checks;
    (globalThis as Record<symbol, unknown>)[REGISTRY] = this;
  }

  onTestCaseResult(test: Test, result: TestCaseResult): void {
    this.cases.set(`${test.path}\u0000${result.fullName}`, {
      title: result.title,
      status: result.status,
      failureMessages: result.failureMessages,
    });
  }

  onTestFileResult(test: Test, result: TestResult): void {
    for (const assertion of result.testResults) this.onTestCaseResult(test, assertion);
    if (result.testExecError) {
      this.fileErrors.push({
        file: relative(this.rootDir, test.path),
        message: result.testExecError.message ?? JSON.stringify(result.testExecError),
      });
    }
  }

  onRunComplete(_contexts: unknown, aggregated: AggregatedResult): void {
    const runError = aggregated.runExecError?.message;
    this.write({ runError });
  }

  /** Builds and writes results.json once; later calls return what was written. */
  write(extra: { runError?: string; budgetExceededSeconds?: number } = {}): Results {
    if (this.written) return this.written;
    const runError = [this.loadError, extra.runError].filter(Boolean).join('; ') || undefined;
    this.written = buildResults({
      checks: this.checks,
      cases: [...this.cases.values()],
      fileErrors: this.fileErrors,
      runError,
      budgetExceededSeconds: extra.budgetExceededSeconds,
      executionTimeMs: Date.now() - processStartedAt,
      measurements: readMeasurements(),
    });
    writeResults(this.options.resultsPath, this.written);
    return this.written;
  }

  hasWritten(): boolean {
    return this.written !== undefined;
  }
}
