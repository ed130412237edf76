// All configuration is read from the environment once, at start-up: the same image runs in every stage.
const STAGES = ['development', 'staging', 'production'];

export function loadConfig(env = process.env) {
  const stage = env.APP_ENV ?? 'development';
  if (!STAGES.includes(stage)) {
    throw new Error(`APP_ENV must be one of ${STAGES.join(', ')}; got "${stage}"`);
  }
  const databaseUrl =
    env.DATABASE_URL ||
    (env.DB_HOST
      ? `postgres://${encodeURIComponent(env.DB_USERNAME ?? '')}:${encodeURIComponent(env.DB_PASSWORD ?? '')}@${env.DB_HOST}:${env.DB_PORT ?? 5432}/${env.DB_NAME ?? ''}`
      : undefined);
  return Object.freeze({
    port: Number(env.PORT ?? 3000),
    stage,
    logLevel: env.LOG_LEVEL ?? (stage === 'production' ? 'warn' : stage === 'staging' ? 'info' : 'debug'),
    databaseUrl,
    version: env.APP_VERSION || undefined,
  });
}
