/**
 * Stage 4: the grading pod. Containers sharing ONE network namespace that has only loopback:
 * the services container (PostgreSQL + Redis) is created with NetworkMode none, the app and the
 * tester join it. The app mounts only the learner's workspace; the tester mounts only the
 * grader (read-only) and its output folder, so the app can neither read the hidden suite nor
 * write results.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProbeOutcome } from '../../graders/harness/context';
import { ROOT_DIR } from '../../core/config';
import { LearnerError } from '../errors';
import { lastLines } from '../sandbox/output';
import type { RunningContainer } from '../sandbox/sandbox';
import { learnerContainer, seconds, TESTER_UID, type JobContext } from './context';
import type { Workspace } from './inspectWorkspace';
import { recreateAppDatabase, runMigrations } from './podDatabase';
import { APP_PORT, newPodSecrets, PG_PORT, platformEnvironment, REDIS_PORT, type PodSecrets } from './platformEnv';

const APP_LOG_LIMIT = 64 * 1024;

/**
 * Everything the learner's app is given: the README's "What a learner's app gets", plus the exercise's own, the
 * names backend-pro.yml maps, and its literal values (which never replace a variable given above).
 */
export function appEnvironment(context: JobContext, workspace: Workspace, secrets: PodSecrets): Record<string, string> {
  const base: Record<string, string> = { ...platformEnvironment(secrets, context.exercise.limits.memoryMb), ...context.exercise.env };
  const { envMap, envValues } = workspace.appConfig;
  for (const [learnerName, platformName] of Object.entries(envMap)) {
    if (platformName in base) base[learnerName] = base[platformName];
  }
  for (const [learnerName, value] of Object.entries(envValues)) {
    if (!(learnerName in base)) base[learnerName] = value;
  }
  return base;
}

/**
 * The environment of one front-matter probe: the app's, with the probe's own `env:` over the
 * exercise's (so backend-pro.yml maps them too: a learner's STAGE mapped to APP_ENV sees the probe's
 * value), plus APP_START_COMMAND, the command that starts the app (e.g. to boot it a second time),
 * and APP_PATH_PREFIX, backend-pro.yml's `prefix:` that every route sits under ('' when none).
 */
export function probeEnvironment(
  context: JobContext,
  workspace: Workspace,
  secrets: PodSecrets,
  probe: { env?: Record<string, string> },
): Record<string, string> {
  const exercise = { ...context.exercise, env: { ...context.exercise.env, ...probe.env } };
  return {
    ...appEnvironment({ ...context, exercise }, workspace, secrets),
    APP_START_COMMAND: workspace.startCommand.join(' '),
    APP_PATH_PREFIX: workspace.appConfig.prefix ?? '',
  };
}

export interface PodRun {
  /** Host path of the tester's output folder (results.json). */
  outDir: string;
  appLog: string;
  warnings: string[];
  testerOutput: string;
}

