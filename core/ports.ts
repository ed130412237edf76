/**
 * What the web server and a grading worker know of each other: nothing but these interfaces.
 * The composition roots (scripts/start.ts, scripts/worker.ts, the tests) join the two sides:
 * the server starts a worker it is handed, and the worker reports commit statuses through a
 * reporter it is handed. Neither side imports the other (test/unit/boundaries.test.ts).
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { GradingJobData } from './queue';

/** Posts a submission's current state on its commit (GitHub, for submissions made by a push). */
export interface CommitStatusPort {
  report(submissionId: string): Promise<void>;
}

/** A running grading worker. */
export interface GradingWorkerHandle {
  /** Finishes the jobs in hand, then stops. */
  close(): Promise<void>;
}

/** What a grading worker started in the server's process gets from the server. */
export interface GradingWorkerDeps {
  config: Config;
  logger: Logger;
  queue: Queue<GradingJobData>;
  statuses: CommitStatusPort;
}

/** Starts a grading worker (worker/worker.ts startGradingWorker, bound to its sandbox images). */
export type StartGradingWorker = (deps: GradingWorkerDeps) => Promise<GradingWorkerHandle>;
