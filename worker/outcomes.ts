/**
 * How a grading that did not produce a score is told: which thrown faults are the platform's
 * (named for an operator), and the stored outcome of a job whose attempts ran out. The outcome
 * itself is built by errorOutcome (core/lib/outcomes.ts), the one builder of error results.
 */
import type { Outcome } from '../core/models/results';
import { errorOutcome } from '../core/lib/outcomes';
import { EngineInterruptedError, PlatformError } from './errors';

/** BullMQ's reason for a job whose workers died holding it more often than maxStalledCount. */
const STALLED_TOO_OFTEN = /stalled more than allowable limit/;
const NO_SPACE = /ENOSPC|no space left on device/i;

/**
 * A fault of the platform's own steps (the dependency cache, the job folder, the Docker engine)
 * as a PlatformError that says what failed and what an operator does about it; null when the
 * error is not one of those (it is then retried as it is, and stored as an infrastructure fault).
 * `dataDir` is the worker's DATA_DIR, named in the message for a full disk.
 */
export function platformFaultOf(error: unknown, dataDir: string): PlatformError | null {
  if (error instanceof PlatformError) return error;
  // Duck-typed: errors made by Node's own modules may come from another realm (e.g. under Jest).
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return null;
  // A failed command (execFile) keeps what it printed in `stderr`, beside "Command failed: …".
  const { message, code, killed, cmd, stderr } = error as NodeJS.ErrnoException & { killed?: boolean; cmd?: string; stderr?: unknown };
  const text = typeof stderr === 'string' && stderr ? `${stderr}\n${message}` : message;
  const firstLine = text.split('\n').find((line) => NO_SPACE.test(line)) ?? text.split('\n')[0];
  if (code === 'ENOSPC' || NO_SPACE.test(text)) {
    return new PlatformError(
      `The grading worker's disk is full (${firstLine.trim().slice(0, 300)}). An operator frees space on the file system of DATA_DIR (${dataDir}), e.g. by emptying its dependency cache (cache/deps).`,
    );
  }
  if (killed && cmd) {
    return new PlatformError(
      `The platform's own step \`${cmd.slice(0, 200)}\` did not finish in time and was stopped (the grading worker's disk or CPU is overloaded).`,
    );
  }
  if (/No such image/i.test(text)) {
    return new PlatformError(
      `A sandbox image is missing on this worker (${firstLine.trim().slice(0, 300)}). An operator runs \`npm run services\` to build the images.`,
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOENT') {
    if (/docker\.sock/.test(text)) {
      return new PlatformError(
        `The Docker engine of this worker does not answer (${firstLine.trim().slice(0, 300)}). An operator starts it (\`npm run services\`).`,
      );
    }
  }
  return null;
}

/** The stored outcome of a job that failed for good: the learner is never blamed. */
export function finalFailureOutcome(error: Error, job: { attemptsMade: number; stalledCounter: number }): Outcome {
  const unrecoverable = error.name === 'UnrecoverableError';
  let message: string;
  if (STALLED_TOO_OFTEN.test(error.message)) {
    message = `Grading was interrupted ${job.stalledCounter} times (the worker grading it stopped in the middle). This is not your fault; please submit again.`;
  } else if (unrecoverable) {
    message = `This exercise cannot be graded right now (${error.message}). Your instructor has been told.`;
  } else if (error instanceof PlatformError || error instanceof EngineInterruptedError || error.name === 'PlatformError') {
    // Its own message names the fault and what an operator sets.
    message = `${error.message} (tried ${job.attemptsMade} times). This is not your fault; please submit again later.`;
  } else {
    message = `The grading infrastructure failed ${job.attemptsMade} times (${error.message.slice(0, 200)}). This is not your fault; please submit again.`;
  }
  return errorOutcome({ cause: 'platform', message });
}
