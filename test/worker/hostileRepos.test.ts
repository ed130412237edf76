/**
 * Hostile repositories and URLs, through the real clone code: real git, real git servers on
 * loopback that this test runs (smart HTTP, a redirector, a tarpit). Each case ends as a clear
 * learner-facing error (a LearnerError from fetchSource, or an `error` outcome of gradeSubmission)
 * within bounded time, runs nothing it was fed, and leaves nothing behind: no job folder, no git
 * process, no open connection.
 *
 * Every server contacted is one started here on 127.0.0.1; nothing leaves this machine.
 */
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { LearnerError } from '../../worker/errors';
import { gradeSubmission, newJobId, type GradeOutcome } from '../../worker/gradeSubmission';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import { JOB_LABEL } from '../../worker/sandbox/sandbox';
import { fetchSource, measureTree, type FetchOptions, type Source } from '../../worker/stages/fetchSource';
import { fixtureExercise, helloVariant, imagesFromEnv } from '../support/fixtures';
import { gitServerForTests, startGitServer, type GitServer, type Published, type TreeEntry } from '../support/gitServer';
import { recordCase } from '../support/securityCases';

jest.setTimeout(120_000);

const MB = 1024 * 1024;
const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-hostile-repos-'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-hostile-clones-'));
const git = gitServerForTests(dataDir, scratch);

const PACKAGE_JSON: TreeEntry = { path: 'package.json', content: JSON.stringify({ name: 'hostile', version: '1.0.0', scripts: { start: 'node server.js' } }) };

/** A recorded outcome without this run's ports, markers and random names (the table stays stable). */
function stable(text: string): string {
  return text
    .replace(/\/tmp\/bp-marker-[0-9a-f]+/g, '/tmp/bp-marker-…')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:…')
    .replace(/(learner\/[a-z]+)-[0-9a-f]{8}/g, '$1-…');
}

/** A file path that a successful injection would create; never exists beforehand. */
function markerPath(): string {
  return path.join(os.tmpdir(), `bp-marker-${crypto.randomBytes(6).toString('hex')}`);
}

