import { call } from '../harness/context';
import { expectStatus, fail, useChecks } from '../harness/check';
import { checks } from './checks';
import { adminTokens, isRecord, newUser, unknownUuid } from '../shared/project-1/api';
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
    expectFieldError(
      res,
      field,
      `without \`${field}\``,
      'Every field of the route is required: a missing one is a `400 Bad Request` that names it.',
    );
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
  expectFieldError(
    res,
    'role',
    'with an extra field `role: "admin"`',
    'Reject fields the route does not list instead of ignoring or saving them.',
  );

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
      fix: 'Validate `:id` as a UUID (ParseUUIDPipe in NestJS) and answer `400 Bad Request` when it is not one.',
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
