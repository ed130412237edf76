import { STATUS_CODES } from 'node:http';
import { call } from '../harness/context';
import { ensure, expectStatus, fail, show, showBody, useChecks } from '../harness/check';
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
    { res: await call('GET', '/users', { token: signedIn.tokens.accessToken }), expected: 403, when: 'with the access token of a signed-in `user` (not an admin)',
      elsewhere: 'roles.admin-403-for-user' },
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
        `\n\nUse one global exception filter for every error (validation, auth, forbidden, not found, conflict): a role guard's 403 goes through it too.\n\n${first ? showBody(first.res) : ''}`,
    );
  }
});

check('errors.unknown-route-404', async () => {
  const suffix = Date.now().toString(36);
  for (const [method, path] of [['GET', `/no-such-route-${suffix}`], ['POST', `/auth/no-such-route-${suffix}`]] as const) {
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
const normalizePath = (path: string): string =>
  path.replace(/\{[^}]*\}|:[A-Za-z_][A-Za-z0-9_]*/g, '{}').replace(/(.)\/+$/, '$1');

check('docs.openapi-lists-routes', async () => {
  const res = await call('GET', '/docs-json');
  expectStatus(res, 200, {
    fix: 'Serve your OpenAPI document as JSON at `/docs-json` (`SwaggerModule.setup("docs", app, document)`).',
  });
  const doc = res.body;
  ensure(isRecord(doc), `\`GET /docs-json\` did not answer a JSON object.\n\n${showBody(res)}`);
  ensure(
    typeof doc.openapi === 'string' && doc.openapi.startsWith('3.'),
    `The document's \`openapi\` is ${show(doc.openapi)}; expected a 3.x version.`,
  );
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
      `It lists: ${Object.keys(paths).map((p) => `\`${p}\``).join(', ') || 'no paths'}.`,
  );
});