/** A repository name no other test uses (the processes check looks for it). */
function repoName(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

/** A checkout folder to be, in a fresh job-like folder. */
function newTarget(): string {
  return path.join(fs.mkdtempSync(path.join(scratch, 'job-')), 'checkout');
}

/** fetchSource called directly (no validation before it), into a fresh job-like folder. */
async function fetchDirect(source: Source, options: Partial<FetchOptions> = {}, target = newTarget()) {
  const started = Date.now();
  try {
    const result = await fetchSource(source, target, { timeoutMs: 30_000, maxBytes: 50 * MB, maxFiles: 50_000, httpHosts: ['127.0.0.1'], ...options });
    return { result, error: null, seconds: (Date.now() - started) / 1000, target };
  } catch (error) {
    return { result: null, error: error as Error, seconds: (Date.now() - started) / 1000, target };
  }
}

/** The whole pipeline, like the worker runs it; clone failures end before any container starts. */
async function grade(source: Source, options: { subdir?: string; cloneTimeoutMs?: number; cloneMaxBytes?: number; cloneMaxFiles?: number } = {}) {
  const jobId = newJobId();
  const stages: string[] = [];
  const started = Date.now();
  const outcome = await gradeSubmission(
    { jobId, exercise: fixtureExercise(), source, subdir: options.subdir ?? null },
    {
      sandbox: new DockerSandbox(docker, 'test-hostile-repos'),
      images: imagesFromEnv(),
      dataDir,
      platformDir: path.resolve(__dirname, '..', '..'),
      cloneTimeoutMs: options.cloneTimeoutMs ?? 30_000,
      cloneMaxBytes: options.cloneMaxBytes ?? 50 * MB,
      cloneMaxFiles: options.cloneMaxFiles ?? 50_000,
      httpHosts: ['127.0.0.1'],
      jobTimeoutMs: 120_000,
      onStage: async (stage) => void stages.push(stage),
    },
  );
  const seconds = (Date.now() - started) / 1000;
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${JOB_LABEL}=${jobId}`] } });
  return { outcome, stages, seconds, leftovers, jobDirExists: fs.existsSync(path.join(dataDir, 'jobs', jobId)) };
}

/**
 * The grading stopped at the clone as an error saying `message` (a text, or a pattern it matches)
 * within `maxSeconds`, with no job folder and no process mentioning `processText` left.
 */
async function expectStoppedAtClone(
  result: { outcome: GradeOutcome; stages: string[]; seconds: number; jobDirExists: boolean },
  message: string | RegExp,
  maxSeconds: number,
  processText: string,
): Promise<void> {
  expect(result.outcome.status).toBe('error');
  if (typeof message === 'string') expect(result.outcome.message).toBe(message);
  else expect(result.outcome.message).toMatch(message);
  expect(result.stages).toEqual(['cloning', 'error']);
  expect(result.seconds).toBeLessThan(maxSeconds);
  expect(result.jobDirExists).toBe(false);
  expect(await settled(() => processesMentioning(processText))).toEqual([]);
}

/**
 * fetchSource refused a 200 MB-plus repository before checking it out: a LearnerError naming the
 * limit within 5 s, at most 5 MB ever in `target` and nothing left there, no process of `name`.
 */
async function expectRefusedBeforeCheckout(fetched: { error: Error | null; seconds: number }, peak: number, target: string, name: string): Promise<void> {
  expect(fetched.error).toBeInstanceOf(LearnerError);
  expect(fetched.error?.message).toBe('The repository is larger than the 200 MB limit for a submission.');
  expect(peak).toBeLessThan(5 * MB);
  expect(fetched.seconds).toBeLessThan(5);
  expect(fs.existsSync(target)).toBe(false);
  expect(await settled(() => processesMentioning(name))).toEqual([]);
}

/** Bytes under `dir` (apparent sizes, like fetchSource's own measure); 0 when it does not exist. */
async function directoryBytes(dir: string): Promise<number> {
  const du = await new Promise<string>((resolve) => execFile('du', ['-sb', '--apparent-size', dir], (error, stdout) => resolve(error ? '0' : stdout)));
  return Number.parseInt(du, 10) || 0;
}

/** The most bytes `dir` held while `work` ran, looked at with `du` again as soon as it answers. */
async function peakBytes<T>(dir: string, work: Promise<T>): Promise<{ value: T; peak: number; looks: number }> {
  let done = false;
  let peak = 0;
  let looks = 0;
  const watching = (async () => {
    while (!done) {
      peak = Math.max(peak, await directoryBytes(dir));
      looks += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const value = await work.finally(() => void (done = true));
  await watching;
  return { value, peak, looks };
}

/** measureTree on a published bare repository, with nothing stopping it. */
function measurePublished(repo: Published, limits: { maxBytes: number; maxFiles: number }) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, GIT_CONFIG_NOSYSTEM: '1' };
  return measureTree(repo.dir, repo.commit, limits, { config: [], env, signal: new AbortController().signal });
}

/** Processes other than this one whose command line or working folder mentions `needle`. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let cwd = '';
      try {
        cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // not ours to read, or gone
      }
      if (cmdline.includes(needle) || cwd.includes(needle)) found.push(`${pid}: ${cmdline} (in ${cwd})`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Waits up to `ms` for `probe` to return an empty list; returns what is left. */
async function settled<T>(probe: () => T[], ms = 3000): Promise<T[]> {
  const until = Date.now() + ms;
  let left = probe();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = probe();
  }
  return left;
}

describe('When a URL or a branch tries to smuggle a git option or transport past validation (fetchSource called directly)', () => {
  test.each([
    [
      'a URL that is an option: --upload-pack=<command>',
      (marker: string) => ({ url: `--upload-pack=touch ${marker}`, ref: null }),
      /^The repository URL must not start with "-"\.$/,
    ],
    [
      'a URL that is a short option: -u<command>',
      (marker: string) => ({ url: `-utouch ${marker}`, ref: null }),
      /^The repository URL must not start with "-"\.$/,
    ],
    [
      'an ext:: transport running a shell',
      (marker: string) => ({ url: `ext::sh -c touch% ${marker}`, ref: null }),
      /^Only https:\/\/ repository URLs are accepted \("ext" is not\)\.$/,
    ],
    ['a file:// URL of a host folder', () => ({ url: 'file:///etc', ref: null }), /^Only https:\/\/ repository URLs are accepted \("file" is not\)\.$/],
    [
      'a branch that is an option: --upload-pack=<command>',
      (marker: string) => ({ url: '<repo>', ref: `--upload-pack=touch ${marker}` }),
      /^The branch "--upload-pack=touch \/tmp\/bp-marker-[0-9a-f]+" does not exist in http:\/\/127\.0\.0\.1:\d+\/learner\/inject-[0-9a-f]+\.git\.$/,
    ],
    [
      'a branch that is a short option: -u<command>',
      (marker: string) => ({ url: '<repo>', ref: `-utouch ${marker}` }),
      /^The branch "-utouch \/tmp\/bp-marker-[0-9a-f]+" does not exist in/,
    ],
  ])('%s: refused as a LearnerError, and the command never runs', async (name, make, message) => {
    const marker = markerPath();
    const repo = git().publishTree(repoName('inject'), [PACKAGE_JSON]);
    const { url, ref } = make(marker);
    const { result, error, seconds, target } = await fetchDirect({ kind: 'git', url: url === '<repo>' ? repo.url : url, ref });
    expect(result).toBeNull();
    expect(error).toBeInstanceOf(LearnerError);
    expect(error?.message).toMatch(message);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(target)).toBe(false); // nothing of a failed clone is left
    expect(seconds).toBeLessThan(10);
    recordCase({
      area: 'Hostile repository',
      case: `Injection past validation: ${name}`,
      outcome: stable(`LearnerError "${error?.message}"; the command did not run`),
      seconds,
    });
  });

  test.each([
    [
      'credentials in the URL',
      (url: string) => url.replace('http://', 'http://learner:s3cr3t-token@'),
      /^Remove the credentials from the URL: the repository must be public\.$/,
    ],
    [
      'plain http to a host not allowed over http',
      (url: string) => url.replace('127.0.0.1', 'localhost'),
      /^Only https:\/\/ repository URLs are accepted \("http" is not\)\.$/,
    ],
  ])('%s: refused as a LearnerError before anything reaches the server', async (name, change, message) => {
    const repo = git().publishTree(repoName('refused'), [PACKAGE_JSON]);
    const before = git().requests.length;
    const { error, seconds } = await fetchDirect({ kind: 'git', url: change(repo.url), ref: null });
    expect(error).toBeInstanceOf(LearnerError);
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('s3cr3t');
    expect(git().requests.slice(before)).toEqual([]);
    recordCase({
      area: 'Hostile repository',
      case: `Past validation: ${name}`,
      outcome: `LearnerError "${error?.message}"; no request reached the server`,
      seconds,
    });
  });

  test('an injected URL submitted to the pipeline ends as an error outcome and leaves no job folder', async () => {
    const marker = markerPath();
    const { outcome, stages, leftovers, jobDirExists } = await grade({ kind: 'git', url: `--upload-pack=touch ${marker}`, ref: null });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toBe('The repository URL must not start with "-".');
    expect(stages).toEqual(['cloning', 'error']);
    expect(fs.existsSync(marker)).toBe(false);
    expect(leftovers).toEqual([]);
    expect(jobDirExists).toBe(false);
  });
});

describe('When the repository server redirects to an internal address', () => {
  let internal: GitServer;
  let redirector: http.Server;
  let redirectorUrl: string;
  let status = 301;
  const redirected: string[] = [];

  beforeAll(async () => {
    internal = await startGitServer();
    redirector = http.createServer((req, res) => {
      redirected.push(`${req.method} ${req.url}`);
      // The form git follows on the initial request: the same path and query on another host.
      res.writeHead(status, { Location: `${internal.url}${req.url}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    redirector.closeAllConnections();
    await new Promise((resolve) => redirector.close(resolve));
    await internal.close();
  });

  test('then (control) the internal target really serves the repository, so following the redirect would have cloned it', async () => {
    internal.publishTree('x', [PACKAGE_JSON, { path: 'internal-secret.txt', content: 'only for the inside\n' }]);
    const { result, error } = await fetchDirect({ kind: 'git', url: `${internal.url}/learner/x.git`, ref: null });
    expect(error).toBeNull();
    expect(result?.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(internal.requests.length).toBeGreaterThan(0);
  });

  test.each([301, 302])('then a %i is not followed: an error outcome says so, and the internal target receives no request', async (code) => {
    status = code;
    internal.requests.length = 0;
    redirected.length = 0;
    const { outcome, stages, seconds, jobDirExists } = await grade({ kind: 'git', url: `${redirectorUrl}/learner/x.git`, ref: null });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toBe('The repository answered with a redirect (was it renamed or moved?). Submit its current URL.');
    expect(stages).toEqual(['cloning', 'error']);
    expect(redirected.length).toBeGreaterThan(0);
    expect(redirected[0]).toMatch(/^GET \/learner\/x\.git\/info\/refs\?service=git-upload-pack$/);
    expect(internal.requests).toEqual([]);
    expect(jobDirExists).toBe(false);
    recordCase({
      area: 'Hostile repository',
      case: `HTTP ${code} from the git server to another (internal) loopback server`,
      outcome: `${outcome.status}: ${outcome.message} Internal target: ${internal.requests.length} requests`,
      seconds,
    });
  });
});

