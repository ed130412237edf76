import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A setup step that cannot go on; `message` says what to install or set. */
export class ServicesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServicesError';
  }
}

export type Log = (line: string) => void;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Append stdout and stderr to this file instead of keeping them in memory. */
  logFile?: string;
  /** Start the command in its own session so that what it leaves running outlives this process. */
  detached?: boolean;
}

const KEEP_OUTPUT = 64 * 1024;

/** Runs a command without a shell; never throws for a non-zero exit, only reports it. */
export function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const out = options.logFile ? fs.openSync(options.logFile, 'a') : undefined;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: options.detached ?? false,
      stdio: ['ignore', out ?? 'pipe', out ?? 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-KEEP_OUTPUT);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-KEEP_OUTPUT);
    });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          stderr += `\n(killed after ${options.timeoutMs} ms)`;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    const finish = (code: number) => {
      if (timer) clearTimeout(timer);
      if (out !== undefined) fs.closeSync(out);
      resolve({ code, stdout, stderr });
    };
    child.on('error', (error) => finish(error.message.includes('ENOENT') ? 127 : 1));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Runs a command and throws a ServicesError with its output and `hint` when it fails. */
export async function mustRun(command: string, args: string[], hint: string, options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    const output = options.logFile ? tailFile(options.logFile, 20) : (result.stderr || result.stdout).trim().split('\n').slice(-20).join('\n');
    throw new ServicesError(`\`${[command, ...args].join(' ')}\` exited with ${result.code}.\n${output}\n${hint}`);
  }
  return result;
}

/** Finds an executable in PATH, then in `extraDirs`. */
export function findExecutable(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

// One apt-get at a time: dpkg holds a lock, and the services start in parallel.
let aptQueue: Promise<unknown> = Promise.resolve();

/**
 * Installs Debian packages when running as root; otherwise says what to install.
 * Updates the package lists only when the first attempt fails (a fresh machine has none).
 * Calls are serialised in this process, and wait up to 5 minutes for another process's dpkg lock.
 */
export function aptInstall(packages: string[], why: string, log: Log): Promise<void> {
  const run = aptQueue.then(() => aptInstallNow(packages, why, log));
  aptQueue = run.catch(() => undefined);
  return run;
}

async function aptInstallNow(packages: string[], why: string, log: Log): Promise<void> {
  if (!isRoot()) {
    throw new ServicesError(`${why} is missing. Install it: sudo apt-get install -y ${packages.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const wait = ['-o', 'DPkg::Lock::Timeout=300'];
  log(`apt-get install -y ${packages.join(' ')} (${why} is missing)`);
  const first = await runCommand('apt-get', [...wait, 'install', '-y', ...packages], { env });
  if (first.code === 0) return;
  await mustRun('apt-get', [...wait, 'update'], 'apt-get update failed: check the Debian mirror in /etc/apt/sources.list.', { env });
  await mustRun('apt-get', [...wait, 'install', '-y', ...packages], `Could not install ${packages.join(' ')}.`, { env });
}

export function tailFile(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return check();
}

export function seconds(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
}
