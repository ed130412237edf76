/**
 * Needs a PostgreSQL with pg_stat_statements preloaded: DATABASE_ADMIN_URL (superuser) and
 * APP_DATABASE_URL (an ordinary role) on the same database. `npm test` provides both; without
 * them the suite fails rather than passing silently.
 */
import { Client } from 'pg';
import { closeDb, db, findTextInColumns, listTextColumns, selectRowsMatching } from './database';
import { countStatements } from './statementCounter';

const configured = Boolean(process.env.DATABASE_ADMIN_URL && process.env.APP_DATABASE_URL);
const describeWithDatabase = configured
  ? describe
  : (name: string, _body: () => void) =>
      describe(name, () => {
        test('needs DATABASE_ADMIN_URL and APP_DATABASE_URL (run it with `npm test`)', () => {
          throw new Error('DATABASE_ADMIN_URL and APP_DATABASE_URL are not set');
        });
      });

describeWithDatabase('countStatements', () => {
  let app: Client;

  beforeAll(async () => {
    app = new Client({ connectionString: process.env.APP_DATABASE_URL });
    await app.connect();
  });

  afterAll(async () => {
    await app.end();
    await closeDb();
  });

  test("When the app's role runs statements, then each call counts once per execution", async () => {
    const counted = await countStatements(async () => {
      for (let i = 0; i < 5; i += 1) await app.query('SELECT $1::int AS n', [i]);
      await app.query('SELECT 1 AS one');
    });
    expect(counted.total).toBe(6);
    expect(counted.data).toBe(6);
    expect(counted.statements[0]).toEqual({ query: 'SELECT $1::int AS n', calls: 5 });
  });

  test('When the tester queries meanwhile, then its own statements are not counted', async () => {
    const counted = await countStatements(async () => {
      await db().query('SELECT 42');
      await db().query('SELECT 43');
      await app.query('SELECT 2 AS two');
    });
    expect(counted.total).toBe(1);
  });

  test('When the app uses a transaction, then BEGIN and COMMIT count in total but not in data', async () => {
    const counted = await countStatements(async () => {
      await app.query('BEGIN');
      await app.query('SELECT 3 AS three');
      await app.query('COMMIT');
    });
    expect(counted.total).toBe(3);
    expect(counted.data).toBe(1);
  });

  test('When nothing runs, then the count is 0', async () => {
    expect((await countStatements(async () => undefined)).total).toBe(0);
  });
});

describeWithDatabase('database inspection', () => {
  const schema = `harness_unit_${process.pid}`;

  beforeAll(async () => {
    await db().query(`CREATE SCHEMA ${schema}`);
    await db().query(`CREATE TABLE ${schema}.accounts (id uuid PRIMARY KEY, email text, secret varchar(100), n int)`);
    await db().query(`INSERT INTO ${schema}.accounts VALUES ('9b2f0c56-52a1-4a4e-a9f1-7ad1d6a0c001', 'Ada@Example.com', 'pw-plain-123', 1)`);
  });

  afterAll(async () => {
    await db().query(`DROP SCHEMA ${schema} CASCADE`);
    await closeDb();
  });

  test('When a table has text columns, then they are listed and non-text ones are not', async () => {
    const columns = (await listTextColumns()).filter((c) => c.schema === schema);
    expect(columns.map((c) => c.column)).toEqual(['email', 'secret']);
  });

  test('When a value is stored inside a text column, then it is found', async () => {
    const matches = (await findTextInColumns('plain-12')).filter((m) => m.table.startsWith(schema));
    expect(matches).toEqual([{ table: `${schema}.accounts`, column: 'secret', rows: 1 }]);
  });

  test('When a text column equals a value ignoring case, then the whole row is returned', async () => {
    const rows = (await selectRowsMatching('ada@example.com')).filter((r) => r.table.startsWith(schema));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.row).toMatchObject({ email: 'Ada@Example.com', n: 1 });
  });
});
