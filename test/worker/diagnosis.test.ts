/**
 * The diagnosis through the real pipeline (Docker, the sandbox images, the in-pod harness): small
 * apps made from the hello fixture, each with one mistake real learners make, get the one reason
 * said at the top of their result, and the backend-pro.yml setting the diagnosis recommends works.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { gradeSubmission, newJobId } from '../../worker/gradeSubmission';
import { FIXTURES, fixtureExercise, helloVariant, testGradeEnvironment } from '../support/fixtures';

jest.setTimeout(240_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-diag-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const ITEMS_SERVER = fs.readFileSync(path.join(FIXTURES, 'diagnosis', 'itemsServer.js'), 'utf8');

/** The items API with its settings replaced (the PREFIX, REQUIRE_CSRF and REQUIRED_ENV constants). */
function itemsApp(settings: { prefix?: string; csrf?: boolean; requiredEnv?: string[] } = {}, files: Record<string, string | null> = {}): string {
  const server = ITEMS_SERVER.replace("const PREFIX = '';", `const PREFIX = ${JSON.stringify(settings.prefix ?? '')};`)
    .replace('const REQUIRE_CSRF = false;', `const REQUIRE_CSRF = ${Boolean(settings.csrf)};`)
    .replace('const REQUIRED_ENV = [];', `const REQUIRED_ENV = ${JSON.stringify(settings.requiredEnv ?? [])};`);
  return helloVariant({ 'server.js': server, ...files });
}

async function grade(dir: string, exerciseId = 'fixture-diagnosis', frontMatter: Record<string, unknown> = {}) {
  return gradeSubmission(
    {
      jobId: newJobId(),
      exercise: fixtureExercise({ installSeconds: 180 }, exerciseId, frontMatter),
      source: { kind: 'local', path: dir, ref: null },
      subdir: null,
    },
    testGradeEnvironment(docker, 'test-diagnosis', dataDir),
  );
}

describe('When every route sits under a global prefix', () => {
  test('then the result says so once, and with `prefix: /api` in backend-pro.yml it scores what its twin without a prefix scores', async () => {
    const twin = await grade(itemsApp());
    expect(twin).toMatchObject({ status: 'scored', score: 10, diagnosis: null });

    const prefixed = await grade(itemsApp({ prefix: '/api' }));
    expect(prefixed.status).toBe('scored');
    expect(prefixed.score).toBe(0);
    expect(prefixed.diagnosis).toMatchObject({ id: 'global-prefix', cause: 'learner' });
    expect(prefixed.diagnosis?.message).toContain('prefix: /api');
    expect(prefixed.diagnosis?.message).toMatch(/`GET \/api\/hello` → 200/);

    const declared = await grade(itemsApp({ prefix: '/api' }, { 'backend-pro.yml': 'prefix: /api\n' }));
    expect(declared).toMatchObject({ status: 'scored', score: twin.score, diagnosis: null });
    expect(declared.tests.map((test) => test.status)).toEqual(twin.tests.map((test) => test.status));
  });
});

describe('When backend-pro.yml names a prefix the app does not use', () => {
  test('then the result names the prefix the app answers under', async () => {
    const outcome = await grade(itemsApp({ prefix: '/api/v1' }, { 'backend-pro.yml': 'prefix: /api\n' }));
    expect(outcome.status).toBe('scored');
    expect(outcome.diagnosis).toMatchObject({ id: 'global-prefix' });
    expect(outcome.diagnosis?.message).toContain('backend-pro.yml sets `prefix: /api`');
    expect(outcome.diagnosis?.message).toContain('Set `prefix: /api/v1` in backend-pro.yml');
  });
});

describe('When every mutating request needs a CSRF token', () => {
  test('then the result says API routes must not require one, and which requests were refused', async () => {
    const outcome = await grade(itemsApp({ csrf: true }));
    expect(outcome.status).toBe('scored');
    expect(outcome.tests.filter((test) => test.status === 'passed').map((test) => test.id)).toEqual(['items.hello', 'items.list']);
    expect(outcome.diagnosis).toMatchObject({ id: 'csrf-required', cause: 'learner' });
    expect(outcome.diagnosis?.message).toMatch(/must not require a CSRF token/);
    expect(outcome.diagnosis?.message).toMatch(/refused 2 of the 2 POST/);
  });
});

