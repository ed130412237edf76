/**
 * The web server end to end, on the real PostgreSQL and Redis: sign-in, the course and phase
 * pages, submitting, who may see what, CSRF, production rules and the health check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { storeOutcome } from '../../core/models/results';
import { finishStage, insertSubmission, startStage } from '../../core/models/submissions';
import { upsertExercise } from '../../server/models/exercises';
import { getPool } from '../../core/db/sql';
import { coveragePath, parseCoverage } from '../../server/exercises/coverage';
import { findExerciseDefinition } from '../../core/exercises/definition';
import { loadChecks } from '../../graders/harness/checkDefinitions';
import { Browser, startWebTestApp, type WebApp, type WebTestContext, outcome } from './support';

/** What ejs's `<%= %>` writes for a text. */
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

let context: WebTestContext;
let app: WebApp;

beforeAll(async () => ({ context, app } = await startWebTestApp()));
afterAll(async () => await context?.close());

/** A phase-1 submission of `login` (signed in before) from https://github.com/<login>/auth, inserted directly rather than through the form. */
async function insertPhase1Submission(login: string): Promise<string> {
  const user = await getPool().query<{ id: string }>('SELECT id FROM users WHERE login = $1', [login]);
  const { id } = await insertSubmission({
    userId: Number(user.rows[0].id),
    exerciseId: 'phase-1-auth',
    repoUrl: `https://github.com/${login}/auth`,
    source: 'web',
  });
  return id;
}

function submissionIdFrom(location: string | undefined): string {
  const match = /^\/submissions\/([0-9a-f-]{36})$/.exec(location ?? '');
  if (!match) throw new Error(`not a submission location: ${location}`);
  return match[1];
}

