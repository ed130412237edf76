/**
 * npm run serve: the web server alone, for a deployment whose PostgreSQL, Redis and workers are
 * provided (docker/compose.yml). DATABASE_URL and REDIS_URL must be set; nothing is started.
 */
process.env.START_WORKER ??= 'false';

async function main(): Promise<void> {
  const { getConfig } = await import('../core/config');
  const { startPlatform } = await import('../server/main');
  const { gradingWorkerStarter, imagesFromConfig } = await import('../worker/worker');
  // START_WORKER=true with IMAGE_* set: a worker in this process too, on images built elsewhere.
  const platform = await startPlatform({ startWorker: gradingWorkerStarter(imagesFromConfig(getConfig())) });
  console.log(`Backend Pro web server listening at ${platform.url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void platform.close().then(() => process.exit(0)));
  }
}

main().catch((error) => {
  console.error(`npm run serve failed: ${(error as Error).message}`);
  process.exit(1);
});
