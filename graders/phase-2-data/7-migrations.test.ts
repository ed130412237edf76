import { db, probeResult, type ProbeOutcome } from '../harness/context';
import { ensure, show, useChecks } from '../harness/check';
import { checks } from './checks';
import { record } from './support/measure';

const check = useChecks(checks);

/** The tables the brief names; migrations create them and their downs drop them. */
const SCHEMA = ['users', 'posts', 'tags', 'post_tags'];

const tail = (probe: ProbeOutcome): string =>
  `\n\nThe end of its output:\n\`\`\`\n${probe.output.trim().split('\n').slice(-15).join('\n').slice(-1500)}\n\`\`\``;

check('migrations.revert-and-reapply', async () => {
  // Both probes ran before your app started: see the exercise's front matter.
  const revert = probeResult('revert-all');
  const again = probeResult('migrate-again');
  record('revert-all duration', revert.durationMs, { unit: 'ms' });
  ensure(
    !revert.timedOut && revert.exitCode === 0,
    `\`npm run migration:revert\`, run 10 times in a row after \`migration:run\`, ${revert.timedOut ? 'did not finish in time' : `exited with code ${revert.exitCode}`}; ` +
      'expected every run to exit 0 (once nothing is left to revert, TypeORM says so and exits 0). Give every migration a `down` that undoes its `up`.' +
      tail(revert),
  );
  const left = SCHEMA.filter((table) => revert.tables.includes(table));
  record('schema tables left after revert-all', left.length, { threshold: '= 0' });
  ensure(
    left.length === 0,
    `After reverting every migration, the tables ${show(left)} still exist (all tables: ${show(revert.tables)}); expected none of ` +
      `${show(SCHEMA)}. Each migration's \`down\` must drop what its \`up\` created.`,
  );
  ensure(
    !again.timedOut && again.exitCode === 0,
    `\`npm run migration:run\` on the emptied database ${again.timedOut ? 'did not finish in time' : `exited with code ${again.exitCode}`}; ` +
      'expected 0: the migrations must apply from scratch, in order.' + tail(again),
  );
  const missing = SCHEMA.filter((table) => !again.tables.includes(table));
  ensure(
    missing.length === 0,
    `After \`npm run migration:run\` on the emptied database, the tables ${show(missing)} do not exist (all tables: ${show(again.tables)}). ` +
      'Every table must come from a migration, not from `synchronize`.',
  );
  const { rows } = await db().query<{ table: string }>(
    `SELECT table_name AS table FROM information_schema.tables
      WHERE table_schema = 'public' AND table_name ILIKE '%migration%' AND table_type = 'BASE TABLE'`,
  );
  let recorded = 0;
  for (const { table } of rows) {
    const count = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table.replace(/"/g, '""')}"`);
    recorded += count.rows[0]?.n ?? 0;
  }
  record('migrations recorded', recorded, { threshold: '>= 1' });
  ensure(
    recorded > 0,
    `No migration is recorded in the database (tables named like \`migrations\`: ${show(rows.map((r) => r.table))}); expected the ` +
      'migration tool\'s bookkeeping table with one row per applied migration.',
  );
});
