/**
 * Web security of the real app, on the real PostgreSQL and Redis: every route has an access
 * decision (the table below; a new route without one fails the suite), who may reach what,
 * CSRF on every state-changing route, the session cookie, security headers and CSP, escaping
 * of everything learners and graders control, SQL injection attempts, and the rate limits.
 */
import type express from 'express';
import request from 'supertest';
import { parseConfig } from '../../core/config';
import { getPool } from '../../core/db/sql';
import { storeOutcome } from '../../core/models/results';
import { createRedisConnection } from '../../core/queue';
import { Browser, csrfTokenOf, startWebTestContext, type WebApp, type WebTestContext } from './support';

type Access = 'public' | 'signed-in' | 'owner' | 'instructor' | 'webhook';

/**
 * Every route of the app and who may use it. `owner`: the learner who owns the submission `:id`,
 * or an instructor (anyone else gets 404). `webhook`: no session, a signature instead.
 */
const ROUTES: Record<string, Access> = {
  'GET /healthz': 'public',
  'POST /webhooks/github': 'webhook',
  'GET /badges/:login/:file': 'public',
  'POST /auth/dev': 'public',
  'GET /auth/github': 'public',
  'GET /auth/github/callback': 'public',
  'POST /auth/signout': 'public',
  'GET /': 'public',
  'GET /phases/:id': 'signed-in',
  'POST /phases/:id/submissions': 'signed-in',
  'GET /submissions/:id/events': 'owner',
  'GET /submissions/:id.json': 'owner',
  'GET /submissions/:id': 'owner',
  'POST /submissions/:id/regrade': 'owner',
  'GET /instructor': 'instructor',
  'GET /instructor/exercises/:id/coverage': 'instructor',
  'GET /github': 'signed-in',
  'POST /github/link': 'signed-in',
  'POST /github/secret': 'signed-in',
  'POST /github/webhook': 'signed-in',
  'POST /github/config': 'signed-in',
  'POST /github/unlink': 'signed-in',
};

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: RouteLayer[] };
  rawPath?: unknown;
  slash?: boolean;
  name: string;
}