describe('When the repository is too big for the clone limits', () => {
  test('then a 5 MB file against a 2 MB cap ends as an error outcome naming the limit, and the checkout is removed', async () => {
    const name = repoName('huge');
    const repo = git().publishTree(name, [PACKAGE_JSON, { path: 'blob.bin', content: crypto.randomBytes(5 * MB) }]);
    const { outcome, stages, seconds, jobDirExists } = await grade({ kind: 'git', url: repo.url, ref: null }, { cloneMaxBytes: 2 * MB });
    await expectStoppedAtClone({ outcome, stages, seconds, jobDirExists }, 'The repository is larger than the 2 MB limit for a submission.', 30, name);
    recordCase({ area: 'Hostile repository', case: '5 MB of random data, clone cap 2 MB', outcome: `${outcome.status}: ${outcome.message}`, seconds });

    // fetchSource alone removes the partial checkout too, and stops every git process.
    const direct = await fetchDirect({ kind: 'git', url: repo.url, ref: null }, { maxBytes: 2 * MB });
    expect(direct.error).toBeInstanceOf(LearnerError);
    expect(direct.error?.message).toBe('The repository is larger than the 2 MB limit for a submission.');
    expect(fs.existsSync(direct.target)).toBe(false);
    expect(await settled(() => processesMentioning(name))).toEqual([]);
  });

  describe('with 20 000 small files', () => {
    const name = repoName('many');
    let repo: { url: string; commit: string };
    beforeAll(() => {
      const entries: TreeEntry[] = [PACKAGE_JSON];
      for (let i = 0; i < 20_000; i++) {
        entries.push({ path: `src/d${String(i % 200).padStart(3, '0')}/f${i}.txt`, content: `file ${i}\n${'x'.repeat(100 + (i % 50))}\n` });
      }
      repo = git().publishTree(name, entries);
    });

    test('then within generous limits it is cloned completely and in bounded time', async () => {
      const { result, error, seconds, target } = await fetchDirect({ kind: 'git', url: repo.url, ref: null }, { maxBytes: 200 * MB, timeoutMs: 60_000 });
      expect(error).toBeNull();
      expect(result?.commitSha).toBe(repo.commit);
      const count = spawnSync('git', ['-C', target, 'ls-files'], { encoding: 'utf8', maxBuffer: 16 * MB })
        .stdout.split('\n')
        .filter(Boolean).length;
      expect(count).toBe(20_001);
      expect(seconds).toBeLessThan(60);
      fs.rmSync(path.dirname(target), { recursive: true, force: true });
      recordCase({ area: 'Hostile repository', case: '20 000 small files, generous limits', outcome: `cloned: ${count} files`, seconds });
    });

    test('then against a 2 MB cap it ends as an error outcome naming the limit, and the partial checkout is removed', async () => {
      const { outcome, seconds, jobDirExists } = await grade({ kind: 'git', url: repo.url, ref: null }, { cloneMaxBytes: 2 * MB });
      expect(outcome.status).toBe('error');
      expect(outcome.message).toBe('The repository is larger than the 2 MB limit for a submission.');
      expect(jobDirExists).toBe(false);
      expect(await settled(() => processesMentioning(name))).toEqual([]);
      recordCase({ area: 'Hostile repository', case: '20 000 small files, clone cap 2 MB', outcome: `${outcome.status}: ${outcome.message}`, seconds });
    });
  });
});

