/**
 * The real web server for tests: a fresh migrated database (test/support/database.ts), the
 * exercises loaded from exercises/, a randomly named BullMQ queue on the real Redis, and
 * createApp listening on port 0. `Browser` keeps one session cookie, like a person would.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type express from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app';
import { parseConfig, type Config } from '../../core/config';
import { closePool, initPool } from '../../core/db/sql';
import type { SubmissionEventHub } from '../../server/events/hub';
import { loadExercises } from '../../server/exercises/load';
import { createGradingQueue, createGradingQueueEvents, createRedisConnection, type GradingJobData } from '../../core/queue';
import type { Outcome } from '../../core/models/results';
import { createTestDatabase, type TestDatabase } from '../support/database';

export interface WebApp {
  url: string;
  /** The express app itself (e.g. to walk its router). */
  app: express.Express;
  server: http.Server;
  config: Config;
  hub: SubmissionEventHub;
}

export interface WebTestContext {
  database: TestDatabase;
  queue: Queue<GradingJobData>;
  queueEvents: QueueEvents;
  queueName: string;
  redisUrl: string;
  /** Starts one more app on the same database and queue (e.g. with NODE_ENV=production). */
  startApp(env?: Record<string, string>): Promise<WebApp>;
  close(): Promise<void>;
}

/** A fresh context and one app on it: what most web test files start in beforeAll (and close with `context.close()`). */
export async function startWebTestApp(): Promise<{ context: WebTestContext; app: WebApp }> {
  const context = await startWebTestContext();
  return { context, app: await context.startApp() };
}

export async function startWebTestContext(): Promise<WebTestContext> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set: run the suite with `npm test` (or set DATABASE_URL and REDIS_URL)');
  const database = await createTestDatabase();
  initPool(database.url, 5);
  await loadExercises();
  const queueName = `web-test-${randomBytes(5).toString('hex')}`;
  const producer = createRedisConnection(redisUrl, 'producer');
  const queue = createGradingQueue(producer, queueName);
  const queueEvents = createGradingQueueEvents(redisUrl, queueName);
  await queueEvents.waitUntilReady();
  await queue.waitUntilReady();
  const apps: WebApp[] = [];
  const logger = pino({ level: process.env.WEB_TEST_LOG_LEVEL ?? 'silent' });

  return {
    database,
    queue,
    queueEvents,
    queueName,
    redisUrl,
    async startApp(env = {}) {
      const config = parseConfig({
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        QUEUE_NAME: queueName,
        INSTRUCTORS: 'prof',
        GIT_HTTP_HOSTS: '127.0.0.1',
        // The suites sign in and submit far faster than people: generous limits unless a test
        // sets its own (test/web/security.test.ts checks the limits themselves with small ones).
        RATE_LIMIT_SIGNIN_PER_MINUTE: '10000',
        RATE_LIMIT_SUBMIT_PER_MINUTE: '10000',
        RATE_LIMIT_WEBHOOK_PER_MINUTE: '10000',
        RATE_LIMIT_GITHUB_PER_MINUTE: '10000',
        ...env,
      });
      const webApp = await serveWebApp(config, { queue, queueEvents, producer }, logger);
      apps.push(webApp);
      return webApp;
    },
    async close() {
      for (const app of apps) await stopWebApp(app);
      await closeQueueClients({ queue, queueEvents, producer });
      await closePool();
      await database.drop();
    },
  };
}

interface QueueClients {
  queue: Queue<GradingJobData>;
  queueEvents: QueueEvents;
  producer: Redis;
}

/** The platform's web app with `config`, listening on a free loopback port. */
export async function serveWebApp(config: Config, { queue, queueEvents, producer }: QueueClients, logger: pino.Logger): Promise<WebApp> {
  const app = createApp({ config, queue, queueEvents, redis: producer, logger });
  const server = await new Promise<http.Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, server, config, hub: app.locals.eventHub as SubmissionEventHub };
}

/** Stops a web app: its event streams, its connections, its server. */
export async function stopWebApp(app: WebApp): Promise<void> {
  app.hub.close();
  app.server.closeAllConnections();
  await new Promise((resolve) => app.server.close(resolve));
}

/** Empties a test's own queue and closes it, its events and its producer connection. */
export async function closeQueueClients({ queue, queueEvents, producer }: QueueClients): Promise<void> {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queueEvents.close();
  await queue.close();
  producer.disconnect();
}

/** Pulls the CSRF token out of a rendered form. */
export function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1];
}

/** One person's browser: a cookie jar of one session cookie, and form posts with its CSRF token. */
export class Browser {
  cookie = '';

  constructor(readonly app: WebApp) {}

  private remember(response: request.Response): request.Response {
    const setCookie = response.headers['set-cookie'] as unknown as string[] | undefined;
    const session = setCookie?.find((line) => line.startsWith('backend_pro.sid='));
    if (session) {
      const value = session.split(';')[0];
      this.cookie = /^backend_pro\.sid=;/.test(`${value};`) || /Expires=Thu, 01 Jan 1970/.test(session) ? '' : value;
    }
    return response;
  }

  async get(path: string, accept = 'text/html'): Promise<request.Response> {
    return this.remember(await request(this.app.server).get(path).set('Cookie', this.cookie).set('Accept', accept));
  }

  /** Posts a form as the page at `formPage` would, with that page's CSRF token (unless told not to). */
  async post(path: string, fields: Record<string, string>, options: { formPage?: string; csrf?: boolean } = {}): Promise<request.Response> {
    const body: Record<string, string> = { ...fields };
    if (options.csrf !== false) body._csrf = csrfTokenOf((await this.get(options.formPage ?? '/')).text);
    return this.remember(await request(this.app.server).post(path).set('Cookie', this.cookie).type('form').send(body));
  }

  async signIn(login: string): Promise<void> {
    const response = await this.post('/auth/dev', { login });
    if (response.status !== 303) throw new Error(`dev sign-in failed: ${response.status} ${response.text.slice(0, 200)}`);
  }

  /** A new browser, signed in as `login` (dev sign-in). */
  static async signedIn(app: WebApp, login: string): Promise<Browser> {
    const browser = new Browser(app);
    await browser.signIn(login);
    return browser;
  }
}

/** A result to store for a submission (storeOutcome): scored 0/100 in 1 s, with no tests, log or warnings, unless `fields` says otherwise. */
export function outcome(fields: Partial<Outcome>): Outcome {
  return { status: 'scored', cause: null, message: null, score: 0, maxScore: 100, executionTimeMs: 1000, tests: [], appLog: null, warnings: [], ...fields };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** A Server-Sent Events client on a raw HTTP request, so a test can read events as they come. */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  ended = false;
  private buffer = '';
  private request: http.ClientRequest | undefined;
  private waiters: Array<() => void> = [];

  static async open(app: WebApp, path: string, cookie: string): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      client.request = http.get(`${app.url}${path}`, { headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (response) => {
        client.status = response.statusCode ?? 0;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => client.receive(chunk));
        response.on('end', () => {
          client.ended = true;
          client.notify();
        });
        response.on('error', () => undefined);
        resolve();
      });
      client.request.on('error', reject);
    });
    return client;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let boundary: number;
    while ((boundary = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, boundary);
      this.buffer = this.buffer.slice(boundary + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) this.events.push({ event, data: JSON.parse(data.join('\n')) });
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves with the first event (from the start) matching `predicate`; rejects after `timeoutMs`. */
  async waitFor(predicate: (event: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended without the event; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for an event; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForEnd(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the stream did not end');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.request?.destroy();
  }
}

/** Polls until `check` passes (for effects that happen after a response, e.g. a disconnect). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
