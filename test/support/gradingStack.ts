/**
 * Everything a learner's submission goes through, for end-to-end tests: the web server on a fresh
 * database, a BullMQ worker on the same (random) queue grading in the real Docker sandbox, and a
 * git server on loopback to publish learner repositories.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../server/config';
import { startGradingWorker, type WorkerHandle } from '../../worker/worker';
import { startWebTestContext, type WebApp, type WebTestContext } from '../web/support';
import { imagesFromEnv } from './fixtures';
import { startGitServer, type GitServer } from './gitServer';

export interface GradingStack {
  context: WebTestContext;
  app: WebApp;
  git: GitServer;
  close(): Promise<void>;
}

export async function startGradingStack(): Promise<GradingStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-stack-'));
  const context = await startWebTestContext();
  const app = await context.startApp();
  const git = await startGitServer();
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: context.database.url,
    REDIS_URL: context.redisUrl,
    QUEUE_NAME: context.queueName,
    GIT_HTTP_HOSTS: '127.0.0.1',
    DATA_DIR: dataDir,
  });
  const worker: WorkerHandle = await startGradingWorker({ config, images: imagesFromEnv(), logger: pino({ level: 'silent' }), queue: context.queue });
  return {
    context,
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