describe('When the repository is small packed but huge checked out', () => {
  test('then a zip bomb (one 10 MB blob of zeros at 1000 paths, 10 GB checked out) is refused before anything is checked out', async () => {
    const name = repoName('zipbomb');
    const zeros = Buffer.alloc(10 * MB);
    const bomb = Array.from({ length: 1000 }, (_, i): TreeEntry => ({ path: `assets/z${String(i).padStart(4, '0')}.bin`, content: zeros }));
    const repo = git().publishTree(name, [PACKAGE_JSON, ...bomb]);
    // The premise: a repository of a few KB that a checkout would make 10 GB.
    const packBytes = await directoryBytes(path.join(repo.dir, 'objects'));
    expect(packBytes).toBeLessThan(1 * MB);
    const logical = await measurePublished(repo, { maxBytes: Number.POSITIVE_INFINITY, maxFiles: Number.POSITIVE_INFINITY });
    expect(logical.bytes).toBeGreaterThan(10_000 * MB);

    const { outcome, stages, seconds, jobDirExists } = await grade({ kind: 'git', url: repo.url, ref: null }, { cloneMaxBytes: 200 * MB });
    await expectStoppedAtClone({ outcome, stages, seconds, jobDirExists }, 'The repository is larger than the 200 MB limit for a submission.', 5, name);

    // fetchSource alone, its folder watched: the job folder never holds more than the pack.
    const target = newTarget();
    const {
      value: direct,
      peak,
      looks,
    } = await peakBytes(path.dirname(target), fetchDirect({ kind: 'git', url: repo.url, ref: null }, { maxBytes: 200 * MB }, target));
    expect(looks).toBeGreaterThan(1);
    await expectRefusedBeforeCheckout(direct, peak, target, name);
    recordCase({
      area: 'Hostile repository',
      case: `Zip bomb: one 10 MB blob of zeros at 1000 paths (${Math.round(logical.bytes / MB)} MB checked out, ${Math.ceil(packBytes / 1024)} KB of git objects), clone cap 200 MB`,
      outcome: `${outcome.status}: ${outcome.message} Refused before the checkout: at most ${Math.ceil(peak / 1024)} KB in the job folder (${looks} looks), ${direct.seconds.toFixed(2)} s`,
      seconds,
    });
  });

  test('then a zip bomb pinned as the pushed commit, under a branch that moved on to a small commit, is measured and refused the same way', async () => {
    const name = repoName('pinnedbomb');
    const zeros = Buffer.alloc(10 * MB);
    const bomb = git().publishTree(name, [PACKAGE_JSON, ...Array.from({ length: 1000 }, (_, i): TreeEntry => ({ path: `assets/z${i}.bin`, content: zeros }))]);
    // The branch moves on: a new head holding only package.json, whose parent is the bomb.
    const inBare = (args: string[], input?: string) => spawnSync('git', args, { cwd: bomb.dir, input, encoding: 'utf8' }).stdout.trim();
    const blob = inBare(['hash-object', '-w', '--stdin'], PACKAGE_JSON.content.toString());
    const tree = inBare(['mktree'], `100644 blob ${blob}\tpackage.json\n`);
    const head = inBare(['-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit-tree', tree, '-p', bomb.commit, '-m', 'moved on']);
    inBare(['update-ref', 'refs/heads/main', head]);
    expect(head).toMatch(/^[0-9a-f]{40}$/);

    const control = await fetchDirect({ kind: 'git', url: bomb.url, ref: 'main' }, { maxBytes: 200 * MB });
    expect(control.error).toBeNull();
    expect(control.result?.commitSha).toBe(head);

    const target = newTarget();
    const { value: pinned, peak } = await peakBytes(
      path.dirname(target),
      fetchDirect({ kind: 'git', url: bomb.url, ref: 'main', commit: bomb.commit }, { maxBytes: 200 * MB }, target),
    );
    await expectRefusedBeforeCheckout(pinned, peak, target, name);
    recordCase({
      area: 'Hostile repository',
      case: 'Zip bomb (10 GB checked out) as the pinned commit of a push, the branch moved on to a small commit',
      outcome: `LearnerError "${pinned.error?.message}" before the checkout: at most ${Math.ceil(peak / 1024)} KB in the job folder`,
      seconds: pinned.seconds,
    });
  });

  describe('with a million files: 1000 folders of 1000 paths, all one tiny blob', () => {
    const name = repoName('million');
    let repo: Published;
    let buildSeconds = 0;
    function* entries(): Generator<TreeEntry> {
      yield PACKAGE_JSON;
      for (let folder = 0; folder < 1000; folder++) {
        for (let file = 0; file < 1000; file++) yield { path: `d${folder}/f${file}.txt`, content: 'x\n' };
      }
    }
    beforeAll(() => {
      const started = Date.now();
      repo = git().publishTree(name, entries());
      buildSeconds = (Date.now() - started) / 1000;
    });

    test('then (control) the tree really holds 1 000 001 entries, and measuring stops at the limit', async () => {
      let started = Date.now();
      const whole = await measurePublished(repo, { maxBytes: Number.POSITIVE_INFINITY, maxFiles: Number.POSITIVE_INFINITY });
      const wholeSeconds = (Date.now() - started) / 1000;
      expect(whole).toEqual({ files: 1_000_001, bytes: Buffer.byteLength(PACKAGE_JSON.content) + 1_000_000 * 2, over: null });
      started = Date.now();
      const stopped = await measurePublished(repo, { maxBytes: 200 * MB, maxFiles: 50_000 });
      const stoppedSeconds = (Date.now() - started) / 1000;
      expect(stopped).toMatchObject({ files: 50_001, over: 'files' });
      expect(await settled(() => processesMentioning(name))).toEqual([]);
      recordCase({
        area: 'Hostile repository',
        case: 'A million files: the tree measured by git ls-tree -r -l, streamed',
        outcome: `whole listing ${whole.files} entries in ${wholeSeconds.toFixed(1)} s; with a 50 000 limit stopped at ${stopped.files} in ${stoppedSeconds.toFixed(2)} s`,
        seconds: stoppedSeconds,
      });
    });

    test('then against a 50 000-file limit it ends as an error outcome naming the limit, in bounded time, with nothing checked out', async () => {
      const packBytes = await directoryBytes(path.join(repo.dir, 'objects'));
      const { outcome, stages, seconds, jobDirExists } = await grade(
        { kind: 'git', url: repo.url, ref: null },
        { cloneMaxBytes: 200 * MB, cloneMaxFiles: 50_000 },
      );
      await expectStoppedAtClone(
        { outcome, stages, seconds, jobDirExists },
        'The repository has more than 50000 files; the limit for a submission is 50000.',
        10,
        name,
      );
      recordCase({
        area: 'Hostile repository',
        case: `A million files (1000 folders × 1000 paths of one blob: ${Math.ceil(packBytes / 1024)} KB of git objects, built in ${buildSeconds.toFixed(1)} s), file limit 50 000`,
        outcome: `${outcome.status}: ${outcome.message}`,
        seconds,
      });
    });
  });
});

