/**
 * Brings up what the platform needs on one machine: PostgreSQL, Redis, the Docker engine and the
 * sandbox images. Idempotent: whatever already answers is left alone.
 *
 *   tsx scripts/services.ts up       start everything (default) and print ServicesInfo as JSON
 *   tsx scripts/services.ts status   say what answers, start nothing
 *   tsx scripts/services.ts down     stop the local PostgreSQL and Redis, and dockerd if this script started it
 *
 * Settings (all optional): DATABASE_URL, REDIS_URL, DOCKER_HOST (use those instead of local ones),
 * BACKENDPRO_PG_PORT (54329), BACKENDPRO_REDIS_PORT (63790), BACKENDPRO_PULL_BASE=1 (try pulling
 * the official base images), BACKENDPRO_NODE_BASE / BACKENDPRO_DEBIAN_BASE (base image references),
 * BACKENDPRO_DEBIAN_MIRROR, BACKENDPRO_DOCKERD_TIMEOUT_MS, BACKENDPRO_KEEP_IMAGES=1 (keep the older
 * tags of rebuilt images: several checkouts sharing one engine).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DockerState, dockerStatus, ensureDocker, stopDocker } from './lib/services/docker';
import { ensureImages, type ImageTags } from './lib/services/images';
import { ensurePostgres, postgresStatus, stopPostgres } from './lib/services/postgres';
import { Log, seconds, ServicesError } from './lib/services/process';
import { ensureRedis, redisStatus, stopRedis } from './lib/services/redis';

export { ServicesError } from './lib/services/process';

export interface ServicesInfo {
  databaseUrl: string;
  redisUrl: string;
  dockerSocket: string;
  images: ImageTags;
}

export interface EnsureServicesOptions {
  postgres?: boolean;
  redis?: boolean;
  docker?: boolean;
  images?: boolean;
  log?: (line: string) => void;
}

const REPO_ROOT = path.resolve(__dirname, '..');
const DATA_ROOT = path.join(REPO_ROOT, '.data');
const DOCKER_DIR = path.join(REPO_ROOT, 'docker');
const STATE_FILE = path.join(DATA_ROOT, 'services-state.json');

function readState(): DockerState {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as DockerState;
  } catch {
    return {};
  }
}

function writeState(state: DockerState) {
  fs.mkdirSync(DATA_ROOT, { recursive: true });
  fs.writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * One ensureServices at a time per repository (jest workers, a CLI run beside `npm test`): two
 * processes starting the same cluster or building the same image would trip over each other.
 */
async function withLock<T>(fn: () => Promise<T>, log: Log): Promise<T> {
  const lockFile = path.join(DATA_ROOT, 'services.lock');
  const deadline = Date.now() + 30 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(fs.readFileSync(lockFile, 'utf8') || 0);
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = holder !== process.pid;
      } catch {
        // the holder died: its lock is stale
      }
      if (!alive) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new ServicesError(`another ensureServices (pid ${holder}) holds ${lockFile} for 30 min; stop it or remove the file.`);
      if (!told) log(`waiting for another ensureServices (pid ${holder}) to finish`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function prefixed(log: ((line: string) => void) | undefined): Log {
  const write = log ?? ((line: string) => process.stdout.write(`${line}\n`));
  return (line) => write(`[services] ${line}`);
}

/**
 * Makes sure each asked-for service answers (each defaults to true; images imply docker) and says
 * how to reach it. Fields of skipped services are empty strings. Throws ServicesError with what to
 * install or set when a step cannot succeed.
 */
export async function ensureServices(opts: EnsureServicesOptions = {}): Promise<ServicesInfo> {
  const log = prefixed(opts.log);
  fs.mkdirSync(DATA_ROOT, { recursive: true });
  return withLock(() => ensureUnlocked(opts, log), log);
}

async function ensureUnlocked(opts: EnsureServicesOptions, log: Log): Promise<ServicesInfo> {
  const wantImages = opts.images ?? true;
  const wantDocker = (opts.docker ?? true) || wantImages;
  const info: ServicesInfo = {
    databaseUrl: '',
    redisUrl: '',
    dockerSocket: '',
    images: { runtimes: { '20': '', '22': '', '24': '' }, services: '', tester: '' },
  };
  fs.mkdirSync(DATA_ROOT, { recursive: true });

  // Docker first: starting dockerd takes a few seconds, so PostgreSQL and Redis start meanwhile.
  const docker = wantDocker
    ? (async () => {
        const state = readState();
        info.dockerSocket = await ensureDocker(DATA_ROOT, state, log);
        writeState(state);
        if (wantImages) info.images = await ensureImages(DOCKER_DIR, DATA_ROOT, log);
      })()
    : Promise.resolve();
  const postgres = (opts.postgres ?? true) ? ensurePostgres({ dataRoot: DATA_ROOT }, log).then((url) => (info.databaseUrl = url)) : Promise.resolve();
  const redis = (opts.redis ?? true) ? ensureRedis(DATA_ROOT, log).then((url) => (info.redisUrl = url)) : Promise.resolve();
  const results = await Promise.allSettled([docker, postgres, redis]);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new ServicesError(failures.map((f) => f.message).join('\n[services] '));
  return info;
}

/** Stops the local PostgreSQL and Redis, and the dockerd this script started; never anything named by a URL. */
export async function stopServices(log?: (line: string) => void): Promise<void> {
  const write = prefixed(log);
  if (!process.env.DATABASE_URL) await stopPostgres({ dataRoot: DATA_ROOT }, write);
  if (!process.env.REDIS_URL) await stopRedis(DATA_ROOT, write);
  const state = readState();
  await stopDocker(state, write);
  writeState(state);
}

/**
 * Stops the dockerd this script started and starts it again after `downMs` (the engine-restart
 * fault test). Never touches an engine it did not start (a system one, DOCKER_HOST): returns false.
 */
export async function restartDocker(options: { downMs?: number; log?: (line: string) => void } = {}): Promise<boolean> {
  const log = prefixed(options.log);
  return withLock(async () => {
    const state = readState();
    if (process.env.DOCKER_HOST || !state.dockerdPid || !(await dockerStatus()).startsWith('up')) return false;
    await stopDocker(state, log);
    if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
    await ensureDocker(DATA_ROOT, state, log);
    writeState(state);
    return true;
  }, log);
}

/** Whether restartDocker would restart the engine (it was started by this script and answers). */
export function canRestartDocker(): boolean {
  const pid = readState().dockerdPid;
  if (process.env.DOCKER_HOST || !pid) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('dockerd');
  } catch {
    return false;
  }
}

async function main(command: string) {
  const startedAt = Date.now();
  if (command === 'up') {
    const info = await ensureServices();
    process.stdout.write(`[services] all up (${seconds(startedAt)})\n${JSON.stringify(info, null, 2)}\n`);
  } else if (command === 'down') {
    await stopServices();
  } else if (command === 'status') {
    const [pg, redis, docker] = await Promise.all([postgresStatus({ dataRoot: DATA_ROOT }), redisStatus(), dockerStatus()]);
    process.stdout.write(`[services] postgres: ${pg}\n[services] redis: ${redis}\n[services] docker: ${docker}\n`);
  } else {
    throw new ServicesError(`unknown command "${command}": use up, down or status`);
  }
}

if (require.main === module) {
  main(process.argv[2] ?? 'up').catch((error: unknown) => {
    process.stderr.write(`[services] ${error instanceof ServicesError ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exit(1);
  });
}
