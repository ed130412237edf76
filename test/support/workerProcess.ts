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
import { runWorkerProcess } from '../../worker/worker';
import { createStatusReporter } from '../../server/github/statuses';
import { fixtureExercise, imagesFromEnv } from './fixtures';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const limits = process.env.FIXTURE_LIMITS ? (JSON.parse(process.env.FIXTURE_LIMITS) as Record<string, number>) : {};
  const logger = pino({ level: config.LOG_LEVEL }, pino.destination(2));
  await runWorkerProcess(config, {
    poolSize: 5,
    statuses: createStatusReporter(config, logger),
    images: imagesFromEnv(),
    logger,
    findExercise: () => fixtureExercise(limits),
  });
  process.stdout.write(`ready ${process.pid}\n`);
}

main().catch((error) => {
  process.stderr.write(`worker process failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
