/**
 * Parts the fault tests (test/faults/) break on purpose, each one the test's OWN: a grading worker
 * as a separate OS process (to kill -9), a redis-server on a free port with an append-only file
 * (to restart without losing the queue), a PostgreSQL cluster in a temp folder (to stop and start
 * while the web server runs). The suite's shared PostgreSQL and Redis are never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import Docker from 'dockerode';
import { Client } from 'pg';
import { isRoot, runCommand } from '../../scripts/lib/services/process';
import { redisCommand } from '../../scripts/lib/services/redis';
import { initdbArgs } from '../../scripts/lib/services/postgres';
import { closePool, getPool } from '../../core/db/sql';
import { selectOptionalSubmission, type Submission } from '../../core/models/submissions';
import { createGradingQueue, createRedisConnection } from '../../core/queue';
import { createSubmission } from '../../server/lib/createSubmission';
import { JOB_LABEL } from '../../worker/sandbox/sandbox';
import type { TestDatabase } from './database';
import { FIXTURES, helloVariant } from './fixtures';
import type { GitServer } from './gitServer';

const ROOT = path.resolve(__dirname, '..', '..');

/** Polls `check` until it returns a value other than undefined/false; throws with `what` at the deadline. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The shared services' ports (scripts/lib/services): never handed out, even when free for a moment. */
const SERVICE_PORTS = new Set([Number(process.env.BACKENDPRO_PG_PORT ?? 54329), Number(process.env.BACKENDPRO_REDIS_PORT ?? 63790)]);

