/**
 * The one owner of a submission's lifecycle: queued → cloning → installing → building → probing →
 * starting → testing → scored | error. These are the only functions that write stage rows,
 * results and causes (the web server when it creates or refuses a submission, the worker while it
 * grades); test/unit/boundaries.test.ts keeps every other module from writing them. A move that
 * goes back, or leaves a final stage, throws: a stage row out of order would show the learner a
 * progress that never happened.
 */
import { errorOutcome } from './lib/outcomes';
import { storeOutcome, type ErrorCause, type Outcome } from './models/results';
import { finishStage, STAGES, startStage, updateStageDetail, type Stage } from './models/submissions';

/** `scored` and `error` are final; STAGES (the database's enum) lists the stages in the order a grading walks them. */
const FINAL: ReadonlySet<Stage> = new Set<Stage>(['scored', 'error']);

export class IllegalTransitionError extends Error {
  constructor(
    readonly submissionId: string,
    readonly from: Stage,
    readonly to: Stage,
  ) {
    super(`Submission ${submissionId} cannot move from stage ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Forward only (a stage may be skipped, e.g. probing), out of any stage not final, to error from any of them. */
export function isLegalTransition(from: Stage, to: Stage): boolean {
  if (FINAL.has(from)) return false;
  return to === 'error' || STAGES.indexOf(to) > STAGES.indexOf(from);
}

/** A new submission waits in the queue. */
export async function markQueued(submissionId: string, at: Date): Promise<void> {
  await startStage(submissionId, 'queued', at);
}

/** A submission that will not be graded (a refused input, the queue away) ends at once as an explained error. */
export async function refuseQueued(submissionId: string, at: Date, reason: string, cause: ErrorCause): Promise<void> {
  await finishStage(submissionId, 'queued', at);
  await startStage(submissionId, 'error', at, reason);
  await finishStage(submissionId, 'error', at);
  await storeOutcome(submissionId, errorOutcome({ cause, message: reason, executionTimeMs: 0 }));
}

/** One grading attempt of a queued submission, from the worker: each attempt starts from `queued` again. */
export class GradingAttempt {
  private stage: Stage = 'queued';

  constructor(readonly submissionId: string) {}

  get current(): Stage {
    return this.stage;
  }

  /** Finishes the current stage and starts the next one. */
  async enter(stage: Stage, at: Date, detail: string | null = null): Promise<void> {
    if (!isLegalTransition(this.stage, stage)) throw new IllegalTransitionError(this.submissionId, this.stage, stage);
    await finishStage(this.submissionId, this.stage, at);
    await startStage(this.submissionId, stage, at, detail);
    this.stage = stage;
  }

  /** What is known of the current stage only once it ran (a dependency cache hit or miss, the install's duration …). */
  async describe(stage: Stage, detail: string): Promise<void> {
    await updateStageDetail(this.submissionId, stage, detail);
  }

  /** The grading's end, as the worker graded it: the result is stored (upserted: a retry never duplicates). */
  async finish(outcome: Outcome): Promise<void> {
    await storeOutcome(this.submissionId, outcome);
  }
}

/**
 * A grading that failed for good (its attempts ran out, or it could not run): the platform's error
 * is stored and the `error` stage started, whichever stage the last attempt reached.
 */
export async function failForGood(submissionId: string, outcome: Outcome, at: Date): Promise<void> {
  await storeOutcome(submissionId, outcome);
  await startStage(submissionId, 'error', at, outcome.message);
}
