/**
 * Read-only access to the learner's app folder (exercises with `workspace: true`), mounted at
 * SUBMISSION_DIR. Symbolic links are never followed: a learner could point one at the hidden
 * suite and have it printed in feedback. node_modules, dist and .git are skipped.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { HarnessError } from './feedback';

const SKIPPED = new Set(['node_modules', 'dist', '.git']);

export function submissionDir(): string {
  const dir = process.env.SUBMISSION_DIR;
  if (!dir) throw new HarnessError('SUBMISSION_DIR is not set: the exercise needs `workspace: true` in its front matter');
  return dir;
}

export interface SubmissionFile {
  /** Path relative to the app folder, with forward slashes. */
  path: string;
  size: number;
  /** True for a symbolic link (listed, never read). */
  symlink: boolean;
}

/** Every file of the app folder (at most `limit`), links included as links. */
export function listSubmissionFiles(limit = 20_000): SubmissionFile[] {
  const root = submissionDir();
  const files: SubmissionFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (files.length >= limit) return;
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (entry.isSymbolicLink()) files.push({ path: rel, size: 0, symlink: true });
      else if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) walk(full);
      } else if (entry.isFile()) files.push({ path: rel, size: lstatSync(full).size, symlink: false });
    }
  };
  walk(root);
  return files;
}

/** A regular file's text (capped), or null when it is absent, a link or not a file. */
export function readSubmissionFile(path: string, maxBytes = 256 * 1024): string | null {
  const root = submissionDir();
  const full = join(root, path);
  if (!full.startsWith(root + sep)) return null;
  let current = root;
  for (const segment of relative(root, full).split(sep)) {
    current = join(current, segment);
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      return null;
    }
    if (stat.isSymbolicLink()) return null;
    if (current === full && !stat.isFile()) return null;
  }
  return readFileSync(full).subarray(0, maxBytes).toString('utf8');
}
