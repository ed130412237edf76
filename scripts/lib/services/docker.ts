import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { aptInstall, findExecutable, isRoot, Log, runCommand, seconds, ServicesError, tailFile, waitFor } from './process';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Asks the engine's /_ping over a unix socket; true when it says OK. */
export function pingSocket(socketPath: string, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    if (!fs.existsSync(socketPath)) return resolve(false);
    const request = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && body === 'OK'));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function pingDockerHost(): Promise<boolean> {
  const host = process.env.DOCKER_HOST ?? '';
  if (host.startsWith('unix://')) return pingSocket(host.slice('unix://'.length));
  // tcp/ssh hosts (maybe with TLS): let the docker client speak to them.
  const result = await runCommand('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
  return result.code === 0;
}

export interface DockerState {
  /** pid of the dockerd this script started, so that `down` stops only that one. */
  dockerdPid?: number;
}

/**
 * Makes sure a Docker engine answers and returns how to reach it (DOCKER_HOST, or the socket path).
 * Starts dockerd in its own session (it outlives this process), installing docker.io first when missing.
 */
export async function ensureDocker(dataRoot: string, state: DockerState, log: Log): Promise<string> {
  const startedAt = Date.now();
  if (process.env.DOCKER_HOST) {
    if (!(await pingDockerHost())) {
      throw new ServicesError(
        `docker: DOCKER_HOST=${process.env.DOCKER_HOST} does not answer. Start that engine, or unset DOCKER_HOST to use ${DEFAULT_SOCKET}.`,
      );
    }
    log(`docker: DOCKER_HOST answers (${seconds(startedAt)})`);
    return process.env.DOCKER_HOST;
  }
  if (await pingSocket(DEFAULT_SOCKET)) {
    log(`docker: engine already answers on ${DEFAULT_SOCKET} (${seconds(startedAt)})`);
    return DEFAULT_SOCKET;
  }
  if (!isRoot()) {
    throw new ServicesError(
      `docker: no engine answers on ${DEFAULT_SOCKET}. Start one (sudo dockerd, or systemctl start docker) and give your user access (docker group), or set DOCKER_HOST.`,
    );
  }
  if (!findExecutable('dockerd')) {
    await aptInstall(['docker.io'], 'the Docker engine (dockerd)', (line) => log(`docker: ${line}`));
    // The package's scripts may have started the engine already.
    if (await waitFor(() => pingSocket(DEFAULT_SOCKET), 3000, 250)) {
      log(`docker: installed docker.io; engine answers on ${DEFAULT_SOCKET} (${seconds(startedAt)})`);
      return DEFAULT_SOCKET;
    }
  }
  if (!findExecutable('docker')) {
    await aptInstall(['docker.io'], 'the docker client', (line) => log(`docker: ${line}`));
  }
  const timeoutMs = Number(process.env.BACKENDPRO_DOCKERD_TIMEOUT_MS ?? 60_000);
  const running = liveDockerdPid();
  if (running) {
    // Started by someone else (the package's init script, a previous run still starting): wait for it.
    log(`docker: dockerd (pid ${running}) is running but not answering yet; waiting`);
    if (await waitFor(() => pingSocket(DEFAULT_SOCKET), timeoutMs, 200)) {
      log(`docker: engine answers on ${DEFAULT_SOCKET} (${seconds(startedAt)})`);
      return DEFAULT_SOCKET;
    }
    throw new ServicesError(
      `docker: dockerd (pid ${running}) runs but does not answer on ${DEFAULT_SOCKET} after ${timeoutMs / 1000} s; see its log (/var/log/docker.log or ${path.join(dataRoot, 'dockerd.log')}), stop it, and run again.`,
    );
  }
  fs.mkdirSync(dataRoot, { recursive: true });
  const logPath = path.join(dataRoot, 'dockerd.log');
  const logFd = fs.openSync(logPath, 'a');
  // detached = setsid(): dockerd gets its own session and survives this script and its terminal.
  const child = spawn(findExecutable('dockerd') ?? 'dockerd', [], { detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  child.unref();
  state.dockerdPid = child.pid;
  const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(false)));
  const up = await Promise.race([waitFor(() => pingSocket(DEFAULT_SOCKET), timeoutMs, 200), exited]);
  if (!up) {
    throw new ServicesError(
      `docker: dockerd did not answer on ${DEFAULT_SOCKET} within ${timeoutMs / 1000} s.\n${tailFile(logPath, 15)}\n` +
        `See ${logPath}. dockerd needs root, cgroups, iptables and overlayfs; or point DOCKER_HOST at a running engine.`,
    );
  }
  log(`docker: started dockerd (pid ${child.pid}, log ${path.relative(process.cwd(), logPath)}) on ${DEFAULT_SOCKET} (${seconds(startedAt)})`);
  return DEFAULT_SOCKET;
}

/** The pid in dockerd's pid file when that process is a live dockerd. */
function liveDockerdPid(): number | undefined {
  try {
    const pid = Number(fs.readFileSync('/var/run/docker.pid', 'utf8').trim());
    return pid > 0 && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('dockerd') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stops the dockerd this script started (never a system one), and waits for it to exit. */
export async function stopDocker(state: DockerState, log: Log): Promise<void> {
  const pid = state.dockerdPid;
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!pid || !alive(pid) || !fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('dockerd')) {
    log('docker: no dockerd started by this script is running');
    delete state.dockerdPid;
    return;
  }
  const startedAt = Date.now();
  process.kill(pid, 'SIGTERM');
  await waitFor(async () => !alive(pid), 30_000, 200);
  delete state.dockerdPid;
  log(`docker: stopped dockerd (pid ${pid}) (${seconds(startedAt)})`);
}

export async function dockerStatus(): Promise<string> {
  if (process.env.DOCKER_HOST) return (await pingDockerHost()) ? 'up (DOCKER_HOST)' : 'down (DOCKER_HOST)';
  return (await pingSocket(DEFAULT_SOCKET)) ? `up on ${DEFAULT_SOCKET}` : 'down';
}
