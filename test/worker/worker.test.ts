/**
 * The BullMQ worker against real Redis, PostgreSQL and Docker: a submission created the way the
 * web form creates it is graded, its stages and result stored once; an infrastructure fault is
 * retried without duplicating anything; orphaned containers are reaped at start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import Docker from 'dockerode';
import { parseConfig } from '../../core/config';
import { getPool } from '../../core/db/sql';
import { createSubmission } from '../../server/lib/createSubmission';
import { selectOptionalResult } from '../../core/models/results';
import { selectOptionalSubmission, selectStages } from '../../core/models/submissions';
import { createGradingQueue, createGradingQueueEvents, createRedisConnection, type GradingProgress } from '../../core/queue';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import { JOB_LABEL, NAMESPACE_LABEL } from '../../worker/sandbox/sandbox';
import type { ContainerSpec, Sandbox } from '../../worker/sandbox/sandbox';
import type { WorkerHandle } from '../../worker/worker';
import { createFixtureDatabase, type TestDatabase } from '../support/database';
import { fixtureExercise, helloVariant, imagesFromEnv, testWorkerEnv } from '../support/fixtures';
import { closeTestQueue } from '../support/faults';
import { startGitServer, type GitServer } from '../support/gitServer';
import { startTestWorker } from '../support/gradingStack';

jest.setTimeout(180_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-worker-'));
const queueName = `grading-test-${crypto.randomBytes(4).toString('hex')}`;
const config = parseConfig(testWorkerEnv({ databaseUrl: 'unused', redisUrl: process.env.REDIS_URL!, queueName, dataDir }, { LOG_LEVEL: 'silent' }));
const connection = createRedisConnection(config.REDIS_URL, 'worker');
const queue = createGradingQueue(connection, queueName);
const events = createGradingQueueEvents(config.REDIS_URL, queueName);
const policy = { allowedHosts: config.GIT_ALLOWED_HOSTS, httpHosts: config.GIT_HTTP_HOSTS };
let database: TestDatabase;
let git: GitServer;
let worker: WorkerHandle | undefined;
let userId: number;

/** The real Docker sandbox, with one fault injected: the first container start fails. */
class FlakyOnceSandbox extends DockerSandbox {
  failures = 1;
  override async start(jobId: string, spec: ContainerSpec, options: { outputLimitBytes: number }) {
    if (this.failures-- > 0) throw new Error('injected fault: the Docker engine did not answer');
    return super.start(jobId, spec, options);
  }
}

async function startWorker(sandbox?: Sandbox) {
  worker = await startTestWorker(config, queue, { sandbox: sandbox ?? new DockerSandbox(docker, queueName), findExercise: () => fixtureExercise() });
}

beforeAll(async () => {
  ({ database, userId } = await createFixtureDatabase('ada'));
  git = await startGitServer();
  await events.waitUntilReady();
});

afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

afterAll(async () => {
  await events.close();
  await queue.obliterate({ force: true });
  await closeTestQueue({ queue, connection, dataDir }, git, database);
});

describe('When a learner submits a repository', () => {
  test('then the worker grades it, reports each stage as progress, and stores the stages and one result', async () => {
    await startWorker();
    const repo = git.publish('hello-worker', helloVariant());
    const progress: string[] = [];
    const submission = await createSubmission({ userId, exerciseId: 'fixture-hello', repoUrl: repo.url, source: 'web' }, policy, queue);
    events.on('progress', ({ jobId, data }) => {
      if (jobId === submission.id) progress.push((data as GradingProgress).stage);
    });
    const job = await queue.getJob(submission.id);
    await job!.waitUntilFinished(events, 120_000);

    const stored = await selectOptionalSubmission(submission.id);
    expect(stored).toMatchObject({ status: 'scored', score: 10, max_score: 10, commit_sha: repo.commit });
    const result = await selectOptionalResult(submission.id);
    expect(result?.cause).toBeNull();
    expect(result?.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed']);
    const stages = await selectStages(submission.id);
    expect(stages.map((s) => s.stage)).toEqual(['queued', 'cloning', 'installing', 'building', 'starting', 'testing', 'scored']);
    expect(stages.slice(0, -1).every((s) => s.finished_at && s.finished_at >= s.started_at)).toBe(true);
    expect(progress).toEqual(['cloning', 'installing', 'building', 'starting', 'testing', 'scored']);
  });

  test('then a malformed URL is stored at once as an explained error and never queued', async () => {
    const submission = await createSubmission({ userId, exerciseId: 'fixture-hello', repoUrl: 'ext::sh', source: 'web' }, policy, queue);
    expect(submission.status).toBe('error');
    expect(await queue.getJob(submission.id)).toBeUndefined();
    const result = await selectOptionalResult(submission.id);
    expect(result).toMatchObject({ status: 'error', cause: 'learner' });
    expect(result?.message).toMatch(/Git transport helpers such as "ext::" are not accepted/);
  });

  test('then an infrastructure fault is retried and the submission still ends with exactly one result', async () => {
    const sandbox = new FlakyOnceSandbox(docker, queueName);
    await startWorker(sandbox);
    const repo = git.publish('hello-retry', helloVariant());
    const submission = await createSubmission({ userId, exerciseId: 'fixture-hello', repoUrl: repo.url, source: 'web' }, policy, queue);
    const job = await queue.getJob(submission.id);
    await job!.waitUntilFinished(events, 150_000);
    const finished = await queue.getJob(submission.id);
    expect(finished?.attemptsMade).toBe(2);
    expect(await selectOptionalSubmission(submission.id)).toMatchObject({ status: 'scored', score: 10 });
    const { rows } = await getPool().query('SELECT count(*)::int AS n FROM results WHERE submission_id = $1', [submission.id]);
    expect(rows[0].n).toBe(1);
    // The same lockfile as the first test's: the cache hit, known after the install, is on the stage row.
    const installing = (await selectStages(submission.id)).find((s) => s.stage === 'installing');
    expect(installing?.detail).toMatch(/^restored from cache \(key [0-9a-f]{8}, [\d.]+ [kM]B\) on Node 24\./);
  });
});

describe('When the worker starts', () => {
  test('then containers of jobs that are no longer running are removed', async () => {
    const orphanJob = crypto.randomUUID();
    const orphan = await docker.createContainer({
      Image: imagesFromEnv().runtimes['24'],
      Cmd: ['sleep', '300'],
      Labels: { [JOB_LABEL]: orphanJob, [NAMESPACE_LABEL]: queueName },
      HostConfig: { NetworkMode: 'none' },
    });
    await orphan.start();
    await startWorker();
    const left = await docker.listContainers({ all: true, filters: { label: [`${JOB_LABEL}=${orphanJob}`] } });
    expect(left).toHaveLength(0);
  });
});
