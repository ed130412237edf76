/**
 * The one builder of an `error` outcome, used by every path that ends a grading without a score:
 * the pipeline's learner failures and grader faults (worker/gradeSubmission.ts), the queue's last
 * failed attempt (worker/worker.ts), refused input (createSubmission) and the CLI. An error always
 * says whose fault it is, and keeps the warnings gathered before it (no lockfile, no build script…).
 */
import type { ErrorCause, Outcome, TestResult } from '../models/results';

export interface ErrorOutcomeInput {
  cause: ErrorCause;
  message: string;
  appLog?: string | null;
  warnings?: string[];
  executionTimeMs?: number | null;
  /** Checks the grader reported before the run went wrong (kept for the record, worth nothing). */
  tests?: TestResult[];
  maxScore?: number;
}

export function errorOutcome(input: ErrorOutcomeInput): Outcome {
  return {
    status: 'error',
    cause: input.cause,
    message: input.message,
    score: 0,
    maxScore: input.maxScore ?? 0,
    executionTimeMs: input.executionTimeMs ?? null,
    tests: input.tests ?? [],
    appLog: input.appLog ?? null,
    warnings: input.warnings ?? [],
  };
}

/** The submission page's and the CLI's opening line for a platform fault: never the learner's doing. */
export const PLATFORM_FAULT_LEAD = 'This is not your fault: the grading platform failed';
