/**
 * Sessions in PostgreSQL (connect-pg-simple): the `session` table comes from a migration, never
 * from the store, so the app's role needs no DDL and tests build it like the rest of the schema.
 */
import connectPgSimple from 'connect-pg-simple';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Config } from '../../core/config';
import { getPool } from '../../core/db/sql';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
  }
}

export const SESSION_COOKIE = 'backend_pro.sid';
const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;

export function createSessionMiddleware(config: Config): RequestHandler {
  const PgStore = connectPgSimple(session);
  return session({
    name: SESSION_COOKIE,
    secret: config.SESSION_SECRET,
    store: new PgStore({ pool: getPool(), tableName: 'session', createTableIfMissing: false }),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.NODE_ENV === 'production',
      maxAge: TWO_WEEKS_MS,
    },
  });
}
