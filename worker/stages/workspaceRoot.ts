/**
 * Finds the npm / pnpm / Yarn workspace a subdirectory submission belongs to: a monorepo's app
 * (`apps/api`) has no lockfile of its own, its dependencies are locked (and hoisted) at the
 * workspace root. Reads only regular files inside the checkout (regularFileInside refuses links).
 */
import path from 'node:path';
import { minimatch } from 'minimatch';
import YAML from 'yaml';
import { LearnerError } from '../errors';
import { regularFileInside } from './workspaceFiles';

/** The lockfiles an install folder may hold (inspectWorkspace.ts picks among them). */
const LOCKFILE_NAMES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'];

export interface WorkspaceRoot {
  /** The workspace root, relative to the checkout ('' for the repository's root). */
  root: string;
  /** The app's folder relative to the root, with '/' separators (e.g. 'apps/api'). */
  member: string;
}

/** package.json's `workspaces` (npm, Yarn): an array of globs, or Yarn's `{ packages: [...] }`. */
function packageJsonWorkspaces(content: Buffer | null): string[] {
  if (!content) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch {
    return []; // Not this folder's concern: an unreadable manifest declares no workspace.
  }
  const field = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).workspaces : undefined;
  const list = Array.isArray(field) ? field : field && typeof field === 'object' ? (field as Record<string, unknown>).packages : undefined;
  return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** pnpm-workspace.yaml's `packages:` globs. */
function pnpmWorkspaces(content: Buffer | null, where: string): string[] {
  if (!content) return [];
  let parsed: unknown;
  try {
    parsed = YAML.parse(content.toString('utf8'));
  } catch (error) {
    throw new LearnerError(`${where}pnpm-workspace.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const list = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).packages : undefined;
  return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Whether `member` is matched by the workspace globs (`apps/*`, `packages/**`, `!**\/test/**` excludes). */
export function matchesWorkspaces(member: string, globs: string[]): boolean {
  const normalise = (glob: string) => glob.trim().replace(/^\.\//, '').replace(/\/+$/, '');
  const included = globs.filter((glob) => !glob.startsWith('!')).map(normalise);
  const excluded = globs.filter((glob) => glob.startsWith('!')).map((glob) => normalise(glob.slice(1)));
  const matches = (glob: string) => glob !== '' && minimatch(member, glob, { dot: false });
  return included.some(matches) && !excluded.some(matches);
}

/**
 * The nearest ancestor of `subdir` (inside the checkout) that has a lockfile and declares `subdir`
 * a workspace member — pnpm-workspace.yaml next to pnpm-lock.yaml, package.json `workspaces` next
 * to package-lock.json or yarn.lock — or null when there is none (the subdir installs on its own).
 */
export function findWorkspaceRoot(checkoutDir: string, subdir: string): WorkspaceRoot | null {
  const segments = subdir.split('/').filter(Boolean);
  for (let depth = segments.length - 1; depth >= 0; depth -= 1) {
    const root = segments.slice(0, depth).join('/');
    const file = (name: string) =>
      regularFileInside(checkoutDir, root ? path.join(root, name) : name, LOCKFILE_NAMES.includes(name) ? 50 * 1024 * 1024 : 512 * 1024);
    const lockfiles = LOCKFILE_NAMES.filter((name) => file(name) !== null);
    if (lockfiles.length === 0) continue;
    const member = segments.slice(depth).join('/');
    const where = root ? `${root}/` : '';
    const globs = [
      ...(lockfiles.includes('pnpm-lock.yaml') ? pnpmWorkspaces(file('pnpm-workspace.yaml'), where) : []),
      ...(lockfiles.some((name) => name !== 'pnpm-lock.yaml') ? packageJsonWorkspaces(file('package.json')) : []),
    ];
    if (matchesWorkspaces(member, globs)) return { root, member };
  }
  return null;
}
