import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';
import { aptInstall, findExecutable, Log, mustRun, seconds, ServicesError, tailFile, waitFor } from './process';

function port(): number {
  return Number(process.env.BACKENDPRO_REDIS_PORT ?? 63790);
}

/** Sends one inline command over plain TCP and resolves to the first reply line ('' when nothing answers). */
export function redisCommand(host: string, redisPort: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: redisPort });
    let reply = '';
    const done = (value: string) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(''));
    socket.on('error', () => done(''));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.split('\r\n')[0] ?? '');
    });
    socket.on('close', () => done(reply));
  });
}

async function pingUrl(url: string): Promise<string | Error> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  // The 'error' event says why (ECONNREFUSED…); connect() itself only says the connection closed.
  let cause: Error | undefined;
  client.on('error', (error: Error) => (cause = error));
  try {
    await client.connect();
    return await client.ping();
  } catch (error) {
    return cause ?? (error as Error);
  } finally {
    client.disconnect();
  }
}

/**
 * Makes sure Redis answers and returns its URL.
 * Honours REDIS_URL; otherwise runs Debian's redis-server on 127.0.0.1:63790 with its files in `.data/redis`.
 */
export async function ensureRedis(dataRoot: string, log: Log): Promise<string> {
  const startedAt = Date.now();
  const given = process.env.REDIS_URL;
  if (given) {
    const reply = await pingUrl(given);
    if (reply instanceof Error) {
      throw new ServicesError(`redis: REDIS_URL is set but does not answer (${reply.message}). Start that server, or unset REDIS_URL to use the local one.`);
    }
    log(`redis: REDIS_URL answers (${seconds(startedAt)})`);
    return given;
  }
  const url = `redis://127.0.0.1:${port()}`;
  const first = await redisCommand('127.0.0.1', port(), 'PING');
  if (first === '+PONG') {
    log(`redis: already running on 127.0.0.1:${port()} (${seconds(startedAt)})`);
    return url;
  }
  if (first !== '') {
    throw new ServicesError(`redis: 127.0.0.1:${port()} answers PING with "${first}". Stop it, or set BACKENDPRO_REDIS_PORT to another port.`);
  }

  let server = findExecutable('redis-server');
  if (!server) {
    await aptInstall(['redis-server'], 'redis-server', (line) => log(`redis: ${line}`));
    server = findExecutable('redis-server');
    if (!server) throw new ServicesError('redis: redis-server is still not found after installing it; add it to PATH.');
  }
  const dir = path.join(dataRoot, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const logPath = path.join(dir, 'redis.log');
  await mustRun(
    server,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port()),
      '--daemonize',
      'yes',
      '--dir',
      dir,
      '--pidfile',
      path.join(dir, 'redis.pid'),
      '--logfile',
      logPath,
      '--appendonly',
      'no',
    ],
    `See ${logPath}.`,
    { detached: true, timeoutMs: 15_000 },
  );
  const up = await waitFor(async () => (await redisCommand('127.0.0.1', port(), 'PING')) === '+PONG', 10_000);
  if (!up) throw new ServicesError(`redis: started but does not answer PING on 127.0.0.1:${port()} after 10 s.\n${tailFile(logPath, 10)}`);
  log(`redis: started on 127.0.0.1:${port()}, files in ${path.relative(process.cwd(), dir) || dir} (${seconds(startedAt)})`);
  return url;
}

/** Stops the local redis-server (it saves its dump first); never one named by REDIS_URL. */
export async function stopRedis(dataRoot: string, log: Log): Promise<void> {
  const startedAt = Date.now();
  const pidFile = path.join(dataRoot, 'redis', 'redis.pid');
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : 0;
  if (!pid || (await redisCommand('127.0.0.1', port(), 'PING')) !== '+PONG') {
    log('redis: not running');
    return;
  }
  process.kill(pid, 'SIGTERM');
  await waitFor(async () => (await redisCommand('127.0.0.1', port(), 'PING')) === '', 10_000);
  log(`redis: stopped (${seconds(startedAt)})`);
}

export async function redisStatus(): Promise<string> {
  const given = process.env.REDIS_URL;
  if (given) {
    const reply = await pingUrl(given);
    return reply instanceof Error ? `down (${reply.message})` : 'up (REDIS_URL)';
  }
  return (await redisCommand('127.0.0.1', port(), 'PING')) === '+PONG' ? `up on 127.0.0.1:${port()}` : 'down';
}
