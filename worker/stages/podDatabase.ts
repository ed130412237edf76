/**
 * The pod's database from the learner's side: `npm run migration:run`, and a fresh database when a
 * probe (e.g. reverting every migration) left the old one in a state the app cannot start on.
 */
import { LearnerError } from '../errors';
import { lastLines } from '../sandbox/output';
import type { RunningContainer } from '../sandbox/sandbox';
import { learnerContainer, seconds, type JobContext } from './context';
import type { Workspace } from './inspectWorkspace';

/** `npm run migration:run` when the app has one; a failure is the learner's, with its output. */
export async function runMigrations(
  context: JobContext,
  workspace: Workspace,
  env: Record<string, string>,
  network: { kind: 'join'; container: string },
): Promise<void> {
  if (!workspace.scripts['migration:run']) return;
  const { limits } = context.exercise;
  const migration = await context.sandbox.run(
    context.jobId,
    learnerContainer(context, 'migrate', workspace, ['npm', 'run', 'migration:run'], { env, network }),
    { timeoutMs: seconds(limits.bootSeconds), outputLimitBytes: limits.outputKb * 1024 },
  );
  if (migration.timedOut || migration.exitCode !== 0) {
    const why = migration.timedOut ? `took longer than ${limits.bootSeconds} s` : `failed (exit code ${migration.exitCode})`;
    throw new LearnerError(`\`npm run migration:run\` ${why}. The end of its output:\n\n\`\`\`\n${lastLines(migration.output, 40)}\n\`\`\``, {
      output: migration.output,
    });
  }
}

/** psql as the superuser on `database`, running `statements` in order and stopping at the first error. */
function psqlAsPostgres(database: string, ...statements: string[]): string[] {
  return ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', database, ...statements.flatMap((sql) => ['-c', sql])];
}

/** Drops the app's database and makes it again as the services image does (owner, schema, pg_stat_statements). */
export async function recreateAppDatabase(services: RunningContainer, redisPort: number): Promise<void> {
  const steps: string[][] = [
    psqlAsPostgres('postgres', 'DROP DATABASE app WITH (FORCE)', 'CREATE DATABASE app OWNER app'),
    psqlAsPostgres('app', 'ALTER SCHEMA public OWNER TO app', 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'),
    ['redis-cli', '-h', '127.0.0.1', '-p', String(redisPort), 'FLUSHALL'],
  ];
  for (const step of steps) {
    const result = await services.exec(step, 30_000);
    if (result.exitCode !== 0) throw new Error(`Could not recreate the pod's database (${step.join(' ')}): ${result.output}`);
  }
}
