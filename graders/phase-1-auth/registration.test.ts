import { call, exerciseEnv, findTextInColumns, selectRowsMatching } from '../harness/context';
import { ensure, expectStatus, fail, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { isRecord, newUser, registerUser, UUID } from '../shared/project-1/api';
import { someOf } from '../shared/lists';
import { hashHead, looksLikePasswordHash, parsePasswordHash } from '../shared/passwordHashes';

const check = useChecks(checks);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

check('registration.creates-user', async () => {
  const user = newUser('creates');
  const res = await call('POST', '/auth/register', { body: user });
  expectStatus(res, 201, {
    when: 'with a valid email, password and name',
    fix: 'Create the user and answer `201 Created` with it.',
  });
  const body = res.body;
  ensure(isRecord(body), `\`POST /auth/register\` answered 201 without a JSON user object.\n\n${showBody(res)}`);
  const problems: string[] = [];
  if (typeof body.id !== 'string' || !UUID.test(body.id)) problems.push(`\`id\` is ${show(body.id)}; expected a UUID`);
  if (body.email !== user.email) problems.push(`\`email\` is ${show(body.email)}; expected ${show(user.email)}`);
  if (body.name !== user.name) problems.push(`\`name\` is ${show(body.name)}; expected ${show(user.name)}`);
  if (body.role !== 'user') problems.push(`\`role\` is ${show(body.role)}; expected \`"user"\``);
  if (typeof body.createdAt !== 'string' || !ISO_DATE.test(body.createdAt)) {
    problems.push(`\`createdAt\` is ${show(body.createdAt)}; expected an ISO 8601 date`);
  }
  ensure(
    problems.length === 0,
    `The user answered by \`POST /auth/register\` is not as the contract describes:\n- ${problems.join('\n- ')}\n\n${showBody(res)}`,
  );
});

check('registration.duplicate-409', async () => {
  const user = newUser('duplicate');
  await registerUser(user);
  const again = await call('POST', '/auth/register', {
    body: { ...user, password: 'Another-Passw0rd', name: 'Someone Else' },
  });
  expectStatus(again, 409, {
    when: 'with an email that is already registered',
    fix: 'Look the email up before creating the user (and keep a unique index on it) and answer `409 Conflict`.',
  });
});

/** Paths, within a response body, of anything that looks like a password or its hash. */
function passwordLeaks(value: unknown, plaintext: string, path = 'body'): string[] {
  if (typeof value === 'string') {
    if (value === plaintext) return [`${path} is the plain-text password`];
    if (looksLikePasswordHash(value)) return [`${path} is a password hash`];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => passwordLeaks(item, plaintext, `${path}[${index}]`));
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([key, item]) =>
      /pass/i.test(key) ? [`${path}.${key} is present`] : passwordLeaks(item, plaintext, `${path}.${key}`),
    );
  }
  return [];
}

check('registration.no-password-in-responses', async () => {
  const user = newUser('nopassword');
  const { id, response: registered } = await registerUser(user);
  const seen = [{ label: '`POST /auth/register`', body: registered.body }];

  // Every other answer that carries users, as far as this app gets: a broken route is another check's failure.
  const signedIn = await call('POST', '/auth/login', { body: { email: user.email, password: user.password } });
  seen.push({ label: '`POST /auth/login`', body: signedIn.body });
  const accessToken = isRecord(signedIn.body) ? signedIn.body.accessToken : undefined;
  if (typeof accessToken === 'string') {
    const me = await call('GET', '/users/me', { token: accessToken });
    if (me.status === 200) seen.push({ label: '`GET /users/me`', body: me.body });
  }
  const admin = await call('POST', '/auth/login', {
    body: { email: exerciseEnv('ADMIN_EMAIL'), password: exerciseEnv('ADMIN_PASSWORD') },
  });
  const adminToken = isRecord(admin.body) ? admin.body.accessToken : undefined;
  if (typeof adminToken === 'string') {
    const list = await call('GET', '/users', { token: adminToken });
    if (list.status === 200) seen.push({ label: '`GET /users` (as admin)', body: list.body });
    const one = await call('GET', `/users/${id}`, { token: adminToken });
    if (one.status === 200) seen.push({ label: '`GET /users/:id` (as admin)', body: one.body });
  }

  // `body[3].passwordHash` and `body[4].passwordHash` say the same thing: list it once.
  const leaks = [
    ...new Set(seen.flatMap(({ label, body }) => passwordLeaks(body, user.password).map((leak) => `${label}: ${leak.replace(/\[\d+\]/g, '[…]')}`))),
  ];
  ensure(
    leaks.length === 0,
    `A response carries the password or its hash; expected users without them:\n- ${someOf(leaks, 10, '\n- ')}\n\n` +
      'Map users to a response shape that leaves the password out (or exclude the column from serialization).',
  );
});

check('registration.password-hashed', async () => {
  const user = newUser('hashed');
  const { id } = await registerUser(user);

  const plaintext = await findTextInColumns(user.password);
  ensure(
    plaintext.length === 0,
    `The password of a newly registered user is stored in plain text, in ${plaintext
      .map((m) => `\`${m.table}.${m.column}\``)
      .join(', ')}; expected only a bcrypt or argon2 hash of it. Hash it before saving, and log no request bodies.`,
  );

  const rows = [...(await selectRowsMatching(user.email)), ...(await selectRowsMatching(id))];
  if (rows.length === 0) {
    fail(
      `Found no row holding the registered email ${show(user.email)} (or the user's id) in any table of your ` +
        'database; expected the user to be stored there.',
    );
  }
  const values = rows.flatMap(({ row }) => Object.values(row).filter((v): v is string => typeof v === 'string'));
  const parsed = values.map(parsePasswordHash).filter((p) => p !== undefined);
  const hash = parsed.find((p) => p.ok);
  // Any well-formed bcrypt or argon2 hash passes here, whatever its cost: Phase 3 (passwords.strong-hash) checks that.
  if (hash?.ok) return;
  const malformed = parsed.find((p) => !p.ok);
  if (malformed && !malformed.ok) {
    fail(
      `The row of the registered user holds \`${hashHead(malformed.text)}\`, which starts like a ${malformed.family} ` +
        `hash but is not one: ${malformed.problem}. Expected the string your library writes, stored whole: ` +
        'bcrypt as `$2b$<cost>$<53 characters>`, argon2 in the PHC format `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` ' +
        '(parameters in any order). Store the result of hash() unchanged, in a column long enough for it.',
    );
  }
  fail(
    `The row of the registered user (table ${[...new Set(rows.map((r) => `\`${r.table}\``))].join(', ')}) holds no ` +
      'bcrypt (`$2b$…`) or argon2 (`$argon2id$…`) hash; expected the password stored as one. Hash it with bcrypt or argon2.',
  );
});
