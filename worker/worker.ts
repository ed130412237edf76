/**
 * The BullMQ worker of the `grading` queue. A failing learner solution is a result it stores
 * (cause `learner`); a fault of the platform throws and is retried with backoff, and when the
 * attempts run out it is stored with cause `platform` (logged at error level, the learner's
 * submit-limit hit given back); a broken exercise definition is an UnrecoverableError. Results
 * are upserted by submission id, so a retry never duplicates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../core/config';
import { ROOT_DIR } from '../core/config';
import { ExerciseDefinitionError, findExerciseDefinition, type ExerciseDefinition } from '../core/exercises/definition';
import { closePool, initPool } from '../core/db/sql';
import { createGradingQueue, createRedisConnection, GradingJobDataSchema, type GradingJobData, type GradingProgress } from '../core/queue';
import { claimSubmission, selectOptionalSubmission, updateSubmissionCommit, type Stage } from '../core/models/submissions';
import { failForGood, GradingAttempt } from '../core/submissionLifecycle';
import { refundSubmitHit } from '../core/lib/submitLimit';
import type { CommitStatusPort, GradingWorkerHandle, StartGradingWorker } from '../core/ports';
import { ExerciseError } from './errors';
import { gradeSubmission } from './gradeSubmission';
import { finalFailureOutcome } from './outcomes';
import { DockerSandbox } from './sandbox/dockerDriver';
import { configureInstallNetwork } from './sandbox/registryNetwork';
import { jobDisksSupported, releaseJobDisk } from './sandbox/jobDisk';
import type { Sandbox } from './sandbox/sandbox';
import type { Images } from './stages/context';

export interface WorkerHandle extends GradingWorkerHandle {
  worker: Worker<GradingJobData>;
}

export interface GradingWorkerOptions {
  config: Config;
  images: Images;
  logger: Logger;
  queue: Queue<GradingJobData>;
  sandbox?: Sandbox;
  /** Where exercise definitions come from (exercises/ by default; tests give fixtures). */
  findExercise?: (id: string) => ExerciseDefinition;
  /** Reports on the commit of submissions made by a push (server/github/statuses.ts createStatusReporter). */
  statuses: CommitStatusPort;
}

/** What every step of the worker shares. */
interface WorkerContext {
  config: Config;
  images: Images;
  queue: Queue<GradingJobData>;
  sandbox: Sandbox;
  findExercise: (id: string) => ExerciseDefinition;
  statuses: CommitStatusPort;
  log: Logger;
  /** Where the tester container mounts graders/ and node_modules/ from. */
  platformDir: string;
}

export async function startGradingWorker(options: GradingWorkerOptions): Promise<WorkerHandle> {
  const { config, images, logger, queue, statuses } = options;
  const sandbox = options.sandbox ?? new DockerSandbox(undefined, config.QUEUE_NAME);
  const log = logger.child({ component: 'worker', host: os.hostname() });
  const platformDir = await prepareHost(config, sandbox, queue, log);
  const context: WorkerContext = { config, images, queue, sandbox, findExercise: options.findExercise ?? findExerciseDefinition, statuses, log, platformDir };

  const connection = createRedisConnection(config.REDIS_URL, 'worker');
  const worker = new Worker<GradingJobData>(config.QUEUE_NAME, (job) => processJob(context, job), {
    connection,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_SECONDS * 1000,
    stalledInterval: config.WORKER_STALLED_CHECK_SECONDS * 1000,
  });
  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  worker.on('failed', (job, error) => {
    if (job && isFinalFailure(job, error)) void storeFinalFailure(context, connection, job, error);
  });
  // BullMQ's shared connection finishes initialising (a version check) after the constructor; closing
  // before that leaves a rejected promise with no listener. Starting means ready, so close() is safe.
  await worker.waitUntilReady();
  log.info({ queue: config.QUEUE_NAME, concurrency: config.WORKER_CONCURRENCY }, 'grading worker started');
  return {
    worker,
    async close() {
      // Waits for running jobs; BullMQ leaves a connection it was given open, so close ours.
      await worker.close();
      connection.disconnect();
    },
  };
}

/** The worker's host, once: the install network's rules, the platform files, the disk check, orphans reaped. Returns the platform dir. */
async function prepareHost(config: Config, sandbox: Sandbox, queue: Queue<GradingJobData>, log: Logger): Promise<string> {
  configureInstallNetwork({
    allowedHosts: config.INSTALL_ALLOWED_HOSTS,
    prismaEnginesMirror: config.PRISMA_ENGINES_MIRROR ?? null,
    warn: (message) => log.warn(message),
  });
  const platformDir = config.SHARE_PLATFORM_FILES ? await sharePlatformFiles(config.DATA_DIR) : ROOT_DIR;
  if (!(await jobDisksSupported(config.DATA_DIR))) {
    log.warn('cannot mount a file system per job here (needs root, mkfs.ext4 and loop devices): workspaces are NOT bounded on disk');
  }
  // Orphans of a crashed worker: containers whose job is not being processed anymore. A job whose
  // worker was killed may still be 'active' here (until its lock expires and a stalled check
  // re-queues it): its containers are removed when the job is processed again (processJob).
  const reaped = await sandbox.reap(async (jobId) => (await queue.getJobState(jobId)) === 'active');
  if (reaped) log.info({ reaped }, 'removed containers of jobs that are no longer running');
  return platformDir;
}

