import express from 'express';
import { z } from 'zod';
import { pool } from './db.js';
import { HttpError, errorHandler, notFound, validationError } from './errors.js';
import { googleRouter } from './google.js';
import { lockedFor, recordFailure, recordSuccess } from './lockout.js';
import { openapi } from './openapi.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { rateLimit } from './rateLimit.js';
import { cors, requireHttps, securityHeaders } from './security.js';
import { authenticate, consumeRefreshToken, issuePair, requireRole } from './tokens.js';

const email = z.string().max(254).pipe(z.email({ message: 'must be an email' }));
const password = z.string().min(8, 'must be at least 8 characters').max(72, 'must be at most 72 characters');
// A name is plain text: markup is refused (never stored, never echoed), everything else is kept as sent.
const name = z
  .string()
  .max(100, 'must be at most 100 characters')
  .refine((s) => s.trim().length > 0, 'must not be empty')
  .refine((s) => !/[<>]/.test(s), 'must be plain text (no < or >)');
const role = z.enum(['user', 'admin'], { message: 'must be user or admin' });
const refreshToken = z.string().min(1, 'must not be empty');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');

const schemas = {
  register: z.strictObject({ email, password, name }),
  login: z.strictObject({ email, password }),
  refresh: z.strictObject({ refreshToken }),
  role: z.strictObject({ role }),
  idParams: z.object({ id: uuid }),
};

const body = (schema) => (req, _res, next) => {
  const source = req.body === undefined ? {} : req.body;
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw validationError(parsed.error, source);
  req.valid = parsed.data;
  next();
};
const idParam = (req, _res, next) => {
  const parsed = schemas.idParams.safeParse(req.params);
  if (!parsed.success) throw validationError(parsed.error, req.params, 'id');
  next();
};

const COLUMNS = 'id, email, name, role, created_at';
const toUser = (row) => ({ id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.created_at.toISOString() });
async function findUser(id) {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export function createApp() {
  const app = express();
  app.disable('x-powered-by');
  // One proxy hop: req.ip is the right-most X-Forwarded-For address, req.protocol its X-Forwarded-Proto.
  app.set('trust proxy', 1);

  app.use(securityHeaders);
  app.use(requireHttps);
  app.use(cors);
  // Before the body is parsed: a request past the limit does no work at all.
  app.post('/auth/login', rateLimit('login', 5));
  app.post('/auth/register', rateLimit('register', 3));
  app.use(express.json({ limit: '16kb' }));

  app.get('/docs-json', (_req, res) => res.json(openapi));

  app.post('/auth/register', body(schemas.register), async (req, res) => {
    const { email, password, name } = req.valid;
    const hash = await hashPassword(password);
    const { rows } = await pool.query(
      `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING ${COLUMNS}`,
      [email, name, hash],
    );
    if (!rows[0]) throw new HttpError(409, 'A user with this email already exists');
    res.status(201).json(toUser(rows[0]));
  });

  app.post('/auth/login', body(schemas.login), async (req, res) => {
    const { email, password } = req.valid;
    const lockedSeconds = await lockedFor(email);
    if (lockedSeconds > 0) {
      throw new HttpError(423, 'Too many failed logins for this account: try again later', undefined, { 'Retry-After': String(lockedSeconds) });
    }
    const { rows } = await pool.query('SELECT id, role, password_hash FROM users WHERE lower(email) = lower($1)', [email]);
    if (!(await verifyPassword(rows[0]?.password_hash, password))) {
      await recordFailure(email);
      throw new HttpError(401, 'Invalid email or password');
    }
    await recordSuccess(email);
    res.json(await issuePair(rows[0]));
  });

  app.post('/auth/refresh', body(schemas.refresh), async (req, res) => {
    const userId = await consumeRefreshToken(req.valid.refreshToken);
    const user = userId && (await findUser(userId));
    if (!user) throw new HttpError(401, 'Invalid refresh token');
    res.json(await issuePair(user));
  });

  app.post('/auth/logout', authenticate, body(schemas.refresh), async (req, res) => {
    await consumeRefreshToken(req.valid.refreshToken, req.auth.sub);
    res.status(204).end();
  });

  app.get('/users/me', authenticate, async (req, res) => {
    const user = await findUser(req.auth.sub);
    if (!user) throw new HttpError(401, 'The user of this token no longer exists');
    res.json(user);
  });

  app.get('/users', authenticate, requireRole('admin'), async (_req, res) => {
    const { rows } = await pool.query(`SELECT ${COLUMNS} FROM users ORDER BY created_at, id`);
    res.json(rows.map(toUser));
  });

  app.get('/users/:id', authenticate, requireRole('admin'), idParam, async (req, res) => {
    const user = await findUser(req.params.id);
    if (!user) throw new HttpError(404, `No user with id ${req.params.id}`);
    res.json(user);
  });

  app.patch('/users/:id/role', authenticate, requireRole('admin'), idParam, body(schemas.role), async (req, res) => {
    const { rows } = await pool.query(`UPDATE users SET role = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [req.params.id, req.valid.role]);
    if (!rows[0]) throw new HttpError(404, `No user with id ${req.params.id}`);
    res.json(toUser(rows[0]));
  });

  app.use(googleRouter);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** Makes sure ADMIN_EMAIL exists with the admin role (its password is set only when it is created). */
export async function ensureAdmin() {
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = process.env;
  if (!ADMIN_EMAIL || !ADMIN_PASSWORD) return;
  const hash = await hashPassword(ADMIN_PASSWORD);
  await pool.query(
    `INSERT INTO users (email, name, password_hash, role) VALUES ($1, 'Administrator', $2, 'admin')
     ON CONFLICT ((lower(email))) DO UPDATE SET role = 'admin'`,
    [ADMIN_EMAIL, hash],
  );
}
