/**
 * Assembles the running platform: database (migrated), exercises (loaded from files), the
 * grading queue, the web server and, unless START_WORKER=false, the grading worker it is handed
 * (`startWorker`: the server never imports worker/; scripts/start.ts joins the two).
 */
import type { Server } from 'node:http';
import { createApp } from './app';
import { getConfig } from '../core/config';
import { runMigrations } from './db/migrate';
import { closePool, initPool } from '../core/db/sql';
import { loadExercises } from './exercises/load';
import { createLogger } from '../core/logger';
import { createGradingQueue, createGradingQueueEvents, createRedisConnection } from '../core/queue';
import type { GradingWorkerHandle, StartGradingWorker } from '../core/ports';
import { createStatusReporter } from './github/statuses';

export interface Platform {
  url: string;
  port: number;
  githubEnabled: boolean;
  close(): Promise<void>;
}

export async function startPlatform(options: { startWorker?: StartGradingWorker; port?: number } = {}): Promise<Platform> {
  const config = getConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const pool = initPool(config.DATABASE_URL);
  await runMigrations(pool, (line) => logger.info(line));
  await loadExercises();

  const producer = createRedisConnection(config.REDIS_URL, 'producer');
  const queue = createGradingQueue(producer, config.QUEUE_NAME);
  const queueEvents = createGradingQueueEvents(config.REDIS_URL, config.QUEUE_NAME);
  await queue.waitUntilReady();
  const app = createApp({ config, queue, queueEvents, redis: producer, logger });

  let worker: GradingWorkerHandle | undefined;
  if (config.START_WORKER && options.startWorker) {
    worker = await options.startWorker({ config, logger, queue, statuses: createStatusReporter(config, logger) });
  } else if (config.START_WORKER) {
    logger.warn('no grading worker in this process (no sandbox images configured: IMAGE_RUNTIME_NODE20/22/24, IMAGE_SERVICES, IMAGE_TESTER)');
  }

  const port = options.port ?? config.PORT;
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(port, config.HOST, () => resolve(listening));
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = port === config.PORT && options.port === undefined ? config.BASE_URL : `http://localhost:${actualPort}`;

  return {
    url,
    port: actualPort,
    githubEnabled: Boolean(config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET),
    async close() {
      const deadline = new Promise((resolve) => setTimeout(resolve, 30_000));
      await Promise.race([
        (async () => {
          server.closeAllConnections?.();
          await new Promise((resolve) => server.close(resolve));
          await worker?.close();
          await queueEvents.close();
          await queue.close();
          producer.disconnect();
          await closePool();
        })(),
        deadline,
      ]);
    },
  };
}
