import { randomInt } from 'node:crypto';
import { selectRowsMatching } from '../harness/context';
import { ensure, expectStatus, fail, measure, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { isRecord, newUser, registerUser } from './support/api';
import { Client, header, retryAfterMs, sleep, windowSeconds } from './support/client';
import { rateLimitHeaders, untilLimited, withinLimitedWindow, type LimitRun } from './support/limits';

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
    { needs: checkId },
  );
}

function retryAfterProblem(res: HttpExchange): string | undefined {
  const value = header(res, 'retry-after');
  const seconds = Number(value);
  const max = windowSeconds();
  if (value === undefined) {
    const suffixed = Object.keys(res.headers).find((name) => /^retry-after-/i.test(name));
    return suffixed
      ? `has \`${suffixed}\` but no \`Retry-After\`, the header clients read (a @nestjs/throttler throttler with a name ` +
          'suffixes its headers: use the throttler named `default`, with `@Throttle({ default: { limit, ttl } })` per route)'
      : `has no \`Retry-After\` header; expected whole seconds from 1 to ${max}`;
  }
  if (!/^\d+$/.test(value.trim()) || seconds < 1 || seconds > max) {
    return `has \`Retry-After: ${value}\`; expected whole seconds from 1 to ${max} (the window)`;
  }
  return undefined;
}

function expectRunLimit(run: LimitRun, route: string, limit: number, what: string): void {
  measure(`${route}: requests accepted before the first 429`, run.accepted, { threshold: `= ${limit}` });
  measure(`${route}: seconds the burst took`, Math.round(run.burstMs / 100) / 10, { threshold: `< ${windowSeconds()} (the window)` });
  if (!run.limited) {
    fail(
      `${run.responses.length} \`${route}\` from one client within ${(run.burstMs / 1000).toFixed(1)} s were all served (the last answered ` +
        `**${run.responses[run.responses.length - 1]?.status}**); expected the ${limit + 1}th to answer **429**. ` +
        (run.burstMs >= windowSeconds() * 1000
          ? `(Your app took ${(run.burstMs / 1000).toFixed(1)} s to answer them, longer than the ${windowSeconds()} s window, twice: ` +
            'each answer should take well under a second.) '
          : '') +
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
  // The refused request is the last one sent: a run that was counted again after the window
  // (support/limits.ts) sent the first attempt's registrations too, and those answered 201.
  const refused = emails[emails.length - 1];
  const rows = await selectRowsMatching(refused);
  ensure(
    rows.length === 0,
    `The registration that answered **429** still created the user ${show(refused)} (found in ` +
      `\`${rows[0]?.table}\`); expected a 429 to do no work. Run the limiter before the route handler.`,
  );
});

/** What to change, per library, when the rate-limit headers are missing or misnamed. */
const HEADER_HINTS =
  'Send one of the accepted sets on every response of the route: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` ' +
  '(IETF draft 6); the combined `RateLimit` of draft 7 or draft 8 (with `RateLimit-Policy`); or `X-RateLimit-Limit`, ' +
  '`X-RateLimit-Remaining`, `X-RateLimit-Reset`.\n' +
  "- express-rate-limit: `standardHeaders: 'draft-6'` (or `'draft-7'`, `'draft-8'`); `legacyHeaders: true` also sends the X- set.\n" +
  '- @nestjs/throttler: its default headers are the X- set, for the throttler named `default` ' +
  '(`ThrottlerModule.forRoot([{ ttl, limit }])`, then `@Throttle({ default: { limit: 3, ttl } })` on the route). ' +
  "A **named** throttler (`{ name: 'register', … }`) suffixes every header with its name (`X-RateLimit-Limit-register`, " +
  '`Retry-After-register`), which no client reads: use the `default` one, and do not set `setHeaders: false`.\n' +
  '- @fastify/rate-limit: its defaults are the X- set (`enableDraftSpec: true` gives the `RateLimit-*` set).';

check('rate-limit.headers', async () => {
  const { run } = await registerRun();
  const [first] = run.responses;
  ensure(first, 'No response to inspect.');
  const seen = rateLimitHeaders(first);
  const window = windowSeconds();
  const problems: string[] = [];
  const names = seen.family ?? 'rate-limit headers';
  if (!seen.family) {
    problems.push(
      seen.unknown.length
        ? `no accepted rate-limit header; it has ${seen.unknown.map((n) => `\`${n}\``).join(', ')}, names no client reads`
        : 'no rate-limit header at all',
    );
  } else {
    if (seen.limit !== REGISTER_LIMIT) problems.push(`the limit (${names}) is ${show(seen.limit ?? null)}; expected ${REGISTER_LIMIT}`);
    if (seen.remaining !== REGISTER_LIMIT - 1) {
      problems.push(`what remains is ${show(seen.remaining ?? null)}; expected ${REGISTER_LIMIT - 1} (what is left after this request)`);
    }
    if (seen.reset === undefined || seen.reset > window) {
      problems.push(`the reset is ${show(seen.reset ?? null)}; expected whole seconds from 0 to ${window} until the window ends`);
    }
  }
  ensure(
    problems.length === 0,
    `The first \`POST /auth/register\` of a client in a window does not carry the rate-limit headers:\n- ${problems.join('\n- ')}\n\n` + HEADER_HINTS,
  );
  const limited = ensureLimited(run, 'POST /auth/register', REGISTER_LIMIT, 'rate-limit.register-limit');
  const atLimit = rateLimitHeaders(limited);
  // On the 429 only Retry-After is required (the limit checks test it): @nestjs/throttler sends
  // no X-RateLimit-* there. A remaining count, when sent, must not promise a request that is not there.
  ensure(
    atLimit.remaining === undefined || atLimit.remaining === 0,
    `The 429 of \`POST /auth/register\` says ${show(atLimit.remaining)} requests remain (${atLimit.family}); expected 0 (or no such header).`,
  );
});

