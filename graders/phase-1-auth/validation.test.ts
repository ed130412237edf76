import { call } from '../harness/context';
import { ensure, expectStatus, fail, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { adminTokens, isRecord, newUser, registerUser, unknownUuid } from '../shared/project-1/api';
import { decodeJwt } from './support/jwt';
import { expectFieldError } from '../shared/project-1/validation';

const check = useChecks(checks);

check('validation.email', async () => {
  const invalid: Array<[unknown, string]> = [
    ['not-an-email', '`"not-an-email"`'],
    ['ada@', '`"ada@"`'],
    ['@example.com', '`"@example.com"`'],
    [12345, 'a number'],
  ];
  for (const [email, label] of invalid) {
    const res = await call('POST', '/auth/register', { body: { ...newUser('email'), email } });
    expectStatus(res, 400, {
      when: `with ${label} as email`,
      fix: 'Validate `email` as an email address before anything else and answer `400 Bad Request`.',
    });
  }
});

check('validation.password-length', async () => {
  const cases: Array<{ password: unknown; label: string; expected: number }> = [
    { password: 'Sh0rt-7', label: 'a 7-character password', expected: 400 },
    { password: `${'A1b-'.repeat(18)}x`, label: 'a 73-character password', expected: 400 },
    { password: 12345678, label: 'a number as password', expected: 400 },
    { password: 'Ok-8char', label: 'an 8-character password', expected: 201 },
    { password: 'A1b-'.repeat(18), label: 'a 72-character password', expected: 201 },
  ];
  for (const { password, label, expected } of cases) {
    const res = await call('POST', '/auth/register', { body: { ...newUser('pwlen'), password } });
    expectStatus(res, expected, {
      when: `with ${label}`,
      fix:
        expected === 400
          ? 'A password is a string of 8 to 72 characters: anything else is a `400 Bad Request`.'
          : 'A password of 8 to 72 characters (bounds included) is valid: register the user.',
    });
  }
});

check('validation.missing-fields', async () => {
  for (const field of ['email', 'password', 'name'] as const) {
    const body: Record<string, unknown> = { ...newUser('missing') };
    delete body[field];
    const res = await call('POST', '/auth/register', { body });
    expectFieldError(res, field, `without \`${field}\``, 'Every field of the route is required: a missing one is a `400 Bad Request` that names it.');
  }
  const res = await call('POST', '/auth/login', { body: { email: newUser('missing').email } });
  expectFieldError(
    res,
    'password',
    'without `password`',
    'Validate the login body too: a missing field is a `400 Bad Request` that names it, before any lookup.',
  );
});

check('validation.unknown-field-rejected', async () => {
  const user = newUser('unknownfield');
  const res = await call('POST', '/auth/register', { body: { ...user, role: 'admin' } });
  expectFieldError(res, 'role', 'with an extra field `role: "admin"`', 'Reject fields the route does not list instead of ignoring or saving them.');

  // Whatever the answer said, the request must not have produced an admin.
  const signedIn = await call('POST', '/auth/login', { body: { email: user.email, password: user.password } });
  if (signedIn.status === 200 && isRecord(signedIn.body) && typeof signedIn.body.accessToken === 'string') {
    const claims = decodeJwt(signedIn.body.accessToken)?.payload;
    const me = await call('GET', '/users/me', { token: signedIn.body.accessToken });
    const role = isRecord(me.body) && me.status === 200 ? me.body.role : claims?.role;
    if (role === 'admin') fail('Registering with `role: "admin"` created an **admin**; expected no user, or a `user`.');
  }

  const other = await call('POST', '/auth/register', { body: { ...newUser('unknownfield'), nickname: 'ada' } });
  expectFieldError(other, 'nickname', 'with an extra field `nickname`', 'Reject every field the route does not list.');
});

check('validation.uuid-param', async () => {
  const admin = await adminTokens();
  for (const id of ['not-a-uuid', '12345']) {
    const res = await call('GET', `/users/${id}`, { token: admin.accessToken });
    expectStatus(res, 400, {
      when: 'as the admin',
      fix:
        'Validate `:id` as a UUID and answer `400 Bad Request` when it is not one (NestJS: ParseUUIDPipe; Express or Koa: a ' +
        'regex or zod `z.uuid()` on the param; Fastify: `params` schema with `format: "uuid"`).',
    });
  }
  const patch = await call('PATCH', '/users/not-a-uuid/role', { token: admin.accessToken, body: { role: 'user' } });
  expectStatus(patch, 400, {
    when: 'as the admin',
    fix: 'Validate `:id` as a UUID on every route that takes one, and answer `400 Bad Request` when it is not one.',
  });
  const missing = await call('GET', `/users/${unknownUuid()}`, { token: admin.accessToken });
  expectStatus(missing, 404, {
    when: 'as the admin, with a well-formed UUID that matches no user',
    fix: 'When no user has that id, answer `404 Not Found`.',
  });
});

check('validation.name', async () => {
  const cases: Array<[unknown, string]> = [
    ['', 'an empty name'],
    ['N'.repeat(101), 'a 101-character name'],
    [12345, 'a number as name'],
  ];
  for (const [name, label] of cases) {
    const res = await call('POST', '/auth/register', { body: { ...newUser('name'), name } });
    expectFieldError(
      res,
      'name',
      `with ${label}`,
      '`name` is a non-empty string of at most 100 characters: anything else is a `400 Bad Request` that names it.',
    );
  }
  const longest = await call('POST', '/auth/register', { body: { ...newUser('name'), name: 'N'.repeat(100) } });
  expectStatus(longest, 201, {
    when: 'with a 100-character name',
    fix: 'A name of up to 100 characters (the bound included) is valid: register the user (and give its column room for 100).',
  });
});

check('validation.login-body', async () => {
  const user = newUser('loginbody');
  await registerUser(user);
  const cases: Array<{ body: Record<string, unknown>; field: string; when: string }> = [
    { body: { password: user.password }, field: 'email', when: 'without `email`' },
    { body: { email: 12345, password: user.password }, field: 'email', when: 'with a number as `email`' },
    { body: { email: user.email, password: 12345678 }, field: 'password', when: 'with a number as `password`' },
  ];
  for (const { body, field, when } of cases) {
    const res = await call('POST', '/auth/login', { body });
    expectFieldError(
      res,
      field,
      when,
      'Validate the login body like any other before looking anyone up: a missing field or one of the wrong type is a ' +
        '`400 Bad Request` that names it (not a `401`, and never a `500` from your database or hashing library).',
    );
  }
  // The brief lets these be either: the field rule (400) or wrong credentials (401).
  const either: Array<{ body: Record<string, unknown>; when: string }> = [
    { body: { email: user.email, password: 'Sh0rt-7' }, when: 'with a 7-character `password`' },
    { body: { email: 'not-an-email', password: user.password }, when: 'with `"not-an-email"` as `email`' },
  ];
  for (const { body, when } of either) {
    const res = await call('POST', '/auth/login', { body });
    ensure(
      res.status === 400 || res.status === 401,
      `\`POST /auth/login\` ${when} answered **${res.status}**; expected \`400\` (the field rule) or \`401\` (wrong ` +
        `credentials): either is accepted.\n\n${showBody(res)}`,
    );
  }
});

check('validation.role-value', async () => {
  const { id } = await registerUser(newUser('rolevalue'));
  const admin = await adminTokens();
  const cases: Array<{ body: Record<string, unknown>; when: string }> = [
    { body: { role: 'superuser' }, when: 'as the admin, with `{ "role": "superuser" }`' },
    { body: {}, when: 'as the admin, with an empty body' },
  ];
  for (const { body, when } of cases) {
    const res = await call('PATCH', `/users/${id}/role`, { token: admin.accessToken, body });
    expectFieldError(
      res,
      'role',
      when,
      '`role` is `"user"` or `"admin"` and nothing else: validate it as an enum and answer `400 Bad Request` naming ' +
        '`role` before touching the user (a database CHECK or enum alone answers a `500`, or stores the value).',
    );
  }
});
