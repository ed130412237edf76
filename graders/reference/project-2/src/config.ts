/**
 * The service's configuration, read from the environment once at start-up.
 * Nothing else in the app reads `process.env`: a missing or malformed value
 * stops the process with a message naming the variable.
 */
export interface AppConfig {
  port: number;
  database: DatabaseConfig;
  redisUrl: string;
}

export type DatabaseConfig =
  | { url: string }
  | { host: string; port: number; username: string; password: string; database: string };

export class ConfigError extends Error {}

function firstOf(env: NodeJS.ProcessEnv, names: string[], fallback?: string): string {
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`One of ${names.join(', ')} is required`);
}

function parsePort(name: string, raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number, got "${raw}"`);
  }
  return port;
}

/** Database settings: DATABASE_URL when set, else the DB_* variables (with PG* fallbacks). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  return {
    host: firstOf(env, ['DB_HOST', 'PGHOST'], '127.0.0.1'),
    port: parsePort('DB_PORT', firstOf(env, ['DB_PORT', 'PGPORT'], '5432')),
    username: firstOf(env, ['DB_USERNAME', 'DB_USER', 'PGUSER']),
    password: firstOf(env, ['DB_PASSWORD', 'PGPASSWORD'], ''),
    database: firstOf(env, ['DB_NAME', 'DB_DATABASE', 'PGDATABASE']),
  };
}

/** The full configuration of the HTTP service and its payment worker. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const redisUrl =
    env.REDIS_URL || `redis://${firstOf(env, ['REDIS_HOST'], '127.0.0.1')}:${parsePort('REDIS_PORT', firstOf(env, ['REDIS_PORT'], '6379'))}`;
  return {
    port: parsePort('PORT', env.PORT ?? '3000'),
    database: loadDatabaseConfig(env),
    redisUrl,
  };
}

/** Injection token under which the parsed {@link AppConfig} is provided. */
export const APP_CONFIG = Symbol('APP_CONFIG');
