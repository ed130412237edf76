/**
 * Turns what Jest observed into results.json (ResultsFileSchema in core/models/results.ts; its
 * fields: docs/ARCHITECTURE.md). Pure: the reporter and the entrypoint feed it, the unit tests too.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type CheckDefinition, type Visibility, checkIdFromTitle } from './checkDefinitions';
import { type FailureStatus, capBytes, cut, decodeFeedback, stripAnsi } from './feedback';
import type { Measurement } from './measurements';

export type TestStatus = 'passed' | 'failed' | 'error' | 'timeout';

export interface TestResult {
  id: string;
  name: string;
  group: string;
  score: number;
  max_score: number;
  status: TestStatus;
  visibility: Visibility;
  /** The phase is not passed while this check fails, whatever the score (checkDefinitions.ts). */
  required: boolean;
  output: string;
  hint?: string;
  measurements?: Measurement[];
  /**
   * The check could not test its own rule: a step it needs first failed, and this is the check
   * that tests that step (fix it first; its failure is not repeated here).
   */
  needs?: string;
}

export interface Results {
  version: 1;
  status: 'scored' | 'error';
  message?: string;
  score: number;
  max_score: number;
  execution_time_ms: number;
  tests: TestResult[];
}

/** One Jest test case as the reporter saw it. */
export interface CaseOutcome {
  title: string;
  /** Jest's status: passed, failed, pending, skipped, todo, disabled, focused. */
  status: string;
  failureMessages: readonly string[];
}

export interface RunOutcome {
  checks: readonly CheckDefinition[];
  cases: readonly CaseOutcome[];
  /** Suite files that could not run at all (compile error, throw at collection). */
  fileErrors: ReadonlyArray<{ file: string; message: string }>;
  /** Jest itself failed (bad config, crash). */
  runError?: string;
  /** The overall budget ran out before every check finished. */
  budgetExceededSeconds?: number;
  executionTimeMs: number;
  /** What each check measured, by check id. */
  measurements?: ReadonlyMap<string, Measurement[]>;
}

/** Each test's `output` is capped so one noisy failure cannot bloat the file. */
export const OUTPUT_MAX_BYTES = 4096;

export function buildResults(run: RunOutcome): Results {
  const byId = new Map<string, CaseOutcome>();
  for (const outcome of run.cases) {
    const id = checkIdFromTitle(outcome.title);
    if (id && !byId.has(id)) byId.set(id, outcome);
  }

  const declared = new Set(run.checks.map((check) => check.id));
  const tests = run.checks.map((check) => {
    const result = toTestResult(check, byId.get(check.id), run.budgetExceededSeconds, declared);
    const measured = run.measurements?.get(check.id);
    return measured?.length ? { ...result, measurements: measured } : result;
  });
  const problems = [
    ...(run.runError ? [`The grader could not run: ${run.runError}`] : []),
    ...run.fileErrors.map((e) => `Suite file ${e.file} could not run: ${e.message}`),
  ];
  const unknownIds = [...new Set(run.cases.map((c) => checkIdFromTitle(c.title)))].filter(
    (id): id is string => id !== undefined && !run.checks.some((check) => check.id === id),
  );
  if (unknownIds.length) problems.push(`Tests name undeclared checks: ${unknownIds.join(', ')}`);
  if (!problems.length && run.cases.length === 0) problems.push('No check ran.');
  // A check the grader could not grade makes the score unreliable: never store it as a score.
  // The message is shown to the learner: a hidden check is named by its placeholder, as on the page.
  const hiddenRank = new Map(tests.filter((t) => t.visibility !== 'visible').map((t, rank) => [t.id, rank + 1]));
  const ungraded = tests.filter((t) => t.status === 'error').map((t) => (hiddenRank.has(t.id) ? `Hidden check ${hiddenRank.get(t.id)}` : t.id));
  if (!problems.length && ungraded.length) problems.push(`The grader could not grade: ${ungraded.join(', ')}`);

  const results: Results = {
    version: 1,
    status: problems.length ? 'error' : 'scored',
    score: tests.reduce((sum, t) => sum + t.score, 0),
    max_score: run.checks.reduce((sum, c) => sum + c.points, 0),
    execution_time_ms: Math.round(run.executionTimeMs),
    tests,
  };
  if (problems.length) {
    results.message = capBytes(stripAnsi(problems.join('\n')), OUTPUT_MAX_BYTES);
  } else if (run.budgetExceededSeconds !== undefined) {
    results.message = `The checks ran out of their ${run.budgetExceededSeconds} s budget; unfinished checks count as timeouts.`;
  }
  return results;
}