/** One attempt at one job: claim the submission, grade it, store the result, report it. */
async function processJob(context: WorkerContext, job: Job<GradingJobData>) {
  const { sandbox, statuses, log } = context;
  const { submissionId } = GradingJobDataSchema.parse(job.data);
  // A job taken up again (a retry, or a stalled job whose worker died mid-flight) first removes
  // what its earlier attempt left: the reaper skipped those containers while the job was active.
  if (job.attemptsStarted > 1 || job.attemptsMade > 0 || job.stalledCounter > 0) {
    const leftover = await sandbox.removeJob(submissionId);
    if (leftover) log.info({ submissionId, leftover, attempt: job.attemptsStarted }, 'removed containers of an earlier attempt');
  }
  // Claimed: a later push no longer changes the commit this job grades.
  const submission = await claimSubmission(submissionId);
  if (!submission) {
    const existing = await selectOptionalSubmission(submissionId);
    if (!existing) throw new UnrecoverableError(`Submission ${submissionId} does not exist`);
    log.info({ submissionId }, 'submission already has a result; nothing to do');
    return { status: existing.status };
  }
  if (job.attemptsMade === 0) await statuses.report(submissionId);
  const exercise = exerciseOf(context, submission.exercise_id);
  const attempt = new GradingAttempt(submissionId);
  try {
    const outcome = await gradeSubmission(
      {
        jobId: submissionId,
        exercise,
        source: { kind: 'git', url: submission.repo_url, ref: submission.ref, commit: submission.commit_sha },
        subdir: submission.subdir,
      },
      {
        ...gradeEnvironment(context),
        onStage: async (stage: Stage, at: Date, detail?: string) => {
          await attempt.enter(stage, at, detail ?? null);
          const progress: GradingProgress = { stage, at: at.toISOString(), detail };
          await job.updateProgress(progress);
        },
        onStageDetail: (stage, detail) => attempt.describe(stage, detail),
        onCommit: (sha) => updateSubmissionCommit(submissionId, sha),
      },
    );
    await attempt.finish(outcome);
    await statuses.report(submissionId);
    log.info({ submissionId, status: outcome.status, score: outcome.score, maxScore: outcome.maxScore }, 'graded');
    return { status: outcome.status, score: outcome.score, maxScore: outcome.maxScore };
  } catch (error) {
    if (error instanceof ExerciseError) throw new UnrecoverableError(error.message);
    log.warn({ submissionId, err: error, attempt: job.attemptsMade + 1 }, 'grading attempt failed (infrastructure)');
    throw error;
  }
}

