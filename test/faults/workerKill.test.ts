/**
 * Fault: the grading worker is killed (SIGKILL, no chance to clean up) in the middle of a job. The
 * worker runs as an OS process of its own (test/support/workerProcess.ts) on real Redis,
 * PostgreSQL and Docker; a new worker process takes the stalled job up again (BullMQ stalled-job
 * recovery, short lock for the test), removes what the killed attempt left, and stores exactly
 * one result. A job that kills its worker every time ends as an explained error, never lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { selectOptionalResult } from '../../core/models/results';
import { selectOptionalSubmission, type Submission } from '../../core/models/submissions';
import { createFixtureDatabase, type TestDatabase } from '../support/database';
import {
  closeTestQueue,
  faultQueue,
  jobContainers,
  removeSubmissionContainers,
  resultCount,
  slowHelloVariant,
  startWorkerProcess,
  submitApp,
  until,
  waitUntilFinished,
  type WorkerProcess,
} from '../support/faults';
import { helloVariant, testWorkerEnv } from '../support/fixtures';
import { startGitServer, type GitServer } from '../support/gitServer';
import { recordCase } from '../support/securityCases';

jest.setTimeout(240_000);

const bed = faultQueue('fault-kill');
const { docker, dataDir, queueName, redisUrl, queue, policy } = bed;
/** The app listens after this long: the job stays in 'starting' long enough to be killed there. */
const APP_DELAY_MS = 8_000;
let database: TestDatabase;
let git: GitServer;
let userId: number;
const workers: WorkerProcess[] = [];

async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess(
    testWorkerEnv(
      { databaseUrl: database.url, redisUrl, queueName, dataDir },
      {
        // A dead worker's job is taken up again within about lock + 2 checks (8 s) instead of 2 minutes.
        WORKER_LOCK_SECONDS: '4',
        WORKER_STALLED_CHECK_SECONDS: '2',
        FIXTURE_LIMITS: JSON.stringify({ bootSeconds: 40 }),
      },
    ),
  );
  workers.push(worker);
  return worker;
}

function submit(name: string, appDir: string): Promise<Submission> {
  return submitApp(git, queue, userId, name, appDir, policy);
}

/** Waits until the job is in its pod (app container started, not yet listening): mid-flight. */
async function waitUntilMidFlight(id: string, notThese: string[] = []): Promise<string[]> {
  return until(
    `submission ${id} to be in its pod`,
    async () => {
      const submission = await selectOptionalSubmission(id);
      if (submission?.stage !== 'starting') return undefined;
      const apps = await docker.listContainers({ all: true, filters: { label: [`pro.backend.job=${id}`, 'pro.backend.role=app'] } });
      return apps.some((info) => !notThese.includes(info.Id)) ? jobContainers(docker, id) : undefined;
    },
    120_000,
  );
}

async function stillExisting(ids: string[]): Promise<string[]> {
  const all = await docker.listContainers({ all: true });
  return ids.filter((id) => all.some((info) => info.Id === id));
}

/** An honest submission after the fault: graded 10/10 by `worker`, one result, nothing left behind. */
async function expectHonestSubmissionGraded(name: string): Promise<number> {
  const started = Date.now();
  const honest = await submit(name, helloVariant());
  const finished = await waitUntilFinished(honest.id, 120_000);
  expect(finished).toMatchObject({ status: 'scored', score: 10, max_score: 10 });
  expect(await resultCount(honest.id)).toBe(1);
  expect(await jobContainers(docker, honest.id)).toEqual([]);
  return (Date.now() - started) / 1000;
}

beforeAll(async () => {
  ({ database, userId } = await createFixtureDatabase('kill-test'));
  git = await startGitServer();
  await queue.waitUntilReady();
});

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop(20_000);
});

afterAll(async () => {
  for (const worker of workers.splice(0)) await worker.killHard();
  // Whatever a failed test left: every container of this file's jobs.
  await removeSubmissionContainers(docker);
  await queue.obliterate({ force: true }).catch(() => undefined);
  await closeTestQueue(bed, git, database);
});