export async function runGradingPod(
  context: JobContext,
  workspace: Workspace,
  onStage: (stage: 'probing' | 'starting' | 'testing', detail?: string) => Promise<void>,
  outDir: string,
): Promise<PodRun> {
  const { limits } = context.exercise;
  const secrets = newPodSecrets();
  const env = appEnvironment(context, workspace, secrets);
  const warnings: string[] = [];

  const services = await context.sandbox.start(
    context.jobId,
    {
      role: 'services',
      image: context.images.services,
      cmd: [],
      env: {
        POSTGRES_SUPERUSER_PASSWORD: secrets.superuserPassword,
        APP_DB_USER: 'app',
        APP_DB_PASSWORD: secrets.appPassword,
        APP_DB_NAME: 'app',
      },
      user: 'postgres',
      mounts: [],
      // The database cluster lives in /tmp/postgres (about 41 MB empty): fast and gone with the pod.
      tmpfs: { '/tmp': 1024, '/run/postgresql': 1 },
      network: { kind: 'none' },
      // tmpfs pages count against the memory limit: room for the cluster and a seeded database.
      memoryMb: 1536,
      cpus: 1,
      pids: 256,
      readOnlyRoot: true,
    },
    { outputLimitBytes: 32 * 1024 },
  );
  await waitFor(
    async () => (await services.exec(['test', '-f', '/tmp/ready'], 5_000)).exitCode === 0,
    60_000,
    async () => {
      throw new Error(`The services container did not become ready in 60 s:\n${services.output()}`);
    },
  );

  const join = { kind: 'join', container: services.id } as const;
  const { probes } = context.exercise;
  // Probes (e.g. revert every migration, then apply them again) are a stage of their own: they run
  // the learner's code against the database before the app, and their outcome is a check's.
  await onStage(probes.length > 0 ? 'probing' : 'starting', probes.length > 0 ? probes.map((probe) => probe.name).join(', ') : undefined);
  await runMigrations(context, workspace, env, join);
  const probed = await runProbes(context, workspace, secrets, join, services, outDir);
  if (probes.length > 0) {
    const failed = probed.outcomes.filter((outcome) => outcome.timedOut || outcome.exitCode !== 0).map((outcome) => outcome.name);
    // A failed probe is a failed check (the tester reads probes.json), never the reason the app
    // cannot start: whatever it left behind is replaced by a fresh, migrated database.
    await onStage('starting', failed.length > 0 ? `probe ${failed.join(', ')} failed: the app starts on a fresh database` : undefined);
    if (failed.length > 0) {
      await recreateAppDatabase(services, REDIS_PORT);
      await runMigrations(context, workspace, env, join);
    }
  }
  const probesFile = probed.file;

  const app = await context.sandbox.start(context.jobId, learnerContainer(context, 'app', workspace, workspace.startCommand, { env, network: join }), {
    outputLimitBytes: APP_LOG_LIMIT,
  });
  await waitForListening(context, services, app);

  await onStage('testing');
  const tester = await context.sandbox.run(
    context.jobId,
    {
      role: 'tester',
      image: context.images.tester,
      cmd: ['node', '/platform/graders/harness/run.js'],
      env: {
        HOME: '/tmp',
        EXERCISE_ID: context.exercise.id,
        GRADER_DIR: `/platform/graders/${context.exercise.id}`,
        APP_URL: `http://127.0.0.1:${APP_PORT}`,
        // backend-pro.yml `prefix:` (e.g. /api/v1): the harness prepends it to every request path.
        APP_PATH_PREFIX: workspace.appConfig.prefix ?? '',
        DATABASE_ADMIN_URL: `postgres://postgres:${secrets.superuserPassword}@127.0.0.1:${PG_PORT}/app`,
        APP_DATABASE_URL: env.DATABASE_URL,
        REDIS_URL: env.REDIS_URL,
        JWT_SECRET: secrets.jwtSecret,
        JWT_REFRESH_SECRET: secrets.jwtRefreshSecret,
        ...context.exercise.env,
        RESULTS_PATH: '/out/results.json',
        PROBES_PATH: '/probes/probes.json',
        ...(context.exercise.workspace ? { SUBMISSION_DIR: '/submission' } : {}),
        TEST_TIMEOUT_SECONDS: String(limits.testSeconds),
      },
      user: TESTER_UID,
      workdir: '/tmp',
      mounts: [
        { host: path.join(context.platformDir, 'node_modules'), container: '/platform/node_modules', readOnly: true },
        { host: path.join(context.platformDir, 'graders', 'harness'), container: '/platform/graders/harness', readOnly: true },
        // Helpers several graders share (e.g. the Project 1 API client of phases 1–3).
        { host: path.join(context.platformDir, 'graders', 'shared'), container: '/platform/graders/shared', readOnly: true },
        { host: hostGraderDir(context), container: `/platform/graders/${context.exercise.id}`, readOnly: true },
        { host: outDir, container: '/out', readOnly: false },
        { host: path.dirname(probesFile), container: '/probes', readOnly: true },
        ...(context.exercise.workspace ? [{ host: workspace.dir, container: '/submission', readOnly: true }] : []),
      ],
      tmpfs: { '/tmp': 256 },
      network: join,
      memoryMb: 1024,
      cpus: 1,
      pids: 256,
      readOnlyRoot: true,
    },
    { timeoutMs: seconds(limits.testSeconds + 30), outputLimitBytes: 64 * 1024 },
  );
  if (tester.timedOut) warnings.push(`The hidden tests did not finish within ${limits.testSeconds + 30} s and were stopped.`);

  const after = await app.state();
  if (!after.running) {
    warnings.push(
      after.oomKilled
        ? `Your app was killed during the tests: it went over the memory limit of ${limits.memoryMb} MB.`
        : `Your app stopped during the tests (exit code ${after.exitCode}). Its log is below.`,
    );
  }
  return { outDir, appLog: app.output(), warnings, testerOutput: tester.output };
}