describe('signing in', () => {
  test('When a visitor opens /, then the landing page explains Backend Pro and offers the dev sign-in form', async () => {
    const browser = new Browser(app);
    const response = await browser.get('/');
    expect(response.status).toBe(200);
    expect(response.text).toContain('Backend Pro');
    expect(response.text).toContain('action="/auth/dev"');
    expect(response.text).not.toContain('/auth/github');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  test('When a learner signs in by name, then the session cookie is HttpOnly, SameSite=Lax and regenerated', async () => {
    const browser = new Browser(app);
    await browser.get('/');
    const before = browser.cookie;
    expect(before).not.toBe('');
    const response = await browser.post('/auth/dev', { login: 'ada' });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
    const setCookie = (response.headers['set-cookie'] as unknown as string[]).join('\n');
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(browser.cookie).not.toBe(before);
  });

  test('When the form has no CSRF token, then the sign-in is refused with 403', async () => {
    const browser = new Browser(app);
    await browser.get('/');
    const response = await browser.post('/auth/dev', { login: 'mallory' }, { csrf: false });
    expect(response.status).toBe(403);
    expect(response.text).toContain('form has expired');
    expect(response.text).not.toMatch(/at .*\.ts:\d+/);
  });

  test('When the login name is invalid, then the landing page says why', async () => {
    const browser = new Browser(app);
    const response = await browser.post('/auth/dev', { login: '-bad name' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('Enter a login name');
  });

  test('When a learner signs out (with CSRF), then the session is gone', async () => {
    const browser = await Browser.signedIn(app, 'leaving');
    expect((await browser.get('/')).text).toContain('Welcome back');
    const response = await browser.post('/auth/signout', {});
    expect(response.status).toBe(303);
    expect((await browser.get('/')).text).toContain('action="/auth/dev"');
  });

  test('When sign-out is posted without CSRF, then it is refused with 403', async () => {
    const browser = await Browser.signedIn(app, 'stays');
    const response = await browser.post('/auth/signout', {}, { csrf: false });
    expect(response.status).toBe(403);
    expect((await browser.get('/')).text).toContain('Welcome back');
  });

  test('When NODE_ENV is production, then the dev sign-in is not offered and its route answers 404', async () => {
    const production = await context.startApp({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), BASE_URL: 'https://backend.pro' });
    const browser = new Browser(production);
    const landing = await browser.get('/');
    expect(landing.text).not.toContain('action="/auth/dev"');
    // No form, no token: CSRF refuses first (403); the route itself does not exist (404).
    const response = await browser.post('/auth/dev', { login: 'intruder' }, { csrf: false });
    expect([403, 404]).toContain(response.status);
    expect(response.headers['set-cookie']).toBeUndefined();
    const users = await getPool().query("SELECT 1 FROM users WHERE login = 'intruder'");
    expect(users.rowCount).toBe(0);
  });
});

describe('the course page', () => {
  test('When a learner opens /, then the 8 phases are listed with status, best score, attempts and the level', async () => {
    const browser = await Browser.signedIn(app, 'grace');
    const response = await browser.get('/');
    expect(response.status).toBe(200);
    for (let phase = 1; phase <= 8; phase += 1) expect(response.text).toContain(`Phase ${phase}</span>`);
    expect(response.text).toContain('Auth + Users Service');
    expect(response.text).toContain('Junior');
    expect(response.text).toContain('0</strong> of 8 phases passed');
    expect(response.text).toContain('Not started');
    expect(response.text).toContain('Grader coming soon');
    expect(response.text).toContain('names 9–10 phases for Senior-Ready but has 8');
  });

  test('When a learner passes a phase, then its card says passed with the best score and the level counts it', async () => {
    const browser = await Browser.signedIn(app, 'linus');
    const created = await browser.post('/phases/phase-1-auth/submissions', { repo_url: 'https://github.com/linus/auth' }, { formPage: '/phases/phase-1-auth' });
    const id = submissionIdFrom(created.headers.location);
    await storeOutcome(id, outcome({ score: 92 }));
    const response = await browser.get('/');
    expect(response.text).toContain('Passed with distinction');
    expect(response.text).toContain('92%');
    expect(response.text).toContain('1</strong> of 8 phases passed');
  });

  test('When a score above the pass mark fails a required check, then the phase is not passed and every page says which check', async () => {
    const browser = await Browser.signedIn(app, 'katherine');
    // Inserted directly: submitting through the form would start this learner's cooldown.
    const id = await insertPhase1Submission('katherine');
    const test = (
      id: string,
      status: 'passed' | 'failed',
      points: number,
      extra: { required?: boolean; visibility?: 'visible' | 'hidden'; hint?: string } = {},
    ) => ({
      id,
      name: `Check ${id}`,
      group: id.split('.')[0],
      score: status === 'passed' ? points : 0,
      max_score: points,
      status,
      visibility: extra.visibility ?? ('visible' as const),
      required: extra.required ?? false,
      output: status === 'passed' ? 'Passed.' : 'Expected 401, got 200.',
      ...(extra.hint ? { hint: extra.hint } : {}),
    });
    await storeOutcome(
      id,
      outcome({
        score: 95,
        tests: [
          test('roles.admin-only', 'failed', 5, { required: true }),
          test('tokens.bad-tokens-rejected', 'passed', 5, { required: true, visibility: 'hidden', hint: 'Verify tokens.' }),
          test('docs.openapi', 'passed', 90),
        ],
      }),
    );
    const { rows } = await getPool().query('SELECT passed, failed_required FROM submissions WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ passed: false, failed_required: ['roles.admin-only'] });

    const page = await browser.get(`/submissions/${id}`);
    expect(page.text).toContain('Not passed yet');
    expect(page.text).toContain('Not passed: 95/100, but <code>roles.admin-only</code> is required');
    expect(page.text).toContain('class="check-required"');
    const json = JSON.parse((await browser.get(`/submissions/${id}.json`)).text);
    expect(json.results.passed).toBe(false);
    expect(json.results.tests.map((t: { required: boolean }) => t.required)).toEqual([true, true, false]);

    const course = await browser.get('/');
    expect(course.text).toContain('Not passed: 95%, but a required check fails.');
    expect(course.text).toContain('0</strong> of 8 phases passed');
    const phase = await browser.get('/phases/phase-1-auth');
    expect(phase.text).toContain('your best attempt failed a required check');
    const badge = await (await fetch(`${app.url}/badges/katherine/phase-1-auth.svg`)).text();
    expect(badge).toContain('95% not passed');
  });

  test('When checks fail only because a step they need failed, then the page says it once, naming the step, hidden checks by placeholder', async () => {
    const browser = await Browser.signedIn(app, 'dorothy');
    const id = await insertPhase1Submission('dorothy');
    const base = { group: 'Tokens', score: 0, max_score: 5, status: 'failed' as const, required: false };
    await storeOutcome(
      id,
      outcome({
        maxScore: 15,
        tests: [
          {
            ...base,
            id: 'registration.creates-user',
            name: 'POST /auth/register creates a user',
            visibility: 'visible',
            output: '`POST /auth/register` answered **500**.',
          },
          {
            ...base,
            id: 'tokens.refresh-rotation',
            name: 'A refresh token gives a new pair once',
            visibility: 'visible',
            output: '**Not tested:** …',
            needs: 'registration.creates-user',
          },
          {
            ...base,
            id: 'tokens.refresh-not-access',
            name: 'SECRET refresh check',
            visibility: 'hidden',
            hint: 'Use two secrets.',
            output: 'Failed. This check is hidden.',
            needs: 'registration.creates-user',
          },
        ],
      }),
    );
    const page = await browser.get(`/submissions/${id}`);
    expect(page.text).toContain('One failing step costs 3 checks');
    expect(page.text).toContain(
      'POST /auth/register creates a user (<code>registration.creates-user</code>) failed, so these 2 checks could not test their own rule: A refresh token gives a new pair once, Hidden check 1.',
    );
    expect(page.text).not.toContain('SECRET refresh check');
  });
});

describe('the phase page and submitting', () => {
  let learner: Browser;

  beforeAll(async () => {
    learner = new Browser(app);
    await learner.signIn('margaret');
  });

  test('When a signed-out visitor opens a phase, then they are sent to sign in', async () => {
    const response = await new Browser(app).get('/phases/phase-1-auth');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
  });

  test('When a learner opens a phase, then its brief is rendered with tables and code blocks, and the form is there', async () => {
    const response = await learner.get('/phases/phase-1-auth');
    expect(response.status).toBe(200);
    expect(response.text).toContain('<table>');
    expect(response.text).toContain('<code');
    expect(response.text).toContain('action="/phases/phase-1-auth/submissions"');
    expect(response.text).toContain('name="repo_url"');
  });

  test('When a brief contains raw HTML, then scripts, iframes and handlers are neutralised', async () => {
    await upsertExercise({
      id: 'zz-sanitize',
      phase: 42,
      title: 'Sanitizer probe',
      summary: '',
      points: 10,
      passMark: 80,
      services: ['postgres'],
      visibility: 'visible',
      cooldownSeconds: 0,
      env: {},
      limits: {
        installSeconds: 1,
        buildSeconds: 1,
        bootSeconds: 1,
        testSeconds: 1,
        memoryMb: 128,
        cpus: 1,
        pids: 32,
        tmpMb: 16,
        diskMb: 64,
        outputKb: 16,
        probeSeconds: 1,
      },
      workspace: false,
      probes: [],
      briefMarkdown:
        'Hello\n\n<script>alert(1)</script>\n\n<iframe src="https://evil.example"></iframe>\n\n<a href="javascript:alert(1)" onclick="x()">click</a> [ok](https://example.com)',
      gradable: false,
      graderDir: '/nonexistent',
    });
    const response = await learner.get('/phases/zz-sanitize');
    expect(response.status).toBe(200);
    expect(response.text).not.toContain('<script>alert');
    expect(response.text).not.toContain('<iframe');
    expect(response.text).not.toContain('onclick');
    expect(response.text).not.toContain('javascript:');
    expect(response.text).toContain('href="https://example.com" rel="noopener noreferrer"');
    expect(response.text).toContain('Grader coming soon');
    expect(response.text).not.toContain('name="repo_url"');
  });

  test('When a learner submits to a phase without a grader, then it is refused', async () => {
    const response = await learner.post('/phases/zz-sanitize/submissions', { repo_url: 'https://github.com/m/x' }, { formPage: '/phases/zz-sanitize' });
    expect(response.status).toBe(409);
  });

  test('When a learner submits a bad URL, then an error result is stored and its reason shown', async () => {
    const response = await learner.post('/phases/phase-1-auth/submissions', { repo_url: 'ftp://example.com/repo' }, { formPage: '/phases/phase-1-auth' });
    expect(response.status).toBe(303);
    const id = submissionIdFrom(response.headers.location);
    const page = await learner.get(`/submissions/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('could not be graded');
    expect(page.text).toContain('The &#34;ftp&#34; scheme is not accepted');
    expect(page.text).not.toContain('submission.js');
    const json = await learner.get(`/submissions/${id}.json`, 'application/json');
    expect(json.body.submission.status).toBe('error');
    expect(json.body.results).toMatchObject({ status: 'error', cause: 'learner' });
    expect(json.body.results.message).toContain('scheme is not accepted');
    expect(await context.queue.getJob(id)).toBeUndefined();
  });

  test('When a learner submits a valid URL, then a job is enqueued and the page shows it queued with its position', async () => {
    const response = await learner.post(
      '/phases/phase-1-auth/submissions',
      { repo_url: 'https://github.com/margaret/auth-service', branch: 'main', subdir: 'apps/auth' },
      { formPage: '/phases/phase-1-auth' },
    );
    expect(response.status).toBe(303);
    const id = submissionIdFrom(response.headers.location);
    const job = await context.queue.getJob(id);
    expect(job?.data).toEqual({ submissionId: id });
    expect(await job?.getState()).toBe('waiting');
    const page = await learner.get(`/submissions/${id}`);
    expect(page.text).toContain('in the queue');
    expect(page.text).toContain('Refresh');
    expect(page.text).toContain('/public/submission.js');
    expect(page.text).not.toMatch(/<script>[^<]/);
    const json = await learner.get(`/submissions/${id}.json`, 'application/json');
    expect(json.body.submission).toMatchObject({
      id,
      status: 'queued',
      repo_url: 'https://github.com/margaret/auth-service',
      ref: 'main',
      subdir: 'apps/auth',
    });
    expect(json.body.position).toBeGreaterThanOrEqual(1);
    expect(json.body.stages.map((stage: { stage: string }) => stage.stage)).toEqual(['queued']);
    const phase = await learner.get('/phases/phase-1-auth');
    expect(phase.text).toContain(`/submissions/${id}`);
  });

  test('When a learner submits again within the cooldown, then it is refused with 429', async () => {
    const response = await learner.post(
      '/phases/phase-1-auth/submissions',
      { repo_url: 'https://github.com/margaret/auth-service' },
      { formPage: '/phases/phase-1-auth' },
    );
    expect(response.status).toBe(429);
    expect(response.text).toContain('submit again in');
  });

  test('When the phase does not exist, then 404', async () => {
    expect((await learner.get('/phases/nope')).status).toBe(404);
  });
});

describe('a scored submission', () => {
  let owner: Browser;
  let id: string;

  beforeAll(async () => {
    owner = new Browser(app);
    await owner.signIn('barbara');
    const created = await owner.post('/phases/phase-1-auth/submissions', { repo_url: 'https://github.com/barbara/auth' }, { formPage: '/phases/phase-1-auth' });
    id = submissionIdFrom(created.headers.location);
    const t0 = Date.now() - 60_000;
    const at = (seconds: number) => new Date(t0 + seconds * 1000);
    let clock = 0;
    for (const [stage, seconds] of [
      ['queued', 2],
      ['cloning', 1],
      ['installing', 20],
      ['building', 5],
      ['starting', 3],
      ['testing', 9],
    ] as const) {
      await startStage(id, stage, at(clock));
      clock += seconds;
      await finishStage(id, stage, at(clock));
    }
    await startStage(id, 'scored', at(clock));
    await finishStage(id, 'scored', at(clock));
    await storeOutcome(id, {
      status: 'scored',
      cause: null,
      message: null,
      score: 7,
      maxScore: 10,
      executionTimeMs: 8123,
      tests: [
        {
          id: 'auth.register',
          name: 'Registering returns 201 and the user',
          group: 'Registration',
          score: 4,
          max_score: 4,
          status: 'passed',
          visibility: 'visible',
          required: false,
          output: 'All good',
          measurements: [{ name: 'statements for 50 items', value: 3, threshold: '≤ 8' }],
        },
        {
          id: 'auth.login',
          name: 'Login returns a token pair',
          group: 'Tokens',
          score: 0,
          max_score: 3,
          status: 'failed',
          visibility: 'visible',
          required: false,
          output: 'Expected **200**, got `500`.\n\n<script>alert(1)</script>',
          hint: 'Check your JWT secret.',
        },
        {
          id: 'secret.replay',
          name: 'SECRET-NAME refresh replay',
          group: 'Tokens',
          score: 3,
          max_score: 3,
          status: 'passed',
          visibility: 'hidden',
          required: false,
          output: 'SECRET-OUTPUT',
          hint: 'Refresh tokens rotate.',
          measurements: [{ name: 'SECRET-MEASUREMENT', value: 1 }],
        },
      ],
      appLog: 'listening on 3000\n<b>bold</b>\n',
      warnings: ['No build script: skipped the build.'],
    });
  });

  test('When its owner opens it, then the timeline, totals, groups and checks are shown, hidden ones redacted', async () => {
    const page = await owner.get(`/submissions/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('70%');
    expect(page.text).toContain('Not passed yet');
    expect(page.text).toContain('Registration');
    expect(page.text).toContain('Tokens');
    expect(page.text).toContain('Login returns a token pair');
    expect(page.text).toContain('<strong>200</strong>');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('Hidden check 1');
    expect(page.text).toContain('Refresh tokens rotate.');
    expect(page.text).not.toContain('SECRET-NAME');
    expect(page.text).not.toContain('SECRET-OUTPUT');
    expect(page.text).not.toContain('secret.replay');
    expect(page.text).toMatch(/statements for 50 items<\/span> <strong>3<\/strong> <span class="muted">\(expected ≤ 8\)/);
    expect(page.text).not.toContain('SECRET-MEASUREMENT');
    expect(page.text).toContain('20 s');
    expect(page.text).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(page.text).toContain('<details>');
    expect(page.text).toContain('No build script');
    expect(page.text).not.toContain('id="refresh-link"');
  });

  test('When its owner reads the .json, then hidden checks are redacted the same way', async () => {
    const response = await owner.get(`/submissions/${id}.json`, 'application/json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.body.results.score).toBe(7);
    expect(response.body.stages).toHaveLength(7);
    const hidden = response.body.results.tests[2];
    expect(hidden).toEqual({
      id: 'hidden-1',
      name: 'Hidden check 1',
      group: 'Tokens',
      status: 'passed',
      required: false,
      score: 3,
      max_score: 3,
      visibility: 'hidden',
      hint: 'Refresh tokens rotate.',
    });
    expect(JSON.stringify(response.body)).not.toContain('SECRET');
  });

  test('When another learner asks for it, its events or its .json, then each answers 404', async () => {
    const other = await Browser.signedIn(app, 'eve');
    expect((await other.get(`/submissions/${id}`)).status).toBe(404);
    expect((await other.get(`/submissions/${id}.json`, 'application/json')).status).toBe(404);
    const events = await other.get(`/submissions/${id}/events`, 'text/event-stream');
    expect(events.status).toBe(404);
    expect(events.headers['content-type']).not.toContain('text/event-stream');
  });

  test('When an unknown or malformed id is asked for, then 404 (JSON for .json)', async () => {
    expect((await owner.get('/submissions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await owner.get('/submissions/not-a-uuid')).status).toBe(404);
    const json = await owner.get('/submissions/not-a-uuid.json', 'application/json');
    expect(json.status).toBe(404);
    expect(json.body.error).toMatchObject({ status: 404 });
    expect(json.body.error.errorId).toMatch(/^[0-9a-f]{12}$/);
  });

  test('When an instructor opens it, then they see hidden checks whole, and the cohort lists the learner with their best score', async () => {
    const instructor = await Browser.signedIn(app, 'prof');
    const page = await instructor.get(`/submissions/${id}`);
    expect(page.status).toBe(200);
    // The instructor's view is the full record (issue 11 §3): name, feedback and measurements.
    expect(page.text).toContain('SECRET-NAME');
    expect(page.text).toContain('SECRET-OUTPUT');
    expect(page.text).toContain('SECRET-MEASUREMENT');
    expect(page.text).toContain('hidden from learners');
    const json = await instructor.get(`/submissions/${id}.json`, 'application/json');
    expect(json.body.results.tests[2]).toMatchObject({
      id: 'secret.replay',
      name: 'SECRET-NAME refresh replay',
      visibility: 'hidden',
      output: 'SECRET-OUTPUT',
      measurements: [{ name: 'SECRET-MEASUREMENT', value: 1 }],
    });
    const cohort = await instructor.get('/instructor');
    expect(cohort.status).toBe(200);
    expect(cohort.text).toContain('barbara');
    expect(cohort.text).toContain('70%');
    expect(cohort.text).toContain(`/submissions/${id}`);
    const learnerRows = cohort.text
      .split('<th scope="row">')
      .slice(1)
      .map((row) => row.split('</th>')[0]);
    expect(learnerRows.some((row) => row.includes('barbara'))).toBe(true);
    expect(learnerRows.some((row) => row.includes('<span>prof'))).toBe(false);
  });
});

describe('instructor page, errors and health', () => {
  test('When a learner opens /instructor, then 403', async () => {
    const learner = await Browser.signedIn(app, 'curious');
    const response = await learner.get('/instructor');
    expect(response.status).toBe(403);
    expect(response.text).toContain('Not allowed');
  });

  test('When an instructor opens a brief coverage page, then each rule of coverage.md shows with its checks, points and flags; a learner gets 403', async () => {
    const exercise = findExerciseDefinition('phase-4-deploy');
    const rows = parseCoverage(fs.readFileSync(coveragePath(exercise.graderDir), 'utf8'));
    const checks = loadChecks(path.join(exercise.graderDir, 'checks.ts'));
    const instructor = await Browser.signedIn(app, 'prof');
    const cohort = await instructor.get('/instructor');
    expect(cohort.text).toContain('href="/instructor/exercises/phase-4-deploy/coverage"');
    const page = await instructor.get('/instructor/exercises/phase-4-deploy/coverage');
    expect(page.status).toBe(200);
    const body = page.text.split('<tbody>')[1].split('</tbody>')[0];
    expect(body.split('<tr>').length - 1).toBe(rows.length);
    expect(body.split('<tr class="coverage-section">').length - 1).toBe(new Set(rows.map((row) => row.section)).size);
    const required = checks.find((check) => check.required)!;
    const reviewed = rows.find((row) => row.review)!;
    expect(page.text).toContain(`${rows.length}</strong> rules`);
    expect(page.text).toContain(escapeHtml(reviewed.review!.split('`')[0]));
    // The checks table: every check once, with its points and its flags.
    const checkRows = page.text.split('id="checks-title"')[1].split('<tbody>')[1].split('</tbody>')[0].split('<tr>').slice(1);
    expect(checkRows).toHaveLength(checks.length);
    const requiredRow = checkRows.find((row) => row.includes(`<code>${required.id}</code>`))!;
    expect(requiredRow).toContain('>required<');
    expect(requiredRow).toContain(`<td class="num">${required.points}</td>`);
    const learner = await Browser.signedIn(app, 'curious');
    expect((await learner.get('/instructor/exercises/phase-4-deploy/coverage')).status).toBe(403);
    expect((await instructor.get('/instructor/exercises/no-such-phase/coverage')).status).toBe(404);
    const untabled = await instructor.get('/instructor/exercises/phase-8-portfolio/coverage');
    expect(untabled.status).toBe(200);
    expect(untabled.text).toContain('has no coverage table yet');
  });

  test('When a page does not exist, then the 404 page is rendered (JSON when asked)', async () => {
    const browser = new Browser(app);
    const page = await browser.get('/no/such/page');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Page not found');
    const json = await browser.get('/api/nothing', 'application/json');
    expect(json.status).toBe(404);
    expect(json.body.error.status).toBe(404);
  });

  test('When /healthz is asked, then it answers 200 {ok:true}', async () => {
    const response = await new Browser(app).get('/healthz', 'application/json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
  });

  test('When the static CSS and script are asked for, then they are served', async () => {
    const browser = new Browser(app);
    expect((await browser.get('/public/app.css', 'text/css')).status).toBe(200);
    expect((await browser.get('/public/submission.js', '*/*')).status).toBe(200);
  });
});
