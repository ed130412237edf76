/**
 * Stage 1: fetch the learner's code onto the worker's disk, safely.
 * Git over https only (plain http only for dev/test hosts), shallow, one branch, no tags, no
 * submodules, no LFS smudge, hooks off, no redirects, a timeout, a size cap and a file cap. The
 * clone is made without a checkout, and the commit's tree is measured (sizes, entries) before
 * anything is written out: a pack of a few KB can hold gigabytes of one file repeated, or a million
 * files. User strings never become options: the URL and ref were validated (no leading "-"), are
 * checked again here, and are passed after their flags (the URL after "--"). Git runs in a process
 * group of its own, ended whole when the clone ends or is stopped, so no helper of it outlives the
 * job.
 * A local folder (CLI only, never from the web) is copied without following symlinks.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';
import { LearnerError } from '../errors';

const execFileAsync = promisify(execFile);

export type Source =
  /** `commit`: grade exactly this commit of `ref` (a push's head), not whatever the branch points at now. */
  { kind: 'git'; url: string; ref: string | null; commit?: string | null } | { kind: 'local'; path: string; ref: string | null };

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Files (symlinks and submodules included) the checked-out commit may hold. */
  maxFiles: number;
  /** Hosts allowed over plain http (dev/test). */
  httpHosts: string[];
}

export async function fetchSource(source: Source, targetDir: string, options: FetchOptions): Promise<{ commitSha: string | null }> {
  if (source.kind === 'local') {
    const root = path.resolve(source.path);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      throw new LearnerError(`The folder ${root} does not exist.`);
    }
    if (!fs.existsSync(path.join(root, '.git'))) {
      await fs.promises.cp(root, targetDir, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (from) => !/(^|\/)(node_modules|\.git|dist)$/.test(path.relative(root, from)),
      });
      return { commitSha: null };
    }
    return cloneRepository(`file://${root}`, source.ref, null, targetDir, { ...options, allowFile: true });
  }
  return cloneRepository(source.url, source.ref, source.commit ?? null, targetDir, { ...options, allowFile: false });
}

async function cloneRepository(
  url: string,
  ref: string | null,
  commit: string | null,
  targetDir: string,
  options: FetchOptions & { allowFile: boolean },
): Promise<{ commitSha: string | null }> {
  if (commit !== null && !/^[0-9a-f]{40}$/.test(commit)) throw new LearnerError(`"${commit.slice(0, 60)}" is not a commit id.`);
  const parsed = parseCloneUrl(url);
  const allowHttp = parsed.protocol === 'http:' && options.httpHosts.includes(parsed.hostname);
  const controller = new AbortController();
  let tooBig = false;
  let timedOut = false;
  const watchdog = setInterval(() => {
    void directorySize(targetDir).then((bytes) => {
      if (bytes > options.maxBytes) {
        tooBig = true;
        controller.abort();
      }
    });
  }, 1000);
  // One deadline for the whole clone (and the fetch of a pinned commit), whatever git prints.
  const deadline = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const config = [
    'protocol.allow=never',
    'protocol.https.allow=always',
    `protocol.http.allow=${allowHttp ? 'always' : 'never'}`,
    `protocol.file.allow=${options.allowFile ? 'always' : 'never'}`,
    'core.hooksPath=/dev/null',
    'submodule.recurse=false',
    // No LFS filter is configured: HOME is the job folder and system config is off, and
    // GIT_LFS_SKIP_SMUDGE=1 keeps pointers as pointers even where git-lfs is installed.
    // No redirects at all: `initial` followed the first request to any host, internal ones too.
    'http.followRedirects=false',
  ].flatMap((setting) => ['-c', setting]);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.dirname(targetDir),
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const git = (cwd: string, args: string[]) => runGit([...config, ...args], cwd, env, controller.signal);
  // No checkout yet: only the pack is written, and its size is checked before the tree is measured.
  const args = ['clone', '--no-checkout', '--depth', '1', '--single-branch', '--no-tags', '--no-recurse-submodules'];
  if (ref) args.push(`--branch=${ref}`);
  const checkSize = async () => {
    if ((await directorySize(targetDir)) > options.maxBytes) tooBig = true;
    if (tooBig) throw new LearnerError(describeCloneFailure('', { url, ref, tooBig, timedOut, options }));
  };
  try {
    // "--": whatever the URL is, git reads it as the repository, never as an option.
    await git(path.dirname(targetDir), [...args, '--', url, targetDir]);
    // A small repository on a fast link is cloned between two looks of the watchdog.
    await checkSize();
    let graded = await revParseHead(targetDir);
    if (commit && graded !== commit) {
      // The branch moved on since the push: fetch the pushed commit itself (protocol v2 serves
      // any reachable commit; GitHub serves any commit of the repository).
      try {
        await git(targetDir, ['fetch', '--depth', '1', '--no-tags', '--no-recurse-submodules', 'origin', commit]);
      } catch {
        throw new LearnerError(
          tooBig || timedOut
            ? describeCloneFailure('', { url, ref, tooBig, timedOut, options })
            : `The commit ${commit.slice(0, 7)} pushed to "${ref ?? 'the default branch'}" is no longer in ${url} (was it force-pushed away?). Push again to be graded.`,
        );
      }
      await checkSize();
      graded = commit;
    }
    // What the checkout would write, measured before it is written: the watchdog's `du` would see
    // a few GB of one blob repeated, or a million files, only once they were on the disk.
    const tree = await measureTree(targetDir, graded, options, { config, env, signal: controller.signal });
    if (tree.over === 'files') {
      throw new LearnerError(`The repository has more than ${options.maxFiles} files; the limit for a submission is ${options.maxFiles}.`);
    }
    if (tree.over === 'bytes') {
      tooBig = true;
      throw new LearnerError(describeCloneFailure('', { url, ref, tooBig, timedOut, options }));
    }
    await git(targetDir, ['checkout', '-q', '--detach', graded]);
    await checkSize();
  } catch (error) {
    // A stopped git cannot clean up after itself: the partial checkout goes now, not with the job.
    await fs.promises.rm(targetDir, { recursive: true, force: true }).catch(() => undefined);
    if (error instanceof LearnerError) throw error;
    throw new LearnerError(describeCloneFailure(String((error as Error).message), { url, ref, tooBig, timedOut, options }));
  } finally {
    clearInterval(watchdog);
    clearTimeout(deadline);
  }
  return { commitSha: await revParseHead(targetDir) };
}

