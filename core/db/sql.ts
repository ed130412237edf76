/**
 * The one SQL helper: named-parameter queries, rows parsed by zod, and `.sql` files beside
 * their `.ts` module split into `-- BLOCK name` sections (PrairieLearn's convention).
 */
import fs from 'node:fs';
import { Pool, type PoolClient } from 'pg';
import type { z } from 'zod';

export type Params = Record<string, unknown>;
export type Queryable = Pool | PoolClient;

let pool: Pool | undefined;

export function initPool(connectionString: string, max = 10): Pool {
  if (pool) return pool;
  pool = new Pool({ connectionString, max });
  // An idle client's error (e.g. the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export function getPool(): Pool {
  if (!pool) throw new Error('Database pool not initialised: call initPool() at start-up');
  return pool;
}

export async function closePool(): Promise<void> {
  if (pool) {
    const closing = pool;
    pool = undefined;
    await closing.end();
  }
}

/** Reads `<module>.sql` beside a module and returns its blocks by name. */
export function loadSqlBlocks(moduleFilename: string): Record<string, string> {
  const sqlPath = moduleFilename.replace(/\.(ts|js)$/, '.sql');
  const text = fs.readFileSync(sqlPath, 'utf8');
  const blocks: Record<string, string> = {};
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const match = /^--\s*BLOCK\s+(\w+)/.exec(line);
    if (match) {
      current = match[1];
      blocks[current] = '';
    } else if (current) {
      blocks[current] += `${line}\n`;
    }
  }
  return blocks;
}

/** Turns `$name` placeholders into positional ones, so SQL files read like prose. */
export function toPositional(sql: string, params: Params): { text: string; values: unknown[] } {
  const order: string[] = [];
  const text = sql.replace(/(?<![:$\w])\$([a-zA-Z_]\w*)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`SQL parameter $${name} was not given`);
    let index = order.indexOf(name);
    if (index === -1) index = order.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, values: order.map((name) => params[name]) };
}

export async function execute(sql: string, params: Params = {}, db: Queryable = getPool()): Promise<number> {
  const { text, values } = toPositional(sql, params);
  const result = await db.query(text, values);
  return result.rowCount ?? 0;
}

export async function queryRows<T extends z.ZodTypeAny>(sql: string, params: Params, schema: T, db: Queryable = getPool()): Promise<z.infer<T>[]> {
  const { text, values } = toPositional(sql, params);
  const result = await db.query(text, values);
  return result.rows.map((row) => schema.parse(row));
}

export async function queryOptionalRow<T extends z.ZodTypeAny>(sql: string, params: Params, schema: T, db: Queryable = getPool()): Promise<z.infer<T> | null> {
  const rows = await queryRows(sql, params, schema, db);
  if (rows.length > 1) throw new Error(`Expected at most one row, got ${rows.length}`);
  return rows[0] ?? null;
}

export async function queryRow<T extends z.ZodTypeAny>(sql: string, params: Params, schema: T, db: Queryable = getPool()): Promise<z.infer<T>> {
  const row = await queryOptionalRow(sql, params, schema, db);
  if (row === null) throw new Error('Expected one row, got none');
  return row;
}

export async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs `work` while holding a PostgreSQL advisory lock named by `key` (held by a connection of its
 * own, so `work` may use the pool freely): serialises e.g. two pushes of one learner's phase.
 */
export async function withAdvisoryLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    }
  } finally {
    client.release();
  }
}
