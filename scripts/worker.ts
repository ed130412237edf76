/**
 * npm run worker: a grading worker alone (docker/compose.yml runs one per Docker host). It builds
 * the sandbox images if needed (BACKENDPRO_PULL_BASE=1 builds them from the official bases), then
 * consumes the `grading` queue until SIGTERM, finishing the jobs it holds first.
 */
import { ensureServices } from './services';

async function main(): Promise<void> {
  const info = await ensureServices({ postgres: false, redis: false, docker: true, images: true, log: (line) => console.log(line) });
  const { getConfig } = await import('../core/config');
  const { initPool, closePool } = await import('../core/db/sql');
  const { createLogger } = await import('../core/logger');
  const { createGradingQueue, createRedisConnection } = await import('../core/queue');
  const { startGradingWorker } = await import('../worker/worker');
  const { createStatusReporter } = await import('../server/github/statuses');
  const config = getConfig();
  const logger = createLogger(config.LOG_LEVEL);
  initPool(config.DATABASE_URL);
  const producer = createRedisConnection(config.REDIS_URL, 'producer');
  const queue = createGradingQueue(producer, config.QUEUE_NAME);
  const worker = await startGradingWorker({ config, images: info.images, logger, queue, statuses: createStatusReporter(config, logger) });
  const stop = async () => {
    logger.info('stopping: finishing the jobs in hand (at most 60 s)');
    await Promise.race([worker.close(), new Promise((resolve) => setTimeout(resolve, 60_000))]);
    await queue.close();
    producer.disconnect();
    await closePool();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error) => {
  console.error(`npm run worker failed: ${(error as Error).message}`);
  process.exit(1);
});
