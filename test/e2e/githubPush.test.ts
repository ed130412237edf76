/**
 * End to end with a fake GitHub on loopback: a learner signs in with GitHub, links a repository,
 * pushes; the signed delivery is graded by the real worker in the Docker sandbox at the pushed
 * commit (even when the branch has moved on since), and the fake GitHub records the commit
 * statuses: pending while queued and grading, then success or failure with the score.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { parseConfig } from '../../core/config';
import { upsertExercise } from '../../server/models/exercises';
import { selectOptionalSubmission, type Submission } from '../../core/models/submissions';
import { getPool } from '../../core/db/sql';
import { startGradingWorker, type WorkerHandle } from '../../worker/worker';
import { createStatusReporter } from '../../server/github/statuses';
import { pushDelivery, startFakeGitHub, type FakeGitHub } from '../support/fakeGitHub';
import { FIXTURES, fixtureExercise, helloVariant, imagesFromEnv } from '../support/fixtures';
import { Browser, startWebTestContext, type WebApp, type WebTestContext } from '../web/support';

jest.setTimeout(300_000);

const REPO = 'lin/course';
const exercise = fixtureExercise({}, 'fixture-hello', { cooldownSeconds: 0 });
let context: WebTestContext;
let github: FakeGitHub;
let app: WebApp;
let worker: WorkerHandle;
let dataDir: string;
let secret: string;

beforeAll(async () => {
  context = await startWebTestContext();
  github = await startFakeGitHub();
  await upsertExercise(exercise);
  const env = {
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_WEB_URL: github.webUrl,
    GITHUB_API_URL: github.apiUrl,
    GITHUB_TOKEN: github.token,
    BASE_URL: 'http://platform.test',
    GIT_HTTP_HOSTS: '127.0.0.1',
  };
  app = await context.startApp(env);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-push-'));
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: context.database.url,
    REDIS_URL: context.redisUrl,
    QUEUE_NAME: context.queueName,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  worker = await startGradingWorker({
    statuses: createStatusReporter(config, pino({ level: 'silent' })),
    config,
    images: imagesFromEnv(),
    logger: pino({ level: 'silent' }),
    queue: context.queue,
    findExercise: () => exercise,
  });

  github.publish(REPO, helloVariant());
  github.signInAs({ id: 77, login: 'lin', name: 'Lin', avatar_url: 'https://avatars.githubusercontent.com/u/77' });
  const browser = new Browser(app);
  const start = await browser.get('/auth/github');
  const authorize = await fetch(start.headers.location, { redirect: 'manual' });
  const callback = new URL(authorize.headers.get('location')!);
  expect((await browser.get(callback.pathname + callback.search)).status).toBe(303);
  const linked = await browser.post('/github/link', { repo: REPO, 'branch_fixture-hello': 'main' }, { formPage: '/github' });
  expect(linked.status).toBe(303);
  const { rows } = await getPool().query('SELECT webhook_secret FROM repo_links WHERE repo_full_name = $1', [REPO]);
  secret = rows[0].webhook_secret;
});

afterAll(async () => {
  await worker?.close();
  await github?.close();
  await context?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function push(sha: string): Promise<string> {
  const delivery = pushDelivery({ repo: REPO, ref: 'refs/heads/main', after: sha, secret });
  const response = await request(app.server).post('/webhooks/github').set(delivery.headers).send(delivery.body);
  expect(response.status).toBe(202);
  expect(response.body.submissions).toHaveLength(1);
  return response.body.submissions[0] as string;
}

async function graded(id: string): Promise<Submission> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const submission = await selectOptionalSubmission(id);
    if (submission && (submission.status === 'scored' || submission.status === 'error') && submission.github_status !== 'pending') return submission;
    if (Date.now() > deadline) throw new Error(`submission ${id} not graded in time: ${JSON.stringify(submission)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('When a learner pushes a working commit, then it is graded at that commit and the commit gets pending, then success with the score', async () => {
  const sha = github.commit(REPO, 'main', { 'NOTES.md': 'first push\n' });
  const id = await push(sha);
  const submission = await graded(id);
  expect(submission).toMatchObject({ status: 'scored', score: 10, max_score: 10, commit_sha: sha, source: 'webhook', github_status: 'success' });
  // Pending while queued and grading (the web server and the worker report concurrently, so the
  // exact pending texts race), and the last word is the score.
  const statuses = github.statuses.filter((s) => s.sha === sha);
  expect(statuses.length).toBeGreaterThanOrEqual(2);
  expect(statuses.slice(0, -1).every((s) => s.state === 'pending' && /^Phase 99: (queued for grading|grading…)$/.test(s.description))).toBe(true);
  expect(statuses.map((s) => s.description)).toContain('Phase 99: grading…');
  expect(statuses.at(-1)).toMatchObject({ state: 'success', description: 'Phase 99: 10/10 — passed (pass mark 80%)' });
  expect(github.statuses.find((s) => s.sha === sha && s.state === 'success')).toMatchObject({
    repo: REPO,
    context: 'backend-pro/fixture-hello',
    target_url: `http://platform.test/submissions/${id}`,
  });
});

test('When the branch has moved on before grading, then the pushed commit is graded, not the branch head', async () => {
  const server = fs.readFileSync(path.join(FIXTURES, 'apps', 'hello', 'server.js'), 'utf8');
  const broken = github.commit(REPO, 'main', { 'server.js': server.replace("message: 'hello'", "message: 'bye'") });
  // The fix lands on the branch before the broken commit's push is graded.
  github.commit(REPO, 'main', { 'server.js': server });
  const id = await push(broken);
  const submission = await graded(id);
  expect(submission).toMatchObject({ status: 'scored', score: 6, commit_sha: broken, github_status: 'failure' });
  expect(github.statuses.filter((s) => s.sha === broken).at(-1)).toMatchObject({
    state: 'failure',
    description: 'Phase 99: 6/10 — below the pass mark of 80%',
  });
});
