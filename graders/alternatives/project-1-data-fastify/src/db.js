// One Knex instance for the app and the migration runner.
import knexFactory from 'knex';
import { migrations } from '../migrations/index.js';

export function connectionString() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const e = process.env;
  const user = e.DB_USERNAME ?? e.PGUSER ?? 'app';
  const pass = e.DB_PASSWORD ?? e.PGPASSWORD ?? '';
  const host = e.DB_HOST ?? e.PGHOST ?? '127.0.0.1';
  const port = e.DB_PORT ?? e.PGPORT ?? '5432';
  const name = e.DB_NAME ?? e.PGDATABASE ?? 'app';
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@${host}:${port}/${name}`;
}

// Migrations are ES modules listed in migrations/index.js and handed to Knex
// through a custom migrationSource: no directory scanning, no knexfile.
const migrationSource = {
  getMigrations: async () => migrations.map((m) => m.name),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations.find((m) => m.name === name),
};

export function createKnex() {
  return knexFactory({
    client: 'pg',
    connection: connectionString(),
    pool: { min: 0, max: 10 },
    migrations: { migrationSource, tableName: 'knex_migrations' },
  });
}
