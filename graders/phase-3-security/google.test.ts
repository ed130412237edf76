import { exerciseEnv } from '../harness/context';
import { ensure, expectStatus, fail, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { isRecord, newUser, registerUser } from './support/api';
import { Client, header } from './support/client';
import { describeGoogleRequest, FakeGoogle, googleProfile, userinfoToken, type RecordedRequest } from './support/fakeGoogle';

const check = useChecks(checks);

const AUTHORIZATION_ENDPOINT = 'https://accounts.google.com/o/oauth2/v2/auth';
const MIN_STATE_LENGTH = 16;

const google = new FakeGoogle();
beforeAll(() => google.start());
afterAll(() => google.stop());

/** `name=value; name2=value2` from a response's Set-Cookie headers, as a browser would send back. */
function cookiesOf(res: HttpExchange): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list
    .map((cookie) => cookie.split(';')[0]?.trim() ?? '')
    .filter(Boolean)
    .join('; ');
}

interface Authorization {
  res: HttpExchange;
  location?: URL;
  state?: string;
  cookies: string;
}

/** `GET /auth/google` as a browser: where it is sent, with which state, and the cookies it got. */
async function startAuthorization(client: Client): Promise<Authorization> {
  const res = await client.send('GET', '/auth/google');
  const raw = header(res, 'location');
  let location: URL | undefined;
  try {
    location = raw ? new URL(raw) : undefined;
  } catch {
    location = undefined;
  }
  return { res, location, state: location?.searchParams.get('state') ?? undefined, cookies: cookiesOf(res) };
}

/** A started flow, with a redirect and a state: what the callback checks need first. */
async function startedFlow(client: Client): Promise<Authorization & { state: string }> {
  const flow = await startAuthorization(client);
  expectStatus(flow.res, [302, 303], {
    when: '(a step this check needs first)',
    fix: 'Start the flow by redirecting to Google: see google.authorize-redirect.',
    needs: 'google.authorize-redirect',
  });
  if (!flow.state) {
    fail('`GET /auth/google` redirected without a `state` parameter (a step this check needs first): see google.authorize-redirect.', {
      needs: 'google.authorize-redirect',
    });
  }
  return { ...flow, state: flow.state };
}

/** Every request the fake Google received, one line each: what a learner needs to see which step went wrong. */
function googleLog(requests: RecordedRequest[]): string {
  if (requests.length === 0) return 'The fake Google received **no request**: your app never called GOOGLE_TOKEN_URL.';
  const tokenPath = new URL(exerciseEnv('GOOGLE_TOKEN_URL')).pathname;
  const userinfoPath = new URL(exerciseEnv('GOOGLE_USERINFO_URL')).pathname;
  const lines = requests.map((request) => {
    const line = `- ${describeGoogleRequest(request)}`;
    if (request.path === tokenPath) {
      const { client_secret: secret, code, ...rest } = request.form;
      const form = { ...rest, ...(code ? { code: `${code.slice(0, 12)}…` } : {}), ...(secret ? { client_secret: '(sent)' } : {}) };
      return `${line}: the token request, form ${show(form)}${request.authorization ? `, \`Authorization: ${request.authorization.split(' ')[0]} …\`` : ''}`;
    }
    if (request.path === userinfoPath) {
      const { how } = userinfoToken(request);
      return `${line}: the userinfo request, with ${how}` + (request.method !== 'GET' ? '; expected a `GET`' : '');
    }
    return `${line}: neither GOOGLE_TOKEN_URL (${show(tokenPath)}) nor GOOGLE_USERINFO_URL (${show(userinfoPath)})`;
  });
  if (!requests.some((r) => r.path === userinfoPath)) lines.push('- no request to GOOGLE_USERINFO_URL');
  return `The fake Google received:\n${lines.join('\n')}`;
}

function callbackPath(params: Record<string, string>): string {
  return `/auth/google/callback?${new URLSearchParams(params).toString()}`;
}

check('google.authorize-redirect', async () => {
  const client = new Client();
  const first = await startAuthorization(client);
  expectStatus(first.res, [302, 303], {
    fix: "Answer a redirect (302) to Google's authorization endpoint.",
  });
  const location = first.location;
  ensure(
    location && `${location.origin}${location.pathname}` === AUTHORIZATION_ENDPOINT,
    `\`GET /auth/google\` redirects to ${show(header(first.res, 'location') ?? null)}; expected ${show(AUTHORIZATION_ENDPOINT)} with a query.`,
  );
  const params = location.searchParams;
  const problems: string[] = [];
  const expectParam = (name: string, expected: string) => {
    if (params.get(name) !== expected) problems.push(`\`${name}\` is ${show(params.get(name))}; expected ${show(expected)}`);
  };
  expectParam('response_type', 'code');
  expectParam('client_id', exerciseEnv('GOOGLE_CLIENT_ID'));
  expectParam('redirect_uri', exerciseEnv('GOOGLE_CALLBACK_URL'));
  const scopes = (params.get('scope') ?? '').split(/[\s+]+/);
  if (!scopes.includes('openid') || !scopes.includes('email')) {
    problems.push(`\`scope\` is ${show(params.get('scope'))}; expected space-separated scopes including \`openid\` and \`email\``);
  }
  const state = params.get('state') ?? '';
  if (state.length < MIN_STATE_LENGTH) problems.push(`\`state\` is ${show(state || null)}; expected at least ${MIN_STATE_LENGTH} random characters`);
  const second = await startAuthorization(client);
  if (state && second.state === state) problems.push('a second `GET /auth/google` gave the **same** `state`; expected a new random one every time');
  const cookies = first.res.headers['set-cookie'];
  const list = Array.isArray(cookies) ? cookies : cookies ? [cookies] : [];
  if (!list.some((c) => /;\s*httponly/i.test(c))) {
    problems.push('no `HttpOnly` cookie was set; expected one that ties the state to this browser');
  }
  ensure(problems.length === 0, `The redirect of \`GET /auth/google\` is not as the contract describes:\n- ${problems.join('\n- ')}`);
});

