/**
 * Filling the disk: a job's workspace is a file system of its own (worker/sandbox/jobDisk.ts), so a
 * learner's app or build that writes without end stops at the job's disk limit with ENOSPC, the
 * worker's disk is untouched, the result says why, and nothing of the job (mount, image, folder)
 * is left. Graded through the real pipeline (real Docker engine and sandbox images).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { gradeSubmission, newJobId } from '../../worker/gradeSubmission';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import { jobDiskFull, mountJobDisk, releaseJobDisk } from '../../worker/sandbox/jobDisk';
import { JOB_LABEL } from '../../worker/sandbox/sandbox';
import { fixtureExercise, helloVariant, imagesFromEnv } from '../support/fixtures';
import { recordCase } from '../support/securityCases';

jest.setTimeout(240_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-job-disk-'));
const MB = 1024 * 1024;

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((mountPoint) => mountPoint?.startsWith(dir));
}

/** Free bytes of the worker's own disk (where DATA_DIR lives). */
function hostFree(): number {
  const stats = fs.statfsSync(dataDir);
  return stats.bavail * stats.bsize;
}

async function grade(dir: string, limits: Record<string, number>) {
  const jobId = newJobId();
  const started = Date.now();
  const outcome = await gradeSubmission(
    { jobId, exercise: fixtureExercise(limits), source: { kind: 'local', path: dir, ref: null }, subdir: null },
    {
      sandbox: new DockerSandbox(docker, 'test-job-disk'),
      images: imagesFromEnv(),
      dataDir,
      platformDir: path.resolve(__dirname, '..', '..'),
      cloneTimeoutMs: 30_000,
      cloneMaxBytes: 50 * MB,
      cloneMaxFiles: 50_000,
      httpHosts: [],
      jobTimeoutMs: 200_000,
    },
  );
  expect(await docker.listContainers({ all: true, filters: { label: [`${JOB_LABEL}=${jobId}`] } })).toEqual([]);
  expect(fs.existsSync(path.join(dataDir, 'jobs', jobId))).toBe(false);
  expect(mountsUnder(dataDir)).toEqual([]);
  return { outcome, seconds: (Date.now() - started) / 1000 };
}

describe('A job disk', () => {
  test('holds what fits, refuses the byte past its size with ENOSPC, and is gone after release', async () => {
    const jobDir = path.join(dataDir, 'jobs', 'unit');
    expect(await mountJobDisk(jobDir, 64)).toBe(true);
    const checkout = path.join(jobDir, 'checkout');
    expect(mountsUnder(jobDir)).toEqual([checkout]);
    // Empty, so git can clone into it.
    expect(fs.readdirSync(checkout)).toEqual([]);
    fs.writeFileSync(path.join(checkout, 'fits'), Buffer.alloc(32 * MB));
    expect(await jobDiskFull(jobDir)).toBe(false);
    let written = 0;
    let code: string;
    try {
      const chunk = Buffer.alloc(MB);
      for (;;) {
        fs.appendFileSync(path.join(checkout, 'more'), chunk);
        written++;
      }
    } catch (error) {
      code = (error as NodeJS.ErrnoException).code ?? '';
    }
    expect(code).toBe('ENOSPC');
    expect(32 + written).toBeGreaterThan(50);
    expect(32 + written).toBeLessThanOrEqual(64);
    expect(await jobDiskFull(jobDir)).toBe(true);
    // The grader's output folder is outside the capped file system: still writable.
    fs.mkdirSync(path.join(jobDir, 'out'));
    fs.writeFileSync(path.join(jobDir, 'out', 'results.json'), '{}');

    await releaseJobDisk(jobDir);
    expect(mountsUnder(jobDir)).toEqual([]);
    expect(fs.existsSync(jobDir)).toBe(false);
  });
});

describe('When the app fills its workspace', () => {
  test('then its writes stop at the disk limit, it is still graded in full, the result says the disk was full, and the host disk is untouched', async () => {
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const fill =
      "let written = 0; try { const chunk = Buffer.alloc(1 << 20, 1); for (;;) { require('node:fs').appendFileSync('/workspace/fill', chunk); written++; } } catch (e) { console.log('workspace full after ' + written + ' MB: ' + e.code); }\n";
    const freeBefore = hostFree();
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${fill}${server}` }), { diskMb: 256 });
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    const full = /workspace full after (\d+) MB: ENOSPC/.exec(outcome.appLog ?? '');
    expect(full).not.toBeNull();
    // What the checkout already held (the app and its build) plus the fill: at most the limit.
    expect(Number(full![1])).toBeGreaterThan(200);
    expect(Number(full![1])).toBeLessThanOrEqual(256);
    expect(outcome.warnings).toContain('Your workspace reached the 256 MB disk limit of a grading job: writes to it failed with "no space left on device".');
    // The host lost nothing lasting (the image is gone with the job); other writers may move it a little.
    expect(Math.abs(hostFree() - freeBefore)).toBeLessThan(128 * MB);
    recordCase({
      area: 'Hostile submission',
      case: 'App fills its workspace (disk limit 256 MB)',
      outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; ${full![0]}; the result warns that the disk was full; nothing left on the host`,
      seconds,
    });
  });

  test('then a build that fills it ends as a build failure that names the full disk', async () => {
    const build = "const fs = require('node:fs'); const chunk = Buffer.alloc(1 << 20, 1); for (let i = 0; ; i++) fs.appendFileSync('dist-fill', chunk);\n";
    const { outcome, seconds } = await grade(helloVariant({ 'build.js': build }), { diskMb: 128 });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/`npm run build` failed \(exit code \d+\)[\s\S]*ENOSPC/);
    expect(outcome.warnings).toContain('Your workspace reached the 128 MB disk limit of a grading job: writes to it failed with "no space left on device".');
    recordCase({
      area: 'Hostile submission',
      case: 'Build fills the workspace (disk limit 128 MB)',
      outcome: `${outcome.status}: build failed with ENOSPC; the result warns that the disk was full`,
      seconds,
    });
  });

  test('then an honest submission after them is graded in full with no warning', async () => {
    const { outcome } = await grade(helloVariant(), {});
    expect(outcome).toMatchObject({ status: 'scored', score: 10, maxScore: 10, warnings: [] });
  });
});
