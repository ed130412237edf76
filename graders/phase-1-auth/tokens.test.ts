import { call, exerciseEnv } from '../harness/context';
import { ensure, expectObserved, expectStatus, fail, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { isRecord, login, newUser, registerUser, signedInUser } from '../shared/project-1/api';
import { decodeJwt, signJwt, verifyHs256 } from './support/jwt';

const check = useChecks(checks);

/** The app accepted this access token (any answer but 401/403 on GET /users/me). */
async function expectTokenAccepted(token: string, what: string): Promise<void> {
  const me = await call('GET', '/users/me', { token });
  ensure(
    me.status !== 401 && me.status !== 403,
    `\`GET /users/me\` with ${what} answered **${me.status}**; expected the token to be accepted (200).\n\n${showBody(me)}`,
  );
}

check('tokens.login-returns-pair', async () => {
  const user = newUser('pair');
  await registerUser(user);
  const res = await call('POST', '/auth/login', { body: { email: user.email, password: user.password } });
  expectStatus(res, 200, { when: 'with the right email and password', fix: 'Answer `200 OK` with a token pair.' });
  const body = isRecord(res.body) ? res.body : {};
  const problems: string[] = [];
  if (typeof body.accessToken !== 'string' || !body.accessToken) problems.push('`accessToken` is not a non-empty string');
  if (typeof body.refreshToken !== 'string' || !body.refreshToken) problems.push('`refreshToken` is not a non-empty string');
  if (body.accessToken === body.refreshToken) problems.push('`accessToken` and `refreshToken` are the same token');
  if (body.tokenType !== 'Bearer') problems.push(`\`tokenType\` is ${show(body.tokenType)}; expected \`"Bearer"\``);
  const expiresIn = body.expiresIn;
  const validExpiresIn = (typeof expiresIn === 'number' && expiresIn > 0) || (typeof expiresIn === 'string' && expiresIn.length > 0);
  if (!validExpiresIn) problems.push(`\`expiresIn\` is ${show(expiresIn)}; expected the access token's lifetime in seconds`);
  ensure(
    problems.length === 0,
    `\`POST /auth/login\` answered 200, but not with \`{ accessToken, refreshToken, tokenType: "Bearer", expiresIn }\`:\n- ${problems.join('\n- ')}\n\n${showBody(res)}`,
  );
});

check('tokens.login-wrong-credentials', async () => {
  const user = newUser('wrongcreds');
  await registerUser(user);
  const wrongPassword = await call('POST', '/auth/login', { body: { email: user.email, password: 'Wrong-Passw0rd' } });
  expectStatus(wrongPassword, 401, {
    when: 'with a wrong password',
    fix: 'Compare the password with its hash and answer `401 Unauthorized` when it does not match.',
  });
  const unknownEmail = await call('POST', '/auth/login', {
    body: { email: newUser('nobody').email, password: user.password },
  });
  expectStatus(unknownEmail, 401, {
    when: 'with an email nobody registered',
    fix: 'An unknown email is a `401 Unauthorized`, exactly like a wrong password.',
  });
  const messageOf = (body: unknown): unknown => (isRecord(body) ? body.message : body);
  ensure(
    JSON.stringify(messageOf(wrongPassword.body)) === JSON.stringify(messageOf(unknownEmail.body)),
    `The two 401s differ: a wrong password says ${show(messageOf(wrongPassword.body))}, an unknown email says ` +
      `${show(messageOf(unknownEmail.body))}; expected the same message, so nobody can find out which emails exist.`,
  );
});

check('tokens.access-jwt-claims', async () => {
  const { id, tokens } = await signedInUser('claims');
  const jwt = decodeJwt(tokens.accessToken);
  if (!jwt) fail(`The access token ${show(tokens.accessToken, 60)} is not a JWT (three base64url parts, JSON header and payload).`);
  ensure(jwt.header.alg === 'HS256', `The access token's header has \`alg\` ${show(jwt.header.alg)}; expected \`"HS256"\`.`);
  ensure(
    verifyHs256(jwt, exerciseEnv('JWT_SECRET')),
    "The access token's signature does not verify with `JWT_SECRET`; expected it signed with that secret (HS256).",
  );
  const { sub, role, exp } = jwt.payload;
  expectObserved("The access token's `sub`", sub, id, "Put the user's id in `sub`.");
  expectObserved("The access token's `role`", role, 'user', "Put the user's role in `role` (a new user is a `user`).");
  const now = Math.floor(Date.now() / 1000);
  ensure(typeof exp === 'number', `The access token has \`exp\` ${show(exp)}; expected a NumericDate (seconds).`);
  ensure(exp > now - 5 && exp <= now + 3600 + 5, `The access token's \`exp\` is ${exp - now} s from now; expected at most one hour (3600 s) ahead.`);
});

check('tokens.bad-tokens-rejected', async () => {
  const { tokens } = await signedInUser('badtokens');
  await expectTokenAccepted(tokens.accessToken, 'a valid access token');
  const jwt = decodeJwt(tokens.accessToken);
  if (!jwt) fail('The access token is not a JWT, so the grader cannot forge variants of it.');
  const secret = exerciseEnv('JWT_SECRET');
  const [rawHeader, , signature] = tokens.accessToken.split('.');
  const now = Math.floor(Date.now() / 1000);

  const bad: Array<[string, string]> = [
    [
      `${rawHeader}.${Buffer.from(JSON.stringify({ ...jwt.payload, role: 'admin' })).toString('base64url')}.${signature}`,
      'a tampered token (payload edited, signature kept)',
    ],
    [signJwt(jwt.payload, 'not-the-secret'), 'a token signed with another secret'],
    [signJwt({ ...jwt.payload, iat: now - 7200, exp: now - 3600 }, secret), 'an expired token (signed with JWT_SECRET)'],
    [signJwt(jwt.payload, undefined, { alg: 'none', typ: 'JWT' }), 'an unsigned token (`alg: "none"`)'],
    ['not-a-jwt', 'a malformed token'],
    ['aaa.bbb.ccc', 'a malformed token (three parts)'],
  ];
  for (const [token, label] of bad) {
    const res = await call('GET', '/users/me', { token });
    expectStatus(res, 401, { when: `with ${label}`, fix: 'Refuse it with `401 Unauthorized`.' });
  }
});

check('tokens.refresh-rotation', async () => {
  const { tokens } = await signedInUser('rotation');
  const first = await call('POST', '/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
  expectStatus(first, 200, {
    when: 'with the refresh token login gave',
    fix: 'Exchange a valid refresh token for a new pair with `200 OK`.',
  });
  const pair = isRecord(first.body) ? first.body : {};
  ensure(
    typeof pair.accessToken === 'string' && typeof pair.refreshToken === 'string',
    `\`POST /auth/refresh\` answered 200 without \`accessToken\` and \`refreshToken\` strings; expected the same shape as login.\n\n${showBody(first)}`,
  );
  ensure(
    pair.refreshToken !== tokens.refreshToken,
    '`POST /auth/refresh` gave back the same refresh token; expected a **new** one (rotation). Make every refresh token unique: a random opaque string, or a JWT with a unique id (`jti`).',
  );
  await expectTokenAccepted(pair.accessToken, 'the access token `POST /auth/refresh` gave');

  const reused = await call('POST', '/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
  expectStatus(reused, 401, {
    when: 'with a refresh token already used',
    fix: 'Mark each refresh token as used when it is exchanged and refuse it the second time.',
  });
  const next = await call('POST', '/auth/refresh', { body: { refreshToken: pair.refreshToken } });
  expectStatus(next, 200, {
    when: 'with the new refresh token (never used)',
    fix: 'The refresh token a refresh gives must work once, like the one login gives.',
  });
});

check('tokens.refresh-not-access', async () => {
  const { tokens } = await signedInUser('notaccess');
  await expectTokenAccepted(tokens.accessToken, 'a valid access token');
  const asBearer = await call('GET', '/users/me', { token: tokens.refreshToken });
  expectStatus(asBearer, 401, {
    when: 'with a refresh token as the Bearer token',
    fix: 'Only access tokens open protected routes.',
  });
  const asRefresh = await call('POST', '/auth/refresh', { body: { refreshToken: tokens.accessToken } });
  expectStatus(asRefresh, 401, {
    when: 'with an access token as `refreshToken`',
    fix: 'Only refresh tokens can be exchanged.',
  });
  const real = await call('POST', '/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
  expectStatus(real, 200, {
    when: 'with a valid refresh token',
    fix: 'Exchange a valid refresh token for a new pair.',
  });
});

check('tokens.logout-revokes', async () => {
  const user = newUser('logout');
  await registerUser(user);
  const tokens = await login(user.email, user.password);
  // The contract's auth column says Bearer: without one, logout is refused and revokes nothing.
  const anonymous = await call('POST', '/auth/logout', { body: { refreshToken: tokens.refreshToken } });
  expectStatus(anonymous, 401, {
    when: 'without an `Authorization: Bearer` header (with a valid refresh token in the body)',
    fix: 'Put the same access-token guard on `POST /auth/logout` as on `GET /users/me`: no valid Bearer token, `401 Unauthorized`.',
  });
  const logout = await call('POST', '/auth/logout', {
    token: tokens.accessToken,
    body: { refreshToken: tokens.refreshToken },
  });
  expectStatus(logout, 204, {
    when: 'with a Bearer token and the refresh token',
    fix: 'Revoke that refresh token and answer `204 No Content`.',
  });
  const after = await call('POST', '/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
  expectStatus(after, 401, {
    when: 'with a refresh token revoked by logout',
    fix: 'Remember revoked refresh tokens (or delete them) and refuse them with `401 Unauthorized`.',
  });
});
