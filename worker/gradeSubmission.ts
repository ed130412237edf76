/**
 * Grades one submission: fetch → install → build → pod (start, test) → collect, in order.
 * Used by the BullMQ worker and by the instructors' CLI alike. Learner failures come back as
 * an `error` outcome (cause `learner`) with a learner-facing message; faults of the platform
 * (infrastructure, a crashed grader, a full worker disk: PlatformError and anything else thrown)
 * throw, are retried by the queue, and are stored with cause `platform` when the attempts run
 * out (worker.ts). Every container and file of the job is removed at the end.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExerciseDefinition } from '../core/exercises/definition';
import type { Outcome } from '../core/models/results';
import type { Stage } from '../core/models/submissions';
import { errorOutcome } from '../core/lib/outcomes';
import { ExerciseError, LearnerError, PlatformError } from './errors';
import { platformFaultOf } from './outcomes';
import { watchPodServices } from './podServices';
import type { Sandbox } from './sandbox/sandbox';
import { diagnoseGrading, type Diagnosis } from './diagnosis/diagnose'; // diagnosis (issue 10 §3)
import { collectEvidence, collectResults, type HarnessEvidence } from './stages/collect';
import type { Images, JobContext } from './stages/context';
import { fetchSource, type Source } from './stages/fetchSource';
import { buildApp, installDependencies } from './stages/install';
import { checkEnvTargets } from './stages/appConfig';
import { inspectWorkspace } from './stages/inspectWorkspace';
import { chooseNodeForWorkspace, DEFAULT_NODE_MAJOR } from './stages/nodeVersion';
import { runGradingPod } from './stages/pod';
import { jobDiskFull, mountJobDisk, releaseJobDisk } from './sandbox/jobDisk';

export interface GradeRequest {
  jobId: string;
  exercise: ExerciseDefinition;
  source: Source;
  subdir: string | null;
}

export interface GradeEnvironment {
  sandbox: Sandbox;
  images: Images;
  dataDir: string;
  platformDir: string;
  cloneTimeoutMs: number;
  cloneMaxBytes: number;
  cloneMaxFiles: number;
  httpHosts: string[];
  jobTimeoutMs: number;
  /** Called when a stage begins (the previous one has then ended). */
  onStage?: (stage: Stage, at: Date, detail?: string) => Promise<void>;
  /** Called when the current stage's detail is known only after it began (e.g. a dependency cache hit). */
  onStageDetail?: (stage: Stage, detail: string) => Promise<void>;
  onCommit?: (commitSha: string) => Promise<void>;
}

export interface StageTiming {
  stage: Stage;
  startedAt: Date;
  finishedAt: Date | null;
  detail?: string;
}

export interface GradeOutcome extends Outcome {
  commitSha: string | null;
  stages: StageTiming[];
  /** The one reason most checks failed or grading stopped, with the fix (worker/diagnosis/), or null. */
  diagnosis?: Diagnosis | null;
}

/**
 * How long a job that saw something die waits before asking whether the engine restarted: an engine
 * shutting down stops all containers in parallel, and the sentinel's end may be reported a little later.
 */
const ENGINE_SETTLE_MS = 1000;

