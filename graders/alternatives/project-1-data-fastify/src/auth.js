// Phase 1 accounts: register, login, the admin account, and a Bearer guard.
import bcrypt from 'bcryptjs';
import { SignJWT, jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { HttpError, badRequest, zodDetails } from './errors.js';

const ACCESS_TTL_SECONDS = 15 * 60;
const accessKey = () => new TextEncoder().encode(process.env.JWT_SECRET ?? 'dev-secret');
const refreshKey = () => new TextEncoder().encode(process.env.JWT_REFRESH_SECRET ?? 'dev-refresh-secret');

const registerSchema = z.strictObject({
  email: z.email(),
  password: z.string().min(8).max(72),
  name: z.string().trim().min(1).max(100),
});
const loginSchema = z.strictObject({ email: z.email(), password: z.string().min(8).max(72) });

function parse(schema, body) {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw badRequest(zodDetails(result.error));
  return result.data;
}

const publicUser = (u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: new Date(u.created_at).toISOString() });

export async function ensureAdmin(knex) {
  const email = process.env.ADMIN_EMAIL;
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) return;
  const hash = await bcrypt.hash(password, 10);
  const existing = await knex('users').whereRaw('lower(email) = lower(?)', [email]).first('id');
  if (existing) await knex('users').where({ id: existing.id }).update({ role: 'admin', password_hash: hash });
  else await knex('users').insert({ email, name: 'Admin', password_hash: hash, role: 'admin' });
}

/** preHandler: verifies the Bearer token and sets request.user = { id, role }. */
export async function requireUser(request) {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new HttpError(401, 'Missing bearer token');
  try {
    const { payload } = await jwtVerify(match[1], accessKey(), { algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || payload.typ === 'refresh') throw new Error('bad token');
    request.user = { id: payload.sub, role: payload.role };
  } catch {
    throw new HttpError(401, 'Invalid or expired token');
  }
}

export async function authRoutes(app, { knex }) {
  app.post('/auth/register', async (request, reply) => {
    const input = parse(registerSchema, request.body);
    const password_hash = await bcrypt.hash(input.password, 10);
    const [row] = await knex.raw(
      `INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING *`,
      [input.email, input.name, password_hash],
    ).then((r) => r.rows);
    if (!row) throw new HttpError(409, 'Email already registered');
    return reply.code(201).send(publicUser(row));
  });

  app.post('/auth/login', async (request) => {
    const input = parse(loginSchema, request.body);
    const user = await knex('users').whereRaw('lower(email) = lower(?)', [input.email]).first();
    if (!user || !(await bcrypt.compare(input.password, user.password_hash))) {
      throw new HttpError(401, 'Invalid email or password');
    }
    const accessToken = await new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(user.id).setIssuedAt()
      .setExpirationTime(`${ACCESS_TTL_SECONDS}s`).sign(accessKey());
    const refreshToken = await new SignJWT({ typ: 'refresh', jti: randomBytes(16).toString('hex') })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(user.id).setIssuedAt()
      .setExpirationTime('7d').sign(refreshKey());
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ACCESS_TTL_SECONDS };
  });

  app.get('/users/me', { preHandler: requireUser }, async (request) => {
    const user = await knex('users').where({ id: request.user.id }).first();
    if (!user) throw new HttpError(401, 'Unknown user');
    return publicUser(user);
  });
}
