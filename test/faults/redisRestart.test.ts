/**
 * Fault: Redis restarts. The test runs its OWN redis-server (free port, append-only file in a temp
 * folder, so the queue survives a restart the way a production Redis with persistence does); the
 * suite's shared Redis is never touched. Submissions queued before the restart are all graded
 * after it, and a worker running through a restart (a job in flight) keeps working.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { parseConfig } from '../../core/config';
import { closePool } from '../../core/db/sql';
import { selectOptionalResult } from '../../core/models/results';
import { selectOptionalSubmission, type Submission } from '../../core/models/submissions';
import { createGradingQueue, createRedisConnection } from '../../core/queue';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import type { WorkerHandle } from '../../worker/worker';
import { redisCommand } from '../../scripts/lib/services/redis';
import { createFixtureDatabase, type TestDatabase } from '../support/database';
import {
  jobContainers,
  type OwnRedis,
  removeSubmissionContainers,
  resultCount,
  slowHelloVariant,
  startOwnRedis,
  submitApp,
  until,
  waitUntilFinished,
} from '../support/faults';
import { fixtureExercise, helloVariant, testWorkerEnv } from '../support/fixtures';
import { startGitServer, type GitServer } from '../support/gitServer';
import { startTestWorker } from '../support/gradingStack';
import { recordCase } from '../support/securityCases';

jest.setTimeout(240_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-fault-redis-data-'));
const queueName = `fault-redis-${crypto.randomBytes(4).toString('hex')}`;
const policy = { allowedHosts: [] as string[], httpHosts: ['127.0.0.1'] };
let redis: OwnRedis;
let producer: ReturnType<typeof createRedisConnection>;
let queue: ReturnType<typeof createGradingQueue>;
let database: TestDatabase;
let git: GitServer;
let userId: number;
let worker: WorkerHandle | undefined;
const workerErrors: string[] = [];

function submit(name: string, appDir: string): Promise<Submission> {
  return submitApp(git, queue, userId, name, appDir, policy);
}

/**
 * Stops Redis (SIGTERM), proves it is gone, keeps it down for `downMs` (clients retry meanwhile)
 * while `during` runs, and starts it again on the same port and folder. Returns the outage in s.
 */
async function restartRedis(downMs = 3_000, during: () => Promise<void> = async () => undefined): Promise<number> {
  const started = Date.now();
  await redis.stop();
  expect(await redisCommand('127.0.0.1', redis.port, 'PING', 500)).toBe('');
  await Promise.all([during(), new Promise((resolve) => setTimeout(resolve, downMs))]);
  await redis.start();
  return (Date.now() - started) / 1000;
}

beforeAll(async () => {
  redis = await startOwnRedis();
  producer = createRedisConnection(redis.url, 'producer');
  // A producer fails fast while Redis is down; its errors are expected here, not crashes.
  producer.on('error', () => undefined);
  queue = createGradingQueue(producer, queueName);
  queue.on('error', () => undefined);
  await queue.waitUntilReady();
  ({ database, userId } = await createFixtureDatabase('redis-test'));
  git = await startGitServer();
});

afterAll(async () => {
  await worker?.close().catch(() => undefined);
  await removeSubmissionContainers(docker);
  await queue.close().catch(() => undefined);
  producer.disconnect();
  await redis.destroy();
  await git.close();
  await closePool();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('When Redis restarts', () => {
  test('then submissions queued before the restart, with no worker running, are all graded afterwards: none lost', async () => {
    const submissions: Submission[] = [];
    for (let i = 0; i < 3; i++) submissions.push(await submit(`queued-${i}`, helloVariant()));
    expect(await queue.getWaitingCount()).toBe(3);

    // A learner who submits during the outage is told at once (the producer fails fast), and the
    // submission is stored as an explained error: never a row waiting for a job that does not exist.
    let refusal: { ms: number; submission: Submission } | undefined;
    const outage = await restartRedis(3_000, async () => {
      const before = Date.now();
      const submission = await submit('during-outage', helloVariant());
      refusal = { ms: Date.now() - before, submission };
    });
    expect(refusal!.ms).toBeLessThan(2_500);
    expect(refusal!.submission.status).toBe('error');
    expect(await selectOptionalSubmission(refusal!.submission.id)).toMatchObject({
      status: 'error',
      error_message: expect.stringContaining('The grading queue could not be reached'),
    });
    expect((await selectOptionalResult(refusal!.submission.id))?.cause).toBe('platform');
    // The producer reconnects by itself, and the queue is still there.
    await until('the producer to reconnect', () => producer.status === 'ready', 15_000, 100);
    expect((await queue.getWaiting()).map((job) => job.id).sort()).toEqual(submissions.map((s) => s.id).sort());

    const started = Date.now();
    worker = await startTestWorker(
      parseConfig(testWorkerEnv({ databaseUrl: database.url, redisUrl: redis.url, queueName, dataDir }, { LOG_LEVEL: 'silent' })),
      queue,
      { sandbox: new DockerSandbox(docker, queueName), findExercise: () => fixtureExercise({ bootSeconds: 40 }) },
    );
    worker.worker.on('error', (error) => workerErrors.push(error.message));
    for (const submission of submissions) {
      expect(await waitUntilFinished(submission.id)).toMatchObject({ status: 'scored', score: 10, max_score: 10 });
      expect(await resultCount(submission.id)).toBe(1);
      expect(await jobContainers(docker, submission.id)).toEqual([]);
    }
    recordCase({
      area: 'Fault',
      case: 'Redis restarted (SIGTERM, append-only file) with 3 submissions queued and no worker',
      outcome: `all 3 still queued after the restart (${outage.toFixed(1)} s down); a worker started afterwards scored each 10/10, 1 result each. A submission during the outage was stored in ${refusal!.ms} ms as an explained error ("${refusal!.submission.error_message?.slice(0, 60)}…"), never left queued`,
      seconds: (Date.now() - started) / 1000,
    });
  });

  test('then a worker running through the restart finishes the job in flight with one result and grades the next submission', async () => {
    expect(worker).toBeDefined();
    const started = Date.now();
    const slow = await submit('in-flight', slowHelloVariant(8_000));
    await until('the job to be in its pod', async () => (await selectOptionalSubmission(slow.id))?.stage === 'starting', 120_000);
    const outage = await restartRedis(3_000);
    const finished = await waitUntilFinished(slow.id);
    expect(finished).toMatchObject({ status: 'scored', score: 10, max_score: 10 });
    expect(await resultCount(slow.id)).toBe(1);
    expect(await until('the job to be completed in BullMQ', async () => (await queue.getJobState(slow.id)) === 'completed', 15_000)).toBe(true);
    expect(await jobContainers(docker, slow.id)).toEqual([]);

    // The worker's blocking connection reconnected: it takes the next job without a restart.
    expect(worker!.worker.isRunning()).toBe(true);
    const honest = await submit('after-restart', helloVariant());
    expect(await waitUntilFinished(honest.id, 120_000)).toMatchObject({ status: 'scored', score: 10, max_score: 10 });
    expect(await resultCount(honest.id)).toBe(1);
    expect(await jobContainers(docker, honest.id)).toEqual([]);
    recordCase({
      area: 'Fault',
      case: 'Redis restarted while a worker was grading (app starting)',
      outcome: `the job in flight scored 10/10 with 1 result after ${outage.toFixed(1)} s without Redis; the worker reconnected and scored the next submission 10/10${workerErrors.length ? ` (${workerErrors.length} connection errors logged meanwhile)` : ''}`,
      seconds: (Date.now() - started) / 1000,
    });
  });
});
