import { appAgent, exerciseEnv, REQUEST_TIMEOUT_MS } from '../harness/context';
import { ensure, show, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { Client, header } from './support/client';

const check = useChecks(checks);

/** A browser's preflight for a credentialed JSON POST to /auth/login, from `origin`. */
async function preflight(origin: string): Promise<HttpExchange> {
  const client = new Client();
  const res = await appAgent()
    .options('/auth/login')
    .timeout({ response: REQUEST_TIMEOUT_MS, deadline: REQUEST_TIMEOUT_MS + 2_000 })
    .set('X-Forwarded-For', client.ip)
    .set('X-Forwarded-Proto', 'https')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'content-type,authorization');
  return { method: 'OPTIONS', path: '/auth/login', status: res.status, headers: res.headers, body: undefined, text: res.text ?? '' };
}

/** An ordinary cross-origin request: the 401 of `GET /users/me` without a token. */
function simpleRequest(origin: string): Promise<HttpExchange> {
  return new Client().send('GET', '/users/me', { headers: { Origin: origin } });
}

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim().toLowerCase());

check('cors.allowed-origin', async () => {
  const origin = exerciseEnv('CORS_ORIGIN');
  const problems: string[] = [];
  const simple = await simpleRequest(origin);
  const pre = await preflight(origin);
  for (const [label, res] of [
    ['`GET /users/me`', simple],
    ['The preflight `OPTIONS /auth/login`', pre],
  ] as const) {
    const allowOrigin = header(res, 'access-control-allow-origin');
    if (allowOrigin !== origin) problems.push(`${label} has \`Access-Control-Allow-Origin\` ${show(allowOrigin ?? null)}; expected ${show(origin)}`);
    const credentials = header(res, 'access-control-allow-credentials');
    if (credentials !== 'true') problems.push(`${label} has \`Access-Control-Allow-Credentials\` ${show(credentials ?? null)}; expected \`true\``);
  }
  if (!list(header(simple, 'vary')).includes('origin')) {
    problems.push(`\`GET /users/me\` has \`Vary\` ${show(header(simple, 'vary') ?? null)}; expected it to contain \`Origin\``);
  }
  if (pre.status !== 204 && pre.status !== 200) problems.push(`the preflight answered **${pre.status}**; expected 204 or 200`);
  const methods = list(header(pre, 'access-control-allow-methods'));
  if (!methods.includes('post'))
    problems.push(
      `the preflight's \`Access-Control-Allow-Methods\` is ${show(header(pre, 'access-control-allow-methods') ?? null)}; expected it to contain POST`,
    );
  const allowed = list(header(pre, 'access-control-allow-headers'));
  const missing = ['content-type', 'authorization'].filter((h) => !allowed.includes(h));
  if (missing.length)
    problems.push(
      `the preflight's \`Access-Control-Allow-Headers\` is ${show(header(pre, 'access-control-allow-headers') ?? null)}; expected it to contain ${missing.join(' and ')}`,
    );
  ensure(
    problems.length === 0,
    `Requests from the allowed origin \`Origin: ${origin}\` (CORS_ORIGIN):\n- ${problems.join('\n- ')}\n\n` +
      'Enable CORS for exactly CORS_ORIGIN, with `credentials: true`, POST among the methods and Content-Type and Authorization among the headers.',
  );
});

check('cors.other-origins', async () => {
  const allowed = new URL(exerciseEnv('CORS_ORIGIN'));
  const others = ['https://evil.example', `http://${allowed.host}`, `${allowed.protocol}//${allowed.host}.evil.example`, 'null'];
  const problems: string[] = [];
  for (const origin of others) {
    for (const res of [await preflight(origin), await simpleRequest(origin)]) {
      const allowOrigin = header(res, 'access-control-allow-origin');
      if (allowOrigin === origin || allowOrigin === '*') {
        problems.push(`\`${res.method} ${res.path}\` with \`Origin: ${origin}\` answered \`Access-Control-Allow-Origin: ${allowOrigin}\``);
      }
    }
  }
  ensure(
    problems.length === 0,
    `Origins other than CORS_ORIGIN are allowed:\n- ${problems.join('\n- ')}\n\nexpected no \`Access-Control-Allow-Origin\` ` +
      "for them. Compare the request's Origin with CORS_ORIGIN exactly (no `origin: true`, no `*`, no prefix or suffix match).",
  );
});
