/**
 * What the platform itself gives every learner app, whatever the exercise: its port, the pod's
 * PostgreSQL and Redis, fresh secrets per grading. Apart from the pod so that reading
 * backend-pro.yml (appConfig.ts) can know these names without the pod's machinery.
 */
import crypto from 'node:crypto';

export const APP_PORT = 3000;
export const PG_PORT = 5432;
export const REDIS_PORT = 6379;

export interface PodSecrets {
  superuserPassword: string;
  appPassword: string;
  jwtSecret: string;
  jwtRefreshSecret: string;
}

export function newPodSecrets(): PodSecrets {
  const secret = () => crypto.randomBytes(24).toString('base64url');
  return { superuserPassword: secret(), appPassword: secret(), jwtSecret: secret(), jwtRefreshSecret: secret() };
}

/** The variables the platform itself gives every app, whatever the exercise (PORT, DATABASE_URL, DB_*…). */
export function platformEnvironment(secrets: PodSecrets, memoryMb: number): Record<string, string> {
  const databaseUrl = `postgres://app:${secrets.appPassword}@127.0.0.1:${PG_PORT}/app`;
  return {
    NODE_ENV: 'production',
    PORT: String(APP_PORT),
    HOME: '/tmp',
    DATABASE_URL: databaseUrl,
    DB_HOST: '127.0.0.1',
    DB_PORT: String(PG_PORT),
    DB_USERNAME: 'app',
    DB_USER: 'app',
    DB_PASSWORD: secrets.appPassword,
    DB_NAME: 'app',
    DB_DATABASE: 'app',
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: String(PG_PORT),
    POSTGRES_USER: 'app',
    POSTGRES_PASSWORD: secrets.appPassword,
    POSTGRES_DB: 'app',
    PGHOST: '127.0.0.1',
    PGPORT: String(PG_PORT),
    PGUSER: 'app',
    PGPASSWORD: secrets.appPassword,
    PGDATABASE: 'app',
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(REDIS_PORT),
    JWT_SECRET: secrets.jwtSecret,
    JWT_REFRESH_SECRET: secrets.jwtRefreshSecret,
    NODE_OPTIONS: `--max-old-space-size=${Math.floor(memoryMb * 0.75)}`,
    npm_config_update_notifier: 'false',
  };
}

/** The names of {@link platformEnvironment}: what backend-pro.yml may map to and never give a value. */
export function platformVariableNames(): string[] {
  const placeholder = { superuserPassword: '', appPassword: '', jwtSecret: '', jwtRefreshSecret: '' };
  return Object.keys(platformEnvironment(placeholder, 256));
}
