/**
 * npm start: brings up PostgreSQL, Redis, the Docker engine and the sandbox images, migrates,
 * loads the exercises, and serves the platform with a grading worker in the same process.
 */
import { ensureServices } from './services';

async function main(): Promise<void> {
  const started = Date.now();
  const info = await ensureServices({ postgres: true, redis: true, docker: true, images: true, log: (line) => console.log(line) });
  process.env.DATABASE_URL ??= info.databaseUrl;
  process.env.REDIS_URL ??= info.redisUrl;
  // Imported after the environment is complete: config is parsed once.
  const { startPlatform } = await import('../server/main');
  const { gradingWorkerStarter } = await import('../worker/worker');
  const platform = await startPlatform({ startWorker: gradingWorkerStarter(info.images) });
  console.log(`\nBackend Pro is running at ${platform.url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(
    platform.githubEnabled
      ? 'Sign in with GitHub, or with a name on the sign-in page (dev sign-in).'
      : 'Sign in with any name on the sign-in page (dev sign-in). Set GITHUB_CLIENT_ID/GITHUB_CLIENT_SECRET for GitHub sign-in;',
  );
  console.log('instructors are the logins listed in INSTRUCTORS. Press Ctrl+C to stop.\n');
  const stop = async (signal: string) => {
    console.log(`\n${signal}: stopping (finishing running jobs first, at most 30 s)…`);
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