/** Walks express 5's router stack, nested routers included: "METHOD /path" for every route. */
function enumerateRoutes(app: express.Express): string[] {
  const found: string[] = [];
  const walk = (stack: RouteLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods).filter((name) => layer.route!.methods[name])) {
          for (const path of paths) found.push(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${prefix}${path}`);
        }
      } else if (layer.handle.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        if (!mount && !layer.slash) throw new Error(`a router is mounted on a path the walk cannot read (${String(layer.rawPath)})`);
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouteLayer[] } }).router.stack, '');
  return found;
}

const GITHUB_ENV = {
  // GitHub sign-in on (its routes exist); nothing here ever reaches this address.
  GITHUB_CLIENT_ID: 'security-client',
  GITHUB_CLIENT_SECRET: 'security-secret',
  GITHUB_WEB_URL: 'http://127.0.0.1:9',
  GITHUB_API_URL: 'http://127.0.0.1:9',
};

let context: WebTestContext;
let app: WebApp;
let owner: Browser;
let other: Browser;
let instructor: Browser;
/** A finished submission of `owner` (refused input: error at once, no cooldown). */
let ownedId: string;

function submissionIdFrom(location: string | undefined): string {
  const match = /^\/submissions\/([0-9a-f-]{36})$/.exec(location ?? '');
  if (!match) throw new Error(`not a submission location: ${location}`);
  return match[1];
}

async function submit(browser: Browser, fields: Record<string, string>, target: WebApp = app): Promise<request.Response> {
  const page = await browser.get('/phases/phase-1-auth');
  return request(target.server)
    .post('/phases/phase-1-auth/submissions')
    .set('Cookie', browser.cookie)
    .type('form')
    .send({ ...fields, _csrf: csrfTokenOf(page.text) });
}

/** A concrete path for a route of the table. */
function pathOf(route: string, ids: { submission: string }): string {
  const path = route.split(' ')[1];
  return path
    .replace('/submissions/:id', `/submissions/${ids.submission}`)
    .replace('/phases/:id', '/phases/phase-1-auth')
    .replace('/exercises/:id', '/exercises/phase-4-deploy')
    .replace(':login', 'owner-ann')
    .replace(':file', 'phase-1-auth.svg');
}

const methodOf = (route: string) => route.split(' ')[0];
const acceptOf = (path: string) => (path.endsWith('.json') ? 'application/json' : path.endsWith('/events') ? 'text/event-stream' : 'text/html');

beforeAll(async () => {
  context = await startWebTestContext();
  app = await context.startApp(GITHUB_ENV);
  owner = new Browser(app);
  await owner.signIn('owner-ann');
  other = new Browser(app);
  await other.signIn('other-otto');
  instructor = new Browser(app);
  await instructor.signIn('prof');
  const created = await submit(owner, { repo_url: 'not a url at all' });
  ownedId = submissionIdFrom(created.headers.location);
});

afterAll(async () => {
  await context?.close();
});

describe('the route table', () => {
  test('When the app is built, then every route it serves has an access decision in the table, and the table names no route it lacks', () => {
    const routes = enumerateRoutes(app.app);
    expect(routes.length).toBeGreaterThan(10);
    const undecided = routes.filter((route) => !(route in ROUTES));
    if (undecided.length > 0) {
      throw new Error(`routes without an access decision in test/web/security.test.ts ROUTES: ${undecided.join(', ')}`);
    }
    const stale = Object.keys(ROUTES).filter((route) => !routes.includes(route));
    if (stale.length > 0) throw new Error(`ROUTES lists routes the app does not serve: ${stale.join(', ')}`);
  });
});

describe('access', () => {
  const guarded = Object.entries(ROUTES).filter(([, access]) => access === 'signed-in' || access === 'owner' || access === 'instructor');

  test.each(guarded)('When a signed-out visitor calls %s, then it is refused (303 to / for a page, 401 otherwise)', async (route) => {
    const visitor = new Browser(app);
    const path = pathOf(route, { submission: ownedId });
    if (methodOf(route) === 'GET') {
      const response = await visitor.get(path, acceptOf(path));
      if (acceptOf(path) === 'text/html') {
        expect(response.status).toBe(303);
        expect(response.headers.location).toBe('/');
      } else {
        expect(response.status).toBe(401);
        expect(response.headers['content-type']).not.toContain('text/event-stream');
      }
    } else {
      // A visitor with a session and a valid CSRF token: the sign-in check itself refuses.
      const response = await visitor.post(path, {}, { formPage: '/' });
      expect(response.status).toBe(401);
      expect(response.text).toContain('Sign in to continue');
    }
  });

  const owned = Object.entries(ROUTES).filter(([, access]) => access === 'owner');

  test.each(owned)('When another learner calls %s on a submission that is not theirs, then 404 and nothing of it', async (route) => {
    const path = pathOf(route, { submission: ownedId });
    const response = methodOf(route) === 'GET' ? await other.get(path, acceptOf(path)) : await other.post(path, {}, { formPage: '/' });
    expect(response.status).toBe(404);
    expect(response.text).not.toContain('not a url at all');
    expect(response.headers['content-type']).not.toContain('text/event-stream');
  });

  test.each(owned)('When the owner or an instructor calls %s, then they get the submission', async (route) => {
    for (const browser of [owner, instructor]) {
      const path = pathOf(route, { submission: ownedId });
      if (methodOf(route) === 'GET') {
        const response = await browser.get(path, acceptOf(path));
        expect(response.status).toBe(200);
        if (acceptOf(path) === 'text/event-stream') expect(response.text).toContain('event: end');
        else expect(response.text).toContain('not a url at all');
      } else {
        const response = await browser.post(path, {}, { formPage: '/' });
        expect(response.status).toBe(303);
        expect(response.headers.location).toMatch(/^\/submissions\/[0-9a-f-]{36}$/);
      }
    }
  });

  const instructorOnly = Object.entries(ROUTES).filter(([, access]) => access === 'instructor');

  test.each(instructorOnly)('When a learner calls %s, then 403; an instructor gets it', async (route) => {
    const path = pathOf(route, { submission: ownedId });
    const refused = await other.get(path);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Not allowed');
    expect((await instructor.get(path)).status).toBe(200);
  });

  const signedIn = Object.entries(ROUTES).filter(([route, access]) => access === 'signed-in' && methodOf(route) === 'GET');

  test.each(signedIn)('When a signed-in learner opens %s, then it is served', async (route) => {
    const response = await other.get(pathOf(route, { submission: ownedId }));
    expect(response.status).toBe(200);
  });
});

describe('CSRF', () => {
  const stateChanging = Object.keys(ROUTES).filter((route) => methodOf(route) !== 'GET' && ROUTES[route] !== 'webhook');

  test('When the route table is read, then every state-changing route but the webhook is covered below', () => {
    expect(stateChanging.length).toBeGreaterThanOrEqual(7);
    expect(
      enumerateRoutes(app.app)
        .filter((route) => methodOf(route) !== 'GET' && ROUTES[route] !== 'webhook')
        .sort(),
    ).toEqual([...stateChanging].sort());
  });

  test.each(stateChanging)('When a signed-in learner posts %s without a CSRF token or with a forged one, then 403 and nothing changes', async (route) => {
    const browser = await Browser.signedIn(app, 'csrf-carl');
    const path = pathOf(route, { submission: ownedId });
    const before = await getPool().query("SELECT count(*)::int AS n FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.login = 'csrf-carl'");
    const fields = { login: 'csrf-victim', repo_url: 'https://github.com/csrf/x', repo: 'csrf/x' };
    const missing = await browser.post(path, fields, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('form has expired');
    const forged = await request(app.server)
      .post(path)
      .set('Cookie', browser.cookie)
      .type('form')
      .send({ ...fields, _csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    const header = await request(app.server).post(path).set('Cookie', browser.cookie).set('X-CSRF-Token', 'forged-token').type('form').send(fields);
    expect(header.status).toBe(403);
    // Still signed in, still the same learner, nothing created.
    expect((await browser.get('/')).text).toContain('Welcome back, csrf-carl');
    const after = await getPool().query("SELECT count(*)::int AS n FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.login = 'csrf-carl'");
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect((await getPool().query("SELECT 1 FROM users WHERE login = 'csrf-victim'")).rowCount).toBe(0);
  });

  test('When the webhook is posted without a CSRF token, then the signature check answers, not CSRF', async () => {
    const response = await request(app.server)
      .post('/webhooks/github')
      .set({ 'X-GitHub-Event': 'ping', 'X-GitHub-Delivery': 'csrf-check-1', 'Content-Type': 'application/json' })
      .send('{"zen":"hi"}');
    expect(response.status).toBe(401);
    expect(response.body.error).toContain('X-Hub-Signature-256');
  });
});

describe('the session cookie', () => {
  test('When NODE_ENV is production, then the session cookie is Secure, HttpOnly and SameSite=Lax, and never sent over plain http', async () => {
    const production = await context.startApp({ ...GITHUB_ENV, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), BASE_URL: 'https://backend.pro' });
    // Through the TLS proxy (trusted for one hop in production): GitHub sign-in keeps its OAuth state in the session.
    const secure = await request(production.server).get('/auth/github').set('X-Forwarded-Proto', 'https');
    expect(secure.status).toBe(302);
    const cookie = ((secure.headers['set-cookie'] as unknown as string[]) ?? []).find((line) => line.startsWith('backend_pro.sid='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(secure.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const plain = await request(production.server).get('/auth/github');
    expect(plain.status).toBe(302);
    expect((plain.headers['set-cookie'] as unknown as string[] | undefined)?.some((line) => line.startsWith('backend_pro.sid='))).toBeFalsy();
  });

  test('When not in production, then the cookie is HttpOnly and SameSite=Lax but not Secure (local http)', async () => {
    const response = await request(app.server).get('/auth/github');
    const cookie = ((response.headers['set-cookie'] as unknown as string[]) ?? []).find((line) => line.startsWith('backend_pro.sid='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  test('When a session cookie is planted before a dev sign-in, then that cookie is not signed in afterwards', async () => {
    const victim = new Browser(app);
    await victim.get('/');
    const planted = victim.cookie;
    expect(planted).not.toBe('');
    await victim.signIn('fixated-fay');
    expect(victim.cookie).not.toBe(planted);
    const attacker = new Browser(app);
    attacker.cookie = planted;
    const page = await attacker.get('/');
    expect(page.text).not.toContain('fixated-fay');
    expect((await attacker.get('/github')).status).toBe(303);
  });
});

describe('security headers and CSP', () => {
  test('When an HTML page is served, then CSP, nosniff, frame-ancestors and referrer policy are set and X-Powered-By is not', async () => {
    const response = await new Browser(app).get('/');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  test('When the landing, course, phase, submission, GitHub and instructor pages are rendered, then none has an inline script or event handler', async () => {
    const queued = await submit(owner, { repo_url: 'https://github.com/owner-ann/queued-app' });
    const queuedId = submissionIdFrom(queued.headers.location);
    const pages: Array<[Browser, string]> = [
      [new Browser(app), '/'],
      [owner, '/'],
      [owner, '/phases/phase-1-auth'],
      [owner, `/submissions/${ownedId}`],
      [owner, `/submissions/${queuedId}`],
      [owner, '/github'],
      [instructor, '/instructor'],
      [instructor, '/instructor/exercises/phase-4-deploy/coverage'],
    ];
    let scripts = 0;
    for (const [browser, path] of pages) {
      const response = await browser.get(path);
      expect(response.status).toBe(200);
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      const tags = response.text.match(/<script\b[^>]*>/gi) ?? [];
      scripts += tags.length;
      for (const tag of tags) expect(tag).toMatch(/\ssrc="\/public\/[a-z-]+\.js"/);
      expect(response.text).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
      expect(response.text).not.toMatch(/(href|src|action)\s*=\s*["']?\s*javascript:/i);
    }
    // The queued submission and the phase/GitHub pages do load their scripts: the check saw some.
    expect(scripts).toBeGreaterThanOrEqual(3);
  });
});

describe('escaping what learners and graders control', () => {
  const NAME = '<script>alert("name")</script>';
  let xss: Browser;
  let refusedId: string;
  let outputId: string;

  beforeAll(async () => {
    xss = new Browser(app);
    await xss.signIn('xss-lee');
    await getPool().query('UPDATE users SET name = $1 WHERE login = $2', [NAME, 'xss-lee']);
    const refused = await submit(xss, {
      repo_url: `"><script>alert('repo')</script>`,
      branch: `"><script>alert('branch')</script>`,
      subdir: `<img src=x onerror=alert('dir')>`,
    });
    expect(refused.status).toBe(303);
    refusedId = submissionIdFrom(refused.headers.location);
    const queued = await submit(instructor, { repo_url: 'https://github.com/xss-lee/app' });
    outputId = submissionIdFrom(queued.headers.location);
    // The submission belongs to the instructor who made it; hand it to the learner.
    await getPool().query("UPDATE submissions SET user_id = (SELECT id FROM users WHERE login = 'xss-lee') WHERE id = $1", [outputId]);
    await storeOutcome(outputId, {
      status: 'scored',
      cause: null,
      message: null,
      score: 0,
      maxScore: 5,
      executionTimeMs: 10,
      tests: [
        {
          id: 'echo.body',
          name: 'Echo <img src=x onerror=alert(1)> check',
          group: '<b>Echo</b> group',
          score: 0,
          max_score: 5,
          status: 'failed',
          visibility: 'visible',
          required: false,
          output: 'Your app answered:\n\n<script>alert("out")</script> \u001b[31mred text\u001b[0m NUL:\u0000:end "quoted" \'single\'',
          hint: 'Hint <script>alert("hint")</script>',
          measurements: [{ name: 'm <script>alert("m")</script>', value: 1, threshold: '\u001b[1m≤ 2' }],
        },
      ],
      appLog: 'boot \u001b[32mok\u001b[0m\u0000 <script>alert("log")</script>',
      warnings: ['warn <script>alert("warn")</script>'],
    });
  });

  const assertClean = (html: string) => {
    expect(html).not.toMatch(/<script>alert/i);
    expect(html).not.toMatch(/<img src=x/i);
    expect(html).not.toMatch(/<script\b(?![^>]*\ssrc=)/i);
    expect(html).not.toContain('\u0000');
    expect(html).not.toContain('\u001b');
  };

  test('When refused input with HTML and quotes (URL, branch, folder) is shown, then it is escaped on the submission page', async () => {
    for (const browser of [xss, instructor]) {
      const page = await browser.get(`/submissions/${refusedId}`);
      expect(page.status).toBe(200);
      assertClean(page.text);
      expect(page.text).toContain('&lt;script&gt;alert(&#39;repo&#39;)&lt;/script&gt;');
      expect(page.text).toContain('&lt;script&gt;alert(&#39;branch&#39;)&lt;/script&gt;');
      expect(page.text).toContain('&lt;img src=x onerror=alert(&#39;dir&#39;)&gt;');
    }
    const json = await xss.get(`/submissions/${refusedId}.json`, 'application/json');
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.body.submission.ref).toBe(`"><script>alert('branch')</script>`);
  });

  test('When grader output carries HTML, ANSI escapes and NUL bytes, then it is stored cleaned and shown escaped to the owner and an instructor', async () => {
    const { rows } = await getPool().query('SELECT tests::text AS tests, app_log FROM results WHERE submission_id = $1', [outputId]);
    expect(rows[0].tests).not.toContain('\\u0000');
    expect(rows[0].tests).not.toContain('\\u001b');
    expect(rows[0].app_log).not.toContain('\u0000');
    for (const browser of [xss, instructor]) {
      const page = await browser.get(`/submissions/${outputId}`);
      expect(page.status).toBe(200);
      assertClean(page.text);
      expect(page.text).toContain('red text');
      expect(page.text).toContain('NUL::end');
      expect(page.text).toContain('&lt;script&gt;alert(');
      expect(page.text).toContain('Echo &lt;img src=x onerror=alert(1)&gt; check');
    }
  });

  test('When a profile name holds a script, then the course page, the header and the instructor cohort page show it escaped', async () => {
    const course = await xss.get('/');
    assertClean(course.text);
    expect(course.text).toContain('Welcome back, &lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;');
    const cohort = await instructor.get('/instructor');
    expect(cohort.status).toBe(200);
    assertClean(cohort.text);
    expect(cohort.text).toContain('xss-lee');
    expect(cohort.text).toContain('&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;');
  });
});

