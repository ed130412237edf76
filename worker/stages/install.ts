/**
 * Stage 2: install dependencies in a container — the only step with a network, on which only the
 * allowed hosts answer (sandbox/registryNetwork.ts) — with the project's package manager
 * (packageManagers.ts), and cache node_modules by sha256 of the lockfile, the runtime image and the
 * manager's version, so a resubmission with the same lockfile skips the install. An install that runs the
 * project's own code (lifecycle scripts, a project .npmrc, workspaces) is never cached: what it
 * leaves in node_modules would reach the next learner with the same lockfile.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { LearnerError, PlatformError } from '../errors';
import { failureExcerpt } from '../sandbox/output';
import { installNetworkSettings } from '../sandbox/registryNetwork';
import type { RunResult } from '../sandbox/sandbox';
import { learnerContainer, seconds, type JobContext } from './context';
import { diagnoseInstallFailure, rewriteLockfileHosts, sanitizeNpmrc } from './installInputs';
import type { Workspace } from './inspectWorkspace';
import { installInvocation, managerLabel } from './packageManagers';

const execFileAsync = promisify(execFile);
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/**
 * The install container's resolver. The allowed hosts are in its /etc/hosts; Docker's embedded DNS
 * would forward any other name to the host's resolvers, which answer nothing here: 10 s per lookup
 * (measured), retried by every package manager, Prisma's engine download 140 s. A resolver on the
 * container's own loopback, where nothing listens, refuses at once: the install fails in seconds.
 */
const NO_DNS = '# The install network has no DNS: the allowed hosts are in /etc/hosts.\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n';

export interface InstallOutcome {
  cached: boolean;
  command: string;
  /** Why the result was not stored in the dependency cache, when it was not. */
  notCached: string | null;
  /** The first 8 hex digits of the cache key (null when the install cannot be cached). */
  cacheKey: string | null;
  /** Size of the installed (or restored) node_modules, in bytes; null when it could not be measured. */
  sizeBytes: number | null;
  /** One line for the stage row: "restored from cache (key 1a2b3c4d, 139 MB)", "installed with pnpm 9.15.9 and cached (…)". */
  detail: string;
}

/** Environment the install and build containers get when the operator set PRISMA_ENGINES_MIRROR. */
export function prismaEnv(): Record<string, string> {
  const mirror = installNetworkSettings().prismaEnginesMirror;
  return mirror ? { PRISMA_ENGINES_MIRROR: mirror } : {};
}

/** `du -sb`: one cheap pass over the tree (it is about to be copied anyway). */
async function treeBytes(dir: string): Promise<number | null> {
  try {
    const { stdout } = await execFileAsync('du', ['-sb', dir], { timeout: 60_000 });
    return Number.parseInt(stdout.split('\t')[0], 10);
  } catch {
    return null;
  }
}

function megabytes(bytes: number | null): string {
  return bytes === null ? 'size unknown' : `${Math.max(1, Math.round(bytes / 1_000_000))} MB`;
}

/** A Prisma engine download failed: the platform's network, not the learner's code. */
function prismaPlatformError(step: string, output: string): PlatformError {
  return new PlatformError(
    `${step} needs Prisma's engine binaries, downloaded from binaries.prisma.sh, and the install network could not reach it. ` +
      'An operator allows it by adding binaries.prisma.sh to INSTALL_ALLOWED_HOSTS (on a worker whose host can resolve and reach it), ' +
      'by setting PRISMA_ENGINES_MIRROR to a mirror the install network reaches, or by pre-seeding the engine cache in the runtime image. ' +
      'This is not a fault of the submission.',
    { output },
  );
}

