/**
 * Reading a learner's files without being led out of the workspace: a symbolic link anywhere on the
 * way is refused (the checkout is the learner's to shape), and a file is read only below a size cap.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LearnerError } from '../errors';

/** A regular file inside `root` (no symlink anywhere on the way), or null when absent. */
export function regularFileInside(root: string, relative: string, maxBytes: number): Buffer | null {
  const full = path.join(root, relative);
  if (!full.startsWith(root + path.sep)) return null;
  let current = root;
  for (const segment of path.relative(root, full).split(path.sep)) {
    current = path.join(current, segment);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(current);
    } catch {
      return null;
    }
    if (stat.isSymbolicLink()) throw new LearnerError(`${relative} is a symbolic link; the grader only reads regular files.`);
    if (current === full) {
      if (!stat.isFile()) return null;
      if (stat.size > maxBytes) throw new LearnerError(`${relative} is larger than ${Math.round(maxBytes / 1024)} KB.`);
    }
  }
  return fs.readFileSync(full);
}
