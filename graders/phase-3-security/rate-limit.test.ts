import { randomInt } from 'node:crypto';
import { selectRowsMatching } from '../harness/context';
import { ensure, expectStatus, fail, measure, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { isRecord, newUser, registerUser } from './support/api';
import { Client, header, retryAfterMs, sleep, windowSeconds } from './support/client';
import { rateLimitHeaders, untilLimited, type LimitRun } from './support/limits';

const check = useChecks(checks);

const LOGIN_LIMIT = 5;
const REGISTER_LIMIT = 3;

/** A registered user and a client that logs in as them, right password every time. */
async function loginRun(client = new Client()): Promise<{ run: LimitRun; client: Client }> {
  const user = newUser('ratelimit');
  await registerUser(user);
  const body = { email: user.email, password: user.password };
  return { run: await untilLimited(() => client.send('POST', '/auth/login', { body }), LOGIN_LIMIT), client };
}

/** A client registering new users until its 429; returns the emails it tried too. */
async function registerRun(client = new Client()): Promise<{ run: LimitRun; emails: string[] }> {
  const emails: string[] = [];
  const run = await untilLimited(() => {
    const user = newUser('reglimit');
    emails.push(user.email);
    return client.send('POST', '/auth/register', { body: user });
  }, REGISTER_LIMIT);
  return { run, emails };
}

/** Fails unless a run reached its 429: the prerequisite of every check after a limit. */
function ensureLimited(run: LimitRun, route: string, limit: number, checkId: string): HttpExchange {
  if (run.limited) return run.limited;
  const last = run.responses[run.responses.length - 1];
  return fail(
    `${run.responses.length} \`${route}\` from one client in a few seconds all went through (the last answered ` +
      `**${last?.status ?? '?'}**); this check needs the ${limit + 1}th to be a 429 first: see ${checkId}.`,
  );
}

function retryAfterProblem(res: HttpExchange): string | undefined {
  const value = header(res, 'retry-after');
  const seconds = Number(value);
  const max = windowSeconds();
  if (value === undefined) return `has no \`Retry-After\` header; expected whole seconds from 1 to ${max}`;
  if (!/^\d+$/.test(value.trim()) || seconds < 1 || seconds > max) {
    return `has \`Retry-After: ${value}\`; expected whole seconds from 1 to ${max} (the window)`;
  }
  return undefined;
}

function expectRunLimit(run: LimitRun, route: string, limit: number, what: string): void {
  measure(`${route}: requests accepted before the first 429`, run.accepted, { threshold: `= ${limit}` });
  if (!run.limited) {
    fail(
      `${run.responses.length} \`${route}\` from one client within a few seconds were all served (the last answered ` +
        `**${run.responses[run.responses.length - 1]?.status}**); expected the ${limit + 1}th to answer **429**. ` +
        `Limit ${what} to ${limit} requests per client IP per window (RATE_LIMIT_WINDOW_SECONDS), and set ` +
        '`trust proxy` to 1 so the client IP comes from X-Forwarded-For.',
    );
  }
  ensure(
    run.accepted === limit,
    `\`${route}\` from one client answered **429** after ${run.accepted} requests; expected exactly ${limit} to be ` +
      `served first (the ${limit + 1}th is the 429). Answers: ${run.responses.map((r) => r.status).join(', ')}.`,
  );
  const limited = run.limited;
  const problem = retryAfterProblem(limited);
  ensure(!problem, `The 429 of \`${route}\` ${problem}.`);
  ensure(
    isRecord(limited.body) && limited.body.statusCode === 429,
    `The 429 of \`${route}\` does not have the error shape (\`"statusCode": 429\`).\n\n${showBody(limited)}`,
  );
}

check('rate-limit.login-limit', async () => {
  const { run } = await loginRun();
  for (const res of run.responses.slice(0, LOGIN_LIMIT)) {
    expectStatus(res, [200, 429], { when: 'with the right credentials', fix: 'Logging in must work as in Phase 1.' });
  }
  expectRunLimit(run, 'POST /auth/login', LOGIN_LIMIT, '`POST /auth/login`');
});

check('rate-limit.register-limit', async () => {
  const { run, emails } = await registerRun();
  for (const res of run.responses.slice(0, REGISTER_LIMIT)) {
    expectStatus(res, [201, 429], { when: 'with a valid new user', fix: 'Registering must work as in Phase 1.' });
  }
  expectRunLimit(run, 'POST /auth/register', REGISTER_LIMIT, '`POST /auth/register`');
  const refused = emails[run.responses.length - 1] as string;
  const rows = await selectRowsMatching(refused);
  ensure(
    rows.length === 0,
    `The registration that answered **429** still created the user ${show(refused)} (found in ` +
      `\`${rows[0]?.table}\`); expected a 429 to do no work. Run the limiter before the route handler.`,
  );
});

check('rate-limit.headers', async () => {
  const { run } = await registerRun();
  const [first] = run.responses;
  ensure(first, 'No response to inspect.');
  const seen = rateLimitHeaders(first);
  const window = windowSeconds();
  const problems: string[] = [];
  if (seen.limit !== REGISTER_LIMIT) problems.push(`\`RateLimit-Limit\` is ${show(seen.limit ?? null)}; expected ${REGISTER_LIMIT}`);
  if (seen.remaining !== REGISTER_LIMIT - 1) {
    problems.push(`\`RateLimit-Remaining\` is ${show(seen.remaining ?? null)}; expected ${REGISTER_LIMIT - 1} (what is left after this request)`);
  }
  if (seen.reset === undefined || seen.reset > window) {
    problems.push(`\`RateLimit-Reset\` is ${show(seen.reset ?? null)}; expected whole seconds from 0 to ${window}`);
  }
  ensure(
    problems.length === 0,
    `The first \`POST /auth/register\` of a client in a window does not carry the rate-limit headers:\n- ${problems.join('\n- ')}\n\n` +
      "With express-rate-limit: `standardHeaders: 'draft-6'`.",
  );
  const limited = ensureLimited(run, 'POST /auth/register', REGISTER_LIMIT, 'rate-limit.register-limit');
  const atLimit = rateLimitHeaders(limited);
  ensure(
    atLimit.remaining === 0,
    `The 429 of \`POST /auth/register\` has \`RateLimit-Remaining\` ${show(atLimit.remaining ?? null)}; expected 0.`,
  );
});

check('rate-limit.per-client', async () => {
  const { run } = await loginRun();
  ensureLimited(run, 'POST /auth/login', LOGIN_LIMIT, 'rate-limit.login-limit');
  const user = newUser('otherclient');
  await registerUser(user);
  const other = new Client();
  const res = await other.send('POST', '/auth/login', { body: { email: user.email, password: user.password } });
  expectStatus(res, 200, {
    when: `from another client (X-Forwarded-For: ${other.ip}) right after a first client got its 429`,
    fix:
      'Count requests per client IP (`req.ip` with `trust proxy` set to 1), not for everyone together: one ' +
      'client using up its limit must not lock the others out.',
  });
});

check('rate-limit.per-endpoint', async () => {
  const { run, client } = await loginRun();
  ensureLimited(run, 'POST /auth/login', LOGIN_LIMIT, 'rate-limit.login-limit');
  const res = await client.send('POST', '/auth/register', { body: newUser('perendpoint') });
  expectStatus(res, 201, {
    when: `with a valid new user, from a client (X-Forwarded-For: ${client.ip}) that just used up its login limit`,
    fix: 'Give each limited route its own counter per client: the login limit must not count registrations, nor the reverse.',
  });
});

check('rate-limit.forwarded-for', async () => {
  const user = newUser('forged');
  await registerUser(user);
  const client = new Client();
  const body = { email: user.email, password: user.password };
  const forged = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const run = await untilLimited(
    () => client.send('POST', '/auth/login', { body, forwardedFor: `${forged()}, ${client.ip}` }),
    LOGIN_LIMIT,
  );
  measure('logins accepted with forged X-Forwarded-For prefixes', run.accepted, { threshold: `= ${LOGIN_LIMIT}` });
  ensure(
    run.limited !== undefined && run.accepted === LOGIN_LIMIT,
    `${run.responses.length} logins sent as \`X-Forwarded-For: <a different forged address>, ${client.ip}\` got ` +
      `${run.responses.map((r) => r.status).join(', ')}; expected ${LOGIN_LIMIT} then **429**: they all come from ` +
      `the one client ${client.ip}. Trust exactly one proxy hop (\`trust proxy\` = 1), so the client is the right-most address.`,
  );
});

check('rate-limit.window-resets', async () => {
  const client = new Client();
  const { run } = await registerRun(client);
  const limited = ensureLimited(run, 'POST /auth/register', REGISTER_LIMIT, 'rate-limit.register-limit');
  const waitMs = retryAfterMs(limited);
  measure('seconds waited after the 429', waitMs / 1000, { threshold: `Retry-After + 1, at most ${windowSeconds() + 1}` });
  await sleep(waitMs);
  const res = await client.send('POST', '/auth/register', { body: newUser('afterwindow') });
  expectStatus(res, 201, {
    when: `with a new user, ${waitMs / 1000} s after the 429 that said \`Retry-After: ${header(limited, 'retry-after') ?? '(none)'}\``,
    fix: `The window must end: after Retry-After seconds (at most RATE_LIMIT_WINDOW_SECONDS = ${windowSeconds()}) the client is served again.`,
  });
});