describe('When the app connects to localhost:5432 with its own credentials', () => {
  test('then the result names the variables the pod gives instead of "your app exited"', async () => {
    const connect =
      "const { Client } = require('pg');\n" +
      "new Client({ host: 'localhost', port: 5432, user: 'postgres', password: 'postgres', database: 'shop' }).connect().then(\n" +
      "  () => { console.log('connected'); require('./server-items'); },\n" +
      '  (error) => { console.error(error); process.exit(1); },\n' +
      ');\n';
    const app = itemsApp(
      {},
      {
        'package.json': JSON.stringify({
          name: 'fixture-db',
          version: '1.0.0',
          private: true,
          scripts: { start: 'node server.js' },
          dependencies: { pg: '8.13.1' },
        }),
        'package-lock.json': null,
      },
    );
    fs.renameSync(path.join(app, 'server.js'), path.join(app, 'server-items.js'));
    fs.writeFileSync(path.join(app, 'server.js'), connect);
    const outcome = await grade(app);
    expect(outcome.status).toBe('error');
    expect(outcome.diagnosis).toMatchObject({ id: 'database-connection', cause: 'learner' });
    expect(outcome.diagnosis?.message).toMatch(/password authentication failed|ECONNREFUSED/);
    expect(outcome.diagnosis?.message).toContain('`DATABASE_URL`');
    expect(outcome.diagnosis?.message).toContain('`PGPASSWORD`');
  });
});

describe('When the app requires a third-party key at boot', () => {
  test('then the result names the key and the backend-pro.yml literal, and with that literal the app boots and scores', async () => {
    const missing = await grade(itemsApp({ requiredEnv: ['MAIL_API_KEY'] }));
    expect(missing.status).toBe('error');
    expect(missing.diagnosis).toMatchObject({ id: 'missing-env-variable', cause: 'learner' });
    expect(missing.diagnosis?.message).toContain('`MAIL_API_KEY`');
    expect(missing.diagnosis?.message).toContain('env: { MAIL_API_KEY: { value: "dummy" } }');

    const given = await grade(itemsApp({ requiredEnv: ['MAIL_API_KEY'] }, { 'backend-pro.yml': 'env:\n  MAIL_API_KEY: { value: x }\n' }));
    expect(given).toMatchObject({ status: 'scored', score: 10, diagnosis: null });
  });
});

describe('When the app listens on a port of its own', () => {
  test('then the result names that port and PORT', async () => {
    const server = ITEMS_SERVER.replace(
      'server.listen(Number(process.env.PORT), () => console.log(`listening on ${process.env.PORT}`));',
      "server.listen(8080, () => console.log('Server listening on port 8080'));",
    );
    expect(server).not.toBe(ITEMS_SERVER);
    const outcome = await grade(helloVariant({ 'server.js': server }));
    expect(outcome.status).toBe('error');
    expect(outcome.diagnosis).toMatchObject({ id: 'port-not-read', cause: 'learner' });
    expect(outcome.diagnosis?.message).toContain('process.env.PORT ?? 8080');
  });
});

describe('When backend-pro.yml does not validate', () => {
  test('then the error has one line per problem with its key path and the schema page, not a zod dump', async () => {
    const outcome = await grade(itemsApp({}, { 'backend-pro.yml': 'env:\n  MAIL_KEY: mail-key\n  DATABASE_URL: { value: x }\nprefix: api v1\nport: 3000\n' }));
    expect(outcome.status).toBe('error');
    expect(outcome.stages.map((stage) => stage.stage)).toEqual(['cloning', 'error']);
    expect(outcome.diagnosis).toMatchObject({ id: 'backend-pro-yml-invalid', cause: 'learner' });
    const lines = outcome.message?.split('\n').filter((line) => line.startsWith('- ')) ?? [];
    expect(lines).toEqual([
      '- port: is not a setting of backend-pro.yml (the settings are env, prefix, phases)',
      '- env.MAIL_KEY: must be a platform variable name like DATABASE_URL, or { value: "…" } ("mail-key" is not a variable the platform gives)',
      "- env.DATABASE_URL: is the platform's own variable and cannot be given a value; map a name of your own to it instead",
      '- prefix: must be the path every route of your app sits under, such as /api or /api/v1',
    ]);
    expect(outcome.message).toContain('docs/backend-pro-yml.md');
    expect(outcome.message).not.toMatch(/invalid_type|"code"|ZodError/);
  });
});

describe('When an exercise has a probe that fails', () => {
  test("then the probes are a stage of their own, the failure is the check's, and the app starts on a fresh database", async () => {
    const outcome = await grade(helloVariant(), 'fixture-probes', {
      workspace: true,
      probes: [{ name: 'marker', run: 'echo "probe-ran as $(id -u)"; exit 3' }],
    });
    expect(outcome.message).toBeNull();
    expect(outcome.stages.map((stage) => stage.stage)).toEqual(['cloning', 'installing', 'building', 'probing', 'starting', 'testing', 'scored']);
    expect(outcome.stages.find((stage) => stage.stage === 'probing')?.detail).toBe('marker');
    expect(outcome.stages.find((stage) => stage.stage === 'starting')?.detail).toBe('probe marker failed: the app starts on a fresh database');
    expect(outcome.tests.find((test) => test.id === 'probes.reported')?.status).toBe('passed');
  });
});