describe('When a tree is exactly at a clone limit', () => {
  const gitlink = crypto.randomBytes(20).toString('hex');
  const entries: TreeEntry[] = [
    PACKAGE_JSON,
    { path: 'src/a.txt', content: 'a'.repeat(1000) },
    { path: 'src/b.txt', content: 'b'.repeat(234) },
    { path: 'link', mode: '120000', content: 'src/a.txt' },
    { path: 'vendor/lib', mode: '160000', content: gitlink },
  ];
  const blobBytes = entries.filter((entry) => entry.mode !== '160000').reduce((sum, entry) => sum + Buffer.byteLength(entry.content), 0);

  test('then a tree of maxFiles entries is cloned, and one entry more is refused (symlinks and submodules count)', async () => {
    const limit = entries.length;
    const atLimit = git().publishTree(repoName('files-at'), entries);
    const at = await fetchDirect({ kind: 'git', url: atLimit.url, ref: null }, { maxFiles: limit });
    expect(at.error).toBeNull();
    expect(at.result?.commitSha).toBe(atLimit.commit);
    const listed = spawnSync('git', ['-C', at.target, 'ls-files'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(listed).toHaveLength(limit);

    const overLimit = git().publishTree(repoName('files-over'), [...entries, { path: 'src/c.txt', content: 'c' }]);
    const over = await fetchDirect({ kind: 'git', url: overLimit.url, ref: null }, { maxFiles: limit });
    expect(over.error).toBeInstanceOf(LearnerError);
    expect(over.error?.message).toBe(`The repository has more than ${limit} files; the limit for a submission is ${limit}.`);
    expect(fs.existsSync(over.target)).toBe(false);
  });

  test('then blobs summing to exactly maxBytes pass the measure, and a limit one byte lower stops it (a submodule has no size)', async () => {
    const repo = git().publishTree(repoName('bytes-exact'), entries);
    expect(await measurePublished(repo, { maxBytes: blobBytes, maxFiles: 100 })).toEqual({ files: entries.length, bytes: blobBytes, over: null });
    expect(await measurePublished(repo, { maxBytes: blobBytes - 1, maxFiles: 100 })).toMatchObject({ over: 'bytes' });
    expect(await measurePublished(repo, { maxBytes: blobBytes, maxFiles: entries.length - 1 })).toMatchObject({ files: entries.length, over: 'files' });
  });
});

describe('When the repository declares submodules pointing at file:// and ext::', () => {
  test('then they are not fetched (empty folders, no .git/modules) and nothing is executed', async () => {
    const marker = markerPath();
    const updateMarker = markerPath();
    // A real repository the file:// submodule points at: fetching it would bring secret.txt.
    const secret = fs.mkdtempSync(path.join(scratch, 'secret-'));
    const secretBare = path.join(secret, 'secret.git');
    const run = (cwd: string, ...args: string[]) =>
      spawnSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
        cwd,
        encoding: 'utf8',
      }).stdout.trim();
    const work = path.join(secret, 'work');
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(work, 'secret.txt'), 'host secret\n');
    run(work, 'init', '-q');
    run(work, 'add', '-A');
    run(work, 'commit', '-q', '-m', 'secret');
    run(secret, 'clone', '-q', '--bare', work, secretBare);
    const secretCommit = run(work, 'rev-parse', 'HEAD');
    expect(secretCommit).toMatch(/^[0-9a-f]{40}$/);

    const gitmodules = [
      '[submodule "evil"]',
      '\tpath = evil',
      `\turl = ext::sh -c touch% ${marker}`,
      `\tupdate = !touch ${updateMarker}`,
      '[submodule "hostfiles"]',
      '\tpath = hostfiles',
      `\turl = file://${secretBare}`,
      '',
    ].join('\n');
    const repo = git().publishTree(repoName('submodules'), [
      PACKAGE_JSON,
      { path: '.gitmodules', content: gitmodules },
      { path: 'evil', mode: '160000', content: secretCommit },
      { path: 'hostfiles', mode: '160000', content: secretCommit },
    ]);
    const { result, error, seconds, target } = await fetchDirect({ kind: 'git', url: repo.url, ref: null });
    expect(error).toBeNull();
    expect(result?.commitSha).toBe(repo.commit);
    expect(fs.readFileSync(path.join(target, '.gitmodules'), 'utf8')).toBe(gitmodules);
    for (const dir of ['evil', 'hostfiles']) {
      const entries = fs.existsSync(path.join(target, dir)) ? fs.readdirSync(path.join(target, dir)) : [];
      expect([dir, entries]).toEqual([dir, []]);
    }
    expect(fs.existsSync(path.join(target, '.git', 'modules'))).toBe(false);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(updateMarker)).toBe(false);
    recordCase({
      area: 'Hostile repository',
      case: 'Submodules pointing at ext::sh and at a file:// repository on the host',
      outcome: 'cloned without them: empty folders, no .git/modules, nothing executed',
      seconds,
    });
  });
});