/** What the checkout of a tree writes: its entries (files, symlinks, submodules) and their bytes. */
export interface TreeTotals {
  files: number;
  bytes: number;
  /** The first limit passed, when one was: counting stopped there. */
  over: 'files' | 'bytes' | null;
}

/**
 * Counts the entries of `commit`'s tree in the clone at `dir` and sums its blobs' sizes, with
 * `git ls-tree -r -l -z` read as it streams: a million entries are ~70 MB of listing, so nothing
 * is kept but the totals, and git is ended as soon as a limit is passed. Gitlinks (submodules)
 * count as entries without a size; symlinks are blobs (their target is their content). Rejects with
 * git's message, or "aborted" when stopped by `signal`; git has exited when it settles.
 */
export function measureTree(
  dir: string,
  commit: string,
  limits: { maxBytes: number; maxFiles: number },
  run: { config: string[]; env: NodeJS.ProcessEnv; signal: AbortSignal },
): Promise<TreeTotals> {
  return new Promise((resolve, reject) => {
    const totals: TreeTotals = { files: 0, bytes: 0, over: null };
    let rest = Buffer.alloc(0);
    let stderr = '';
    let failure: Error | null = null;
    const child = spawn('git', [...run.config, 'ls-tree', '-r', '-l', '-z', '--full-tree', commit], {
      cwd: dir,
      env: run.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stop = () => {
      failure ??= new Error('aborted');
      child.kill('SIGKILL');
    };
    if (run.signal.aborted) stop();
    run.signal.addEventListener('abort', stop, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (totals.over || failure) return;
      const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let end = data.indexOf(0, start); end !== -1; start = end + 1, end = data.indexOf(0, start)) {
        // "<mode> SP <type> SP <object> SP <size> TAB <path>": the size is "-" for a gitlink.
        const tab = data.indexOf(9, start);
        const [, type, , size] = data.toString('latin1', start, tab === -1 || tab > end ? end : tab).split(/ +/);
        totals.files += 1;
        if (type === 'blob') totals.bytes += Number(size) || 0;
        if (totals.files > limits.maxFiles) totals.over = 'files';
        else if (totals.bytes > limits.maxBytes) totals.over = 'bytes';
        if (totals.over) {
          child.kill('SIGKILL');
          return;
        }
      }
      // The entry cut at the end of this chunk, completed by the next one. No file system takes a
      // path this long; a tree that holds one would otherwise be gathered here chunk by chunk.
      rest = Buffer.from(data.subarray(start));
      if (rest.length > 64 * 1024) {
        failure = new Error('the tree holds a path longer than 64 KB');
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('error', (error) => {
      failure ??= error;
      // Never started: no 'close' will follow.
      if (child.pid === undefined) reject(error);
    });
    child.on('close', (code) => {
      run.signal.removeEventListener('abort', stop);
      if (failure) reject(failure);
      else if (totals.over || code === 0) resolve(totals);
      else reject(new Error(stderr.trim() || `git ls-tree ended with code ${code}`));
    });
  });
}

/** simple-git's git: a wrapper that runs git in a process group of its own (see the script). */
const GIT_IN_GROUP = path.join(__dirname, 'git-group.sh');

/**
 * Runs one git command through simple-git, stopped by `signal`. Rejects with git's message, or
 * "aborted" when stopped.
 */
async function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<void> {
  const git = simpleGit({
    baseDir: cwd,
    binary: GIT_IN_GROUP,
    abort: signal,
    // Only our own fixed settings and wrapper use these; the settings narrow what git may do.
    unsafe: { allowUnsafeProtocolOverride: true, allowUnsafeHooksPath: true, allowUnsafeCustomBinary: true },
  }).env(env);
  try {
    await git.raw(args);
  } catch (error) {
    throw new Error(signal.aborted ? 'aborted' : (error as Error).message, { cause: error });
  }
}

async function revParseHead(dir: string): Promise<string> {
  const { stdout } = await execFileAsync('git', ['-C', dir, 'rev-parse', 'HEAD'], { timeout: 10_000 });
  return stdout.trim();
}

/**
 * The URL as git will get it, checked again here (the callers validated it): never an option,
 * never credentials (they would be sent, and echoed in messages). Schemes are git's to refuse
 * (protocol.allow above), so that layer is exercised too.
 */
function parseCloneUrl(url: string): URL {
  if (url.startsWith('-')) throw new LearnerError('The repository URL must not start with "-".');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LearnerError(`"${url.slice(0, 100)}" is not a valid repository URL: use the https:// address of your repository.`);
  }
  if (parsed.username || parsed.password) throw new LearnerError('Remove the credentials from the URL: the repository must be public.');
  return parsed;
}

function describeCloneFailure(
  message: string,
  context: { url: string; ref: string | null; tooBig: boolean; timedOut: boolean; options: FetchOptions },
): string {
  const { url, ref, tooBig, timedOut, options } = context;
  if (tooBig) return `The repository is larger than the ${Math.round(options.maxBytes / 1024 / 1024)} MB limit for a submission.`;
  if (timedOut || /timed out|timeout reached/i.test(message)) {
    return `Cloning ${url} took longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped.`;
  }
  if (/returned error: 30\d|redirect/i.test(message)) {
    return 'The repository answered with a redirect (was it renamed or moved?). Submit its current URL.';
  }
  const transport = /transport '([^']+)' not allowed/.exec(message);
  if (transport) return `Only https:// repository URLs are accepted ("${transport[1]}" is not).`;
  if (/Remote branch .* not found|couldn't find remote ref|not found in upstream/i.test(message)) {
    return `The branch "${ref}" does not exist in ${url}.`;
  }
  if (/not found|could not read Username|Authentication failed|terminal prompts disabled|returned error: 40[134]/i.test(message)) {
    return `The repository ${url} was not found or is private. Make it public (or check the URL) and submit again.`;
  }
  if (/Could not resolve host|Failed to connect|Connection refused|Couldn't connect/i.test(message)) {
    return `Could not reach ${new URL(url).host} to clone ${url}. Check the URL; if it is right, try again in a minute.`;
  }
  if (/aborted/i.test(message)) return `Cloning ${url} was stopped.`;
  const lastLine = message.trim().split('\n').filter(Boolean).pop() ?? '';
  return `git could not clone ${url}: ${lastLine.slice(0, 300)}`;
}

/** Bytes under a folder, without following symlinks; 0 while it does not exist yet. */
async function directorySize(dir: string): Promise<number> {
  try {
    const { stdout } = await execFileAsync('du', ['-sb', '--apparent-size', dir], { timeout: 10_000 });
    return Number.parseInt(stdout, 10) || 0;
  } catch {
    return 0;
  }
}