/**
 * Runs the exercise's probes in order, each in a learner container on the pod's network, and
 * snapshots the app database's tables after each. Writes probes.json in a folder of its own
 * (mounted read-only into the tester) and returns its path.
 */
async function runProbes(
  context: JobContext,
  workspace: Workspace,
  secrets: PodSecrets,
  network: { kind: 'join'; container: string },
  services: RunningContainer,
  outDir: string,
): Promise<{ file: string; outcomes: ProbeOutcome[] }> {
  const outcomes: ProbeOutcome[] = [];
  for (const probe of context.exercise.probes) {
    const env = probeEnvironment(context, workspace, secrets, probe);
    const result = await context.sandbox.run(
      context.jobId,
      learnerContainer(context, `probe-${probe.name}`.slice(0, 40), workspace, ['bash', '-c', probe.run], { env, network }),
      { timeoutMs: seconds(context.exercise.limits.probeSeconds), outputLimitBytes: 16 * 1024 },
    );
    const tables = await services.exec(
      ['psql', '-U', 'postgres', '-d', 'app', '-At', '-c', "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"],
      10_000,
    );
    outcomes.push({
      name: probe.name,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      output: result.output.slice(-4096),
      durationMs: result.durationMs,
      tables: tables.exitCode === 0 ? tables.output.split('\n').filter(Boolean) : [],
    });
  }
  const dir = path.join(path.dirname(outDir), 'probes');
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'probes.json');
  await fs.promises.writeFile(file, JSON.stringify(outcomes, null, 2));
  return { file, outcomes };
}

/**
 * The grader folder as the Docker engine sees it: under platformDir when the platform's files were
 * shared there (a worker in a container, docker/compose.yml), else where the exercise points.
 */
function hostGraderDir(context: JobContext): string {
  const relative = path.relative(ROOT_DIR, context.exercise.graderDir);
  if (context.platformDir === ROOT_DIR || relative.startsWith('..')) return context.exercise.graderDir;
  return path.join(context.platformDir, relative);
}

async function waitForListening(context: JobContext, services: RunningContainer, app: RunningContainer): Promise<void> {
  const { limits } = context.exercise;
  const deadline = Date.now() + seconds(limits.bootSeconds);
  const probe = ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${APP_PORT}`];
  while (Date.now() < deadline) {
    const state = await app.state();
    if (!state.running) {
      const log = app.output();
      if (state.oomKilled) {
        throw new LearnerError(`Your app was killed while starting: it went over the memory limit of ${limits.memoryMb} MB.`, { appLog: log });
      }
      throw new LearnerError(
        `Your app exited (code ${state.exitCode}) before listening on PORT ${APP_PORT}. The end of its log:\n\n\`\`\`\n${lastLines(log, 30)}\n\`\`\``,
        { appLog: log },
      );
    }
    if ((await services.exec(probe, 5_000)).exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const log = app.output();
  throw new LearnerError(
    `Your app did not listen on PORT ${APP_PORT} within ${limits.bootSeconds} s. Read the port from \`process.env.PORT\` and listen on 0.0.0.0 or 127.0.0.1. The end of its log:\n\n\`\`\`\n${lastLines(log, 30)}\n\`\`\``,
    { appLog: log },
  );
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, onTimeout: () => Promise<never>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await onTimeout();
}
