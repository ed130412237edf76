/**
 * npm run serve: the web server alone, for a deployment whose PostgreSQL, Redis and workers are
 * provided (docker/compose.yml). DATABASE_URL and REDIS_URL must be set; nothing is started.
 */
process.env.START_WORKER ??= 'false';

async function main(): Promise<void> {
  const { startPlatform } = await import('../server/main');
  const platform = await startPlatform();
  console.log(`Backend Pro web server listening at ${platform.url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void platform.close().then(() => process.exit(0)));
  }
}

main().catch((error) => {
  console.error(`npm run serve failed: ${(error as Error).message}`);
  process.exit(1);
});
