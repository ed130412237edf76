/**
 * A grading worker as an OS process of its own, for the fault tests (a test can `kill -9` it):
 * run with `node --import tsx test/support/workerProcess.ts` (one process: the tsx command would
 * run it in a child that a SIGKILL of the command leaves running). Its configuration comes from
 * the environment like the real worker's (DATABASE_URL, REDIS_URL, QUEUE_NAME, IMAGE_*, DATA_DIR,
 * WORKER_*), and it grades the fixture exercise (test/support/fixtures.ts), whose limits
 * FIXTURE_LIMITS (JSON) may change. It prints one line `ready <pid>` on stdout once it consumes
 * the queue, and closes cleanly on SIGTERM (finishing the jobs in hand).
 */
import pino from 'pino';
import { parseConfig } from '../../core/config';
import { closePool, initPool } from '../../core/db/sql';
import { createGradingQueue, createRedisConnection } from '../../core/queue';
import { startGradingWorker } from '../../worker/worker';
import { createStatusReporter } from '../../server/github/statuses';
import { fixtureExercise, imagesFromEnv } from './fixtures';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const limits = process.env.FIXTURE_LIMITS ? (JSON.parse(process.env.FIXTURE_LIMITS) as Record<string, number>) : {};
  const logger = pino({ level: config.LOG_LEVEL }, pino.destination(2));
  initPool(config.DATABASE_URL, 5);
  const producer = createRedisConnection(config.REDIS_URL, 'producer');
  const queue = createGradingQueue(producer, config.QUEUE_NAME);
  const worker = await startGradingWorker({
    statuses: createStatusReporter(config, logger),
    config,
    images: imagesFromEnv(),
    logger,
    queue,
    findExercise: () => fixtureExercise(limits),
  });
  process.stdout.write(`ready ${process.pid}\n`);
  const stop = async () => {
    await worker.close();
    await queue.close();
    producer.disconnect();
    await closePool();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error) => {
  process.stderr.write(`worker process failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
