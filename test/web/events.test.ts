/**
 * The live event stream of a submission on the real Redis: the initial state, progress pushed by
 * BullMQ QueueEvents, queue positions, the end of grading, and no leak when browsers leave.
 */
import { Worker } from 'bullmq';
import { storeOutcome } from '../../core/models/results';
import { finishStage, startStage, type Stage } from '../../core/models/submissions';
import { createRedisConnection, type GradingJobData } from '../../core/queue';
import { Browser, eventually, SseClient, startWebTestApp, type WebApp, type WebTestContext, outcome } from './support';

let context: WebTestContext;
let app: WebApp;
let learner: Browser;
let submissionId: string;
const clients: SseClient[] = [];

async function openStream(id: string, browser = learner): Promise<SseClient> {
  const client = await SseClient.open(app, `/submissions/${id}/events`, browser.cookie);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  ({ context, app } = await startWebTestApp());
  learner = new Browser(app);
  await learner.signIn('katherine');
  const response = await learner.post(
    '/phases/phase-1-auth/submissions',
    { repo_url: 'https://github.com/katherine/auth' },
    { formPage: '/phases/phase-1-auth' },
  );
  submissionId = /\/submissions\/(.+)$/.exec(response.headers.location ?? '')![1];
});

afterAll(async () => {
  for (const client of clients) client.close();
  await context?.close();
});

test('When a learner opens the stream of a queued submission, then it sends the current state with the queue position', async () => {
  const stream = await openStream(submissionId);
  expect(stream.status).toBe(200);
  const state = await stream.waitFor((event) => event.event === 'state');
  expect(state.data).toMatchObject({ id: submissionId, status: 'queued', position: 1 });
  expect((state.data as { stages: Array<{ stage: string }> }).stages.map((row) => row.stage)).toEqual(['queued']);
  stream.close();
});

test('When the job reports progress on the real queue, then the stream pushes it', async () => {
  const stream = await openStream(submissionId);
  await stream.waitFor((event) => event.event === 'state');
  const job = await context.queue.getJob(submissionId);
  const at = new Date().toISOString();
  await job!.updateProgress({ stage: 'cloning', at, detail: 'github.com/katherine/auth' });
  const progress = await stream.waitFor((event) => event.event === 'progress');
  expect(progress.data).toEqual({ stage: 'cloning', at, detail: 'github.com/katherine/auth' });
  // Anything that is not the progress contract is not forwarded.
  await job!.updateProgress(42);
  stream.close();
});

test('When a job ahead in the queue starts, then the position is pushed', async () => {
  const other = await Browser.signedIn(app, 'dorothy');
  const first = await other.post('/phases/phase-1-auth/submissions', { repo_url: 'https://github.com/dorothy/auth' }, { formPage: '/phases/phase-1-auth' });
  const secondId = first.headers.location.split('/').pop()!;
  // katherine's is first in the queue, dorothy's second.
  const stream = await openStream(secondId, other);
  const state = await stream.waitFor((event) => event.event === 'state');
  expect((state.data as { position: number }).position).toBe(2);
  // Take katherine's job off the wait list, as a worker would.
  await context.queue.remove(submissionId);
  const position = await stream.waitFor((event) => event.event === 'position');
  expect(position.data).toEqual({ position: 1 });
  stream.close();
  // Put it back for the next test.
  await context.queue.add('grade', { submissionId }, { jobId: submissionId, lifo: true });
});

test('When a worker grades the job, then the stream pushes every stage, the final state and ends', async () => {
  const stream = await openStream(submissionId);
  await stream.waitFor((event) => event.event === 'state');
  const connection = createRedisConnection(context.redisUrl, 'worker');
  const stages: Stage[] = ['cloning', 'installing', 'building', 'starting', 'testing'];
  const worker = new Worker<GradingJobData>(
    context.queueName,
    async (job) => {
      if (job.data.submissionId !== submissionId) return { skipped: true };
      await finishStage(submissionId, 'queued', new Date());
      for (const stage of stages) {
        const at = new Date();
        await startStage(submissionId, stage, at);
        await job.updateProgress({ stage, at: at.toISOString() });
        await finishStage(submissionId, stage, new Date());
      }
      await startStage(submissionId, 'scored', new Date());
      await finishStage(submissionId, 'scored', new Date());
      await storeOutcome(
        submissionId,
        outcome({
          score: 9,
          maxScore: 10,
          executionTimeMs: 500,
        }),
      );
      await job.updateProgress({ stage: 'scored', at: new Date().toISOString() });
      return { status: 'scored' };
    },
    { connection, concurrency: 1 },
  );
  try {
    const end = await stream.waitFor((event) => event.event === 'end', 20_000);
    expect(end.data).toEqual({ status: 'scored' });
    await stream.waitForEnd();
    const pushed = stream.events.filter((event) => event.event === 'progress').map((event) => (event.data as { stage: string }).stage);
    expect(pushed).toEqual([...stages, 'scored']);
    const finalState = stream.events.filter((event) => event.event === 'state').pop()!.data as { status: string; stages: unknown[] };
    expect(finalState.status).toBe('scored');
    expect(finalState.stages).toHaveLength(7);
  } finally {
    await worker.close();
    connection.disconnect();
  }
});

test('When the stream of a finished submission is opened, then it sends the state and ends at once', async () => {
  const stream = await openStream(submissionId);
  await stream.waitForEnd();
  expect(stream.events.map((event) => event.event)).toEqual(['state', 'end']);
});

test('When browsers disconnect, then the hub forgets them', async () => {
  const other = await Browser.signedIn(app, 'hedy');
  const created = await other.post('/phases/phase-1-auth/submissions', { repo_url: 'https://github.com/hedy/auth' }, { formPage: '/phases/phase-1-auth' });
  const id = created.headers.location.split('/').pop()!;
  const streams = await Promise.all([openStream(id, other), openStream(id, other), openStream(id, other)]);
  await Promise.all(streams.map((stream) => stream.waitFor((event) => event.event === 'state')));
  expect(app.hub.subscriberCount()).toBe(3);
  for (const stream of streams) stream.close();
  await eventually(() => app.hub.subscriberCount() === 0);
});

test('When the stream is asked without a session, then it is refused', async () => {
  const stream = await SseClient.open(app, `/submissions/${submissionId}/events`, '');
  clients.push(stream);
  expect(stream.status).toBe(401);
});
