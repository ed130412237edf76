/**
 * Faults of the platform, never the learner's: the web server, a BullMQ worker on the same queue
 * grading in the real Docker sandbox, a fake GitHub recording commit statuses.
 * (a) The pod's services container (PostgreSQL + Redis) is killed while the app is being tested,
 *     on every attempt (a sandbox hook): the job is retried, then stored as an error with cause
 *     `platform` that names the lost container; the learner's cooldown does not start, their
 *     submit-limit hit is given back, the commit status is `error` "grading infrastructure", the
 *     page says it is not their fault, and the failure is logged at error level.
 * (b) The worker's disk is full (the dependency cache is a tmpfs with no inode left): platform.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import pino from 'pino';
import { getPool } from '../../core/db/sql';
import { upsertExercise } from '../../server/models/exercises';
import { saveLink } from '../../server/models/links';
import { selectOptionalResult } from '../../core/models/results';
import { createSubmission } from '../../server/lib/createSubmission';
import { createRedisConnection } from '../../core/queue';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import { JOB_LABEL, ROLE_LABEL, type ContainerSpec } from '../../worker/sandbox/sandbox';
import { startFakeGitHub, type FakeGitHub } from '../support/fakeGitHub';
import { until, waitUntilFinished } from '../support/faults';
import { fixtureExercise, helloVariant } from '../support/fixtures';
import type { GitServer } from '../support/gitServer';
import { startGradingStack, type GradingStack } from '../support/gradingStack';
import { recordCase } from '../support/securityCases';
import { Browser, type WebApp, type WebTestContext } from '../web/support';

jest.setTimeout(300_000);

const docker = new Docker();
const REPO = 'Ada-L/platform-fault';
const exercise = () => fixtureExercise({}, 'fixture-hello', { cooldownSeconds: 600 });

/** The real Docker sandbox; while `active`, kills the job's services container once its tester runs. */
class ServicesKillingSandbox extends DockerSandbox {
  active = true;
  /** Job id → how many times its services container was killed (one per attempt). */
  kills = new Map<string, number>();

  override async run(jobId: string, spec: ContainerSpec, options: { timeoutMs: number; outputLimitBytes: number }) {
    if (this.active && spec.role === 'tester') {
      // Mid-test: the tester's Jest has started by then (it needs seconds to load the suite).
      setTimeout(() => void this.killServices(jobId), 1_000);
    }
    return super.run(jobId, spec, options);
  }

  private async killServices(jobId: string) {
    const [services] = await docker.listContainers({ filters: { label: [`${JOB_LABEL}=${jobId}`, `${ROLE_LABEL}=services`] } });
    if (!services) return;
    await docker
      .getContainer(services.Id)
      .kill()
      .catch(() => undefined);
    this.kills.set(jobId, (this.kills.get(jobId) ?? 0) + 1);
  }
}

let stack: GradingStack;
let context: WebTestContext;
let app: WebApp;
let github: FakeGitHub;
let git: GitServer;
let dataDir: string;
const sandbox = new ServicesKillingSandbox(docker, `platform-fault-${crypto.randomBytes(3).toString('hex')}`);
const logs: Array<Record<string, unknown>> = [];
const redis = createRedisConnection(process.env.REDIS_URL!, 'producer');

beforeAll(async () => {
  github = await startFakeGitHub();
  const githubEnv = { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.apiUrl, GITHUB_WEB_URL: github.webUrl, BASE_URL: 'http://platform.test' };
  stack = await startGradingStack({
    // One web submission a minute: a second one at once passes only if the first was given back.
    appEnv: { ...githubEnv, RATE_LIMIT_SUBMIT_PER_MINUTE: '1' },
    workerEnv: { ...githubEnv, WORKER_CONCURRENCY: '2' },
    sandbox,
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) }),
    findExercise: exercise,
  });
  ({ context, app, git, dataDir } = stack);
  await upsertExercise(exercise());
});

afterAll(async () => {
  await stack?.close();
  redis.disconnect();
  await github?.close();
});

async function userIdOf(login: string): Promise<number> {
  const { rows } = await getPool().query<{ id: string }>('SELECT id FROM users WHERE login = $1', [login]);
  return Number(rows[0].id);
}

async function submitThroughTheForm(browser: Browser, repoUrl: string) {
  return browser.post('/phases/fixture-hello/submissions', { repo_url: repoUrl }, { formPage: '/phases/fixture-hello' });
}

