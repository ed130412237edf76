/**
 * Everything a learner's submission goes through, for end-to-end tests: the web server on a fresh
 * database, a BullMQ worker on the same (random) queue grading in the real Docker sandbox, and a
 * git server on loopback to publish learner repositories.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Queue } from 'bullmq';
import { parseConfig, type Config } from '../../core/config';
import type { GradingJobData } from '../../core/queue';
import type { CommitStatusPort } from '../../core/ports';
import type { ExerciseDefinition } from '../../core/exercises/definition';
import type { Sandbox } from '../../worker/sandbox/sandbox';
import { startGradingWorker, type WorkerHandle } from '../../worker/worker';
import { createStatusReporter } from '../../server/github/statuses';
import { startWebTestContext, type WebApp, type WebTestContext } from '../web/support';
import { imagesFromEnv, testWorkerEnv } from './fixtures';
import { startGitServer, type GitServer } from './gitServer';

export interface GradingStack {
  context: WebTestContext;
  /** The worker's DATA_DIR (jobs, dependency cache). */
  dataDir: string;
  app: WebApp;
  git: GitServer;
  close(): Promise<void>;
}

/** Options for fault tests: a sandbox with a hook, a logger to read, settings for the app and the worker. */
export interface GradingStackOptions {
  appEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  sandbox?: Sandbox;
  logger?: pino.Logger;
  findExercise?: (id: string) => ExerciseDefinition;
}

export async function startGradingStack(options: GradingStackOptions = {}): Promise<GradingStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-stack-'));
  const context = await startWebTestContext();
  const app = await context.startApp(options.appEnv);
  const git = await startGitServer();
  const config = parseConfig(
    testWorkerEnv({ databaseUrl: context.database.url, redisUrl: context.redisUrl, queueName: context.queueName, dataDir }, options.workerEnv),
  );
  const worker = await startTestWorker(config, context.queue, options);
  return {
    context,
    dataDir,
    app,
    git,
    async close() {
      await worker.close();
      await git.close();
      await context.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A grading worker in this process on `queue`, with the suite's images; it logs nothing and reports
 * commit statuses the platform's way unless told otherwise.
 */
export function startTestWorker(
  config: Config,
  queue: Queue<GradingJobData>,
  options: { statuses?: CommitStatusPort; logger?: pino.Logger; sandbox?: Sandbox; findExercise?: (id: string) => ExerciseDefinition } = {},
): Promise<WorkerHandle> {
  return startGradingWorker({
    statuses: options.statuses ?? createStatusReporter(config, pino({ level: 'silent' })),
    config,
    images: imagesFromEnv(),
    logger: options.logger ?? pino({ level: 'silent' }),
    queue,
    sandbox: options.sandbox,
    findExercise: options.findExercise,
  });
}