/**
 * Client A uses up its login limit; right after its 429, `next()` sends one request that a correct
 * app serves. A wrong app (a shared counter) answers 429 only while A's window lasts, so a
 * request served after the window may have ended proves nothing: then the whole scene is played
 * once more. The window's end comes from the app's own Retry-After, not from a guess.
 */
async function rightAfterLoginLimit(next: (a: Client) => Promise<HttpExchange>): Promise<{ res: HttpExchange; run: LimitRun; client: Client }> {
  let scene: { res: HttpExchange; run: LimitRun; client: Client } | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const prepared = await preparedLoginRun();
    const { run, client } = await prepared.burst();
    ensureLimited(run, 'POST /auth/login', LOGIN_LIMIT, 'rate-limit.login-limit');
    const res = await next(client);
    scene = { res, run, client };
    if (res.status === 429 || withinLimitedWindow(run, Date.now())) return scene;
  }
  return scene!;
}

/** The registration is done first, so the burst and the request after it are back to back. */
async function preparedLoginRun(): Promise<{ burst: () => Promise<{ run: LimitRun; client: Client }> }> {
  const user = newUser('ratelimit');
  await registerUser(user);
  const client = new Client();
  const body = { email: user.email, password: user.password };
  return { burst: async () => ({ run: await untilLimited(() => client.send('POST', '/auth/login', { body }), LOGIN_LIMIT), client }) };
}

check('rate-limit.per-client', async () => {
  const user = newUser('otherclient');
  await registerUser(user);
  const other = new Client();
  const { res } = await rightAfterLoginLimit(() => other.send('POST', '/auth/login', { body: { email: user.email, password: user.password } }));
  expectStatus(res, 200, {
    when: `from another client (X-Forwarded-For: ${other.ip}) right after a first client got its 429`,
    fix:
      'Count requests per client IP (`req.ip` with `trust proxy` set to 1), not for everyone together: one ' +
      'client using up its limit must not lock the others out.',
  });
});

check('rate-limit.per-endpoint', async () => {
  const { res, client } = await rightAfterLoginLimit((a) => a.send('POST', '/auth/register', { body: newUser('perendpoint') }));
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
  const run = await untilLimited(() => client.send('POST', '/auth/login', { body, forwardedFor: `${forged()}, ${client.ip}` }), LOGIN_LIMIT);
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
