/**
 * npm run worker: a grading worker alone (docker/compose.yml runs one per Docker host). It builds
 * the sandbox images if needed (BACKENDPRO_PULL_BASE=1 builds them from the official bases), then
 * consumes the `grading` queue until SIGTERM, finishing the jobs it holds first.
 */
import { ensureServices } from './services';

async function main(): Promise<void> {
  const info = await ensureServices({ postgres: false, redis: false, docker: true, images: true, log: (line) => console.log(line) });
  const { getConfig } = await import('../core/config');
  const { createLogger } = await import('../core/logger');
  const { runWorkerProcess } = await import('../worker/worker');
  const { createStatusReporter } = await import('../server/github/statuses');
  const config = getConfig();
  const logger = createLogger(config.LOG_LEVEL);
  await runWorkerProcess(config, {
    images: info.images,
    logger,
    statuses: createStatusReporter(config, logger),
    closeWithinMs: 60_000,
    onStop: () => logger.info('stopping: finishing the jobs in hand (at most 60 s)'),
  });
}

main().catch((error) => {
  console.error(`npm run worker failed: ${(error as Error).message}`);
  process.exit(1);
});