check('google.state-checked', async () => {
  google.requests.length = 0;
  const attempts: Array<{ label: string; res: HttpExchange }> = [];
  const profile = googleProfile('statecheck');

  const wrong = await startedFlow(new Client());
  attempts.push({
    label: "a `state` that is not the one issued (with the browser's cookie)",
    res: await new Client().send('GET', callbackPath({ code: google.issueCode(profile), state: `${wrong.state.slice(0, -4)}XXXX` }), {
      headers: { Cookie: wrong.cookies },
    }),
  });
  const missing = await startedFlow(new Client());
  attempts.push({
    label: "no `state` at all (with the browser's cookie)",
    res: await new Client().send('GET', callbackPath({ code: google.issueCode(profile) }), { headers: { Cookie: missing.cookies } }),
  });
  const cookieless = await startedFlow(new Client());
  attempts.push({
    label: 'the issued `state` but **without** the cookie of the browser it was issued to',
    res: await new Client().send('GET', callbackPath({ code: google.issueCode(profile), state: cookieless.state })),
  });
  // Login CSRF in its plainest form: an attacker's link with only a code, opened by a browser that
  // never started a sign-in. An app that compares the two only when both are present lets it in.
  attempts.push({
    label: 'neither a `state` nor any cookie (a browser that never started a sign-in)',
    res: await new Client().send('GET', callbackPath({ code: google.issueCode(profile) })),
  });

  const accepted = attempts.filter(({ res }) => ![400, 401, 403].includes(res.status));
  ensure(
    accepted.length === 0,
    `The callback accepted a forged sign-in:\n${accepted
      .map(({ label, res }) => `- \`GET /auth/google/callback\` with a valid code and ${label} answered **${res.status}**`)
      .join('\n')}\n\nexpected **400**, **401** or **403** before anything else. Keep the state issued by ` +
      "`GET /auth/google` tied to the browser (cookie or session) and compare it with the callback's `state` first; " +
      'a callback that lacks either of the two is refused too.',
  );
  const tokenCalls = google.requests.length;
  ensure(
    tokenCalls === 0,
    `Your app refused the forged callbacks but still called Google ${tokenCalls} time(s) ` +
      `(${google.requests.map(describeGoogleRequest).join(', ')}); expected the state checked before any call to Google.`,
  );
});

check('google.callback-signs-in', async () => {
  google.requests.length = 0;
  const browser = new Client();
  const flow = await startedFlow(browser);
  const profile = googleProfile('signin');
  const code = google.issueCode(profile);
  const res = await browser.send('GET', callbackPath({ code, state: flow.state }), { headers: { Cookie: flow.cookies } });
  const tokenRequest = google.requests.find((r) => r.path === new URL(exerciseEnv('GOOGLE_TOKEN_URL')).pathname);
  expectStatus(res, 200, {
    when: "with Google's code, the issued state and the browser's cookie",
    fix:
      `${googleLog(google.requests)}\n\n` +
      'Exchange the code (POST GOOGLE_TOKEN_URL, form body: grant_type=authorization_code, code, redirect_uri, client_id, ' +
      'client_secret), then read the profile with `GET GOOGLE_USERINFO_URL`, the access token as `Authorization: Bearer <token>` ' +
      'or `?access_token=<token>`, then answer the token pair like POST /auth/login.',
  });
  const form = tokenRequest?.form ?? {};
  const basic = tokenRequest?.authorization?.startsWith('Basic ') ? Buffer.from(tokenRequest.authorization.slice(6), 'base64').toString('utf8') : '';
  const credentialsSent =
    (form.client_id === exerciseEnv('GOOGLE_CLIENT_ID') && form.client_secret === exerciseEnv('GOOGLE_CLIENT_SECRET')) ||
    basic === `${encodeURIComponent(exerciseEnv('GOOGLE_CLIENT_ID'))}:${encodeURIComponent(exerciseEnv('GOOGLE_CLIENT_SECRET'))}` ||
    basic === `${exerciseEnv('GOOGLE_CLIENT_ID')}:${exerciseEnv('GOOGLE_CLIENT_SECRET')}`;
  ensure(
    form.redirect_uri === exerciseEnv('GOOGLE_CALLBACK_URL') && credentialsSent,
    `The token request carried \`redirect_uri\` ${show(form.redirect_uri ?? null)} and ${credentialsSent ? 'the' : '**no valid**'} ` +
      'client credentials; expected `redirect_uri` = GOOGLE_CALLBACK_URL and GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET (body or Basic).',
  );
  const token = isRecord(res.body) ? res.body.accessToken : undefined;
  ensure(typeof token === 'string', `The callback answered 200 without an \`accessToken\`.\n\n${showBody(res)}`);
  const me = await new Client().send('GET', '/users/me', { token });
  expectStatus(me, 200, { when: 'with the access token from the Google callback', fix: 'The token must be a normal access token.' });
  const email = isRecord(me.body) ? me.body.email : undefined;
  ensure(
    typeof email === 'string' && email.toLowerCase() === profile.email.toLowerCase(),
    `\`GET /users/me\` with the Google sign-in's token answered \`email\` ${show(email)}; expected the Google account's ${show(profile.email)}.`,
  );
});

