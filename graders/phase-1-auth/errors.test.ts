import { STATUS_CODES } from 'node:http';
import { call } from '../harness/context';
import { ensure, expectStatus, fail, measure, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { isRecord, newUser, registerUser, signedInUser } from '../shared/project-1/api';

const check = useChecks(checks);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** What is wrong with an error body, against the contract's one shape. */
function shapeProblems(res: HttpExchange): string[] {
  const body = res.body;
  if (!isRecord(body)) return ['the body is not a JSON object'];
  const problems: string[] = [];
  if (body.statusCode !== res.status) problems.push(`\`statusCode\` is ${show(body.statusCode)}; expected ${res.status}`);
  const phrase = STATUS_CODES[res.status];
  if (body.error !== phrase) problems.push(`\`error\` is ${show(body.error)}; expected ${show(phrase)}`);
  if (typeof body.message !== 'string') problems.push(`\`message\` is ${show(body.message)}; expected a string`);
  if (body.path !== res.path) problems.push(`\`path\` is ${show(body.path)}; expected ${show(res.path)}`);
  if (typeof body.timestamp !== 'string' || !ISO_DATE.test(body.timestamp) || Number.isNaN(Date.parse(body.timestamp))) {
    problems.push(`\`timestamp\` is ${show(body.timestamp)}; expected an ISO 8601 date`);
  }
  return problems;
}

check('errors.unified-shape', async () => {
  const user = newUser('shape');
  await registerUser(user);
  const signedIn = await signedInUser('shape403');
  const samples: Array<{ res: HttpExchange; expected: number; when: string; elsewhere?: string }> = [
    // An empty body: any validation at all refuses it, so this sample does not hang on one rule.
    { res: await call('POST', '/auth/register', { body: {} }), expected: 400, when: 'with an empty body' },
    { res: await call('GET', '/users/me'), expected: 401, when: 'without a token' },
    {
      res: await call('GET', '/users', { token: signedIn.tokens.accessToken }),
      expected: 403,
      when: 'with the access token of a signed-in `user` (not an admin)',
      elsewhere: 'roles.admin-403-for-user',
    },
    { res: await call('GET', `/no-such-route-${Date.now().toString(36)}`), expected: 404, when: '(an unknown route)' },
    { res: await call('POST', '/auth/register', { body: user }), expected: 409, when: 'with an email already registered' },
  ];
  for (const { res, expected, when, elsewhere } of samples) {
    // A role guard that lets a user through is roles.admin-403-for-user's failure: that 403 is then not sampled here.
    if (elsewhere && res.status !== expected) continue;
    expectStatus(res, expected, { when, fix: `This check needs a ${expected} to inspect the error shape.` });
  }
  const wrong = samples
    .filter(({ res, expected }) => res.status === expected)
    .map(({ res }) => ({ res, problems: shapeProblems(res) }))
    .filter(({ problems }) => problems.length > 0);
  if (wrong.length > 0) {
    const [first] = wrong;
    fail(
      `Errors do not all have the one shape \`{ statusCode, error, message, path, timestamp }\`:\n` +
        wrong.map(({ res, problems }) => `- **${res.status}** from \`${res.method} ${res.path}\`: ${problems.join('; ')}`).join('\n') +
        `\n\nSend every error (validation, auth, forbidden, not found, conflict) through one error handler that writes this shape: the 403 of your role check and the 404 of an unknown route too. NestJS: a global \`@Catch()\` exception filter; Express: an \`(err, req, res, next)\` middleware after every route and a last 404 middleware; Fastify: \`setErrorHandler\` and \`setNotFoundHandler\`; Koa: a first middleware wrapping \`await next()\` in try/catch.\n\n${first ? showBody(first.res) : ''}`,
    );
  }
});

check('errors.unknown-route-404', async () => {
  const suffix = Date.now().toString(36);
  for (const [method, path] of [
    ['GET', `/no-such-route-${suffix}`],
    ['POST', `/auth/no-such-route-${suffix}`],
  ] as const) {
    const res = await call(method, path, method === 'POST' ? { body: {} } : {});
    expectStatus(res, 404, { when: '(a route that does not exist)', fix: 'Answer `404 Not Found` for any unknown route.' });
  }
});

const CONTRACT_ROUTES = [
  ['post', '/auth/register'],
  ['post', '/auth/login'],
  ['post', '/auth/refresh'],
  ['post', '/auth/logout'],
  ['get', '/users/me'],
  ['get', '/users'],
  ['get', '/users/{}'],
  ['patch', '/users/{}/role'],
] as const;

/** `/users/{userId}` and `/users/:id` both become `/users/{}`. */
const normalizePath = (path: string): string => path.replace(/\{[^}]*\}|:[A-Za-z_][A-Za-z0-9_]*/g, '{}').replace(/(.)\/+$/, '$1');

