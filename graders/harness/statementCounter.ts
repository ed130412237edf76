/**
 * Counts the SQL statements the learner's app runs during an action, from pg_stat_statements:
 * the difference in `calls` per query between two snapshots, for the app's role only, so the
 * tester's own queries (as superuser) never count. Used to detect N+1 query patterns.
 */
import { db } from './database';
import { HarnessError } from './feedback';

export interface StatementCount {
  /** Every top-level statement the app's role ran, transaction control included. */
  total: number;
  /** Same, without BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE/SET/SHOW/DISCARD/DEALLOCATE. */
  data: number;
  /** Per normalized query (`$1` for constants), most frequent first. */
  statements: Array<{ query: string; calls: number }>;
}

interface Snapshot {
  queryid: string;
  calls: string;
  query: string;
}

const CONTROL = /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|SET|RESET|SHOW|DISCARD|DEALLOCATE)\b/i;

let prepared: { userId: number; dbId: number; role: string } | undefined;

/** The app's role: explicit, else the user of APP_DATABASE_URL. */
function appRole(explicit?: string): string {
  if (explicit) return explicit;
  const url = process.env.APP_DATABASE_URL;
  if (!url) throw new HarnessError('Counting statements needs `APP_DATABASE_URL` (the app role); it is not set.');
  return decodeURIComponent(new URL(url).username);
}

async function prepare(role: string): Promise<{ userId: number; dbId: number }> {
  if (prepared?.role === role) return prepared;
  try {
    await db().query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // Fails here, not later, when the library is not in shared_preload_libraries.
    await db().query('SELECT 1 FROM pg_stat_statements LIMIT 1');
  } catch (error) {
    throw new HarnessError(`pg_stat_statements is not available: ${(error as Error).message}`);
  }
  const { rows } = await db().query<{ userId: number; dbId: number }>(
    `SELECT (SELECT oid::int FROM pg_roles WHERE rolname = $1) AS "userId",
            (SELECT oid::int FROM pg_database WHERE datname = current_database()) AS "dbId"`,
    [role],
  );
  const ids = rows[0];
  if (!ids || ids.userId === null) throw new HarnessError(`The database has no role named \`${role}\`.`);
  prepared = { ...ids, role };
  return prepared;
}

async function snapshot(userId: number, dbId: number): Promise<Map<string, Snapshot>> {
  const { rows } = await db().query<Snapshot>(
    `SELECT queryid::text AS queryid, calls::text AS calls, query
       FROM pg_stat_statements
      WHERE userid = $1 AND dbid = $2 AND toplevel`,
    [userId, dbId],
  );
  return new Map(rows.map((row) => [row.queryid, row]));
}

/**
 * Runs `action` and returns how many statements the app's role ran meanwhile. Await every
 * request inside `action`: statements still running when it resolves are not counted.
 */
export async function countStatements(action: () => Promise<unknown>, options: { role?: string } = {}): Promise<StatementCount> {
  const { userId, dbId } = await prepare(appRole(options.role));
  const before = await snapshot(userId, dbId);
  await action();
  const after = await snapshot(userId, dbId);

  const statements: StatementCount['statements'] = [];
  for (const [queryid, row] of after) {
    const calls = Number(row.calls) - Number(before.get(queryid)?.calls ?? 0);
    // A negative delta means the entry was evicted and re-created: count what the new entry saw.
    const delta = calls < 0 ? Number(row.calls) : calls;
    if (delta > 0) statements.push({ query: row.query, calls: delta });
  }
  statements.sort((a, b) => b.calls - a.calls || a.query.localeCompare(b.query));
  const total = statements.reduce((sum, s) => sum + s.calls, 0);
  const data = statements.filter((s) => !CONTROL.test(s.query)).reduce((sum, s) => sum + s.calls, 0);
  return { total, data, statements };
}

/**
 * The most frequent statements as a markdown list, saying that they are pg_stat_statements'
 * normalised text (constants replaced by `$1`, `$2`…, which is not the SQL the app sent) and how
 * many there were in all when the list is cut.
 */
export function describeStatements(count: StatementCount, max = 4, maxChars = 160): string {
  const shown = count.statements.slice(0, max).map((s) => `- ${s.calls} × \`${s.query.replace(/\s+/g, ' ').slice(0, maxChars)}\``);
  const more = count.statements.length > max ? `\n- … (${count.statements.length} in all)` : '';
  return `(as pg_stat_statements records them: normalised, each constant shown as \`$1\`, \`$2\`…)\n${shown.join('\n')}${more}`;
}
