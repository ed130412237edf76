/**
 * Inspection of the learner's database as PostgreSQL superuser (DATABASE_ADMIN_URL). The learner
 * chooses table and column names, so helpers search by content across every user table.
 */
import { Pool } from 'pg';
import { HarnessError } from './feedback';

let pool: Pool | undefined;

/** A small pool on the learner's database as superuser; closed by {@link closeDb}. */
export function db(): Pool {
  if (pool) return pool;
  const url = process.env.DATABASE_ADMIN_URL;
  if (!url) throw new HarnessError('The grader needs `DATABASE_ADMIN_URL` to inspect the database; it is not set.');
  pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 1_000 });
  // An idle client losing its connection must not crash the run.
  pool.on('error', () => undefined);
  return pool;
}

export async function closeDb(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.end();
}

/** Runs a query and turns connection problems into grader faults, not learner failures. */
async function query<Row extends object>(text: string, values: unknown[] = []): Promise<Row[]> {
  try {
    const result = await db().query<Row>(text, values);
    return result.rows;
  } catch (error) {
    const err = error as { code?: string; message?: string };
    // Class 08 (connection) and 28 (auth) and socket errors are ours; SQL errors are rethrown as is.
    if (!err.code || /^(08|28|57P)/.test(err.code) || /^E[A-Z]+$/.test(err.code)) {
      throw new HarnessError(`The grader could not query the database: ${err.message ?? String(error)}`);
    }
    throw error;
  }
}

export interface TextColumn {
  schema: string;
  table: string;
  column: string;
  dataType: string;
}

/** Every column that can hold text (text, varchar, char, json, jsonb) of every user table. */
export async function listTextColumns(): Promise<TextColumn[]> {
  return query<TextColumn>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.data_type AS "dataType"
       FROM information_schema.columns c
       JOIN information_schema.tables t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg\\_%'
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
      ORDER BY 1, 2, 3`,
  );
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface TextMatch {
  table: string;
  column: string;
  rows: number;
}

/** Where `needle` occurs, as a substring, in any text column of any user table. */
export async function findTextInColumns(needle: string): Promise<TextMatch[]> {
  const matches: TextMatch[] = [];
  for (const column of await listTextColumns()) {
    const [row] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${quoteIdent(column.schema)}.${quoteIdent(column.table)}
        WHERE strpos(${quoteIdent(column.column)}::text, $1) > 0`,
      [needle],
    );
    if (row && row.n > 0) matches.push({ table: `${column.schema}.${column.table}`, column: column.column, rows: row.n });
  }
  return matches;
}

/**
 * Whole rows (as objects) of any user table where some text column equals `value`, ignoring
 * case: how a check finds "the row of this user" without knowing the learner's schema.
 */
export async function selectRowsMatching(value: string): Promise<Array<{ table: string; row: Record<string, unknown> }>> {
  const byTable = new Map<string, TextColumn[]>();
  for (const column of await listTextColumns()) {
    const key = `${quoteIdent(column.schema)}.${quoteIdent(column.table)}`;
    byTable.set(key, [...(byTable.get(key) ?? []), column]);
  }
  const found: Array<{ table: string; row: Record<string, unknown> }> = [];
  for (const [table, columns] of byTable) {
    const where = columns.map((c) => `lower(${quoteIdent(c.column)}::text) = lower($1)`).join(' OR ');
    const rows = await query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(t) AS row FROM ${table} AS t WHERE ${where} LIMIT 20`, [value]);
    for (const { row } of rows) found.push({ table: table.replace(/"/g, ''), row });
  }
  return found;
}