describe('When the worker is killed with SIGKILL in the middle of a grading job', () => {
  test('then a new worker takes the job up again, removes the orphaned containers, stores exactly one result, and grades the next submission', async () => {
    const first = await startWorker();
    const submission = await submit('slow-kill', slowHelloVariant(APP_DELAY_MS));
    const orphans = await waitUntilMidFlight(submission.id);
    expect(orphans.length).toBeGreaterThanOrEqual(2); // services + app

    await first.killHard();
    const killedAt = Date.now();
    expect(first.alive()).toBe(false);
    // Nobody cleaned up: the killed attempt's containers are still there, and BullMQ still holds
    // the job as active (the worker's lock has not expired), so a reaper at start skips it.
    expect(await stillExisting(orphans)).toEqual(orphans);
    expect(await queue.getJobState(submission.id)).toBe('active');
    expect(await selectOptionalSubmission(submission.id)).toMatchObject({ status: 'running', stage: 'starting' });

    const second = await startWorker();
    await until('the job to be taken up again', async () => (await queue.getJob(submission.id))?.attemptsStarted === 2, 60_000);
    const pickupSeconds = (Date.now() - killedAt) / 1000;
    const finished = await waitUntilFinished(submission.id);
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    expect(finished).toMatchObject({ status: 'scored', score: 10, max_score: 10 });
    expect(await resultCount(submission.id)).toBe(1);
    expect((await selectOptionalResult(submission.id))?.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed']);
    const job = await queue.getJob(submission.id);
    // Taken up again because it stalled (started twice, finished once), not retried after a failure.
    expect(job?.stalledCounter).toBe(1);
    expect(job?.attemptsStarted).toBe(2);
    expect(job?.attemptsMade).toBe(1);
    expect(await until('the job to be completed in BullMQ', async () => (await queue.getJobState(submission.id)) === 'completed', 10_000)).toBe(true);
    expect(await stillExisting(orphans)).toEqual([]);
    expect(await jobContainers(docker, submission.id)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'jobs', submission.id))).toBe(false);

    expect(second.alive()).toBe(true);
    const honestSeconds = await expectHonestSubmissionGraded('honest-after-kill');
    expect(second.alive()).toBe(true);
    recordCase({
      area: 'Fault',
      case: 'Worker killed (SIGKILL) while the app was starting; a new worker process started',
      outcome: `taken up again ${pickupSeconds.toFixed(0)} s after the kill (lock 4 s, check every 2 s), scored 10/10 ${recoverySeconds.toFixed(0)} s after it, 1 result; the ${orphans.length} orphaned containers removed; the next submission scored 10/10 in ${honestSeconds.toFixed(1)} s`,
      seconds: recoverySeconds,
    });
  });

  test('then a job that kills its worker again after being taken up ends as an explained error with nothing left behind, and the next submission is graded', async () => {
    const submission = await submit('slow-kill-twice', slowHelloVariant(APP_DELAY_MS));
    const started = Date.now();
    const first = await startWorker();
    const firstOrphans = await waitUntilMidFlight(submission.id);
    await first.killHard();

    // The second worker takes it up (stalled once), and dies in the middle too.
    const second = await startWorker();
    const secondOrphans = await waitUntilMidFlight(submission.id, firstOrphans);
    expect(secondOrphans.filter((id) => firstOrphans.includes(id))).toEqual([]);
    await second.killHard();
    expect(await stillExisting(secondOrphans)).toEqual(secondOrphans);

    // BullMQ allows one stall (maxStalledCount 1): the third worker fails the job without running it.
    const third = await startWorker();
    const finished = await waitUntilFinished(submission.id);
    expect(finished.status).toBe('error');
    const result = await selectOptionalResult(submission.id);
    expect(result?.message).toMatch(/Grading was interrupted 2 times .*not your fault; please submit again/);
    expect(result?.cause).toBe('platform');
    expect(await resultCount(submission.id)).toBe(1);
    expect((await queue.getJob(submission.id))?.stalledCounter).toBe(2);
    await until('the orphaned containers to be removed', async () => (await jobContainers(docker, submission.id)).length === 0, 15_000);
    expect(await stillExisting([...firstOrphans, ...secondOrphans])).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'jobs', submission.id))).toBe(false);

    expect(third.alive()).toBe(true);
    await expectHonestSubmissionGraded('honest-after-two-kills');
    recordCase({
      area: 'Fault',
      case: 'Worker killed (SIGKILL) twice in the middle of the same job',
      outcome: `error: "${result?.message}"; 1 result; every container of both attempts removed; the next submission scored 10/10`,
      seconds: (Date.now() - started) / 1000,
    });
  });
});