describe('SQL injection attempts', () => {
  const PAYLOADS = [`' OR '1'='1`, '1; DROP TABLE users; --', '%27%20OR%201=1', `1' UNION SELECT login, role FROM users --`, 'x\u0000y'];
  const VICTIM_REPO = 'https://github.com/victim-vic/top-secret-repo';
  let attacker: Browser;

  beforeAll(async () => {
    const victim = await Browser.signedIn(app, 'victim-vic');
    expect((await submit(victim, { repo_url: VICTIM_REPO })).status).toBe(303);
    attacker = new Browser(app);
    await attacker.signIn('mallory-sql');
  });

  const counts = async () => {
    const { rows } = await getPool().query(
      "SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.login = 'victim-vic') AS victim",
    );
    return rows[0] as { users: number; victim: number };
  };

  /** The body as text, whatever its type (badges are SVG images, which supertest keeps as a Buffer). */
  const bodyOf = (response: request.Response): string =>
    typeof response.text === 'string' ? response.text : Buffer.isBuffer(response.body) ? response.body.toString('utf8') : JSON.stringify(response.body ?? '');

  const expectHandled = (response: request.Response, what: string) => {
    const body = bodyOf(response);
    if (response.status >= 500) throw new Error(`${what} answered ${response.status}: ${body.slice(0, 300)}`);
    expect(body).not.toContain('top-secret-repo');
    if (response.status >= 400) expect(body.length).toBeGreaterThan(0);
  };

  test('When every route parameter receives injection payloads, then each answers a clear 4xx or a normal page and leaks nothing', async () => {
    const before = await counts();
    const withParams = Object.keys(ROUTES).filter((route) => route.includes(':'));
    expect(withParams.length).toBeGreaterThanOrEqual(5);
    for (const route of withParams) {
      for (const payload of PAYLOADS) {
        // The encoded payload as a browser would send it, and "%27%20OR%201=1" also as written (decoded by the server).
        for (const segment of [encodeURIComponent(payload), ...(payload.startsWith('%') ? [payload] : [])]) {
          const path = route
            .split(' ')[1]
            .replace(':id.json', `${segment}.json`)
            .replace(':id', segment)
            .replace(':login', segment)
            .replace(':file', `${segment}.svg`);
          const what = `${methodOf(route)} ${path}`;
          const response =
            methodOf(route) === 'GET'
              ? await attacker.get(path, acceptOf(path))
              : ROUTES[route] === 'webhook'
                ? await request(app.server).post(path).send('{}')
                : await attacker.post(path, {}, { formPage: '/' });
          expectHandled(response, what);
          expect(response.status === 200 && methodOf(route) === 'POST').toBe(false);
        }
      }
    }
    expect(await counts()).toEqual(before);
  });

  test('When the form fields of the POST routes receive injection payloads, then no 500, nothing leaks and the tables are intact', async () => {
    const before = await counts();
    const visitor = new Browser(app);
    for (const payload of PAYLOADS) {
      expectHandled(await visitor.post('/auth/dev', { login: payload }), `POST /auth/dev login=${payload}`);
      const fieldSets: Array<Record<string, string>> = [
        { repo_url: payload },
        { repo_url: 'https://github.com/m/x', branch: payload },
        { repo_url: 'https://github.com/m/x', subdir: payload },
      ];
      for (const fields of fieldSets) {
        const response = await submit(attacker, fields);
        expectHandled(response, `POST /phases/phase-1-auth/submissions ${JSON.stringify(fields)}`);
        expect(response.status).toBe(303);
        const page = await attacker.get(response.headers.location);
        expect(page.status).toBe(200);
        expectHandled(page, `the submission page of ${JSON.stringify(fields)}`);
      }
      const link = await attacker.post(
        '/github/link',
        { repo: payload, 'branch_phase-1-auth': payload, 'subdir_phase-1-auth': payload },
        { formPage: '/github' },
      );
      expectHandled(link, `POST /github/link repo=${payload}`);
      expect(link.status).toBe(400);
      for (const path of ['/github/secret', '/github/webhook', '/github/config', '/github/unlink', `/submissions/${ownedId}/regrade`]) {
        expectHandled(await attacker.post(path, { id: payload, repo: payload }, { formPage: '/' }), `POST ${path}`);
      }
      const webhook = await request(app.server)
        .post('/webhooks/github')
        .set({
          'X-GitHub-Event': 'push',
          'X-GitHub-Delivery': `sqli-${PAYLOADS.indexOf(payload)}`,
          'X-Hub-Signature-256': `sha256=${encodeURIComponent(payload)}`,
          'Content-Type': 'application/json',
        })
        .send(JSON.stringify({ ref: payload, after: payload, repository: { full_name: payload } }));
      expectHandled(webhook, `POST /webhooks/github with ${payload}`);
      expect([400, 401]).toContain(webhook.status);
    }
    const signout = await attacker.post('/auth/signout', { x: PAYLOADS[0] }, { formPage: '/' });
    expect(signout.status).toBe(303);

    const tables = await getPool().query(
      "SELECT to_regclass('public.users') AS users, to_regclass('public.submissions') AS submissions, to_regclass('public.results') AS results",
    );
    expect(tables.rows[0]).toEqual({ users: 'users', submissions: 'submissions', results: 'results' });
    expect(await counts()).toEqual(before);
    // The attacker's refused submissions are the attacker's, stored as explained errors.
    const { rows } = await getPool().query(
      "SELECT s.status, count(*)::int AS n FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.login = 'mallory-sql' GROUP BY s.status",
    );
    expect(rows).toEqual([{ status: 'error', n: PAYLOADS.length * 3 }]);
  });
});

