import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The service's configuration, read from the environment once at start-up.
 * Nothing else in the app reads `process.env`: a missing or malformed value
 * stops the process with a message naming the variable.
 */
export interface AppConfig {
  port: number;
  /** The deployment stage (APP_ENV): the same image runs as development, staging or production. */
  environment: AppEnvironment;
  /** What GET /health reports: APP_VERSION when the build sets one, else package.json's version. */
  version: string;
  database: DatabaseConfig;
  jwt: {
    accessSecret: string;
    refreshSecret: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  admin: { email: string; password: string } | null;
}

export type DatabaseConfig =
  | { url: string }
  | { host: string; port: number; username: string; password: string; database: string };

const ACCESS_TTL_SECONDS = 15 * 60;
const REFRESH_TTL_SECONDS = 7 * 24 * 60 * 60;

export class ConfigError extends Error {}

export const APP_ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type AppEnvironment = (typeof APP_ENVIRONMENTS)[number];

function parseEnvironment(raw: string | undefined): AppEnvironment {
  const value = raw ?? 'development';
  if (!(APP_ENVIRONMENTS as readonly string[]).includes(value)) {
    throw new ConfigError(`APP_ENV must be one of ${APP_ENVIRONMENTS.join(', ')}, got "${value}"`);
  }
  return value as AppEnvironment;
}

/** package.json sits one folder above dist/ (and src/), in the image as in the repository. */
function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' && manifest.version ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(`Environment variable ${name} is required`);
  }
  return value;
}

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

/** The full configuration of the HTTP service. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const accessSecret = required(env, 'JWT_SECRET');
  const refreshSecret = required(env, 'JWT_REFRESH_SECRET');
  const adminEmail = env.ADMIN_EMAIL;
  const adminPassword = env.ADMIN_PASSWORD;
  if (Boolean(adminEmail) !== Boolean(adminPassword)) {
    throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  return {
    port: parsePort('PORT', env.PORT ?? '3000'),
    environment: parseEnvironment(env.APP_ENV),
    version: env.APP_VERSION || packageVersion(),
    database: loadDatabaseConfig(env),
    jwt: {
      accessSecret,
      refreshSecret,
      accessTtlSeconds: ACCESS_TTL_SECONDS,
      refreshTtlSeconds: REFRESH_TTL_SECONDS,
    },
    admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : null,
  };
}

/** Injection token under which the parsed {@link AppConfig} is provided. */
export const APP_CONFIG = Symbol('APP_CONFIG');
