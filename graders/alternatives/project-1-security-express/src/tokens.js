import crypto from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { pool } from './db.js';
import { HttpError } from './errors.js';

const ACCESS_TTL_SECONDS = 15 * 60;
const REFRESH_TTL_DAYS = 7;
const accessKey = () => new TextEncoder().encode(process.env.JWT_SECRET);
const sha256 = (value) => crypto.createHash('sha256').update(value).digest('hex');

/** A fresh access token (JWT, HS256) and a fresh opaque refresh token, stored hashed. */
export async function issuePair(user, db = pool) {
  const accessToken = await new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TTL_SECONDS}s`)
    .sign(accessKey());
  const refreshToken = crypto.randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '${REFRESH_TTL_DAYS} days')`,
    [sha256(refreshToken), user.id],
  );
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ACCESS_TTL_SECONDS };
}

/** Marks a refresh token used, atomically: only one caller ever gets its user id back. */
export async function consumeRefreshToken(refreshToken, userId = null) {
  const { rows } = await pool.query(
    `UPDATE refresh_tokens SET used_at = now()
      WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() AND ($2::uuid IS NULL OR user_id = $2::uuid)
      RETURNING user_id`,
    [sha256(refreshToken), userId],
  );
  return rows[0]?.user_id ?? null;
}

/** Middleware: a valid Bearer access token, or 401. Sets req.auth = { sub, role }. */
export async function authenticate(req, _res, next) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!match) throw new HttpError(401, 'Missing or malformed Authorization header');
  try {
    const { payload } = await jwtVerify(match[1], accessKey(), { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] });
    if (typeof payload.role !== 'string') throw new Error('no role');
    req.auth = { sub: payload.sub, role: payload.role };
  } catch {
    throw new HttpError(401, 'Invalid or expired access token');
  }
  next();
}

export function requireRole(role) {
  return (req, _res, next) => {
    if (req.auth?.role !== role) throw new HttpError(403, `This route needs the ${role} role`);
    next();
  };
}