describe("When the pod's services container dies while the app is tested, on every attempt", () => {
  test('then the job is retried, stored as a platform error, and the learner keeps their cooldown, their submit limit and a clear page', async () => {
    const ada = new Browser(app);
    await ada.signIn('ada');
    const adaId = await userIdOf('ada');
    const repo = git.publish('platform-fault', helloVariant());
    const started = Date.now();

    // A web submission (charged to the submit limit) and a push's (reported on its commit).
    const created = await submitThroughTheForm(ada, repo.url);
    expect(created.status).toBe(303);
    const webId = created.headers.location.split('/').pop()!;
    const link = await saveLink(adaId, REPO, [{ exerciseId: 'fixture-hello', branch: 'main', subdir: null }]);
    const commit = github.publish(REPO, helloVariant());
    const pushed = await createSubmission(
      {
        userId: adaId,
        exerciseId: 'fixture-hello',
        repoUrl: `${github.webUrl}/${REPO}.git`,
        ref: 'main',
        source: 'webhook',
        commitSha: commit,
        linkId: link.id,
      },
      { allowedHosts: [], httpHosts: ['127.0.0.1'] },
      context.queue,
    );
    const limitKey = `rl:${context.queueName}:submit:user:${adaId}`;
    expect(await redis.get(limitKey)).toBe('1');

    const [web, push] = await Promise.all([waitUntilFinished(webId, 240_000), waitUntilFinished(pushed.id, 240_000)]);
    const seconds = (Date.now() - started) / 1000;
    for (const finished of [web, push]) {
      expect(finished.status).toBe('error');
      // Three attempts (core/queue.ts), the services container killed in each.
      expect((await context.queue.getJob(finished.id))?.attemptsMade).toBe(3);
      expect(sandbox.kills.get(finished.id)).toBe(3);
      const result = await selectOptionalResult(finished.id);
      expect(result).toMatchObject({ status: 'error', cause: 'platform', score: 0 });
      expect(result?.message).toMatch(
        /services container \(PostgreSQL \+ Redis\) stopped while the submission was being graded.*\(tried 3 times\)\. This is not your fault/s,
      );
    }

    // The submit-limit hit of the web submission was given back while its window still counts it.
    // Three attempts can outlast the 60 s window on a busy machine: the key then expired with the
    // window (nothing left to give back), and only its absence can be checked.
    const left = await redis.get(limitKey);
    if (left !== null) expect(left).toBe('0');
    else expect(Date.now() - started).toBeGreaterThan(55_000);

    // Logged at error level with the submission id.
    for (const id of [webId, pushed.id]) {
      expect(logs.some((line) => line.level === 50 && line.submissionId === id && /platform error/.test(String(line.msg)))).toBe(true);
    }

    // The commit's last status: error, "grading infrastructure".
    await until('the error status of the pushed commit', () => github.statuses.filter((s) => s.sha === commit).at(-1)?.state === 'error', 15_000);
    const last = github.statuses.filter((s) => s.sha === commit).at(-1)!;
    expect(last.description).toContain('grading infrastructure');
    expect(last.context).toBe('backend-pro/fixture-hello');

    // The page: not the learner's fault, not a red failure.
    const page = await ada.get(`/submissions/${webId}`);
    expect(page.text).toContain('This is not your fault: the grading platform failed');
    expect(page.text).not.toContain('notice-error');
    expect(page.text).not.toContain('data-state="failed"');
    expect(page.text).toContain('data-state="interrupted"');
    // The learner's list of attempts does not show them red either.
    expect((await ada.get('/phases/fixture-hello')).text).toContain('badge badge-platform');
    const json = await ada.get(`/submissions/${webId}.json`, 'application/json');
    expect(json.body.results).toMatchObject({ status: 'error', cause: 'platform' });

    // No cooldown, no limit: the learner submits again at once, and with the platform healthy it scores.
    sandbox.active = false;
    const again = await submitThroughTheForm(ada, repo.url);
    expect(again.status).toBe(303);
    const regraded = await waitUntilFinished(again.headers.location.split('/').pop()!, 120_000);
    expect(regraded).toMatchObject({ status: 'scored', score: 10 });
    recordCase({
      area: 'Fault',
      case: "The pod's services container killed mid-test on every attempt",
      outcome: `error, cause platform after 3 attempts (${seconds.toFixed(0)} s); no cooldown, submit-limit hit given back, commit status error "grading infrastructure"; the next submission scored`,
      seconds,
    });
  });
});

describe("When the worker's disk is full", () => {
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = path.join(dataDir, 'cache', 'deps');
    // A full file system where the dependency cache lives: storing an entry fails with ENOSPC.
    fs.mkdirSync(cacheDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'bp-full-cache', cacheDir]);
    try {
      fs.writeFileSync(path.join(cacheDir, 'filler'), Buffer.alloc(2 * 1024 * 1024));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
  });
  afterAll(() => {
    execFileSync('umount', ['-l', cacheDir]);
  });

  test('then storing the dependency cache fails with ENOSPC and the submission ends as a platform error naming the disk', async () => {
    const grace = new Browser(app);
    await grace.signIn('grace');
    // One small dependency, so the cache entry has bytes to write (the registry is the one host the tests reach).
    const withDependency = helloVariant({
      'package.json': JSON.stringify({
        name: 'fixture-hello',
        version: '1.0.0',
        scripts: { build: 'node build.js', start: 'node dist/server.js' },
        dependencies: { 'left-pad': '1.3.0' },
      }),
      'package-lock.json': null,
    });
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: withDependency,
      stdio: 'pipe',
      timeout: 60_000,
    });
    const repo = git.publish('disk-full', withDependency);
    const started = Date.now();
    const created = await submitThroughTheForm(grace, repo.url);
    expect(created.status).toBe(303);
    const finished = await waitUntilFinished(created.headers.location.split('/').pop()!, 240_000);
    const seconds = (Date.now() - started) / 1000;
    expect(finished.status).toBe('error');
    const result = await selectOptionalResult(finished.id);
    expect(result).toMatchObject({ status: 'error', cause: 'platform' });
    expect(result?.message).toMatch(
      /The grading worker's disk is full \(.*no space left on device.*\)\. An operator frees space on the file system of DATA_DIR/i,
    );
    expect(result?.message).toContain(dataDir);
    expect((await context.queue.getJob(finished.id))?.attemptsMade).toBe(3);
    recordCase({
      area: 'Fault',
      case: "The worker's disk full (dependency cache: ENOSPC)",
      outcome: `error, cause platform after 3 attempts, message names the full disk and DATA_DIR`,
      seconds,
    });
  });
});
