/**
 * Reads what the worker needs from the learner's checkout — the subdirectory, package.json,
 * the lockfile and the optional backend-pro.yml — without ever following a symlink out of it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LearnerError } from '../errors';
import { readAppConfig, type AppConfig } from './appConfig';
import { findWorkspaceRoot } from './workspaceRoot';
import { regularFileInside } from './workspaceFiles';
import { choosePackageManager, parsePackageManagerField, type ManagerChoice, type PackageManager } from './packageManagers';

export type { PackageManager } from './packageManagers';

export interface Workspace {
  /** The app's folder: its package.json, scripts and backend-pro.yml. */
  dir: string;
  /** Where the install runs and node_modules lives: `dir`, or the root of the workspace `dir` is a member of. */
  installDir: string;
  /** The app's folder relative to installDir ('apps/api') when it is a workspace member; null otherwise. */
  member: string | null;
  packageManager: PackageManager;
  /** The manager's exact version and how it was chosen (packageManagers.ts). */
  manager: ManagerChoice;
  lockfile: string | null;
  /** sha256 of the lockfile and package.json's dependency fields: the key of the dependency cache; null without a lockfile. */
  lockHash: string | null;
  scripts: Record<string, string>;
  startCommand: string[];
  /** The learner's settings for the grader (backend-pro.yml): env names and values, route prefix. */
  appConfig: AppConfig;
  warnings: string[];
  /** Why this install must not be cached (it runs the project's own code), or null. */
  uncacheable: string | null;
}

/** npm runs these scripts of the project itself during `npm ci` / `npm install`. */
const INSTALL_LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare', 'dependencies'];
/** Project files that change what an install runs (node options, hooks, local packages). */
const INSTALL_CONFIG_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', '.pnpmfile.cjs', '.pnpmfile.mjs', 'pnpm-workspace.yaml', '.yarn'];

function uncacheableReason(dir: string, packageJson: Record<string, unknown>, scripts: Record<string, string>): string | null {
  const lifecycle = INSTALL_LIFECYCLE.filter((name) => name in scripts);
  if (lifecycle.length > 0) return `package.json has ${lifecycle.map((name) => `a "${name}"`).join(' and ')} script`;
  const config = INSTALL_CONFIG_FILES.find((name) => fs.lstatSync(path.join(dir, name), { throwIfNoEntry: false }));
  if (config) return `the project has its own ${config}`;
  if (packageJson.workspaces !== undefined) return 'package.json declares workspaces';
  return null;
}

const LOCKFILES: [string, PackageManager][] = [
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
];

const PackageJsonSchema = z
  .object({
    scripts: z.record(z.string(), z.string()).optional(),
    // Checked by parsePackageManagerField, whose message says the expected form.
    packageManager: z.unknown().optional(),
  })
  .passthrough();

/** The parts of package.json an install depends on: `npm ci` refuses when they disagree with the lockfile. */
const INSTALL_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'overrides',
  'resolutions',
  'packageManager',
  'workspaces',
];

type PackageJson = z.infer<typeof PackageJsonSchema>;

function readPackageJson(dir: string, where: string): PackageJson {
  const packageJsonRaw = regularFileInside(dir, 'package.json', 512 * 1024);
  if (!packageJsonRaw) throw new LearnerError(`There is no package.json in ${where}. Is it a Node.js project, or is it in a subdirectory?`);
  try {
    return PackageJsonSchema.parse(JSON.parse(packageJsonRaw.toString('utf8')));
  } catch (error) {
    throw new LearnerError(`package.json is not valid: ${(error as Error).message.slice(0, 300)}`);
  }
}

interface FoundLockfile {
  name: string;
  manager: PackageManager;
  content: string;
  /** sha256 of the lockfile and package.json's install fields: the dependency cache's key. */
  hash: string;
}

/** The lockfile in `dir` (the declared manager's first, when the project commits several), or null. */
function findLockfile(dir: string, packageJson: PackageJson): FoundLockfile | null {
  const declared = parsePackageManagerField(packageJson.packageManager)?.name;
  const candidates = declared ? [...LOCKFILES.filter(([, m]) => m === declared), ...LOCKFILES.filter(([, m]) => m !== declared)] : LOCKFILES;
  for (const [name, manager] of candidates) {
    const content = regularFileInside(dir, name, 50 * 1024 * 1024);
    if (!content) continue;
    const installFields = INSTALL_FIELDS.map((field) => [field, (packageJson as Record<string, unknown>)[field] ?? null]);
    const hash = crypto.createHash('sha256').update(name).update('\0').update(content).update('\0').update(JSON.stringify(installFields)).digest('hex');
    return { name, manager, content: content.toString('utf8'), hash };
  }
  return null;
}

export function inspectWorkspace(checkoutDir: string, subdir: string | null): Workspace {
  let dir = checkoutDir;
  if (subdir) {
    dir = path.join(checkoutDir, subdir);
    let current = checkoutDir;
    for (const segment of subdir.split('/')) {
      current = path.join(current, segment);
      const stat = fs.lstatSync(current, { throwIfNoEntry: false });
      if (!stat) throw new LearnerError(`The folder "${subdir}" does not exist in the repository.`);
      if (stat.isSymbolicLink()) throw new LearnerError(`"${subdir}" is a symbolic link; point at a real folder.`);
      if (!stat.isDirectory()) throw new LearnerError(`"${subdir}" is not a folder in the repository.`);
    }
  }
  const packageJson = readPackageJson(dir, subdir ? `the folder "${subdir}"` : 'the root of the repository');
  const scripts = packageJson.scripts ?? {};
  const warnings: string[] = [];

  // A monorepo's app has no lockfile of its own: it installs at the root of the workspace it is a member of.
  const ownLock = findLockfile(dir, packageJson);
  const workspaceRoot = subdir && !ownLock ? findWorkspaceRoot(checkoutDir, subdir) : null;
  const installDir = workspaceRoot ? path.join(checkoutDir, workspaceRoot.root) : dir;
  const installPackageJson = workspaceRoot
    ? readPackageJson(installDir, workspaceRoot.root ? `the folder "${workspaceRoot.root}"` : 'the root of the repository')
    : packageJson;
  const lock = workspaceRoot ? findLockfile(installDir, installPackageJson) : ownLock;
  const lockfile = lock?.name ?? null;
  const manager = choosePackageManager(installDir, installPackageJson.packageManager, lock);
  const packageManager = manager.name;
  if (!lockfile) {
    warnings.push(
      'No lockfile (package-lock.json, pnpm-lock.yaml or yarn.lock) was found, so dependencies were installed with `npm install` and may differ from yours. Commit your lockfile.',
    );
  }

  const startCommand = scripts['start:prod'] ? ['npm', 'run', 'start:prod'] : scripts.start ? ['npm', 'start'] : null;
  if (!startCommand) {
    throw new LearnerError('package.json has neither a "start:prod" nor a "start" script, so the grader does not know how to start your app.');
  }

  const appConfig = readAppConfig(dir);
  // The install runs every member's scripts and the root's configuration: never cached.
  const uncacheable = workspaceRoot
    ? `it installs the whole workspace (${workspaceRoot.member} is one of its members)`
    : uncacheableReason(dir, packageJson, scripts);
  return {
    dir,
    installDir,
    member: workspaceRoot?.member ?? null,
    packageManager,
    manager,
    lockfile,
    lockHash: lock?.hash ?? null,
    scripts,
    startCommand,
    appConfig,
    warnings,
    uncacheable,
  };
}
