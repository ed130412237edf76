/**
 * Screenshots of every page with realistic data, for a look at the design on a laptop (1280 px)
 * and a phone (390 px): `DATABASE_URL=… REDIS_URL=… npx tsx test/web/screenshots.ts`.
 * Seeds a fresh test database (no Docker needed) and writes PNGs to test-artifacts/web/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { storeOutcome, type TestResult } from '../../core/models/results';
import { finishStage, startStage, updateSubmissionCommit, type Stage } from '../../core/models/submissions';
import { getPool } from '../../core/db/sql';
import { createSubmission } from '../../server/lib/createSubmission';
import { Browser, startWebTestContext } from './support';

const OUT = path.resolve(__dirname, '..', '..', 'test-artifacts', 'web');

async function seedScored(id: string, tests: TestResult[], appLog: string | null): Promise<void> {
  const t0 = Date.now() - 5 * 60_000;
  let clock = 0;
  const durations: Array<[Stage, number]> = [
    ['queued', 3.2],
    ['cloning', 1.4],
    ['installing', 48],
    ['building', 12.5],
    ['starting', 6.1],
    ['testing', 21],
  ];
  for (const [stage, seconds] of durations) {
    await startStage(id, stage, new Date(t0 + clock * 1000));
    clock += seconds;
    await finishStage(id, stage, new Date(t0 + clock * 1000));
  }
  await startStage(id, 'scored', new Date(t0 + clock * 1000));
  await finishStage(id, 'scored', new Date(t0 + clock * 1000));
  await updateSubmissionCommit(id, '3f9a2c71be04d5e6f7a8b9c0d1e2f3a4b5c6d7e8');
  const score = tests.reduce((sum, test) => sum + test.score, 0);
  const maxScore = tests.reduce((sum, test) => sum + test.max_score, 0);
  await storeOutcome(id, {
    status: 'scored',
    cause: null,
    message: null,
    score,
    maxScore,
    executionTimeMs: 21_000,
    tests,
    appLog,
    warnings: ['No `build` script: the build step was skipped.'],
  });
}

const check = (
  group: string,
  name: string,
  score: number,
  max: number,
  status: TestResult['status'],
  output = '',
  extra: Partial<TestResult> = {},
): TestResult => ({
  required: false,
  id: `${group}.${name}`.toLowerCase().replace(/[^a-z0-9.]+/g, '-'),
  name,
  group,
  score,
  max_score: max,
  status,
  visibility: 'visible',
  output,
  ...extra,
});

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const context = await startWebTestContext();
  const app = await context.startApp();
  const chrome = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    // Data: a learner with a scored attempt, an error, one running; another learner; an instructor.
    const learner = new Browser(app);
    await learner.signIn('ada-lovelace');
    const submit = async (who: Browser, repo: string) =>
      (await who.post('/phases/phase-1-auth/submissions', { repo_url: repo }, { formPage: '/phases/phase-1-auth' })).headers.location.split('/').pop()!;
    const errorId = await submit(learner, 'https://example.org/ada/auth');
    const scoredId = await submit(learner, 'https://github.com/ada-lovelace/auth-service');
    await seedScored(
      scoredId,
      [
        check('Registration', 'POST /auth/register creates a user and answers 201 with it', 5, 5, 'passed', 'Answered **201** with the user.'),
        check('Registration', 'Registering an existing email answers 409', 4, 4, 'passed'),
        check(
          'Validation',
          'Unknown fields on register are refused with 400 naming the field',
          0,
          6,
          'failed',
          'Sent `{"email":"a@b.co","password":"Passw0rd!","name":"A","role":"admin"}`.\n\n| | status | body |\n|---|---|---|\n| expected | `400` | names `role` |\n| observed | `201` | the user, **with role admin** |\n\nWhitelist your DTO: `forbidNonWhitelisted: true`.',
        ),
        check('Tokens', 'Login answers a token pair', 6, 6, 'passed'),
        check('Tokens', 'Refresh rotates the pair and revokes the old refresh token', 0, 8, 'timeout', 'No answer within 5 s from `POST /auth/refresh`.'),
        check('Tokens', 'Secret check', 5, 5, 'passed', 'SECRET', { visibility: 'hidden', hint: 'Tokens must be rejected once expired.' }),
        check('Roles', 'Admin routes answer 403 to a signed-in user', 6, 6, 'passed'),
        check('Roles', 'Secret check 2', 0, 5, 'failed', 'SECRET', {
          visibility: 'hidden',
          hint: 'An admin can change a role; the change shows in the next token.',
        }),
      ],
      Array.from({ length: 40 }, (_, i) => `[Nest] 42  - 11/27/2026, 8:0${i % 10}:00 AM     LOG [RouterExplorer] Mapped {/route-${i}, GET} route`).join('\n'),
    );

    const other = new Browser(app);
    await other.signIn('grace-hopper');
    const queuedId = await submit(other, 'https://github.com/grace-hopper/auth');
    // A second attempt of ada's, past the cooldown: created directly, then "picked up by a worker".
    const adaId = (await getPool().query("SELECT id FROM users WHERE login = 'ada-lovelace'")).rows[0].id as number;
    const running = await createSubmission(
      { userId: Number(adaId), exerciseId: 'phase-1-auth', repoUrl: 'https://github.com/ada-lovelace/auth-service', ref: 'feature/refresh', source: 'web' },
      { allowedHosts: ['github.com'], httpHosts: [] },
      context.queue,
    );
    const runningId = running.id;
    await context.queue.remove(runningId);
    const now = Date.now();
    await startStage(runningId, 'queued', new Date(now - 40_000));
    await finishStage(runningId, 'queued', new Date(now - 38_000));
    await startStage(runningId, 'cloning', new Date(now - 38_000));
    await finishStage(runningId, 'cloning', new Date(now - 36_500), 'commit 3f9a2c7');
    await startStage(runningId, 'installing', new Date(now - 36_500), 'npm ci');

    const page = await chrome.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    const shoot = async (p: Page, name: string, url: string) => {
      for (const width of [1280, 390]) {
        await p.setViewportSize({ width, height: width > 500 ? 900 : 844 });
        await p.goto(`${app.url}${url}`);
        await p.waitForTimeout(300);
        await p.screenshot({ path: path.join(OUT, `${name}-${width}.png`), fullPage: true });
        // The first screen on a phone, at full resolution.
        if (width < 500) await p.screenshot({ path: path.join(OUT, `${name}-${width}-top.png`) });
      }
    };

    await shoot(page, '1-landing', '/');
    await page.goto(app.url);
    await page.fill('input[name=login]', 'ada-lovelace');
    await page.click('form[action="/auth/dev"] button[type=submit]');
    await shoot(page, '2-course', '/');
    await shoot(page, '3-phase', '/phases/phase-1-auth');
    await shoot(page, '4-phase-soon', '/phases/phase-6-design');
    await shoot(page, '5-submission-scored', `/submissions/${scoredId}`);
    await shoot(page, '6-submission-error', `/submissions/${errorId}`);
    await shoot(page, '7-submission-running', `/submissions/${runningId}`);
    await shoot(page, '9-not-found', '/nowhere');

    const queuedPage = await chrome.newPage({ viewport: { width: 1280, height: 900 } });
    await queuedPage.goto(app.url);
    await queuedPage.fill('input[name=login]', 'grace-hopper');
    await queuedPage.click('form[action="/auth/dev"] button[type=submit]');
    await shoot(queuedPage, '8-submission-queued', `/submissions/${queuedId}`);

    const instructor = await chrome.newPage({ viewport: { width: 1280, height: 900 } });
    await instructor.goto(app.url);
    await instructor.fill('input[name=login]', 'prof');
    await instructor.click('form[action="/auth/dev"] button[type=submit]');
    await shoot(instructor, '10-instructor', '/instructor');
    await shoot(instructor, '11-coverage', '/instructor/exercises/phase-4-deploy/coverage');

    console.log(`screenshots in ${OUT}`);
    if (errors.length) console.log('browser errors:', errors);
  } finally {
    await chrome.close();
    await context.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
