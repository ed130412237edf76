import { call, exerciseEnv } from '../harness/context';
import { ensure, expectStatus, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { adminTokens, isRecord, login, newUser, registerUser, signedInUser, unknownUuid } from '../shared/project-1/api';

const check = useChecks(checks);

check('roles.me-requires-token', async () => {
  const anonymous = await call('GET', '/users/me');
  expectStatus(anonymous, 401, {
    when: 'without a token',
    fix: 'Check the Bearer token before the route runs (a guard in NestJS, a middleware in Express or Koa, a hook in Fastify): no token is a `401 Unauthorized`.',
  });
  const { user, id, tokens } = await signedInUser('me');
  const me = await call('GET', '/users/me', { token: tokens.accessToken });
  expectStatus(me, 200, { when: 'with a valid access token', fix: 'Answer `200 OK` with the signed-in user.' });
  const body = isRecord(me.body) ? me.body : {};
  ensure(
    body.id === id && body.email === user.email && body.role === 'user',
    `\`GET /users/me\` answered ${show({ id: body.id, email: body.email, role: body.role })}; expected the signed-in ` +
      `user ${show({ id, email: user.email, role: 'user' })}. Look the user up by the token's \`sub\`.`,
  );
});

check('roles.admin-401-without-token', async () => {
  const requests = [
    { method: 'GET', path: '/users' },
    { method: 'GET', path: `/users/${unknownUuid()}` },
    { method: 'PATCH', path: `/users/${unknownUuid()}/role`, body: { role: 'admin' } },
  ] as const;
  for (const request of requests) {
    const res = await call(request.method, request.path, 'body' in request ? { body: request.body } : {});
    expectStatus(res, 401, {
      when: 'without a token',
      fix: 'Admin routes first need a valid access token: without one, answer `401 Unauthorized`.',
    });
  }
});

check('roles.admin-403-for-user', async () => {
  const { id, tokens } = await signedInUser('notadmin');
  const requests = [
    { method: 'GET', path: '/users' },
    { method: 'GET', path: `/users/${id}` },
    { method: 'PATCH', path: `/users/${id}/role`, body: { role: 'admin' } },
  ] as const;
  for (const request of requests) {
    const res = await call(request.method, request.path, {
      token: tokens.accessToken,
      ...('body' in request ? { body: request.body } : {}),
    });
    expectStatus(res, 403, {
      when: 'as a signed-in user whose role is `user`',
      fix: 'Check the role on every admin route, after the token: a valid token without the `admin` role is a `403 Forbidden`.',
    });
  }
});

check('roles.admin-lists-users', async () => {
  const user = newUser('listed');
  const { id } = await registerUser(user);
  const admin = await adminTokens();
  const list = await call('GET', '/users', { token: admin.accessToken });
  expectStatus(list, 200, { when: 'as the admin', fix: 'Answer `200 OK` with an array of users.' });
  ensure(Array.isArray(list.body), `\`GET /users\` answered 200 with no JSON array; expected an array of users.\n\n${showBody(list)}`);
  const users = list.body.filter(isRecord);
  ensure(
    users.some((u) => u.id === id && u.email === user.email),
    `\`GET /users\` lists ${users.length} users, but not the one just registered (${show(user.email)}); expected every user.`,
  );
  const adminEmail = exerciseEnv('ADMIN_EMAIL');
  ensure(
    users.some((u) => u.email === adminEmail && u.role === 'admin'),
    `\`GET /users\` does not list the admin ${show(adminEmail)} with role \`"admin"\`; expected every user.`,
  );
  const one = await call('GET', `/users/${id}`, { token: admin.accessToken });
  expectStatus(one, 200, { when: 'as the admin, with the id of a user', fix: 'Answer `200 OK` with that user.' });
  const body = isRecord(one.body) ? one.body : {};
  ensure(
    body.id === id && body.email === user.email,
    `\`GET /users/:id\` answered ${show({ id: body.id, email: body.email })}; expected ${show({ id, email: user.email })}.`,
  );
});

check('roles.role-change', async () => {
  const user = newUser('promoted');
  const { id } = await registerUser(user);
  const admin = await adminTokens();
  const promoted = await call('PATCH', `/users/${id}/role`, { token: admin.accessToken, body: { role: 'admin' } });
  expectStatus(promoted, 200, {
    when: 'as the admin, with `{ "role": "admin" }`',
    fix: "Update the user's role and answer `200 OK` with the updated user.",
  });
  const body = isRecord(promoted.body) ? promoted.body : {};
  ensure(
    body.id === id && body.role === 'admin',
    `\`PATCH /users/:id/role\` answered ${show({ id: body.id, role: body.role })}; expected the updated user ${show({ id, role: 'admin' })}.`,
  );
  const tokens = await login(user.email, user.password, 'the promoted user');
  const list = await call('GET', '/users', { token: tokens.accessToken });
  expectStatus(list, 200, {
    when: 'as the promoted user, after signing in again',
    fix: 'A new login must carry the role stored in the database (put it in the token from the user row).',
  });
});

check('roles.role-change-unknown-user', async () => {
  const admin = await adminTokens();
  const res = await call('PATCH', `/users/${unknownUuid()}/role`, { token: admin.accessToken, body: { role: 'user' } });
  expectStatus(res, 404, {
    when: 'as the admin, with a well-formed UUID that matches no user and a valid `{ "role": "user" }`',
    fix:
      'Look the user up first and answer `404 Not Found` when no user has that id (an UPDATE that changed no row ' +
      'means the same). With TypeORM, `findOneByOrFail` throws an EntityNotFoundError your error handler must turn into a 404.',
  });
});