/** A TCP port nobody listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await kernelPort();
    if (!SERVICE_PORTS.has(port)) return port;
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The ids of every container (running or not) of one grading job. */
export async function jobContainers(docker: Docker, jobId: string): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${JOB_LABEL}=${jobId}`] } });
  return containers.map((info) => info.Id);
}

/**
 * What a fault test grades with: the engine, a DATA_DIR and a queue (random name `<name>-…`) of its
 * own on the suite's Redis, and the web form's git policy (loopback git server allowed).
 */
export function faultQueue(name: string) {
  const redisUrl = process.env.REDIS_URL!;
  const queueName = `${name}-${crypto.randomBytes(4).toString('hex')}`;
  const connection = createRedisConnection(redisUrl, 'worker');
  return {
    docker: new Docker(),
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `bp-${name}-`)),
    queueName,
    redisUrl,
    connection,
    queue: createGradingQueue(connection, queueName),
    policy: { allowedHosts: [] as string[], httpHosts: ['127.0.0.1'] },
  };
}

/** Publishes `appDir` on the git server as `name` and submits it the way the web form does. */
export async function submitApp(
  git: GitServer,
  queue: ReturnType<typeof createGradingQueue>,
  userId: number,
  name: string,
  appDir: string,
  policy: { allowedHosts: string[]; httpHosts: string[] },
): Promise<Submission> {
  const repo = git.publish(name, appDir);
  return createSubmission({ userId, exerciseId: 'fixture-hello', repoUrl: repo.url, source: 'web' }, policy, queue);
}

/** Removes every container of every submission in the test's database: whatever a failed test left. */
export async function removeSubmissionContainers(docker: Docker): Promise<void> {
  const { rows } = await getPool().query<{ id: string }>('SELECT id FROM submissions');
  await Promise.all(
    rows.map(async ({ id }) =>
      Promise.all(
        (await jobContainers(docker, id)).map((cid) =>
          docker
            .getContainer(cid)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      ),
    ),
  );
}

/** The end of a test file on a queue of its own: the queue closed, its connection, the git server, the pool and the database gone, DATA_DIR removed. */
export async function closeTestQueue(
  bed: { queue: ReturnType<typeof createGradingQueue>; connection: { disconnect(): void }; dataDir: string },
  git: GitServer,
  database: TestDatabase,
): Promise<void> {
  await bed.queue.close();
  bed.connection.disconnect();
  await git.close();
  await closePool();
  await database.drop();
  fs.rmSync(bed.dataDir, { recursive: true, force: true });
}

/** The hello app, listening only after `delayMs` (a job that stays in flight long enough to be hit). */
export function slowHelloVariant(delayMs: number): string {
  const server = fs.readFileSync(path.join(FIXTURES, 'apps', 'hello', 'server.js'), 'utf8');
  const listen = 'server.listen(Number(process.env.PORT)';
  if (!server.includes(listen)) throw new Error('the hello fixture no longer listens the way slowHelloVariant expects');
  return helloVariant({ 'server.js': server.replace(listen, `setTimeout(() => ${listen}`).replace(/\);\s*$/, `), ${delayMs});\n`) });
}

// --- a worker process ----------------------------------------------------------------------------

export interface WorkerProcess {
  pid: number;
  /** Its stderr (the pino log), for failure messages. */
  log(): string;
  alive(): boolean;
  /** kill -9, and waits for the process to be gone. */
  killHard(): Promise<void>;
  /** SIGTERM (finishes the jobs in hand), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts test/support/workerProcess.ts (one OS process) with `env` on top of this process's environment; resolves once it consumes the queue. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  // `node --import tsx`, not the tsx command: that one runs the script in a child process, which
  // a SIGKILL of the command would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'support', 'workerProcess.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-64 * 1024)));
  const handle: WorkerProcess = {
    pid: child.pid!,
    log: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    async killHard() {
      if (handle.alive()) child.kill('SIGKILL');
      await exited(child);
    },
    async stop(graceMs = 30_000) {
      if (!handle.alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
  };
  try {
    await until(
      'the worker process to be ready',
      () => {
        if (!handle.alive()) throw new Error(`the worker process exited: ${stderr.slice(-2000)}`);
        return /^ready \d+$/m.test(stdout);
      },
      60_000,
      100,
    );
  } catch (error) {
    await handle.killHard();
    throw new Error(`${(error as Error).message}\n${stderr.slice(-2000)}`, { cause: error });
  }
  return handle;
}

// --- a redis-server of the test's own ------------------------------------------------------------

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGTERM (Redis writes its append-only file and exits), and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-fault-redis-'));
  let child: ChildProcess | undefined;
  const ping = () => redisCommand('127.0.0.1', port, 'PING', 500);
  const own: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
      child = spawn(
        '/usr/bin/redis-server',
        ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no'],
        { stdio: ['ignore', log, log] },
      );
      fs.closeSync(log);
      const started = child;
      await until(
        `redis-server on port ${port} to answer`,
        async () => {
          if (started.exitCode !== null) throw new Error(`redis-server exited: ${fs.readFileSync(path.join(dir, 'redis.log'), 'utf8').slice(-1000)}`);
          return (await ping()) === '+PONG';
        },
        15_000,
        100,
      );
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const stopping = child;
      stopping.kill('SIGTERM');
      const timer = setTimeout(() => stopping.kill('SIGKILL'), 10_000);
      await exited(stopping);
      clearTimeout(timer);
    },
    async destroy() {
      await own.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}

// --- a PostgreSQL cluster of the test's own ------------------------------------------------------

export interface OwnPostgres {
  url: string;
  /** pg_ctl stop -m fast: every connection is cut, like a crash or a restart. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const version = fs
    .readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a))
    .find((entry) => fs.existsSync(path.join(root, entry, 'bin', name)));
  if (!version) throw new Error(`no ${name} under ${root}`);
  return path.join(root, version, 'bin', name);
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user (as scripts/lib/services/postgres.ts does). */
async function asClusterOwner(binary: string, args: string[]): Promise<void> {
  const [command, commandArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  const result = await runCommand(command, commandArgs, { timeoutMs: 90_000 });
  if (result.code !== 0) throw new Error(`${path.basename(binary)} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const port = await freePort();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-fault-pg-'));
  const dir = path.join(root, 'data');
  const logPath = path.join(root, 'postgres.log');
  const password = crypto.randomBytes(18).toString('hex');
  const pwfile = path.join(root, 'pw');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  fs.writeFileSync(logPath, '');
  if (isRoot()) {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('postgres:'));
    if (!line) throw new Error('running as root without a `postgres` user to run PostgreSQL as');
    const [, , uid, gid] = line.split(':').map(Number);
    for (const file of [root, pwfile, logPath]) fs.chownSync(file, uid, gid);
  }
  const own: OwnPostgres = {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async start() {
      await asClusterOwner(postgresBin('pg_ctl'), ['-D', dir, '-l', logPath, '-w', '-t', '60', 'start']);
    },
    async stop() {
      if (!fs.existsSync(path.join(dir, 'postmaster.pid'))) return;
      await asClusterOwner(postgresBin('pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']);
    },
    async destroy() {
      await own.stop().catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await asClusterOwner(postgresBin('initdb'), initdbArgs(dir, pwfile));
    fs.rmSync(pwfile, { force: true });
    fs.appendFileSync(
      path.join(dir, 'postgresql.conf'),
      ['', '# test/support/faults.ts', "listen_addresses = '127.0.0.1'", `port = ${port}`, "unix_socket_directories = ''", 'fsync = off', ''].join('\n'),
    );
    await own.start();
  } catch (error) {
    await own.destroy();
    throw error;
  }
  return own;
}

/** Whether a PostgreSQL URL answers a query right now. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The submission once it has a result (scored or error), polled from the database. */
export async function waitUntilFinished(id: string, timeoutMs = 150_000): Promise<Submission> {
  return until(
    `submission ${id} to finish`,
    async () => {
      const submission = await selectOptionalSubmission(id);
      return submission && (submission.status === 'scored' || submission.status === 'error') ? submission : undefined;
    },
    timeoutMs,
    500,
  );
}

/** How many results rows a submission has (a retry must never make two). */
export async function resultCount(id: string): Promise<number> {
  const { rows } = await getPool().query<{ n: number }>('SELECT count(*)::int AS n FROM results WHERE submission_id = $1', [id]);
  return rows[0].n;
}
