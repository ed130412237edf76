/**
 * How a grading can end badly, and who is to blame:
 * - LearnerError: the submission itself (bad repo, build failed, app never listened…). It becomes
 *   a stored result with status `error` and this learner-facing message; never retried.
 * - ExerciseError: the exercise definition is broken (instructor's fault). Not retried
 *   (the worker wraps it in BullMQ's UnrecoverableError).
 * - PlatformError: a fault of the platform that the learner cannot fix (a download host the install
 *   network does not allow, an image missing, the worker's disk full…), named with what an operator
 *   changes. Thrown and retried like any infrastructure fault; stored with cause `platform` when the
 *   attempts run out.
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

/**
 * The platform, not the submission, stopped this grading, and the message says what an operator
 * changes (e.g. "allow binaries.prisma.sh in INSTALL_ALLOWED_HOSTS"). Retried by the queue; the
 * learner is never blamed and their cooldown never starts.
 */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly details: { output?: string } = {},
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}
