/**
 * Load: 50 submissions arrive at once and a worker with concurrency 2 grades them on real Redis,
 * PostgreSQL and Docker. None is lost or graded twice, the queue positions the submission page
 * shows (core/queue.ts queuePosition) are honest while they wait, and jobs start in the order
 * they were submitted.
 */
import { parseConfig } from '../../core/config';
import { getPool } from '../../core/db/sql';
import { createSubmission } from '../../server/lib/createSubmission';
import type { Submission } from '../../core/models/submissions';
import { upsertUser } from '../../server/models/users';
import { queuePosition } from '../../core/queue';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import { JOB_LABEL, NAMESPACE_LABEL } from '../../worker/sandbox/sandbox';
import type { WorkerHandle } from '../../worker/worker';
import { createFixtureDatabase, type TestDatabase } from '../support/database';
import { closeTestQueue, faultQueue, until } from '../support/faults';
import { fixtureExercise, helloVariant, testWorkerEnv } from '../support/fixtures';
import { startGitServer, type GitServer } from '../support/gitServer';
import { startTestWorker } from '../support/gradingStack';
import { recordCase } from '../support/securityCases';

jest.setTimeout(630_000);

const COUNT = 50;
const CONCURRENCY = 2;
const bed = faultQueue('fault-burst');
const { docker, dataDir, queueName, redisUrl, queue, policy } = bed;
let database: TestDatabase;
let git: GitServer;
let worker: WorkerHandle | undefined;

beforeAll(async () => {
  ({ database } = await createFixtureDatabase());
  git = await startGitServer();
  await queue.waitUntilReady();
});

