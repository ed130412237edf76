/**
 * Stage 2: install dependencies in a container — the only step with a network, on which only the
 * package registry answers (sandbox/registryNetwork.ts) — and cache node_modules by sha256 of the
 * lockfile, so a resubmission with the same lockfile skips the install. An install that runs the
 * project's own code (lifecycle scripts, a project .npmrc, workspaces) is never cached: what it
 * leaves in node_modules would reach the next learner with the same lockfile.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { LearnerError } from '../errors';
import { lastLines } from '../sandbox/output';
import { learnerContainer, seconds, type JobContext } from './context';
import type { Workspace } from './inspectWorkspace';

const execFileAsync = promisify(execFile);
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface InstallOutcome {
  cached: boolean;
  command: string;
  /** Why the result was not stored in the dependency cache, when it was not. */
  notCached: string | null;
}

function installCommand(workspace: Workspace): string[] {
  switch (workspace.packageManager) {
    case 'pnpm':
      return ['corepack', 'pnpm', 'install', '--frozen-lockfile'];
    case 'yarn':
      return ['corepack', 'yarn', 'install', '--frozen-lockfile'];
    default:
      return workspace.lockfile ? ['npm', 'ci', '--no-audit', '--no-fund'] : ['npm', 'install', '--no-audit', '--no-fund'];
  }
}

export async function installDependencies(context: JobContext, workspace: Workspace): Promise<InstallOutcome> {
  const command = installCommand(workspace);
  const target = path.join(workspace.dir, 'node_modules');
  // A committed node_modules is never trusted: it may hold symlinks or binaries for another OS.
  await fs.promises.rm(target, { recursive: true, force: true });

  const cacheKey = workspace.lockHash && !workspace.uncacheable
    ? crypto.createHash('sha256').update(workspace.lockHash).update(`node${context.runtime.major}\0${context.runtime.image}`).digest('hex')
    : null;
  const cached = cacheKey ? path.join(context.cacheDir, cacheKey, 'node_modules') : null;
  if (cached && fs.existsSync(cached)) {
    await execFileAsync('cp', ['-a', '--reflink=auto', cached, target], { timeout: 300_000 });
    return { cached: true, command: command.join(' '), notCached: null };
  }

  const { limits } = context.exercise;
  const result = await context.sandbox.run(
    context.jobId,
    learnerContainer(context, 'install', workspace.dir, command, {
      network: { kind: 'registry' },
      mounts: [
        { host: workspace.dir, container: '/workspace', readOnly: false },
        { host: '/etc/ssl/certs', container: '/etc/ssl/certs', readOnly: true },
      ],
      env: {
        HOME: '/tmp',
        CI: 'true',
        NODE_EXTRA_CA_CERTS: CA_BUNDLE,
        npm_config_cafile: CA_BUNDLE,
        npm_config_cache: '/tmp/.npm',
        npm_config_update_notifier: 'false',
        COREPACK_HOME: '/tmp/corepack',
        COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
        // Native addons without prebuilds in the package (bcrypt 5's node-pre-gyp) try GitHub first:
        // refused at once here (no DNS, the firewall), they fall back to building with the image's
        // compiler and Node headers. (npm_config_build_from_source would skip the try, but npm 11
        // prints "Unknown env config" into every install log for it: noise in learners' messages.)
      },
      tmpfsExec: true,
      // npm's cache lives in /tmp during the install; tmpfs pages count against the memory limit.
      tmpfs: { '/tmp': 1024 },
      memoryMb: Math.max(limits.memoryMb, 1024) + 1024,
      cpus: 2,
      pids: 512,
    }),
    { timeoutMs: seconds(limits.installSeconds), outputLimitBytes: limits.outputKb * 1024 },
  );
  const shown = command.join(' ');
  if (result.timedOut) {
    throw new LearnerError(`\`${shown}\` took longer than the ${limits.installSeconds} s install limit and was stopped.`, { output: result.output });
  }
  if (result.oomKilled) {
    throw new LearnerError(`\`${shown}\` exceeded the install memory limit and was stopped.`, { output: result.output });
  }
  if (result.exitCode !== 0) {
    throw new LearnerError(
      `\`${shown}\` failed (exit code ${result.exitCode}). The end of its output:\n\n\`\`\`\n${lastLines(result.output, 40)}\n\`\`\``,
      { output: result.output },
    );
  }
  // An app without dependencies still gets a (empty) folder, so its next install is skipped too.
  await fs.promises.mkdir(target, { recursive: true });
  if (cached) {
    // Copy to a temporary name, then rename: a half-written cache entry is never visible.
    const staging = `${path.dirname(cached)}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    await fs.promises.mkdir(staging, { recursive: true });
    await execFileAsync('cp', ['-a', '--reflink=auto', target, path.join(staging, 'node_modules')], { timeout: 300_000 });
    await fs.promises.rename(staging, path.dirname(cached)).catch(async () => {
      // Another job filled the same entry first; keep theirs.
      await fs.promises.rm(staging, { recursive: true, force: true });
    });
  }
  return { cached: false, command: shown, notCached: cached ? null : (workspace.uncacheable ?? 'there is no lockfile') };
}

/** Stage 3: `npm run build` when present, with no network. */
export async function buildApp(context: JobContext, workspace: Workspace): Promise<boolean> {
  if (!workspace.scripts.build) return false;
  const { limits } = context.exercise;
  const result = await context.sandbox.run(
    context.jobId,
    learnerContainer(context, 'build', workspace.dir, ['npm', 'run', 'build']),
    { timeoutMs: seconds(limits.buildSeconds), outputLimitBytes: limits.outputKb * 1024 },
  );
  if (result.timedOut) {
    throw new LearnerError(`\`npm run build\` took longer than the ${limits.buildSeconds} s build limit and was stopped.`, { output: result.output });
  }
  if (result.oomKilled) {
    throw new LearnerError(`\`npm run build\` exceeded the memory limit of ${limits.memoryMb} MB.`, { output: result.output });
  }
  if (result.exitCode !== 0) {
    throw new LearnerError(
      `\`npm run build\` failed (exit code ${result.exitCode}). The end of its output:\n\n\`\`\`\n${lastLines(result.output, 40)}\n\`\`\``,
      { output: result.output },
    );
  }
  return true;
}