/** Where a refused callback still handed out tokens: in its body, or as a JWT in a cookie. */
function tokensIn(res: HttpExchange): string[] {
  const found: string[] = [];
  if (isRecord(res.body)) {
    for (const name of ['accessToken', 'refreshToken', 'access_token', 'refresh_token', 'token']) {
      if (name in res.body) found.push(`\`${name}\` in the body`);
    }
  }
  const raw = res.headers['set-cookie'];
  for (const cookie of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    const [name = '', value = ''] = (cookie.split(';')[0] ?? '').split(/=(.*)/s);
    if (/^eyJ[\w-]+\.[\w-]+\./.test(value.trim())) found.push(`a JWT in the cookie \`${name.trim()}\``);
  }
  return found;
}

check('google.unverified-email-refused', async () => {
  // The account takeover this prevents: anyone can create a Google account showing someone
  // else's address, unverified. Signing it into the account that has that email hands it over;
  // creating an account for an unverified address no account has yet claims it for whoever
  // showed it first. The brief refuses both.
  const owner = newUser('googleowner');
  await registerUser(owner);
  await refusesUnverified(owner.email, `the email ${show(owner.email)} of an account registered with a password`);
  const stranger = newUser('googlenew').email;
  await refusesUnverified(stranger, `an email no account has (${show(stranger)})`);
});

/** One Google sign-in of `email` with `"email_verified": false`: refused with 401/403 in the error shape, no tokens. */
async function refusesUnverified(email: string, whose: string): Promise<void> {
  google.requests.length = 0;
  const browser = new Client();
  const flow = await startedFlow(browser);
  const profile = { ...googleProfile('unverified'), email, email_verified: false };
  const res = await browser.send('GET', callbackPath({ code: google.issueCode(profile), state: flow.state }), {
    headers: { Cookie: flow.cookies },
  });
  const userinfoPath = new URL(exerciseEnv('GOOGLE_USERINFO_URL')).pathname;
  const profileRead = google.requests.some((r) => r.path === userinfoPath && r.status === 200);
  const tokens = tokensIn(res);
  const when = `\`GET /auth/google/callback\` with the right state and cookie, for a Google profile with \`"email_verified": false\` and ${whose}`;
  if (res.status < 300 || tokens.length > 0) {
    fail(
      `${when} answered **${res.status}**${tokens.length ? ` with ${tokens.join(', ')}` : ''}; expected **401** or **403** ` +
        'in the error shape, and no tokens, whether or not an account has that email. Anyone can show an address they ' +
        'do not own on a Google account; Google says so with `email_verified: false`. Signing that profile in hands ' +
        'an existing account to them, and creating an account for it lets them claim an address that is not theirs.\n\n' +
        'Read `email_verified` from the userinfo answer and refuse the sign-in unless it is `true` (the boolean), ' +
        'before looking up or creating the user. passport-google-oauth20: check `profile._json.email_verified` ' +
        "in the verify callback and call `done(null, false)` (NestJS's `AuthGuard` then throws a 401; with Express, " +
        'pass `failWithError: true` to `passport.authenticate` so the 401 reaches your error handler).\n\n' +
        showBody(res),
    );
  }
  if (!profileRead) {
    fail(
      `${when} answered **${res.status}** without reading the profile (a step this check needs first: the code ` +
        `exchange and the userinfo request, see google.callback-signs-in).\n\n${googleLog(google.requests)}`,
      { needs: 'google.callback-signs-in' },
    );
  }
  expectStatus(res, [401, 403], {
    when,
    fix: 'Refuse an unverified Google email with 401 or 403 in the error shape, and issue no tokens.',
  });
  ensure(
    isRecord(res.body) && res.body.statusCode === res.status && typeof res.body.message === 'string',
    `${when} answered **${res.status}**, but not in the error shape (\`"statusCode": ${res.status}\` and a \`message\`).\n\n${showBody(res)}`,
  );
}
