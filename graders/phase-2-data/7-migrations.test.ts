import { db, probeResult, type ProbeOutcome } from '../harness/context';
import { ensure, show, useChecks } from '../harness/check';
import { checks } from './checks';
import { record } from './support/measure';

const check = useChecks(checks);

/** The tables the brief names; migrations create them and their downs drop them. */
const SCHEMA = ['users', 'posts', 'tags', 'post_tags'];

/**
 * Migration-history tables the brief recognises (exact names, in any schema but PostgreSQL's own):
 * one row per applied migration. Lock tables (`knex_migrations_lock`, `kysely_migration_lock`…)
 * are not histories: Knex's always holds a row, whatever was applied. Keep in step with the brief.
 */
const HISTORY_TABLES: ReadonlyArray<[table: string, tool: string]> = [
  ['migrations', "TypeORM (default), and the name to give any other tool's history table"],
  ['knex_migrations', 'Knex'],
  ['_prisma_migrations', 'Prisma'],
  ['pgmigrations', 'node-pg-migrate'],
  ['SequelizeMeta', 'Sequelize / Umzug'],
  ['mikro_orm_migrations', 'MikroORM'],
  ['__drizzle_migrations', 'Drizzle (schema `drizzle`)'],
  ['kysely_migration', 'Kysely'],
  ['schema_migrations', 'dbmate, golang-migrate'],
  ['schemaversion', 'Postgrator'],
  ['flyway_schema_history', 'Flyway'],
];

const tail = (probe: ProbeOutcome): string =>
  `\n\nThe end of its output:\n\`\`\`\n${probe.output.trim().split('\n').slice(-15).join('\n').slice(-1500)}\n\`\`\``;

/** The error PostgreSQL gave in a probe's output, when one is there (`relation "posts" already exists`…). */
function pgError(probe: ProbeOutcome): string | undefined {
  const line = probe.output.split('\n').find((l) => /(already exists|does not exist|depends on|cannot drop|violates)/i.test(l));
  return line?.trim().slice(0, 300);
}

check('migrations.revert-and-reapply', async () => {
  // Both probes ran before your app started: see the exercise's front matter. The probe duration is
  // recorded, never asserted: the only time limit is the probe's own (probeSeconds in the front matter).
  const revert = probeResult('revert-all');
  const again = probeResult('migrate-again');
  record('revert-all duration', revert.durationMs, { unit: 'ms' });
  // What the reverts left behind is read first, so that a failed revert names the table in the way.
  const left = SCHEMA.filter((table) => revert.tables.includes(table));
  record('schema tables left after revert-all', left.length, { threshold: '= 0' });
  const revertError = pgError(revert);
  const revertStatus = revert.timedOut ? 'did not finish in time' : `exited with code ${revert.exitCode}`;
  ensure(
    !revert.timedOut && revert.exitCode === 0,
    (left.length
      ? `Reverting every migration left the tables ${show(left)} behind: \`npm run migration:revert\`, run 10 times in a row ` +
        `after \`migration:run\`, ${revertStatus} (all tables then: ${show(revert.tables)}). A \`down\` that does not drop what ` +
        'its `up` created leaves its table behind; the next revert then fails on it (a table it references cannot be dropped) ' +
        'and the next `migration:run` fails on it ("already exists").'
      : `\`npm run migration:revert\`, run 10 times in a row after \`migration:run\`, ${revertStatus}.`) +
      ' Expected every run to exit 0, including the runs after everything was reverted (nothing left to revert is not an error).' +
      (revertError ? `\n\nThe error: \`${revertError}\`.` : '') +
      '\n\nGive every migration a `down` that undoes exactly its `up`, in reverse order (drop the tables that reference ' +
      'others first: `post_tags` before `posts` and `tags`, `posts` before `users`). Hints: TypeORM `typeorm migration:revert -d …` ' +
      'undoes the last migration and exits 0 when none is left; Knex `knex migrate:down`; node-pg-migrate `node-pg-migrate down`; ' +
      'Sequelize `sequelize-cli db:migrate:undo`; with a tool that has no down (Prisma), write the `migration:revert` script yourself.' +
      tail(revert),
  );
  ensure(
    left.length === 0,
    `After reverting every migration (10 runs of \`npm run migration:revert\`, all exiting 0), the tables ${show(left)} still exist ` +
      `(all tables: ${show(revert.tables)}); expected none of ${show(SCHEMA)}. Each migration's \`down\` must drop what its \`up\` created.`,
  );
  const againError = pgError(again);
  ensure(
    !again.timedOut && again.exitCode === 0,
    `\`npm run migration:run\` on the emptied database ${again.timedOut ? 'did not finish in time' : `exited with code ${again.exitCode}`}; ` +
      'expected 0: the migrations must apply from scratch, in order.' +
      (againError ? `\n\nThe error: \`${againError}\` (a table a \`down\` did not drop makes its \`up\` fail the next time).` : '') +
      tail(again),
  );
  const missing = SCHEMA.filter((table) => !again.tables.includes(table));
  ensure(
    missing.length === 0,
    `After \`npm run migration:run\` on the emptied database, the tables ${show(missing)} do not exist (all tables: ${show(again.tables)}). ` +
      'Every table must come from a migration, not from a schema sync when the app starts (TypeORM `synchronize`, ' +
      'Sequelize `sync()`, MikroORM `updateSchema`, `prisma db push`).',
  );

  // Only real migration histories count: a lock table (Knex's `knex_migrations_lock`) always holds a row.
  const names = HISTORY_TABLES.map(([table]) => table);
  const { rows } = await db().query<{ schema: string; table: string }>(
    `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        AND table_name = ANY($1::text[])`,
    [names],
  );
  let recorded = 0;
  const counts: string[] = [];
  for (const { schema, table } of rows) {
    const quoted = `"${schema.replace(/"/g, '""')}"."${table.replace(/"/g, '""')}"`;
    const count = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoted}`);
    const n = count.rows[0]?.n ?? 0;
    recorded += n;
    counts.push(`\`${schema === 'public' ? table : `${schema}.${table}`}\` (${n} rows)`);
  }
  record('migrations recorded', recorded, { threshold: '>= 1' });
  let lookalikes: string[] = [];
  if (recorded === 0) {
    const others = await db().query<{ table: string }>(
      `SELECT table_name AS table FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name ILIKE '%migrat%'
          AND NOT (table_name = ANY($1::text[]))`,
      [names],
    );
    lookalikes = others.rows.map((r) => r.table);
  }
  ensure(
    recorded > 0,
    `No applied migration is recorded in the database: ${counts.length ? `the history tables ${counts.join(', ')} are empty` : 'no migration-history table was found'}` +
      `${lookalikes.length ? `; the tables ${show(lookalikes)} look like migration tables but are not histories the grader recognises (a lock table such as \`knex_migrations_lock\` holds a row whatever was applied)` : ''}. ` +
      "Expected your migration tool's history table, one row per applied migration, under one of the names " +
      `${HISTORY_TABLES.map(([table, tool]) => `\`${table}\` (${tool})`).join(', ')}. ` +
      'With another tool, or a home-made runner, name its history table `migrations` (TypeORM `migrationsTableName`, ' +
      'Knex `migrations.tableName`, node-pg-migrate `--migrations-table`, MikroORM `migrations.tableName`, Umzug `SequelizeStorage({ tableName })`).',
  );
});
