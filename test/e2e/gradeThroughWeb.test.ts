/**
 * End to end, with every real part: the Phase 1 reference solution served by a git server on
 * loopback, submitted through the web form, graded by the BullMQ worker in the Docker sandbox,
 * watched over Server-Sent Events, and its per-check results read on the page. A mutant (the
 * role guard removed) scores less, with exactly its declared check failed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GitServer } from '../support/gitServer';
import { startGradingStack, type GradingStack } from '../support/gradingStack';
import { Browser, SseClient, type WebApp } from '../web/support';
import { parseMutant } from '../../scripts/verify-exercises';
import { materializeReference } from '../../scripts/lib/references';

jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '..', '..');
// The phase 1 reference as a learner would have it (its later phases' patches left out).
const REFERENCE = materializeReference({ app: 'reference/project-1', phases: [] });
let stack: GradingStack;
let app: WebApp;
let git: GitServer;

function withMutant(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-mutant-'));
  fs.cpSync(REFERENCE, dir, { recursive: true, filter: (from) => !/node_modules|\/dist$/.test(from) });
  execFileSync('git', ['apply', path.join(ROOT, 'graders', 'phase-1-auth', 'mutants', `${name}.patch`)], { cwd: dir });
  return dir;
}

async function submitAndWait(
  browser: Browser,
  repoUrl: string,
): Promise<{ id: string; json: { submission: { status: string; score: number }; results: { tests: Array<{ id?: string; status: string; name: string }> } } }> {
  const response = await browser.post('/phases/phase-1-auth/submissions', { repo_url: repoUrl }, { formPage: '/phases/phase-1-auth' });
  expect(response.status).toBe(303);
  const id = /\/submissions\/([0-9a-f-]{36})/.exec(response.headers.location)![1];
  const stream = await SseClient.open(app, `/submissions/${id}/events`, browser.cookie);
  try {
    await stream.waitForEnd(420_000);
    const stages = stream.events.filter((e) => e.event === 'progress').map((e) => (e.data as { stage: string }).stage);
    // Live progress reached the page for the stages that ran after the stream opened.
    expect(stages).toEqual(expect.arrayContaining(['testing']));
  } finally {
    stream.close();
  }
  const json = (await browser.get(`/submissions/${id}.json`, 'application/json')).body;
  return { id, json };
}

beforeAll(async () => {
  stack = await startGradingStack();
  ({ app, git } = stack);
});

afterAll(async () => {
  await stack?.close();
});

describe('When a learner submits the reference solution through the web form', () => {
  test('then it is graded in the sandbox and the page shows 100/100 with every check passed', async () => {
    const repo = git.publish('auth-service', REFERENCE);
    const learner = new Browser(app);
    await learner.signIn('grace');
    const { id, json } = await submitAndWait(learner, repo.url);
    expect(json.submission).toMatchObject({ status: 'scored', score: 100, max_score: 100, commit_sha: repo.commit });
    expect(json.results.tests.length).toBeGreaterThanOrEqual(15);
    expect(json.results.tests.every((test) => test.status === 'passed')).toBe(true);

    const page = await learner.get(`/submissions/${id}`);
    expect(page.text).toContain('100');
    expect(page.text).toContain('POST /auth/register creates a user and answers 201 with it');
    expect(page.text).toContain('Hidden check');
    // A hidden check's name never reaches the learner.
    expect(page.text).not.toContain('Tampered, expired, unsigned and malformed access tokens');
    const course = await learner.get('/');
    expect(course.text).toMatch(/Passed|passed/);
  });
});

describe('When a learner submits the reference with its role guard removed', () => {
  test('then it scores less, and exactly the check the mutant declares fails, with feedback on the page', async () => {
    const mutant = parseMutant(path.join(ROOT, 'graders', 'phase-1-auth', 'mutants', 'role-guard-missing.patch'));
    const repo = git.publish('auth-service-mutant', withMutant('role-guard-missing'));
    const learner = new Browser(app);
    await learner.signIn('linus');
    const { id, json } = await submitAndWait(learner, repo.url);
    expect(json.submission.status).toBe('scored');
    expect(json.submission.score).toBeLessThan(100);
    const failed = json.results.tests.filter((test) => test.status !== 'passed').map((test) => test.id);
    expect(failed).toEqual(mutant.fails);
    const page = await learner.get(`/submissions/${id}`);
    expect(page.text).toContain('Admin routes answer 403 to a signed-in user');
    expect(page.text).toMatch(/expected <strong>403<\/strong>/);
  });
});