describe('When the repository has Git LFS pointer files', () => {
  test('then they are cloned as plain pointer text and no LFS download is attempted', async () => {
    const pointer = [
      'version https://git-lfs.github.com/spec/v1',
      `oid sha256:${crypto.createHash('sha256').update('weights').digest('hex')}`,
      'size 734003200',
      '',
    ].join('\n');
    const name = repoName('lfs');
    const repo = git().publishTree(name, [
      PACKAGE_JSON,
      { path: '.gitattributes', content: '*.bin filter=lfs diff=lfs merge=lfs -text\n' },
      { path: 'models/weights.bin', content: pointer },
    ]);
    const before = git().requests.length;
    const { error, seconds, target } = await fetchDirect({ kind: 'git', url: repo.url, ref: null });
    expect(error).toBeNull();
    expect(fs.readFileSync(path.join(target, 'models', 'weights.bin'), 'utf8')).toBe(pointer);
    const requests = git().requests.slice(before);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((line) => line.includes(name) && /info\/lfs|objects\/batch/.test(line))).toEqual([]);
    const lfs = spawnSync('git', ['lfs', 'version'], { encoding: 'utf8' }).status === 0 ? 'git-lfs installed' : 'git-lfs not installed';
    recordCase({ area: 'Hostile repository', case: `Git LFS pointer file (${lfs})`, outcome: 'cloned as pointer text; no LFS request', seconds });
  });
});

