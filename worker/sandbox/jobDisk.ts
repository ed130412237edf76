/**
 * Each job's checkout is a file system of its own: a sparse ext4 image, loop-mounted nosuid,nodev
 * at <jobDir>/checkout. The learner's code writes into its workspace (the install's node_modules,
 * the build's dist, whatever the app writes), a bind mount of that folder; so filling it ends with
 * ENOSPC at the job's disk limit (`limits.diskMb`, which bounds the number of files too), never on
 * the worker's disk where PostgreSQL and the other jobs live. The clone lands there too, so a
 * repository that unpacks to gigabytes stops at the same limit. The grader's output folder stays
 * outside it: a full workspace never keeps the tester from writing results.json. The image is
 * sparse: it costs what is written.
 *
 * Mounting needs root and loop devices. Where they are missing (a worker in a container without
 * them) the checkout is a plain folder and `mountJobDisk` says so: the job still runs, unbounded.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const checkoutOf = (jobDir: string) => path.join(jobDir, 'checkout');
const imageOf = (jobDir: string) => path.join(jobDir, 'checkout.disk');

function isMountPoint(dir: string): boolean {
  try {
    const resolved = fs.realpathSync(dir);
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .some((line) => line.split(' ')[1] === resolved);
  } catch {
    return false;
  }
}

/** false once mounting failed for a reason that will not change (no root, no loop devices). */
let supported = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Creates `jobDir` (emptied first) with `checkout/` as a file system of `sizeMb` MB. Returns true when
 * the checkout is bounded, false when this host cannot mount one (it is then a plain folder).
 */
export async function mountJobDisk(jobDir: string, sizeMb: number): Promise<boolean> {
  await releaseJobDisk(jobDir);
  const checkout = checkoutOf(jobDir);
  await fs.promises.mkdir(checkout, { recursive: true });
  if (!supported) return false;
  const image = imageOf(jobDir);
  try {
    await fs.promises.writeFile(image, '');
    await fs.promises.truncate(image, sizeMb * 1024 * 1024);
    // No journal (the folder dies with the job), no reserved blocks, inode tables written lazily:
    // about 30 ms for 2 GB.
    await execFileAsync('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', '-m', '0', '-E', 'nodiscard,lazy_itable_init=1', image], { timeout: 60_000 });
    await execFileAsync('mount', ['-o', 'loop,nosuid,nodev', image, checkout], { timeout: 60_000 });
    // git clones only into an empty folder; lost+found is for fsck, which never runs here.
    await fs.promises.rmdir(path.join(checkout, 'lost+found'));
    return true;
  } catch (error) {
    if (isMountPoint(checkout)) await execFileAsync('umount', [checkout], { timeout: 60_000 }).catch(() => undefined);
    await fs.promises.rm(image, { force: true });
    // Not root enough, or no loop device: remember it, and run unbounded rather than not at all.
    if (
      /permission denied|only root|not permitted|failed to setup loop device|could not find any free loop device|No such file or directory|ENOENT/i.test(
        (error as Error).message,
      )
    ) {
      supported = false;
      return false;
    }
    throw error;
  }
}

/** Unmounts the job's checkout (when mounted) and removes the job's folder. Safe to call on anything. */
export async function releaseJobDisk(jobDir: string): Promise<void> {
  const checkout = checkoutOf(jobDir);
  if (isMountPoint(checkout)) {
    await execFileAsync('umount', [checkout], { timeout: 60_000 }).catch(async () => {
      // Still busy (a process of a killed attempt): detach now, freed when the last user goes.
      await execFileAsync('umount', ['-l', checkout], { timeout: 60_000 });
    });
  }
  await fs.promises.rm(jobDir, { recursive: true, force: true });
}

/** Whether a job's checkout is (nearly) full: under 1% or 4 MB of its blocks, or 1% of its inodes, left. */
export async function jobDiskFull(jobDir: string): Promise<boolean> {
  const checkout = checkoutOf(jobDir);
  if (!isMountPoint(checkout)) return false;
  const stats = await fs.promises.statfs(checkout);
  const bytesLeft = stats.bavail * stats.bsize;
  const inodesLeft = stats.files > 0 ? stats.ffree / stats.files : 1;
  return stats.bavail / stats.blocks < 0.01 || bytesLeft < 4 * 1024 * 1024 || inodesLeft < 0.01;
}

/** Whether this host can give jobs a bounded disk (tried once on a small one; the worker logs it). */
export async function jobDisksSupported(dataDir: string): Promise<boolean> {
  const probe = path.join(dataDir, 'jobs', `.probe-${process.pid}`);
  try {
    return await mountJobDisk(probe, 64);
  } finally {
    await releaseJobDisk(probe);
  }
}