export async function installDependencies(context: JobContext, workspace: Workspace): Promise<InstallOutcome> {
  const { command, env: managerEnv } = installInvocation(workspace.manager, workspace.lockfile !== null);
  const label = managerLabel(workspace.manager);
  const target = path.join(workspace.installDir, 'node_modules');
  // A committed node_modules is never trusted: it may hold symlinks or binaries for another OS.
  await fs.promises.rm(target, { recursive: true, force: true });
  if (workspace.member) await fs.promises.rm(path.join(workspace.dir, 'node_modules'), { recursive: true, force: true });
  // "installed at the workspace root (apps/api is a member) with pnpm 9.15.9": where, for the stage detail.
  const at = workspace.member ? `at the workspace root (${workspace.member} is a member) ` : '';

  const fullKey =
    workspace.lockHash && !workspace.uncacheable
      ? crypto.createHash('sha256').update(workspace.lockHash).update(`node${context.runtime.major}\0${context.runtime.image}`).update(label).digest('hex')
      : null;
  const cacheKey = fullKey ? fullKey.slice(0, 8) : null;
  const cached = fullKey ? path.join(context.cacheDir, fullKey, 'node_modules') : null;
  if (cached && fs.existsSync(cached)) {
    await execFileAsync('cp', ['-a', '--reflink=auto', cached, target], { timeout: 300_000 });
    const sizeBytes = await treeBytes(target);
    return {
      cached: true,
      command: command.join(' '),
      notCached: null,
      cacheKey,
      sizeBytes,
      detail: `restored from cache (key ${cacheKey}, ${megabytes(sizeBytes)})`,
    };
  }

  // The learner's files as committed, for naming which one asked for a host the install could not reach.
  const originals: Record<string, string> = {};
  for (const name of ['.npmrc', workspace.lockfile ?? '']) {
    const file = path.join(workspace.installDir, name);
    if (name && fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) originals[name] = fs.readFileSync(file, 'utf8');
  }
  // Said on the result whatever happens next (an ignored .npmrc setting, mirror URLs pointed at the registry).
  const { warnings } = workspace;
  const npmrcWarning = sanitizeNpmrc(workspace.installDir);
  if (npmrcWarning) warnings.push(npmrcWarning);
  const mirrors = rewriteLockfileHosts(workspace.installDir, workspace.lockfile);
  if (mirrors.length > 0) {
    warnings.push(
      `${workspace.lockfile} downloads packages from ${mirrors.join(', ')}; the grader fetched the same versions (same integrity hashes) from the npm registry instead.`,
    );
  }

  const resolvConf = path.join(context.jobDir, 'install-resolv.conf');
  await fs.promises.writeFile(resolvConf, NO_DNS, { mode: 0o644 });

  const { limits } = context.exercise;
  const result = await context.sandbox.run(
    context.jobId,
    // At the install folder (a workspace's root), whatever the app's folder inside it.
    learnerContainer(context, 'install', { installDir: workspace.installDir, member: null }, command, {
      network: { kind: 'registry' },
      mounts: [
        { host: workspace.installDir, container: '/workspace', readOnly: false },
        { host: '/etc/ssl/certs', container: '/etc/ssl/certs', readOnly: true },
        { host: resolvConf, container: '/etc/resolv.conf', readOnly: true },
      ],
      env: {
        HOME: '/tmp',
        CI: 'true',
        NODE_EXTRA_CA_CERTS: CA_BUNDLE,
        npm_config_cafile: CA_BUNDLE,
        npm_config_cache: '/tmp/.npm',
        npm_config_update_notifier: 'false',
        // Native addons without prebuilds in the package (bcrypt 5's node-pre-gyp) try GitHub first:
        // refused at once here (no DNS, the firewall), they fall back to building with the image's
        // compiler and Node headers. (npm_config_build_from_source would skip the try, but npm 11
        // prints "Unknown env config" into every install log for it: noise in learners' messages.)
        ...managerEnv,
        ...prismaEnv(),
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
  if (result.exitCode !== 0 || result.timedOut || result.oomKilled) throw installFailure(shown, result, workspace, originals, limits.installSeconds);
  // An app without dependencies still gets a (empty) folder, so its next install is skipped too.
  await fs.promises.mkdir(target, { recursive: true });
  const sizeBytes = await treeBytes(target);
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
  const notCached = cached ? null : (workspace.uncacheable ?? 'there is no lockfile');
  const detail = notCached
    ? `installed ${at}with ${label}, not cached: ${notCached} (${megabytes(sizeBytes)})`
    : `installed ${at}with ${label} and cached (key ${cacheKey}, ${megabytes(sizeBytes)})`;
  return { cached: false, command: shown, notCached, cacheKey, sizeBytes, detail };
}

/** The error a failed install ends with: whose fault it is, and what to change. */
function installFailure(shown: string, result: RunResult, workspace: Workspace, originals: Record<string, string>, limitSeconds: number): Error {
  const output = result.output;
  const diagnosis = diagnoseInstallFailure(output, workspace.installDir, originals);
  if (diagnosis?.kind === 'prisma-engines') return prismaPlatformError(`\`${shown}\``, output);
  if (diagnosis?.kind === 'manager-missing') {
    const { manager } = workspace;
    return manager.reason === 'packageManager in package.json'
      ? new LearnerError(
          `package.json's "packageManager" names ${manager.name}@${diagnosis.version}, which the npm registry does not have. ` +
            `Name a published version (e.g. "${manager.name === 'pnpm' ? 'pnpm@9.15.9' : 'yarn@4.5.3'}"), or remove the field to let the grader choose from your lockfile.`,
          { output },
        )
      : new PlatformError(
          `The grader's default ${manager.name} ${diagnosis.version} is not on the npm registry (worker/stages/packageManagers.ts DEFAULT_VERSIONS).`,
          { output },
        );
  }
  if (diagnosis?.kind === 'unreachable') {
    const { allowedHosts } = installNetworkSettings();
    if (allowedHosts.includes(diagnosis.host)) {
      return new PlatformError(
        `\`${shown}\` could not reach ${diagnosis.host}, a host the install network allows: the worker's network or that host is down. This is not a fault of the submission.`,
        { output },
      );
    }
    const where =
      diagnosis.files.length > 0
        ? `${diagnosis.files.join(' and ')} name${diagnosis.files.length === 1 ? 's' : ''} it`
        : "no file of your project names it, so a dependency's install script asked for it";
    return new LearnerError(
      `\`${shown}\` stopped: it tried to reach ${diagnosis.host}, which the grader's install network does not reach (only the npm registry answers; ${where}). ` +
        `Install from the public npm registry: regenerate ${workspace.lockfile ?? 'your lockfile'} without a custom registry, or replace the dependency that downloads from ${diagnosis.host}. The output:\n\n\`\`\`\n${failureExcerpt(output)}\n\`\`\``,
      { output },
    );
  }
  if (result.timedOut) return new LearnerError(`\`${shown}\` took longer than the ${limitSeconds} s install limit and was stopped.`, { output });
  if (result.oomKilled) return new LearnerError(`\`${shown}\` exceeded the install memory limit and was stopped.`, { output });
  const hint =
    diagnosis?.kind === 'eresolve'
      ? '\n\nnpm refused the install because of a peer-dependency conflict (ERESOLVE). If your project installs with `--legacy-peer-deps` on your machine, ' +
        'commit an `.npmrc` with the line `legacy-peer-deps=true` next to package.json (the grader honours it), and regenerate package-lock.json with it (`npm install`). ' +
        'Better: align the versions so the conflict goes away.'
      : '';
  return new LearnerError(`\`${shown}\` failed (exit code ${result.exitCode}).${hint} Its output:\n\n\`\`\`\n${failureExcerpt(output)}\n\`\`\``, { output });
}

/** Stage 3: `npm run build` when present, with no network. */
export async function buildApp(context: JobContext, workspace: Workspace): Promise<boolean> {
  if (!workspace.scripts.build) return false;
  const { limits } = context.exercise;
  const spec = learnerContainer(context, 'build', workspace, ['npm', 'run', 'build']);
  // The build has no network: Prisma's engines must have come at install (@prisma/engines' postinstall
  // downloads them there). Prisma is given the same mirror setting in both, so it looks in one place.
  spec.env = { ...spec.env, ...prismaEnv() };
  const result = await context.sandbox.run(context.jobId, spec, { timeoutMs: seconds(limits.buildSeconds), outputLimitBytes: limits.outputKb * 1024 });
  if (result.timedOut) {
    throw new LearnerError(`\`npm run build\` took longer than the ${limits.buildSeconds} s build limit and was stopped.`, { output: result.output });
  }
  if (result.oomKilled) {
    throw new LearnerError(`\`npm run build\` exceeded the memory limit of ${limits.memoryMb} MB.`, { output: result.output });
  }
  if (result.exitCode !== 0) {
    if (diagnoseInstallFailure(result.output, workspace.installDir)?.kind === 'prisma-engines') throw prismaPlatformError('`npm run build`', result.output);
    throw new LearnerError(`\`npm run build\` failed (exit code ${result.exitCode}). Its output:\n\n\`\`\`\n${failureExcerpt(result.output)}\n\`\`\``, {
      output: result.output,
    });
  }
  return true;
}
