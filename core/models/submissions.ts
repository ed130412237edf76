import { z } from 'zod';
import { execute, loadSqlBlocks, queryOptionalRow, queryRow, queryRows, type Queryable } from '../db/sql';

const sql = loadSqlBlocks(__filename);

export const STAGES = ['queued', 'cloning', 'installing', 'building', 'probing', 'starting', 'testing', 'scored', 'error'] as const;
export type Stage = (typeof STAGES)[number];

export const SubmissionSchema = z.object({
  id: z.string().uuid(),
  user_id: z.coerce.number(),
  exercise_id: z.string(),
  repo_url: z.string(),
  ref: z.string().nullable(),
  subdir: z.string().nullable(),
  source: z.enum(['web', 'webhook', 'cli', 'regrade']),
  status: z.enum(['queued', 'running', 'scored', 'error']),
  stage: z.string(),
  commit_sha: z.string().nullable(),
  error_message: z.string().nullable(),
  score: z.coerce.number().nullable(),
  max_score: z.coerce.number().nullable(),
  created_at: z.date(),
  started_at: z.date().nullable(),
  finished_at: z.date().nullable(),
  link_id: z.coerce.number().nullable(),
  not_before: z.date().nullable(),
  github_status: z.string().nullable(),
  /** Pass mark reached and every required check passed (null until graded; core/lib/passing.ts). */
  passed: z.boolean().nullable(),
  /** The required checks that did not pass (empty unless scored). */
  failed_required: z.array(z.string()),
});
export type Submission = z.infer<typeof SubmissionSchema>;

/** A submission in a learner's list, with whose fault it is when it ended in error (its result's cause). */
export const AttemptSchema = SubmissionSchema.extend({ cause: z.enum(['learner', 'platform']).nullable() });
export type Attempt = z.infer<typeof AttemptSchema>;

export const StageRowSchema = z.object({
  submission_id: z.string(),
  stage: z.enum(STAGES),
  started_at: z.date(),
  finished_at: z.date().nullable(),
  detail: z.string().nullable(),
});
export type StageRow = z.infer<typeof StageRowSchema>;

export const ProgressSchema = z.object({
  exercise_id: z.string(),
  attempts: z.number(),
  best_percent: z.number().nullable(),
  /** Best percentage among submissions that passed (pass mark and required checks); null: none did. */
  best_passed_percent: z.number().nullable(),
  /** The failed required checks of the best-scoring submission ('' when none failed). */
  best_failed_required: z
    .string()
    .nullable()
    .transform((ids) => (ids ? ids.split(' ').filter(Boolean) : [])),
  latest_status: z.string().nullable(),
  latest_submission_id: z.string().nullable(),
});
export type Progress = z.infer<typeof ProgressSchema>;

export function insertSubmission(input: {
  userId: number;
  exerciseId: string;
  repoUrl: string;
  ref?: string | null;
  subdir?: string | null;
  source: Submission['source'];
  /** The commit to grade (a push's head); otherwise the branch head at clone time. */
  commitSha?: string | null;
  linkId?: number | null;
  /** Not graded before this time (the learner's cooldown). */
  notBefore?: Date | null;
}): Promise<Submission> {
  return queryRow(
    sql.insert_submission,
    {
      user_id: input.userId,
      exercise_id: input.exerciseId,
      repo_url: input.repoUrl,
      ref: input.ref ?? null,
      subdir: input.subdir ?? null,
      source: input.source,
      commit_sha: input.commitSha ?? null,
      link_id: input.linkId ?? null,
      not_before: input.notBefore ?? null,
    },
    SubmissionSchema,
  );
}

/** Points the learner's waiting webhook submission of this exercise at a newer commit, if there is one. */
export function updatePendingWebhookSubmission(input: {
  userId: number;
  exerciseId: string;
  repoUrl: string;
  ref: string;
  subdir: string | null;
  commitSha: string;
}): Promise<(Submission & { previous_sha: string | null }) | null> {
  return queryOptionalRow(
    sql.update_pending_webhook_submission,
    {
      user_id: input.userId,
      exercise_id: input.exerciseId,
      repo_url: input.repoUrl,
      ref: input.ref,
      subdir: input.subdir,
      commit_sha: input.commitSha,
    },
    SubmissionSchema.extend({ previous_sha: z.string().nullable() }),
  );
}

/** The worker takes the submission (null when it is gone or already has a result). */
export function claimSubmission(id: string): Promise<Submission | null> {
  return queryOptionalRow(sql.claim_submission, { id }, SubmissionSchema);
}

/** When the learner's latest grading of the exercise started or will start (null: never). */
export async function selectCooldownAnchor(userId: number, exerciseId: string): Promise<Date | null> {
  const row = await queryRow(sql.select_cooldown_anchor, { user_id: userId, exercise_id: exerciseId }, z.object({ last_at: z.date().nullable() }));
  return row.last_at;
}

export async function updateSubmissionGitHubStatus(id: string, status: string): Promise<void> {
  await execute(sql.update_submission_github_status, { id, github_status: status });
}

export function selectOptionalSubmission(id: string): Promise<Submission | null> {
  if (!z.string().uuid().safeParse(id).success) return Promise.resolve(null);
  return queryOptionalRow(sql.select_submission, { id }, SubmissionSchema);
}

export function selectSubmissionsForUserExercise(userId: number, exerciseId: string, limit = 50): Promise<Attempt[]> {
  return queryRows(sql.select_submissions_for_user_exercise, { user_id: userId, exercise_id: exerciseId, limit }, AttemptSchema);
}

export function selectProgressForUser(userId: number): Promise<Progress[]> {
  return queryRows(sql.select_progress_for_user, { user_id: userId }, ProgressSchema);
}

export function selectStages(id: string): Promise<StageRow[]> {
  return queryRows(sql.select_stages, { id }, StageRowSchema);
}

export async function startStage(id: string, stage: Stage, at: Date, detail: string | null = null): Promise<void> {
  await execute(sql.start_stage, { id, stage, at, detail });
  if (stage !== 'queued' && stage !== 'scored' && stage !== 'error') {
    await execute(sql.update_submission_running, { id, stage });
  }
}

export async function finishStage(id: string, stage: Stage, at: Date, detail: string | null = null): Promise<void> {
  await execute(sql.finish_stage, { id, stage, at, detail });
}

/** Sets the detail of a stage already started (known only once it ran, e.g. a dependency cache hit). */
export async function updateStageDetail(id: string, stage: Stage, detail: string): Promise<void> {
  await execute(sql.update_stage_detail, { id, stage, detail });
}

export async function updateSubmissionCommit(id: string, commitSha: string): Promise<void> {
  await execute(sql.update_submission_commit, { id, commit_sha: commitSha });
}

export async function updateSubmissionFinished(
  id: string,
  outcome: { status: 'scored' | 'error'; score: number; maxScore: number; errorMessage: string | null; failedRequired: string[] },
  db?: Queryable,
): Promise<void> {
  await execute(
    sql.update_submission_finished,
    {
      id,
      status: outcome.status,
      score: outcome.score,
      max_score: outcome.maxScore,
      error_message: outcome.errorMessage,
      failed_required: outcome.status === 'scored' ? outcome.failedRequired : [],
    },
    db,
  );
}
