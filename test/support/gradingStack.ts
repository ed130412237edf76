/**
 * Everything a learner's submission goes through, for end-to-end tests: the web server on a fresh
 * database, a BullMQ worker on the same (random) queue grading in the real Docker sandbox, and a
 * git server on loopback to publish learner repositories.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../core/config';
import type { ExerciseDefinition } from '../../core/exercises/definition';
import type { Sandbox } from '../../worker/sandbox/sandbox';
import { startGradingWorker, type WorkerHandle } from '../../worker/worker';
import { createStatusReporter } from '../../server/github/statuses';
import { startWebTestContext, type WebApp, type WebTestContext } from '../web/support';
import { imagesFromEnv } from './fixtures';
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
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: context.database.url,
    REDIS_URL: context.redisUrl,
    QUEUE_NAME: context.queueName,
    GIT_HTTP_HOSTS: '127.0.0.1',
    DATA_DIR: dataDir,
    ...options.workerEnv,
  });
  const worker: WorkerHandle = await startGradingWorker({
    statuses: createStatusReporter(config, pino({ level: 'silent' })),
    config,
    images: imagesFromEnv(),
    logger: options.logger ?? pino({ level: 'silent' }),
    queue: context.queue,
    sandbox: options.sandbox,
    findExercise: options.findExercise,
  });
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
