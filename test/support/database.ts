/**
 * A fresh, migrated database per test file on the real PostgreSQL that `npm test` brought up
 * (DATABASE_URL), dropped afterwards.
 */
import crypto from 'node:crypto';
import { Client, Pool } from 'pg';
import { initPool } from '../../core/db/sql';
import { runMigrations } from '../../server/db/migrate';
import { upsertExercise } from '../../server/models/exercises';
import { upsertUser } from '../../server/models/users';
import { fixtureExercise } from './fixtures';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set: run the suite with `npm test`');
  const name = `bp_test_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 1 });
  await runMigrations(pool);
  await pool.end();
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A fresh database for the pipeline tests, the pool on it, with the fixture exercise and (given a
 * login) one learner, whose id is `userId` (0 without a login).
 */
export async function createFixtureDatabase(login?: string): Promise<{ database: TestDatabase; userId: number }> {
  const database = await createTestDatabase();
  initPool(database.url);
  await upsertExercise(fixtureExercise());
  const userId = login ? (await upsertUser({ login, role: 'learner' })).id : 0;
  return { database, userId };
}
