/**
 * Fault: PostgreSQL restarts while the web server serves. The test runs its OWN cluster (initdb in
 * a temp folder, a free port; the suite's shared PostgreSQL is never touched), migrates it, and
 * serves the real app on it. During the outage a request gets a clear error page (5xx with an
 * error id, no internals) and the process keeps serving; once PostgreSQL is back, sign-in and
 * submitting work again without restarting the server (the pg Pool reconnects).
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { parseConfig } from '../../core/config';
import { runMigrations } from '../../server/db/migrate';
import { closePool, getPool, initPool } from '../../core/db/sql';
import { loadExercises } from '../../server/exercises/load';
import { createGradingQueue, createGradingQueueEvents, createRedisConnection } from '../../core/queue';
import { postgresAnswers, startOwnPostgres, type OwnPostgres } from '../support/faults';
import { recordCase } from '../support/securityCases';
import { Browser, closeQueueClients, csrfTokenOf, serveWebApp, stopWebApp, type WebApp } from '../web/support';

jest.setTimeout(180_000);

const redisUrl = process.env.REDIS_URL!;
const queueName = `fault-pg-${randomBytes(4).toString('hex')}`;
const producer = createRedisConnection(redisUrl, 'producer');
const queue = createGradingQueue(producer, queueName);
const queueEvents = createGradingQueueEvents(redisUrl, queueName);
let postgres: OwnPostgres;
let web: WebApp;

beforeAll(async () => {
  postgres = await startOwnPostgres();
  const migrator = new Pool({ connectionString: postgres.url, max: 1 });
  await runMigrations(migrator);
  await migrator.end();
  initPool(postgres.url, 5);
  await loadExercises();
  await queue.waitUntilReady();
  await queueEvents.waitUntilReady();
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: postgres.url,
    REDIS_URL: redisUrl,
    QUEUE_NAME: queueName,
    GIT_HTTP_HOSTS: '127.0.0.1',
    RATE_LIMIT_SIGNIN_PER_MINUTE: '10000',
    RATE_LIMIT_SUBMIT_PER_MINUTE: '10000',
  });
  web = await serveWebApp(config, { queue, queueEvents, producer }, pino({ level: 'silent' }));
});

afterAll(async () => {
  if (web) await stopWebApp(web);
  await closeQueueClients({ queue, queueEvents, producer });
  await closePool().catch(() => undefined);
  await postgres?.destroy();
});

/** An outage page: 503, a readable message and an error id, nothing internal. */
function expectCleanErrorPage(response: request.Response): void {
  expect(response.status).toBe(503);
  expect(response.text).toMatch(/briefly unavailable \(a service it needs is restarting\)\. Nothing you submitted is lost/);
  expect(response.text).toMatch(/Error id <span class="mono">[0-9a-f]{12}<\/span>/);
  expect(response.text).not.toMatch(/ECONNREFUSED|terminating connection|\bat [\w.<>]+ \(|node_modules|postgres:\/\//);
}

describe('When PostgreSQL restarts while the server is serving', () => {
  test('then requests during the outage get a clear error page, and sign-in and submitting work again afterwards without restarting the server', async () => {
    const ada = await Browser.signedIn(web, 'ada');
    const phasePage = await ada.get('/phases/phase-1-auth');
    expect(phasePage.status).toBe(200);
    const token = csrfTokenOf(phasePage.text);
    expect((await request(web.server).get('/healthz')).status).toBe(200);

    const stoppedAt = Date.now();
    await postgres.stop();
    expect(await postgresAnswers(postgres.url)).toBe(false);

    // During the outage: a page, a submission (form token from before) and the health check.
    const page = await ada.get('/phases/phase-1-auth');
    expectCleanErrorPage(page);
    const refused = await ada.post('/phases/phase-1-auth/submissions', { repo_url: 'https://github.com/ada/auth', _csrf: token }, { csrf: false });
    expectCleanErrorPage(refused);
    const health = await request(web.server).get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toEqual({ ok: false, error: 'database unavailable' });
    expect(web.server.listening).toBe(true);

    await postgres.start();
    const downSeconds = (Date.now() - stoppedAt) / 1000;

    // Back: the same server, the same pool. The session made before the outage is still valid.
    expect((await request(web.server).get('/healthz')).status).toBe(200);
    expect((await ada.get('/phases/phase-1-auth')).status).toBe(200);
    // The submission refused during the outage left nothing half-made.
    const { rows: adaRows } = await getPool().query("SELECT s.id FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.login = 'ada'");
    expect(adaRows).toEqual([]);
    expect(await queue.count()).toBe(0);
    const grace = await Browser.signedIn(web, 'grace');
    const submitted = await grace.post('/phases/phase-1-auth/submissions', { repo_url: 'https://github.com/grace/auth' }, { formPage: '/phases/phase-1-auth' });
    expect(submitted.status).toBe(303);
    const id = /\/submissions\/([0-9a-f-]{36})$/.exec(submitted.headers.location)?.[1];
    expect(id).toBeDefined();
    const { rows } = await getPool().query<{ status: string; login: string }>(
      'SELECT s.status, u.login FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.id = $1',
      [id],
    );
    expect(rows).toEqual([{ status: 'queued', login: 'grace' }]);
    expect(await queue.getJobState(id!)).toBe('waiting');
    expect((await grace.get(`/submissions/${id}`)).status).toBe(200);

    recordCase({
      area: 'Fault',
      case: 'PostgreSQL stopped (pg_ctl stop -m fast) and started again while the web server serves',
      outcome: `during the outage: a page and a submission answered ${page.status}/${refused.status} with an error id, nothing stored, /healthz 503, the server kept serving; afterwards the old session, a new sign-in and a submission worked without a restart`,
      seconds: downSeconds,
    });
  });
});