/** The exercise a submission is for; a broken definition is not retried (UnrecoverableError). */
function exerciseOf(context: WorkerContext, exerciseId: string): ExerciseDefinition {
  try {
    return context.findExercise(exerciseId);
  } catch (error) {
    if (error instanceof ExerciseDefinitionError) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** What gradeSubmission needs of the platform, from config. */
function gradeEnvironment({ config, sandbox, images, platformDir }: WorkerContext) {
  return {
    sandbox,
    images,
    dataDir: config.DATA_DIR,
    platformDir,
    cloneTimeoutMs: config.CLONE_TIMEOUT_SECONDS * 1000,
    cloneMaxBytes: config.CLONE_MAX_MB * 1024 * 1024,
    cloneMaxFiles: config.CLONE_MAX_FILES,
    httpHosts: config.GIT_HTTP_HOSTS,
    jobTimeoutMs: config.JOB_TIMEOUT_SECONDS * 1000,
  };
}

/** An UnrecoverableError, or the last attempt: BullMQ will not run the job again. */
function isFinalFailure(job: Job<GradingJobData>, error: Error): boolean {
  return error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/**
 * Nothing is lost: a job that failed for good is stored as a platform error the learner sees (never
 * as their fault), its containers and files removed, and the submit-limit hit of their request
 * given back so they can submit again at once.
 */
async function storeFinalFailure(context: WorkerContext, connection: Redis, job: Job<GradingJobData>, error: Error): Promise<void> {
  const { config, sandbox, statuses, log } = context;
  const outcome = finalFailureOutcome(error, job);
  const submissionId = job.data.submissionId;
  log.error({ submissionId, err: error, attempts: job.attemptsMade, cause: outcome.cause }, 'grading failed for good: stored as a platform error');
  try {
    // A job failed by BullMQ without running (stalled too often) still has its last attempt's
    // containers and files: nothing of a job outlives it.
    try {
      await sandbox.removeJob(submissionId);
      // The job's data names the folder: only a well-formed id is turned into a path.
      const parsed = GradingJobDataSchema.safeParse(job.data);
      if (parsed.success) await releaseJobDisk(path.join(config.DATA_DIR, 'jobs', parsed.data.submissionId));
    } catch (removeError) {
      log.warn({ err: removeError }, 'could not remove the containers or files of a failed job');
    }
    await refundRateLimit(context, connection, submissionId);
    await failForGood(submissionId, outcome, new Date());
    await statuses.report(submissionId);
  } catch (storeError) {
    log.error({ err: storeError, submissionId }, 'could not store the failure of a job');
  }
}

/** A platform error is not the learner's attempt: the submit-limit hit of their request is given back. */
async function refundRateLimit({ config, log }: WorkerContext, connection: Redis, submissionId: string): Promise<void> {
  try {
    const submission = await selectOptionalSubmission(submissionId);
    // Only the web form and "grade again" count toward the per-learner submit limit.
    if (!submission || (submission.source !== 'web' && submission.source !== 'regrade')) return;
    // Bounded: the worker's connection waits forever for a Redis that is away, and the outcome must still be stored.
    const refunded = await Promise.race([
      refundSubmitHit(connection, config.QUEUE_NAME, submission.user_id, submission.created_at),
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('Redis did not answer within 3 s')), 3_000).unref()),
    ]);
    if (refunded) log.info({ submissionId, userId: submission.user_id }, 'gave back the submit-limit hit of a platform error');
  } catch (refundError) {
    log.warn({ err: refundError, submissionId }, 'could not give back the submit-limit hit of a platform error');
  }
}

/** Copies what the tester container mounts (graders/, node_modules/) to DATA_DIR/platform. */
async function sharePlatformFiles(dataDir: string): Promise<string> {
  const target = path.join(dataDir, 'platform');
  await fs.promises.rm(target, { recursive: true, force: true });
  await fs.promises.mkdir(target, { recursive: true });
  for (const folder of ['graders', 'node_modules']) {
    await fs.promises.cp(path.join(ROOT_DIR, folder), path.join(target, folder), { recursive: true, verbatimSymlinks: true });
  }
  return target;
}

/** The server's way to start a worker in its own process (core/ports.ts), bound to sandbox images. */
/**
 * A grading worker as its process's one job (npm run worker, test/support/workerProcess.ts): the
 * database pool (`poolSize` connections), a producer connection and the queue, and the worker on
 * them. On SIGTERM or SIGINT it calls `onStop`, finishes the jobs in hand (for at most
 * `closeWithinMs`, when given), closes the rest and exits.
 */
export async function runWorkerProcess(
  config: Config,
  options: Omit<Parameters<typeof startGradingWorker>[0], 'config' | 'queue'> & { poolSize?: number; closeWithinMs?: number; onStop?: () => void },
): Promise<void> {
  const { poolSize, closeWithinMs, onStop, ...workerOptions } = options;
  initPool(config.DATABASE_URL, poolSize);
  const producer = createRedisConnection(config.REDIS_URL, 'producer');
  const queue = createGradingQueue(producer, config.QUEUE_NAME);
  const worker = await startGradingWorker({ ...workerOptions, config, queue });
  const stop = async () => {
    onStop?.();
    const closed = worker.close();
    await (closeWithinMs === undefined ? closed : Promise.race([closed, new Promise((resolve) => setTimeout(resolve, closeWithinMs))]));
    await queue.close();
    producer.disconnect();
    await closePool();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

export function gradingWorkerStarter(images: Images | undefined): StartGradingWorker | undefined {
  return images ? (deps) => startGradingWorker({ ...deps, images }) : undefined;
}

/** Sandbox images named by the environment (IMAGE_*), for a process that does not build them. */
export function imagesFromConfig(config: Config): Images | undefined {
  const { IMAGE_RUNTIME_NODE20, IMAGE_RUNTIME_NODE22, IMAGE_RUNTIME_NODE24, IMAGE_SERVICES, IMAGE_TESTER } = config;
  if (IMAGE_RUNTIME_NODE20 && IMAGE_RUNTIME_NODE22 && IMAGE_RUNTIME_NODE24 && IMAGE_SERVICES && IMAGE_TESTER) {
    return { runtimes: { '20': IMAGE_RUNTIME_NODE20, '22': IMAGE_RUNTIME_NODE22, '24': IMAGE_RUNTIME_NODE24 }, services: IMAGE_SERVICES, tester: IMAGE_TESTER };
  }
  return undefined;
}