describe('When the git server accepts the connection and never answers (tarpit)', () => {
  let tarpit: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];
  const open = new Set<net.Socket>();

  beforeAll(async () => {
    tarpit = net.createServer((socket) => {
      sockets.push(socket);
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.resume(); // reads the request (so a closed connection is seen), never answers
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => tarpit.listen(0, '127.0.0.1', resolve));
    port = (tarpit.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => tarpit.close(resolve));
  });

  test('then fetchSource gives up at its 3 s timeout, well within 6 s, and no git process or connection is left', async () => {
    const { error, seconds, target } = await fetchDirect({ kind: 'git', url: `http://127.0.0.1:${port}/learner/slow.git`, ref: null }, { timeoutMs: 3000 });
    expect(sockets.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(LearnerError);
    expect(error?.message).toBe(`Cloning http://127.0.0.1:${port}/learner/slow.git took longer than 3 s and was stopped.`);
    expect(seconds).toBeGreaterThanOrEqual(2.9);
    expect(seconds).toBeLessThan(6);
    expect(fs.existsSync(target)).toBe(false);
    expect(await settled(() => processesMentioning(`127.0.0.1:${port}`))).toEqual([]);
    expect(await settled(() => [...open])).toHaveLength(0);
    recordCase({
      area: 'Hostile repository',
      case: 'Tarpit git server (accepts, never answers), clone timeout 3 s',
      outcome: stable(`LearnerError "${error?.message}"`),
      seconds,
    });
  });

  test('then through the pipeline it ends as an error outcome and leaves no job folder', async () => {
    const { outcome, stages, seconds, jobDirExists } = await grade(
      { kind: 'git', url: `http://127.0.0.1:${port}/learner/slow.git`, ref: null },
      { cloneTimeoutMs: 3000 },
    );
    await expectStoppedAtClone({ outcome, stages, seconds, jobDirExists }, /took longer than 3 s and was stopped\.$/, 10, `127.0.0.1:${port}`);
  });
});

describe('When the repository holds symlinks to host paths', () => {
  const passwd = fs.statSync('/etc/passwd');

  test.each([
    [
      'package.json -> /etc/passwd',
      [{ path: 'package.json', mode: '120000', content: '/etc/passwd' }],
      null,
      'package.json is a symbolic link; the grader only reads regular files.',
    ],
    [
      'package-lock.json -> /etc/passwd',
      [PACKAGE_JSON, { path: 'package-lock.json', mode: '120000', content: '/etc/passwd' }],
      null,
      'package-lock.json is a symbolic link; the grader only reads regular files.',
    ],
    ['a subdirectory -> /etc', [PACKAGE_JSON, { path: 'app', mode: '120000', content: '/etc' }], 'app', '"app" is a symbolic link; point at a real folder.'],
    [
      'a folder inside the subdirectory -> /etc',
      [{ path: 'services/api', mode: '120000', content: '/etc' }, PACKAGE_JSON],
      'services/api',
      '"services/api" is a symbolic link; point at a real folder.',
    ],
  ] as [string, TreeEntry[], string | null, string][])('%s (cloned from git): refused without following it', async (name, entries, subdir, message) => {
    const repo = git().publishTree(repoName('symlink'), entries);
    const { outcome, stages, jobDirExists } = await grade({ kind: 'git', url: repo.url, ref: null }, { subdir: subdir ?? undefined });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toBe(message);
    expect(stages).toEqual(['cloning', 'error']);
    expect(jobDirExists).toBe(false);
    const after = fs.statSync('/etc/passwd');
    expect([after.uid, after.gid, after.mode]).toEqual([passwd.uid, passwd.gid, passwd.mode]);
    recordCase({ area: 'Hostile repository', case: `Symlink in the repository: ${name}`, outcome: `${outcome.status}: ${outcome.message} Target untouched.` });
  });

  test('package.json -> /etc/passwd (a local folder): refused without following it', async () => {
    const app = helloVariant({ 'package.json': null });
    fs.symlinkSync('/etc/passwd', path.join(app, 'package.json'));
    const { outcome, stages, jobDirExists } = await grade({ kind: 'local', path: app, ref: null });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toBe('package.json is a symbolic link; the grader only reads regular files.');
    expect(stages).toEqual(['cloning', 'error']);
    expect(jobDirExists).toBe(false);
    expect(fs.statSync('/etc/passwd').uid).toBe(passwd.uid);
    fs.rmSync(app, { recursive: true, force: true });
  });
});