export async function gradeSubmission(request: GradeRequest, environment: GradeEnvironment): Promise<GradeOutcome> {
  const { exercise } = request;
  if (!exercise.gradable) throw new ExerciseError(`Exercise ${exercise.id} has no grader (graders/${exercise.id}/checks.ts is missing).`);
  const jobDir = path.join(environment.dataDir, 'jobs', request.jobId);
  // The pod's PostgreSQL + Redis are the platform's: their loss is never the learner's result.
  const podServices = watchPodServices(environment.sandbox);
  const context: JobContext = {
    jobId: request.jobId,
    sandbox: podServices.sandbox,
    images: environment.images,
    exercise,
    // The default until the workspace says otherwise (chosen right after inspectWorkspace).
    runtime: { major: DEFAULT_NODE_MAJOR, image: environment.images.runtimes[DEFAULT_NODE_MAJOR] },
    jobDir,
    cacheDir: path.join(environment.dataDir, 'cache', 'deps'),
    platformDir: environment.platformDir,
  };
  const stages: StageTiming[] = [];
  const enter = async (stage: Stage, detail?: string) => {
    const at = new Date();
    const previous = stages[stages.length - 1];
    if (previous && !previous.finishedAt) previous.finishedAt = at;
    stages.push({ stage, startedAt: at, finishedAt: null, detail });
    await environment.onStage?.(stage, at, detail);
  };
  const setDetail = async (detail: string) => {
    const current = stages[stages.length - 1];
    current.detail = detail;
    await environment.onStageDetail?.(current.stage, detail);
  };
  // Notes for the learner gathered on the way (no lockfile, no build script…), kept on errors too.
  // The workspace's own list once it is read: the install adds to it too (an ignored .npmrc setting,
  // mirror URLs pointed at the registry), and it must survive a failed install.
  let warnings: string[] = [];

  const startedAt = Date.now();
  let commitSha: string | null = null;
  let jobTimedOut = false;
  // A retry of a killed attempt starts clean.
  await environment.sandbox.removeJob(request.jobId);
  // Whatever dies from here on, an engine restart must not become the learner's result.
  const engine = await environment.sandbox.watchEngine(environment.images.tester);
  // The checkout (the learner's writable workspace) is a file system capped at limits.diskMb.
  await mountJobDisk(jobDir, exercise.limits.diskMb);
  const checkoutDir = path.join(jobDir, 'checkout');
  const outDir = path.join(jobDir, 'out');
  await fs.promises.mkdir(outDir, { recursive: true });
  const jobTimer = setTimeout(() => {
    jobTimedOut = true;
    void environment.sandbox.removeJob(request.jobId).catch(() => undefined);
  }, environment.jobTimeoutMs);

  // --- diagnosis (issue 10 §3): what the rules read besides the outcome ---
  let failure: unknown = null;
  let harnessEvidence: HarnessEvidence | null = null;
  // --- end diagnosis ---
  const finish = async (outcome: Outcome): Promise<GradeOutcome> => {
    // A full disk explains many failures (ENOSPC in a build, an app that crashed writing a file).
    const all = (await jobDiskFull(jobDir))
      ? [
          ...outcome.warnings,
          `Your workspace reached the ${exercise.limits.diskMb} MB disk limit of a grading job: writes to it failed with "no space left on device".`,
        ]
      : outcome.warnings;
    // --- diagnosis (issue 10 §3) ---
    const diagnosis = diagnoseGrading(outcome, { stage: stages[stages.length - 1]?.stage ?? null, error: failure, harness: harnessEvidence });
    // --- end diagnosis ---
    // A rule that finds the platform at fault (e.g. the pod's own PostgreSQL refused the app) makes
    // the failure the platform's: thrown, retried, and never stored as the learner's.
    if (outcome.status === 'error' && diagnosis?.cause === 'platform') throw new PlatformError(diagnosis.message);
    await enter(outcome.status, outcome.status === 'error' ? (outcome.message ?? undefined) : undefined);
    stages[stages.length - 1].finishedAt = stages[stages.length - 1].startedAt;
    return { ...outcome, warnings: all, commitSha, stages, diagnosis };
  };

  try {
    await enter('cloning');
    ({ commitSha } = await fetchSource(request.source, checkoutDir, {
      timeoutMs: environment.cloneTimeoutMs,
      maxBytes: environment.cloneMaxBytes,
      maxFiles: environment.cloneMaxFiles,
      httpHosts: environment.httpHosts,
    }));
    if (commitSha) await environment.onCommit?.(commitSha);
    // The containers run as the unprivileged learner: give it the checkout (links themselves, never
    // their targets), readable by the tester's user too (exercises with `workspace: true`).
    await run('chmod', ['-R', 'u+rwX,go+rX,go-w', checkoutDir]);
    await chownTree(checkoutDir, 10001);
    await chownTree(outDir, 10002);
    const workspace = inspectWorkspace(checkoutDir, request.subdir);
    const node = chooseNodeForWorkspace(workspace.dir, workspace.installDir);
    context.runtime = { major: node.major, image: environment.images.runtimes[node.major] };
    warnings = workspace.warnings;
    warnings.push(...node.warnings);
    checkEnvTargets(workspace.appConfig, exercise.env); // backend-pro.yml env: names the exercise gives (issue 10 §3)

    const lockfileAt = workspace.member ? `${workspace.lockfile} at the workspace root` : workspace.lockfile;
    await enter('installing', `${workspace.lockfile ? `${workspace.packageManager} (${lockfileAt})` : 'npm install (no lockfile)'} on ${node.detail}`);
    const install = await installDependencies(context, workspace);
    // Hit or miss, key and size: known only once the install ran, kept on the stage row.
    await setDetail(`${install.detail} on ${node.detail}`);

    await enter('building', workspace.scripts.build ? 'npm run build' : 'no build script');
    await buildApp(context, workspace);

    const pod = await runGradingPod(context, workspace, (stage, detail) => enter(stage, detail), outDir);
    const collected = collectResults(outDir);
    harnessEvidence = collectEvidence(outDir); // diagnosis (issue 10 §3)
    // A run that went wrong may have been ended by the engine (it stops every container at once).
    const clean = collected.ok && collected.results.status !== 'error' && pod.warnings.length === 0;
    await engine.check({ settleMs: clean ? 0 : ENGINE_SETTLE_MS });
    const lostServices = await podServices.fault();
    if (lostServices) throw lostServices;
    warnings.push(...pod.warnings);
    // The tester always writes a valid results.json; anything else is the grader's crash, retried.
    // Its output goes with it to the worker's log, for an operator.
    const graderOutput = { output: pod.testerOutput };
    if (!collected.ok) throw new PlatformError(`The grader crashed: ${collected.reason}.`, graderOutput);
    const { results } = collected;
    if (results.status === 'error') {
      throw new PlatformError(`The grader of ${exercise.id} could not run its checks: ${results.message ?? 'no reason given'}`, graderOutput);
    }
    return finish({
      status: 'scored',
      cause: null,
      message: results.message ?? null,
      score: results.score,
      maxScore: results.max_score,
      executionTimeMs: Date.now() - startedAt,
      tests: results.tests,
      appLog: pod.appLog || null,
      warnings,
    });
  } catch (thrown) {
    failure = thrown; // diagnosis (issue 10 §3)
    if (jobTimedOut) {
      throw new PlatformError(
        `Grading took longer than the ${Math.round(environment.jobTimeoutMs / 1000)} s limit for a whole job and was stopped. Each step has its own limit below that one: the grading worker was overloaded, or JOB_TIMEOUT_SECONDS is set below the sum of the exercise's limits.`,
      );
    }
    let error = thrown;
    if (!(thrown instanceof ExerciseError)) {
      // An app that lost its database (the pod's services container stopped) failed for that
      // reason, whatever it did next.
      const lostServices = await podServices.fault();
      // "Your app exited (code 143)" or a stopped services container is the engine's doing if it
      // restarted meanwhile: retried, never stored as the learner's.
      if ((lostServices || thrown instanceof LearnerError) && stages.length > 1) await engine.check({ settleMs: ENGINE_SETTLE_MS });
      error = lostServices ?? thrown;
    }
    if (error instanceof LearnerError) {
      return finish(
        errorOutcome({ cause: 'learner', message: error.message, appLog: error.details.appLog, warnings, executionTimeMs: Date.now() - startedAt }),
      );
    }
    throw platformFaultOf(error, environment.dataDir) ?? error;
  } finally {
    clearTimeout(jobTimer);
    await environment.sandbox.removeJob(request.jobId).catch(() => undefined);
    await releaseJobDisk(jobDir).catch(() => undefined);
  }
}

async function run(command: string, args: string[]): Promise<void> {
  await promisify(execFile)(command, args, { timeout: 120_000 });
}

/** chown -R -h: changes links themselves and never follows them (chmod -R ignores links too). */
function chownTree(dir: string, uid: number): Promise<void> {
  return run('chown', ['-R', '-h', `${uid}:${uid}`, dir]);
}

export function newJobId(): string {
  return crypto.randomUUID();
}
