/**
 * The service's configuration, read from the environment once at start-up.
 * Nothing else in the app reads `process.env`: a missing or malformed value
 * stops the process with a message naming the variable.
 */
export interface AppConfig {
  port: number;
  database: DatabaseConfig;
  jwt: {
    accessSecret: string;
    refreshSecret: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  admin: { email: string; password: string } | null;
  security: SecurityConfig;
}

export interface SecurityConfig {
  /** The one browser origin allowed by CORS, with credentials. */
  corsOrigin: string;
  /** Length of every rate-limit window. */
  rateLimitWindowSeconds: number;
  google: GoogleConfig;
}

export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
}

export type DatabaseConfig =
  | { url: string }
  | { host: string; port: number; username: string; password: string; database: string };

const ACCESS_TTL_SECONDS = 15 * 60;
const REFRESH_TTL_SECONDS = 7 * 24 * 60 * 60;
const DEFAULT_RATE_LIMIT_WINDOW_SECONDS = 60;
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const GOOGLE_USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo';

export class ConfigError extends Error {}

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
    database: loadDatabaseConfig(env),
    jwt: {
      accessSecret,
      refreshSecret,
      accessTtlSeconds: ACCESS_TTL_SECONDS,
      refreshTtlSeconds: REFRESH_TTL_SECONDS,
    },
    admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : null,
    security: loadSecurityConfig(env),
  };
}

function loadSecurityConfig(env: NodeJS.ProcessEnv): SecurityConfig {
  const window = Number(env.RATE_LIMIT_WINDOW_SECONDS || DEFAULT_RATE_LIMIT_WINDOW_SECONDS);
  if (!Number.isInteger(window) || window < 1) {
    throw new ConfigError(`RATE_LIMIT_WINDOW_SECONDS must be a whole number of seconds, got "${env.RATE_LIMIT_WINDOW_SECONDS}"`);
  }
  return {
    corsOrigin: required(env, 'CORS_ORIGIN'),
    rateLimitWindowSeconds: window,
    google: {
      clientId: required(env, 'GOOGLE_CLIENT_ID'),
      clientSecret: required(env, 'GOOGLE_CLIENT_SECRET'),
      callbackUrl: required(env, 'GOOGLE_CALLBACK_URL'),
      tokenUrl: env.GOOGLE_TOKEN_URL || GOOGLE_TOKEN_URL,
      userinfoUrl: env.GOOGLE_USERINFO_URL || GOOGLE_USERINFO_URL,
    },
  };
}

/** Injection token under which the parsed {@link AppConfig} is provided. */
export const APP_CONFIG = Symbol('APP_CONFIG');
