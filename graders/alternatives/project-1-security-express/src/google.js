// Login with Google: the authorization-code flow with plain fetch. The state is random, bound to
// the browser by an HttpOnly cookie and kept in Redis for one use only; the callback calls Google
// only once both agree.
import crypto from 'node:crypto';
import express from 'express';
import { config } from './config.js';
import { pool } from './db.js';
import { HttpError } from './errors.js';
import { redis } from './redis.js';
import { issuePair } from './tokens.js';

const COOKIE = 'google_oauth_state';
const STATE_TTL_SECONDS = 600;
const stateKey = (state) => `oauth:google:${crypto.createHash('sha256').update(state).digest('hex')}`;

function readCookie(req, name) {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

function sameString(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const cookieOptions = { httpOnly: true, secure: true, sameSite: 'lax', path: '/auth/google' };

export const googleRouter = express.Router();

googleRouter.get('/auth/google', async (_req, res) => {
  const state = crypto.randomBytes(32).toString('base64url');
  await redis.set(stateKey(state), '1', 'EX', STATE_TTL_SECONDS);
  res.cookie(COOKIE, state, { ...cookieOptions, maxAge: STATE_TTL_SECONDS * 1000 });
  const url = new URL(config.google.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.google.clientId,
    redirect_uri: config.google.callbackUrl,
    scope: 'openid email profile',
    state,
  }).toString();
  res.redirect(302, url.toString());
});

googleRouter.get('/auth/google/callback', async (req, res) => {
  const { code, state } = req.query;
  const cookieState = readCookie(req, COOKIE);
  res.clearCookie(COOKIE, cookieOptions);
  if (typeof state !== 'string' || !state || !cookieState || !sameString(state, cookieState)) {
    throw new HttpError(403, 'The sign-in state is missing or was not issued to this browser');
  }
  // One use only: a state already used (or expired) is refused too.
  if ((await redis.del(stateKey(state))) !== 1) throw new HttpError(403, 'The sign-in state has expired or was already used');
  if (typeof code !== 'string' || !code) throw new HttpError(400, 'The callback has no code');

  const profile = await fetchGoogleProfile(code);
  if (!profile.email || profile.email_verified !== true) throw new HttpError(403, 'Google did not confirm this email address');
  const user = await findOrCreateGoogleUser(profile);
  res.json(await issuePair(user));
});

async function fetchGoogleProfile(code) {
  const { clientId, clientSecret, callbackUrl, tokenUrl, userinfoUrl } = config.google;
  let tokenResponse;
  let userinfoResponse;
  try {
    tokenResponse = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl, client_id: clientId, client_secret: clientSecret }),
      signal: AbortSignal.timeout(5000),
    });
    if (!tokenResponse.ok) throw new HttpError(401, 'Google refused the authorization code');
    const { access_token: accessToken } = await tokenResponse.json();
    if (typeof accessToken !== 'string') throw new HttpError(502, 'Google answered without an access token');
    userinfoResponse = await fetch(userinfoUrl, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
    if (!userinfoResponse.ok) throw new HttpError(401, 'Google refused the access token');
    return await userinfoResponse.json();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(502, `Google could not be reached: ${error.message}`);
  }
}

/** The account with this Google id, else the one with this email, else a new `user`. */
async function findOrCreateGoogleUser(profile) {
  const bySub = await pool.query('SELECT id, role FROM users WHERE google_sub = $1', [String(profile.sub)]);
  if (bySub.rows[0]) return bySub.rows[0];
  const name = String(profile.name || profile.email).replace(/[<>]/g, '').slice(0, 100) || profile.email;
  const { rows } = await pool.query(
    `INSERT INTO users (email, name, google_sub) VALUES ($1, $2, $3)
     ON CONFLICT ((lower(email))) DO UPDATE SET google_sub = COALESCE(users.google_sub, EXCLUDED.google_sub)
     RETURNING id, role`,
    [profile.email, name, String(profile.sub)],
  );
  return rows[0];
}
