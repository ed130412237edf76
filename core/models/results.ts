/**
 * results.json (tester → worker, close to Gradescope's; docs/ARCHITECTURE.md lists its fields) and its storage.
 * A missing, oversized or invalid file is a grading error, never a score.
 */
import { z } from 'zod';
import { execute, inTransaction, loadSqlBlocks, queryOptionalRow } from '../db/sql';
import { failedRequiredChecks } from '../lib/passing';
import { cleanOptionalText, cleanText } from '../lib/text';
import { updateSubmissionFinished } from './submissions';

const sql = loadSqlBlocks(__filename);

export const MAX_RESULTS_BYTES = 1024 * 1024;

export const TestResultSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(500),
  group: z.string().max(200).default('General'),
  score: z.number().finite(),
  max_score: z.number().finite().min(0),
  status: z.enum(['passed', 'failed', 'error', 'timeout']),
  visibility: z.enum(['visible', 'hidden', 'after_due_date']).default('visible'),
  /** A required check gates the phase: not passed while it fails, whatever the score. */
  required: z.boolean().default(false),
  output: z
    .string()
    .max(64 * 1024)
    .default(''),
  hint: z
    .string()
    .max(4 * 1024)
    .optional(),
  /** What the check measured (statement counts, p95…), for instructors and exercises:verify. */
  measurements: z
    .array(
      z.object({
        name: z.string().max(200),
        value: z.number().finite(),
        unit: z.string().max(40).optional(),
        threshold: z.string().max(200).optional(),
      }),
    )
    .max(20)
    .optional(),
  /** Not tested: a step it needs first failed; the id of the check that tests that step. */
  needs: z.string().max(200).optional(),
});
export type TestResult = z.infer<typeof TestResultSchema>;

/**
 * Whose fault an error result is. `learner`: the submission (the message says what to change);
 * `platform`: the grading infrastructure or the exercise's grader (retried first; never starts
 * the learner's cooldown or counts toward their rate limit). Scored results have none (null).
 */
export const ERROR_CAUSES = ['learner', 'platform'] as const;
export type ErrorCause = (typeof ERROR_CAUSES)[number];

export const ResultsFileSchema = z.object({
  version: z.literal(1),
  status: z.enum(['scored', 'error']),
  /** Set by the platform on the results it reports (the CLI's --json), never by a grader. */
  cause: z.enum(ERROR_CAUSES).optional(),
  message: z
    .string()
    .max(16 * 1024)
    .optional(),
  score: z.number().finite(),
  max_score: z.number().finite().min(0),
  execution_time_ms: z.number().int().min(0).optional(),
  tests: z.array(TestResultSchema).max(500).default([]),
});
export type ResultsFile = z.infer<typeof ResultsFileSchema>;

/** Clamps every score into [0, max] and recomputes the totals from the checks themselves. */
export function clampResults(results: ResultsFile): ResultsFile {
  const tests = results.tests.map((test) => ({
    ...test,
    score: Math.min(Math.max(test.score, 0), test.max_score),
  }));
  if (tests.length === 0) {
    return { ...results, score: Math.min(Math.max(results.score, 0), results.max_score) };
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    ...results,
    tests,
    score: round(tests.reduce((sum, test) => sum + test.score, 0)),
    max_score: round(tests.reduce((sum, test) => sum + test.max_score, 0)),
  };
}

/** The one reason said at the top of a result (worker/diagnosis/): who must act, and the fix. */
export const DiagnosisSchema = z.object({
  id: z.string().max(100),
  cause: z.enum(['learner', 'platform']),
  title: z.string().max(500),
  message: z.string().max(16 * 1024),
});
export type StoredDiagnosis = z.infer<typeof DiagnosisSchema>;

export const StoredResultSchema = z.object({
  submission_id: z.string(),
  status: z.enum(['scored', 'error']),
  cause: z.enum(ERROR_CAUSES).nullable(),
  message: z.string().nullable(),
  score: z.coerce.number(),
  max_score: z.coerce.number(),
  execution_time_ms: z.number().nullable(),
  tests: z.array(TestResultSchema),
  app_log: z.string().nullable(),
  warnings: z.array(z.string()),
  diagnosis: DiagnosisSchema.nullable().default(null),
  created_at: z.date(),
  updated_at: z.date(),
});
export type StoredResult = z.infer<typeof StoredResultSchema>;

/** A grading's end, as stored. Error outcomes are built by errorOutcome() (core/lib/outcomes.ts). */
export interface Outcome {
  status: 'scored' | 'error';
  /** Set on every error, null on a score. */
  cause: ErrorCause | null;
  message: string | null;
  score: number;
  maxScore: number;
  executionTimeMs: number | null;
  tests: TestResult[];
  appLog: string | null;
  warnings: string[];
  diagnosis?: StoredDiagnosis | null;
}

/** Every text of an outcome cleaned (cleanText): graders echo what learner apps answered. */
function cleanOutcome(outcome: Outcome): Outcome {
  return {
    ...outcome,
    message: cleanOptionalText(outcome.message),
    appLog: cleanOptionalText(outcome.appLog),
    warnings: outcome.warnings.map(cleanText),
    diagnosis: outcome.diagnosis ? { ...outcome.diagnosis, title: cleanText(outcome.diagnosis.title), message: cleanText(outcome.diagnosis.message) } : null,
    tests: outcome.tests.map((test) => ({
      ...test,
      id: cleanText(test.id),
      name: cleanText(test.name),
      group: cleanText(test.group),
      output: cleanText(test.output),
      hint: cleanOptionalText(test.hint),
      measurements: test.measurements?.map((measurement) => ({
        ...measurement,
        name: cleanText(measurement.name),
        unit: cleanOptionalText(measurement.unit),
        threshold: cleanOptionalText(measurement.threshold),
      })),
    })),
  };
}

/** Stores a submission's outcome (its texts cleaned) and its final status in one transaction; idempotent. */
export async function storeOutcome(submissionId: string, rawOutcome: Outcome): Promise<void> {
  const outcome = cleanOutcome(rawOutcome);
  await inTransaction(async (client) => {
    await execute(
      sql.upsert_result,
      {
        submission_id: submissionId,
        status: outcome.status,
        cause: outcome.status === 'error' ? outcome.cause : null,
        message: outcome.message,
        score: outcome.score,
        max_score: outcome.maxScore,
        execution_time_ms: outcome.executionTimeMs,
        tests: JSON.stringify(outcome.tests),
        app_log: outcome.appLog,
        warnings: JSON.stringify(outcome.warnings),
        diagnosis: outcome.diagnosis ? JSON.stringify(outcome.diagnosis) : null,
      },
      client,
    );
    await updateSubmissionFinished(
      submissionId,
      {
        status: outcome.status,
        score: outcome.score,
        maxScore: outcome.maxScore,
        errorMessage: outcome.status === 'error' ? outcome.message : null,
        failedRequired: failedRequiredChecks(outcome.tests),
      },
      client,
    );
  });
}

export function selectOptionalResult(submissionId: string): Promise<StoredResult | null> {
  return queryOptionalRow(sql.select_result, { submission_id: submissionId }, StoredResultSchema);
}
