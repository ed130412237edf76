import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { aptInstall, findExecutable, isRoot, Log, mustRun, runCommand, seconds, ServicesError, tailFile } from './process';

export const DATABASES = ['backendpro', 'backendpro_test'];

export interface PostgresPaths {
  /** `<repo>/.data` */
  dataRoot: string;
}

function clusterDir(paths: PostgresPaths) {
  return path.join(paths.dataRoot, 'postgres');
}
function passwordFile(paths: PostgresPaths) {
  return path.join(paths.dataRoot, 'postgres-password');
}
function logFile(paths: PostgresPaths) {
  return path.join(paths.dataRoot, 'postgres.log');
}
function port(): number {
  return Number(process.env.BACKENDPRO_PG_PORT ?? 54329);
}

function urlFor(password: string, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port()}/${database}`;
}

/** Connects, runs `fn`, disconnects; resolves to the error instead of throwing. */
async function withClient<T>(connectionString: string, fn: (client: Client) => Promise<T>, timeoutMs = 2000): Promise<T | Error> {
  const client = new Client({ connectionString, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } catch (error) {
    return error as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The PostgreSQL binaries: PATH first, then Debian's versioned directory (newest). */
function findBinDir(): string | undefined {
  const initdb = findExecutable('initdb');
  if (initdb && findExecutable('pg_ctl')) return path.dirname(fs.realpathSync(initdb));
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(root, v, 'bin')).find((dir) => fs.existsSync(path.join(dir, 'initdb')));
}

/** initdb's arguments for a cluster in `dir`: superuser postgres (password read from `pwfile`), password logins only, UTF-8. */
export function initdbArgs(dir: string, pwfile: string): string[] {
  return [
    '-D',
    dir,
    '-U',
    'postgres',
    `--pwfile=${pwfile}`,
    '--auth-local=scram-sha-256',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-instructions',
  ];
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` system user. */
function asClusterOwner(binary: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

function postgresUserIds(): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) {
    throw new ServicesError(
      'Running as root, but there is no `postgres` system user to run PostgreSQL as. apt-get install -y postgresql creates it (or: adduser --system --group postgres).',
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The postgres user must be able to reach the data directory: add o+x to any parent that lacks it. */
function ensureTraversable(dir: string, log: Log) {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const mode = fs.statSync(current).mode;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(current, mode | 0o001);
      log(`postgres: chmod o+x ${current} so the postgres user can reach ${dir}`);
    }
    if (current === path.dirname(current)) break;
  }
}

async function ensureDatabases(password: string): Promise<string[]> {
  const created: string[] = [];
  const existing = await withClient(urlFor(password, 'postgres'), async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
    for (const name of DATABASES) {
      if (!rows.some((row) => row.datname === name)) {
        await client.query(`CREATE DATABASE ${name}`);
        created.push(name);
      }
    }
  });
  if (existing instanceof Error) throw new ServicesError(`postgres: could not create databases: ${existing.message}`);
  for (const name of created) {
    const result = await withClient(urlFor(password, name), (client) => client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
    if (result instanceof Error) throw new ServicesError(`postgres: could not create pg_stat_statements in ${name}: ${result.message}`);
  }
  return created;
}

async function initCluster(binDir: string, paths: PostgresPaths, password: string, log: Log) {
  const dir = clusterDir(paths);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // initdb reads the superuser's password from a file the cluster owner can read; it is removed at once.
  const pwfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backendpro-pg-')), 'pw');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = postgresUserIds();
    ensureTraversable(dir, log);
    fs.chownSync(dir, uid, gid);
    fs.chownSync(path.dirname(pwfile), uid, gid);
    fs.chownSync(pwfile, uid, gid);
  }
  try {
    const [cmd, args] = asClusterOwner(path.join(binDir, 'initdb'), initdbArgs(dir, pwfile));
    await mustRun(cmd, args, `initdb failed; remove ${dir} and run again.`);
  } finally {
    fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
  }
  // The port is given at start (-c port=…) so that BACKENDPRO_PG_PORT can change it without a new cluster.
  fs.appendFileSync(
    path.join(dir, 'postgresql.conf'),
    [
      '',
      '# Backend Pro (scripts/services.ts)',
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      "shared_preload_libraries = 'pg_stat_statements'",
      'pg_stat_statements.track = all',
      'max_connections = 200',
      '',
    ].join('\n'),
  );
}

/**
 * Makes sure PostgreSQL answers and returns the URL of the `backendpro` database.
 * Honours DATABASE_URL; otherwise runs its own cluster in `.data/postgres` on 127.0.0.1:54329.
 */