check('docs.openapi-lists-routes', async () => {
  const res = await call('GET', '/docs-json');
  expectStatus(res, 200, {
    fix:
      'Serve your OpenAPI 3 document as JSON at `GET /docs-json`. NestJS: `SwaggerModule.setup("docs", app, document)`; ' +
      'Fastify: a `GET /docs-json` route returning `app.swagger()` (@fastify/swagger); Express or Koa: a route returning ' +
      'your document (hand-written or from swagger-jsdoc).',
  });
  const doc = res.body;
  ensure(isRecord(doc), `\`GET /docs-json\` did not answer a JSON object.\n\n${showBody(res)}`);
  ensure(typeof doc.openapi === 'string' && doc.openapi.startsWith('3.'), `The document's \`openapi\` is ${show(doc.openapi)}; expected a 3.x version.`);
  const paths = isRecord(doc.paths) ? doc.paths : {};
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    for (const method of Object.keys(item)) documented.add(`${method.toLowerCase()} ${normalizePath(path)}`);
  }
  const missing = CONTRACT_ROUTES.filter(([method, path]) => !documented.has(`${method} ${path}`)).map(
    ([method, path]) => `\`${method.toUpperCase()} ${path.replace('{}', '{id}')}\``,
  );
  ensure(
    missing.length === 0,
    `Your OpenAPI document does not list ${missing.join(', ')}; expected every route of the contract. ` +
      `It lists: ${
        Object.keys(paths)
          .map((p) => `\`${p}\``)
          .join(', ') || 'no paths'
      }.`,
  );
});

/** A V8 stack frame (`at fn (/app/dist/x.js:10:5)`, `at node:internal/…:1:2`) in a body's text. */
const STACK_FRAME = /\bat (?:async )?[^\n"()\\]*?\(?(?:\/|node:|file:\/\/)[^\s"()]*:\d+:\d+\)?/;

/** Where a body carries a stack trace: a frame in its text, or a `stack` key anywhere. */
function stackLeak(res: HttpExchange): string | undefined {
  const frame = STACK_FRAME.exec(res.text);
  if (frame) return `a stack frame (\`${frame[0].slice(0, 120)}\`)`;
  const keyed = (value: unknown, path: string): string | undefined => {
    if (Array.isArray(value)) return value.map((item, i) => keyed(item, `${path}[${i}]`)).find(Boolean);
    if (!isRecord(value)) return undefined;
    for (const [key, item] of Object.entries(value)) {
      if (/^stack(trace)?$/i.test(key)) return `a \`${path}.${key}\` field`;
      const inner = keyed(item, `${path}.${key}`);
      if (inner) return inner;
    }
    return undefined;
  };
  return keyed(res.body, 'body');
}

check('errors.500-shape-no-stack', async () => {
  const nul = '\u0000';
  const user = newUser('nul');
  // Inputs that crash careless apps: PostgreSQL refuses to store a NUL character in text.
  const probes: Array<{ res: HttpExchange; when: string }> = [
    { res: await call('POST', '/auth/register', { body: { ...user, name: `Grader${nul}nul` } }), when: 'with a NUL character in `name`' },
    {
      res: await call('POST', '/auth/register', { body: { ...newUser('nul'), email: `nul${nul}${user.email}` } }),
      when: 'with a NUL character in `email`',
    },
    { res: await call('POST', '/auth/login', { body: { email: `nul${nul}${user.email}`, password: user.password } }), when: 'with a NUL character in `email`' },
  ];
  measure('5xx answers to the probes', probes.filter(({ res }) => res.status >= 500).length);
  const problems: string[] = [];
  for (const { res, when } of probes) {
    const leak = res.status >= 400 ? stackLeak(res) : undefined;
    const shape = res.status >= 500 ? shapeProblems(res) : [];
    if (leak) shape.unshift(`the body carries ${leak}`);
    if (shape.length > 0) problems.push(`- **${res.status}** from \`${res.method} ${res.path}\` ${when}: ${shape.join('; ')}\n\n${showBody(res, 400)}`);
  }
  ensure(
    problems.length === 0,
    `An error answer shows a stack trace or leaves the one error shape:\n${problems.join('\n')}\n\n` +
      'Expected: any `5xx` answered as `{ statusCode: 500, error: "Internal Server Error", message: "Internal server error", ' +
      'path, timestamp }`, with the stack in your logs only (a `400` or a `201` for these inputs is fine too). In your one ' +
      'error handler, answer errors you did not expect with that generic body and log them: never send `err.stack` or ' +
      '`err` itself. NestJS: a `@Catch()` filter; Express: an `(err, req, res, next)` middleware (the default one shows ' +
      'stacks unless NODE_ENV is production, and never in this shape); Fastify: `setErrorHandler`; Koa: a try/catch middleware.',
  );
});