afterAll(async () => {
  await worker?.close().catch(() => undefined);
  const left = await docker.listContainers({ all: true, filters: { label: [`${NAMESPACE_LABEL}=${queueName}`] } });
  await Promise.all(
    left.map((info) =>
      docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  await queue.obliterate({ force: true }).catch(() => undefined);
  await closeTestQueue(bed, git, database);
});

describe(`When ${COUNT} submissions arrive at once and the worker grades ${CONCURRENCY} at a time`, () => {
  test('then every one is graded exactly once, the queue positions shown while waiting are honest, and jobs start in submission order', async () => {
    const repo = git.publish('burst', helloVariant());
    // 50 learners (no per-learner cooldown in the way), all submitting within the same second.
    const users = await Promise.all(Array.from({ length: COUNT }, (_, i) => upsertUser({ login: `burst-${i}`, role: 'learner' })));
    const submitted = Date.now();
    const submissions: Submission[] = [];
    for (const user of users) {
      submissions.push(await createSubmission({ userId: user.id, exerciseId: 'fixture-hello', repoUrl: repo.url, source: 'web' }, policy, queue));
    }
    const ids = submissions.map((s) => s.id);

    // Before any worker: the positions are 1..50, in the order the submissions arrived.
    const initial = await Promise.all(ids.map((id) => queuePosition(queue, id)));
    expect(initial).toEqual(ids.map((_, i) => i + 1));

    worker = await startTestWorker(
      parseConfig(testWorkerEnv({ databaseUrl: database.url, redisUrl, queueName, dataDir }, { WORKER_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'silent' })),
      queue,
      {
        statuses: { report: async () => {} }, // no pushes in this test: nothing to report on a commit
        sandbox: new DockerSandbox(docker, queueName),
        findExercise: () => fixtureExercise(),
      },
    );

    // While they wait: every snapshot of the waiting list is the not-yet-started submissions in
    // submission order, each one's position is 1 + the earlier ones still waiting, never more
    // than CONCURRENCY jobs run at once, and a sampled submission's position only goes down.
    const samples = [ids[5], ids[24], ids[COUNT - 1]];
    const seen = new Map<string, number[]>(samples.map((id) => [id, []]));
    let snapshots = 0;
    let maxActive = 0;
    for (;;) {
      const [waiting, active, finished] = await Promise.all([queue.getWaiting(0, -1), queue.getActiveCount(), countFinished(ids)]);
      maxActive = Math.max(maxActive, active);
      const waitingIds = waiting.map((job) => job.id!);
      expect(waitingIds).toEqual(ids.filter((id) => waitingIds.includes(id)));
      if (waitingIds.length) expect(waitingIds).toEqual(ids.slice(COUNT - waitingIds.length));
      for (const id of samples) {
        const position = await queuePosition(queue, id);
        if (position !== null) {
          // Re-read: the list may have moved between the two reads, by at most the jobs started since.
          const index = ids.indexOf(id);
          expect(position).toBeGreaterThanOrEqual(1);
          expect(position).toBeLessThanOrEqual(index + 1);
          seen.get(id)!.push(position);
        }
      }
      snapshots += 1;
      if (finished === COUNT) break;
      // A give-up bound, not a speed target (bench:queue measures speed): 50 gradings at 2 at a time
      // take about 150 s alone, and this pass shares 2 cores with the Docker-heavy suites.
      if (Date.now() - submitted > 600_000) throw new Error(`only ${finished} of ${COUNT} graded after 600 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const totalSeconds = (Date.now() - submitted) / 1000;

    for (const [id, positions] of seen) {
      expect(positions.length).toBeGreaterThan(0);
      expect(positions).toEqual([...positions].sort((a, b) => b - a)); // never goes up
      expect(await queuePosition(queue, id)).toBeNull();
    }
    // The last one watched its position come down from near the end of the line to the front.
    const last = seen.get(ids[COUNT - 1])!;
    expect(last[0]).toBeGreaterThan(COUNT - 2 * CONCURRENCY - 2);
    expect(last.at(-1)).toBeLessThanOrEqual(2);
    expect(maxActive).toBeLessThanOrEqual(CONCURRENCY);

    // Exactly one result per submission, all scored 10/10, none lost.
    const { rows } = await getPool().query<{ id: string; status: string; score: string; results: number }>(
      `SELECT s.id, s.status, s.score, (SELECT count(*)::int FROM results r WHERE r.submission_id = s.id) AS results
       FROM submissions s WHERE s.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toHaveLength(COUNT);
    expect(rows.filter((row) => row.status !== 'scored' || Number(row.score) !== 10 || row.results !== 1)).toEqual([]);
    const { rows: total } = await getPool().query<{ n: number }>('SELECT count(*)::int AS n FROM results');
    expect(total[0].n).toBe(COUNT);

    // Started in the order they arrived (BullMQ's processedOn), each exactly once.
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    // (processedOn is the fetching client's clock: two slots fetching in the same instant may
    // differ by a few ms; a job takes seconds.)
    const processedOn = jobs.map((job) => job!.processedOn!);
    const outOfOrder = processedOn.flatMap((at, i) => (i > 0 && at < processedOn[i - 1] - 200 ? [`#${i + 1} started before #${i}`] : []));
    expect(outOfOrder).toEqual([]);
    expect(jobs.every((job) => job!.attemptsStarted === 1 && job!.attemptsMade === 1 && job!.stalledCounter === 0 && job!.finishedOn)).toBe(true);
    const left = await docker.listContainers({ all: true, filters: { label: [`${NAMESPACE_LABEL}=${queueName}`] } });
    expect(left.map((info) => info.Labels[JOB_LABEL])).toEqual([]);

    // The worker is still healthy: the next submission is graded as usual.
    expect(worker.worker.isRunning()).toBe(true);
    const next = await createSubmission({ userId: users[0].id, exerciseId: 'fixture-hello', repoUrl: repo.url, source: 'web' }, policy, queue);
    await until('the next submission to be graded', async () => (await countFinished([next.id])) === 1, 120_000, 500);
    const { rows: nextRows } = await getPool().query<{ status: string; score: string }>('SELECT status, score FROM submissions WHERE id = $1', [next.id]);
    expect(nextRows.map((row) => [row.status, Number(row.score)])).toEqual([['scored', 10]]);

    const perJob = jobs.map((job) => job!.finishedOn! - job!.processedOn!).sort((a, b) => a - b);
    const median = perJob[Math.floor(perJob.length / 2)] / 1000;
    console.log(
      `[burst] ${COUNT} submissions, concurrency ${CONCURRENCY}: all graded in ${totalSeconds.toFixed(1)} s (median job ${median.toFixed(1)} s, ${snapshots} queue snapshots)`,
    );
    recordCase({
      area: 'Fault',
      case: `${COUNT} submissions at once, worker concurrency ${CONCURRENCY}`,
      outcome: `all ${COUNT} scored 10/10, exactly ${COUNT} results, started in submission order; positions 1..${COUNT} at first, only going down (${snapshots} snapshots); median job ${median.toFixed(1)} s; the next submission scored 10/10`,
      seconds: totalSeconds,
    });
  });
});

async function countFinished(ids: string[]): Promise<number> {
  const { rows } = await getPool().query<{ n: number }>(
    "SELECT count(*)::int AS n FROM submissions WHERE id = ANY($1::uuid[]) AND status IN ('scored', 'error')",
    [ids],
  );
  return rows[0].n;
}