export async function ensurePostgres(paths: PostgresPaths, log: Log): Promise<string> {
  const startedAt = Date.now();
  const given = process.env.DATABASE_URL;
  if (given) {
    const result = await withClient(given, (client) => client.query('SELECT 1'), 5000);
    if (result instanceof Error) {
      throw new ServicesError(
        `postgres: DATABASE_URL is set but does not answer (${result.message}). Start that server, or unset DATABASE_URL to use the local cluster.`,
      );
    }
    log(`postgres: DATABASE_URL answers (${seconds(startedAt)})`);
    return given;
  }

  const dir = clusterDir(paths);
  const initialized = fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (initialized && !fs.existsSync(passwordFile(paths))) {
    throw new ServicesError(`postgres: ${dir} exists but ${passwordFile(paths)} is missing; stop that cluster and remove ${dir} to start over.`);
  }
  fs.mkdirSync(paths.dataRoot, { recursive: true });
  if (!fs.existsSync(passwordFile(paths))) {
    fs.writeFileSync(passwordFile(paths), randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  const password = fs.readFileSync(passwordFile(paths), 'utf8').trim();
  const url = urlFor(password, 'backendpro');

  const probe = await withClient(urlFor(password, 'postgres'), (client) => client.query('SELECT 1'), 1500);
  if (!(probe instanceof Error)) {
    const created = await ensureDatabases(password);
    log(`postgres: already running on 127.0.0.1:${port()}${created.length ? `, created ${created.join(', ')}` : ''} (${seconds(startedAt)})`);
    return url;
  }
  if ((probe as { code?: string }).code === '28P01') {
    throw new ServicesError(
      `postgres: something on 127.0.0.1:${port()} rejects the password in ${passwordFile(paths)}. Stop it, or set BACKENDPRO_PG_PORT to another port.`,
    );
  }

  let binDir = findBinDir();
  if (!binDir) {
    await aptInstall(['postgresql'], 'PostgreSQL (initdb, pg_ctl)', (line) => log(`postgres: ${line}`));
    binDir = findBinDir();
    if (!binDir) throw new ServicesError('postgres: initdb is still not found after installing postgresql; add its bin directory to PATH.');
  }
  if (!initialized) await initCluster(binDir, paths, password, log);
  const running = runningPostmaster(dir);
  if (running) {
    throw new ServicesError(
      `postgres: the cluster in ${dir} already runs (pid ${running.pid}) on port ${running.port}, not ${port()}, or does not answer. Stop it (tsx scripts/services.ts down) or set BACKENDPRO_PG_PORT=${running.port}.`,
    );
  }

  const logPath = logFile(paths);
  if (!fs.existsSync(logPath)) fs.writeFileSync(logPath, '');
  if (isRoot()) {
    const { uid, gid } = postgresUserIds();
    fs.chownSync(logPath, uid, gid);
  }
  const [cmd, args] = asClusterOwner(path.join(binDir, 'pg_ctl'), ['-D', dir, '-l', logPath, '-w', '-t', '60', '-o', `-c port=${port()}`, 'start']);
  const result = await runCommand(cmd, args, { detached: true, timeoutMs: 90_000 });
  if (result.code !== 0) {
    throw new ServicesError(
      `postgres: pg_ctl start failed (${result.code}): ${result.stderr.trim()}\n${tailFile(logPath, 15)}\nSee ${logPath}. Is port ${port()} taken? Set BACKENDPRO_PG_PORT to use another.`,
    );
  }
  const created = await ensureDatabases(password);
  log(
    `postgres: ${initialized ? 'started' : 'created and started'} cluster in ${path.relative(process.cwd(), dir) || dir} on 127.0.0.1:${port()}${created.length ? `, created ${created.join(', ')}` : ''} (${seconds(startedAt)})`,
  );
  return url;
}

/** The live postmaster of `dir` from its postmaster.pid (pid, then port on line 4), if any. */
function runningPostmaster(dir: string): { pid: number; port: string } | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale: postgres removes it itself at start
  }
  return { pid, port: lines[3] ?? '?' };
}

/** Stops the local cluster (never a server named by DATABASE_URL). */
export async function stopPostgres(paths: PostgresPaths, log: Log): Promise<void> {
  const dir = clusterDir(paths);
  const binDir = findBinDir();
  if (!binDir || !fs.existsSync(path.join(dir, 'postmaster.pid'))) {
    log('postgres: not running');
    return;
  }
  const startedAt = Date.now();
  const [cmd, args] = asClusterOwner(path.join(binDir, 'pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']);
  await mustRun(cmd, args, `See ${logFile(paths)}.`);
  log(`postgres: stopped (${seconds(startedAt)})`);
}

/** Says whether the local cluster (or DATABASE_URL) answers, without starting anything. */
export async function postgresStatus(paths: PostgresPaths): Promise<string> {
  const given = process.env.DATABASE_URL;
  if (!given && !fs.existsSync(passwordFile(paths))) return 'not set up';
  const url = given ?? urlFor(fs.readFileSync(passwordFile(paths), 'utf8').trim(), 'postgres');
  const result = await withClient(url, (client) => client.query<{ server_version: string }>('SHOW server_version'), 1500);
  return result instanceof Error
    ? `down (${result.message})`
    : `up, PostgreSQL ${result.rows[0]?.server_version ?? '?'}${given ? ' (DATABASE_URL)' : ` on 127.0.0.1:${port()}`}`;
}