function toTestResult(check: CheckDefinition, outcome: CaseOutcome | undefined, budgetSeconds: number | undefined, declared: ReadonlySet<string>): TestResult {
  const base = {
    id: check.id,
    name: check.name,
    group: check.group,
    max_score: check.points,
    visibility: check.visibility,
    required: check.required === true,
    ...(check.hint ? { hint: check.hint } : {}),
  };
  if (outcome?.status === 'passed') {
    return { ...base, score: check.points, status: 'passed', output: 'Passed.' };
  }
  let status: TestStatus;
  let feedback: string;
  if (!outcome) {
    status = budgetSeconds !== undefined ? 'timeout' : 'error';
    feedback =
      budgetSeconds !== undefined
        ? `This check had not finished when the ${budgetSeconds} s budget of the whole run ran out.`
        : 'This check did not run (a fault of the grader, not of your app).';
  } else if (outcome.status !== 'failed') {
    status = 'error';
    feedback = `This check did not run (Jest reported it as ${outcome.status}).`;
  } else {
    let needs: string | undefined;
    ({ status, feedback, needs } = describeFailure(outcome.failureMessages.join('\n')));
    // A step tested by another check: only when this exercise declares it (and it is not this one).
    if (needs && needs !== check.id && declared.has(needs)) return { ...base, score: 0, status, needs, output: outputFor(check, status, feedback, needs) };
  }
  return { ...base, score: 0, status, output: outputFor(check, status, feedback) };
}

function describeFailure(message: string): { status: FailureStatus; feedback: string; needs?: string } {
  const plain = stripAnsi(message);
  const decoded = decodeFeedback(plain);
  if (decoded) return { status: decoded.status, feedback: decoded.markdown, ...(decoded.needs ? { needs: decoded.needs } : {}) };
  if (/Exceeded timeout of \d+ ms/.test(plain)) {
    return { status: 'timeout', feedback: 'This check did not finish in time. Your app answers too slowly or not at all.' };
  }
  // Drop stack frames: they point into the grader, never into the learner's code.
  const withoutStack = plain
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .join('\n')
    .trim();
  return { status: 'failed', feedback: `The grader's assertion failed:\n\`\`\`\n${cut(withoutStack, 1500)}\n\`\`\`` };
}

function outputFor(check: CheckDefinition, status: TestStatus, feedback: string, needs?: string): string {
  const statusLine = status === 'timeout' ? 'Timed out.' : status === 'error' ? 'Not graded.' : 'Failed.';
  // Said first, so the learner fixes the step before reading this check's own rule.
  const blocked = needs ? `**Not tested:** a step this check needs first failed; the check \`${needs}\` tests that step. Fix it first.\n\n` : '';
  const text =
    check.visibility === 'visible'
      ? `${blocked}${feedback}${check.hint ? `\n\n**Hint:** ${check.hint}` : ''}`
      : // Hidden: the learner must not learn what the check sends, only where to look.
        `${statusLine} This check is hidden.${blocked ? ` ${blocked.trim()}` : ''}${check.hint ? `\n\n**Hint:** ${check.hint}` : ''}`;
  return capBytes(stripAnsi(text), OUTPUT_MAX_BYTES);
}

/** Results for a run that never got to grade anything. */
export function errorResults(message: string, checks: readonly CheckDefinition[], executionTimeMs: number): Results {
  return buildResults({ checks, cases: [], fileErrors: [], runError: message, executionTimeMs });
}

/** Writes atomically (temp file + rename) so the worker never reads half a file. */
export function writeResults(path: string, results: Results): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(temp, path);
}
