/**
 * How a grading can end badly, and who is to blame:
 * - LearnerError: the submission itself (bad repo, build failed, app never listened…). It becomes
 *   a stored result with status `error` and this learner-facing message; never retried.
 * - ExerciseError: the exercise definition is broken (instructor's fault). Not retried
 *   (the worker wraps it in BullMQ's UnrecoverableError).
 * - Anything else is an infrastructure fault (Docker, Redis, disk…): thrown and retried.
 */
export class LearnerError extends Error {
  constructor(
    message: string,
    readonly details: { appLog?: string; output?: string } = {},
  ) {
    super(message);
    this.name = 'LearnerError';
  }
}

export class ExerciseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExerciseError';
  }
}

/**
 * The container engine restarted (or stopped every container) in the middle of a job: whatever the
 * job saw die was not the learner's doing. An infrastructure fault, so the queue retries the job.
 */
export class EngineInterruptedError extends Error {
  constructor(message = 'The Docker engine restarted while this submission was being graded') {
    super(message);
    this.name = 'EngineInterruptedError';
  }
}