describe('rate limits', () => {
  const LIMITED_ENV = {
    ...GITHUB_ENV,
    RATE_LIMIT_SIGNIN_PER_MINUTE: '3',
    RATE_LIMIT_SUBMIT_PER_MINUTE: '3',
    RATE_LIMIT_WEBHOOK_PER_MINUTE: '3',
    RATE_LIMIT_GITHUB_PER_MINUTE: '3',
    TRUST_PROXY: '1',
  };
  let limited: WebApp;
  let limitedTwin: WebApp;

  beforeAll(async () => {
    limited = await context.startApp(LIMITED_ENV);
    // A second server process on the same Redis: the limits are shared, not per process.
    limitedTwin = await context.startApp(LIMITED_ENV);
  });

  const expectLimited = (response: request.Response, limit: number) => {
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.headers.ratelimit).toMatch(new RegExp(`^limit=${limit}, remaining=0, reset=\\d+$`));
    expect(response.headers['ratelimit-policy']).toBe(`${limit};w=60`);
  };

  const fromIp = (target: WebApp, ip: string) => ({
    get: (path: string, cookie = '') => request(target.server).get(path).set('X-Forwarded-For', ip).set('Accept', 'text/html').set('Cookie', cookie),
    post: (path: string, fields: Record<string, string>, cookie = '') =>
      request(target.server).post(path).set('X-Forwarded-For', ip).set('Accept', 'text/html').set('Cookie', cookie).type('form').send(fields),
  });

  test('When the configuration asks to trust every proxy, then it is refused (clients could pick their own address)', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(parseConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', NODE_ENV: 'production', SESSION_SECRET: 'y'.repeat(40) }).TRUST_PROXY).toBe(1);
    expect(parseConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x' })).toMatchObject({
      TRUST_PROXY: false,
      RATE_LIMIT_SIGNIN_PER_MINUTE: 20,
      RATE_LIMIT_SUBMIT_PER_MINUTE: 10,
      RATE_LIMIT_WEBHOOK_PER_MINUTE: 120,
      RATE_LIMIT_GITHUB_PER_MINUTE: 10,
    });
  });

  test('When one IP goes past the sign-in limit on any sign-in route, then 429 with Retry-After and RateLimit headers, even for an instructor; another IP is unaffected', async () => {
    const client = fromIp(limited, '203.0.113.10');
    const first = await client.get('/auth/github');
    expect(first.status).toBe(302);
    expect(first.headers.ratelimit).toMatch(/^limit=3, remaining=2, reset=\d+$/);
    expect((await fromIp(limitedTwin, '203.0.113.10').get('/auth/github')).status).toBe(302);
    expect((await client.get('/auth/github/callback')).status).not.toBe(429);

    const refused = await client.get('/auth/github');
    expectLimited(refused, 3);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.text).toContain('Too many sign-in attempts');
    expectLimited(await client.get('/auth/github/callback?code=x&state=y'), 3);

    // The dev form too, for an instructor's login: nobody is signed in yet.
    const landing = await client.get('/');
    const cookie = String((landing.headers['set-cookie'] as unknown as string[])[0]).split(';')[0];
    const devSignIn = await client.post('/auth/dev', { login: 'prof', _csrf: csrfTokenOf(landing.text) }, cookie);
    expectLimited(devSignIn, 3);
    expect(devSignIn.text).toContain('Too many sign-in attempts');
    expect((await client.get('/', cookie)).text).toContain('action="/auth/dev"');

    const otherIp = fromIp(limited, '198.51.100.20');
    expect((await otherIp.get('/auth/github')).status).toBe(302);
    const otherLanding = await otherIp.get('/');
    const otherCookie = String((otherLanding.headers['set-cookie'] as unknown as string[])[0]).split(';')[0];
    expect((await otherIp.post('/auth/dev', { login: 'fresh-fred', _csrf: csrfTokenOf(otherLanding.text) }, otherCookie)).status).toBe(303);
  });

  test('When a learner goes past the submit limit across submissions and "grade again", then 429 with the headers; another learner and an instructor are unaffected', async () => {
    // Signed in on the generous app: sessions live in PostgreSQL and both apps share the secret.
    const eager = await Browser.signedIn(app, 'eager-eve');
    const calm = await Browser.signedIn(app, 'calm-cal');
    const onLimited = (browser: Browser) => Object.assign(new Browser(limited), { cookie: browser.cookie });
    const eagerHere = onLimited(eager);

    const ids: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      // Refused input: stored as an error at once, so the per-exercise cooldown never starts.
      const response = await submit(eagerHere, { repo_url: `not-a-url-${attempt}` }, limited);
      expect(response.status).toBe(303);
      ids.push(submissionIdFrom(response.headers.location));
    }
    const refused = await submit(eagerHere, { repo_url: 'not-a-url-4' }, limited);
    expectLimited(refused, 3);
    expect(refused.text).toContain('more than 3 gradings in a minute');
    const regrade = await eagerHere.post(`/submissions/${ids[0]}/regrade`, {}, { formPage: '/' });
    expectLimited(regrade, 3);
    // The twin process shares the counter.
    expectLimited(await submit(Object.assign(new Browser(limitedTwin), { cookie: eager.cookie }), { repo_url: 'not-a-url-5' }, limitedTwin), 3);
    const { rows } = await getPool().query("SELECT count(*)::int AS n FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.login = 'eager-eve'");
    expect(rows[0].n).toBe(3);

    expect((await submit(onLimited(calm), { repo_url: 'not-a-url-calm' }, limited)).status).toBe(303);
    const professor = onLimited(instructor);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await submit(professor, { repo_url: `not-a-url-prof-${attempt}` }, limited)).status).toBe(303);
    }
  });

  test('When a learner asks the platform to call GitHub too often (read backend-pro.yml, create the webhook), then 429 with the headers; another learner is unaffected', async () => {
    const busy = await Browser.signedIn(app, 'busy-bea');
    const other = await Browser.signedIn(app, 'other-otto');
    const busyHere = Object.assign(new Browser(limited), { cookie: busy.cookie });
    // Not linked yet: each of these is answered (and counted) without reaching GitHub.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await busyHere.post('/github/config', {}, { formPage: '/github' })).status).not.toBe(429);
    }
    const refused = await busyHere.post('/github/webhook', {}, { formPage: '/github' });
    expectLimited(refused, 3);
    expect(refused.text).toContain('call GitHub more than 3 times in a minute');
    expectLimited(await Object.assign(new Browser(limitedTwin), { cookie: busy.cookie }).post('/github/config', {}, { formPage: '/github' }), 3);
    expect((await Object.assign(new Browser(limited), { cookie: other.cookie }).post('/github/config', {}, { formPage: '/github' })).status).not.toBe(429);
  });

  test('When one IP goes past the webhook limit, then 429 in JSON with the headers; another IP still reaches the signature check', async () => {
    const deliver = (ip: string, n: number) =>
      request(limited.server)
        .post('/webhooks/github')
        .set({
          'X-Forwarded-For': ip,
          'X-GitHub-Event': 'ping',
          'X-GitHub-Delivery': `limit-${ip.replace(/\./g, '-')}-${n}`,
          'Content-Type': 'application/json',
        })
        .send('{"zen":"x"}');
    for (let n = 0; n < 3; n += 1) expect((await deliver('192.0.2.30', n)).status).toBe(401);
    const refused = await deliver('192.0.2.30', 4);
    expectLimited(refused, 3);
    expect(refused.headers['content-type']).toContain('application/json');
    expect(refused.body.error).toContain('Too many deliveries');
    expect((await deliver('192.0.2.31', 0)).status).toBe(401);
  });

  test('When the limits count, then the counters are in Redis under the queue name', async () => {
    const redis = createRedisConnection(context.redisUrl, 'worker');
    try {
      const keys = await redis.keys(`rl:${context.queueName}:*`);
      expect(keys.some((key) => key.startsWith(`rl:${context.queueName}:signin:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`rl:${context.queueName}:submit:user:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`rl:${context.queueName}:webhook:`))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});
