/**
 * The grading pipeline against the real Docker engine, the real sandbox images and a real Git
 * server on loopback: a working app is scored; each way a submission can go wrong ends as an
 * `error` outcome with a specific message; nothing of a job is left behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { PlatformError } from '../../worker/errors';
import { gradeSubmission, newJobId, type GradeOutcome } from '../../worker/gradeSubmission';
import { JOB_LABEL } from '../../worker/sandbox/sandbox';
import type { Source } from '../../worker/stages/fetchSource';
import { fixtureExercise, helloPackageJson, helloVariant, testGradeEnvironment } from '../support/fixtures';
import { gitServerForTests } from '../support/gitServer';
import { recordCase } from '../support/securityCases';

jest.setTimeout(180_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-data-'));
const git = gitServerForTests(dataDir);

async function grade(
  source: Source,
  options: { subdir?: string; limits?: Record<string, number>; exerciseId?: string; frontMatter?: Record<string, unknown> } = {},
) {
  const jobId = newJobId();
  const stages: string[] = [];
  const details: Array<[string, string]> = [];
  const outcome = await gradeSubmission(
    { jobId, exercise: fixtureExercise(options.limits, options.exerciseId, options.frontMatter), source, subdir: options.subdir ?? null },
    testGradeEnvironment(docker, 'test-pipeline', dataDir, {
      onStage: async (stage) => void stages.push(stage),
      onStageDetail: async (stage, detail) => void details.push([stage, detail]),
    }),
  );
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${JOB_LABEL}=${jobId}`] } });
  return { outcome, stages, details, leftovers, jobDirExists: fs.existsSync(path.join(dataDir, 'jobs', jobId)) };
}

const local = (dir: string): Source => ({ kind: 'local', path: dir, ref: null });

function failedIds(outcome: GradeOutcome) {
  return outcome.tests.filter((t) => t.status !== 'passed').map((t) => t.id);
}

describe('When a working app is submitted', () => {
  test('then it is cloned from git, installed, built, started, tested and scored, and nothing is left behind', async () => {
    const repo = git().publish('hello', helloVariant());
    const { outcome, stages, leftovers, jobDirExists } = await grade({ kind: 'git', url: repo.url, ref: null });
    expect(outcome.message).toBeNull();
    expect(outcome.status).toBe('scored');
    expect(outcome.cause).toBeNull();
    expect(outcome.commitSha).toBe(repo.commit);
    expect(outcome.tests.map((t) => [t.id, t.status])).toEqual([
      ['hello.greets', 'passed'],
      ['sandbox.isolated', 'passed'],
      ['sandbox.database', 'passed'],
    ]);
    expect(outcome.score).toBe(10);
    expect(stages).toEqual(['cloning', 'installing', 'building', 'starting', 'testing', 'scored']);
    expect(outcome.appLog).toContain('listening on 3000');
    expect(leftovers).toHaveLength(0);
    expect(jobDirExists).toBe(false);
  });

  test('then a second submission with the same lockfile restores dependencies from the cache, and says so after the install', async () => {
    const { outcome, details } = await grade(local(helloVariant()));
    expect(outcome.status).toBe('scored');
    expect(outcome.stages.find((s) => s.stage === 'installing')?.detail).toMatch(/restored from cache/);
    // Known only once the install ran: handed on so the stage row keeps it (worker.ts stores it).
    expect(details).toEqual([['installing', expect.stringMatching(/^restored from cache \(key [0-9a-f]{8}, [\d.]+ [kM]B\) on Node 24\./)]]);
  });

  test('then a broken app loses exactly the check it breaks', async () => {
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const { outcome } = await grade(local(helloVariant({ 'server.js': server.replace("message: 'hello'", "message: 'bye'") })));
    expect(outcome.status).toBe('scored');
    expect(failedIds(outcome)).toEqual(['hello.greets']);
    expect(outcome.score).toBe(6);
    expect(outcome.tests[0].output).toMatch(/expected \{"message":"hello"\}/);
  });

  test('then a dependency that must compile a native addon (bcrypt 5: no prebuild in the package, GitHub unreachable) is built and works', async () => {
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const useBcrypt =
      "const bcrypt = require('bcrypt'); const hash = bcrypt.hashSync('secret', 4); console.log('bcrypt ' + require('bcrypt/package.json').version + ' works: ' + bcrypt.compareSync('secret', hash));\n";
    const app = helloVariant({
      'package.json': helloPackageJson({}, { dependencies: { bcrypt: '5.1.1' } }),
      'package-lock.json': null,
      'server.js': `${useBcrypt}${server}`,
    });
    const { outcome } = await grade(local(app), { limits: { installSeconds: 240 } });
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(outcome.appLog).toContain('bcrypt 5.1.1 works: true');
  });
});

describe('When an exercise has probes and a read-only workspace', () => {
  test('then each probe runs with the learner code before the app, and the tester reads its outcome and the files', async () => {
    const app = helloVariant();
    fs.symlinkSync('/platform/graders', path.join(app, 'leak'));
    const { outcome } = await grade(local(app), {
      exerciseId: 'fixture-probes',
      frontMatter: { workspace: true, probes: [{ name: 'marker', run: 'echo "probe-ran as $(id -u)"; exit 3' }] },
    });
    expect(outcome.message).toBeNull();
    expect(outcome.tests.map((t) => [t.id, t.status])).toEqual([
      ['probes.reported', 'passed'],
      ['workspace.readable', 'passed'],
    ]);
    expect(outcome.tests[0].measurements).toEqual([{ name: 'probe exit code', value: 3, threshold: '= 3' }]);
  });
});

describe('When a probe declares env (e.g. to boot the app once more as production)', () => {
  test("then its values reach the probe over the exercise's, it can start the app on another port with APP_START_COMMAND, and the app still starts as usual", async () => {
    // The probe boots the built app with APP_START_COMMAND on PORT 3001 and exits 3 once it listens
    // there, only when it sees the probe's APP_ENV and PORT: fixture-probes passes only on
    // "probe-ran as 10001" and exit code 3.
    const run =
      '[ "$APP_ENV" = production ] && [ "$PORT" = 3001 ] && [ "$APP_START_COMMAND" = "npm start" ] || exit 1; ' +
      '$APP_START_COMMAND >/tmp/second.log 2>&1 & for i in $(seq 100); do if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then ' +
      'echo "probe-ran as $(id -u) with APP_ENV=$APP_ENV on $PORT ($APP_START_COMMAND)"; exit 3; fi; sleep 0.2; done; exit 1';
    const { outcome, stages } = await grade(local(helloVariant()), {
      exerciseId: 'fixture-probes',
      frontMatter: { workspace: true, env: { APP_ENV: 'staging' }, probes: [{ name: 'marker', env: { APP_ENV: 'production', PORT: 3001 }, run }] },
    });
    expect(outcome.message).toBeNull();
    expect(stages).toEqual(['cloning', 'installing', 'building', 'probing', 'starting', 'testing', 'scored']);
    expect(outcome.tests.find((t) => t.id === 'probes.reported')?.status).toBe('passed');
    expect(outcome.appLog).toContain('listening on 3000');
  });
});

describe('When a submission cannot be graded, then it ends as an explained error', () => {
  test.each([
    ['no package.json', { 'package.json': null }, /no package.json in the root of the repository/],
    ['a failing build', { 'build.js': 'process.exit(3)' }, /`npm run build` failed \(exit code 3\)/],
    ['an app that never listens', { 'server.js': 'setInterval(() => {}, 1000); console.log("busy")' }, /did not listen on PORT 3000 within 5 s/],
    [
      'an app that crashes at start',
      { 'server.js': 'console.error("boom: missing config"); process.exit(4)' },
      /exited \(code 4\) before listening[\s\S]*boom: missing config/,
    ],
    ['no start script', { 'package.json': JSON.stringify({ name: 'x', scripts: { build: 'node build.js' } }) }, /neither a "start:prod" nor a "start" script/],
  ])('%s', async (_name, changes, message) => {
    const { outcome, leftovers } = await grade(local(helloVariant(changes)), { limits: { bootSeconds: 5 } });
    expect(outcome.status).toBe('error');
    expect(outcome.cause).toBe('learner');
    expect(outcome.message).toMatch(message);
    expect(leftovers).toHaveLength(0);
  });

  test('an app that goes over its memory limit while starting', async () => {
    const bomb = 'const hog = []; for (;;) hog.push(Buffer.alloc(16 * 1024 * 1024, 1));';
    const { outcome, leftovers } = await grade(local(helloVariant({ 'server.js': bomb })), { limits: { memoryMb: 128, bootSeconds: 30 } });
    expect(outcome.status).toBe('error');
    expect(outcome.cause).toBe('learner');
    expect(outcome.message).toMatch(/went over the memory limit of 128 MB|exited \(code 137\)/);
    expect(leftovers).toHaveLength(0);
    recordCase({
      area: 'Hostile submission',
      case: 'Memory bomb at start (limit 128 MB)',
      outcome: `${outcome.status}: ${(outcome.message ?? '').split('\n')[0]}`,
    });
  });

  test("a grader with an authoring mistake is a platform fault, thrown to be retried, never a score nor the learner's error", async () => {
    const graded = grade(local(helloVariant()), { exerciseId: 'fixture-broken' });
    await expect(graded).rejects.toBeInstanceOf(PlatformError);
    await expect(graded).rejects.toThrow(/The grader of fixture-broken could not run its checks: .*add up to 4 points, expected 10/);
  });

  test('a build that fails keeps the warnings gathered before it (no lockfile)', async () => {
    const { outcome } = await grade(local(helloVariant({ 'package-lock.json': null, 'build.js': 'process.exit(3)' })));
    expect(outcome).toMatchObject({ status: 'error', cause: 'learner' });
    expect(outcome.warnings.join('\n')).toMatch(/lockfile/i);
  });

  test('a branch that does not exist', async () => {
    const repo = git().publish('branchy', helloVariant(), { branch: 'develop' });
    const { outcome } = await grade({ kind: 'git', url: repo.url, ref: 'release' });
    expect(outcome.status).toBe('error');
    expect(outcome.cause).toBe('learner');
    expect(outcome.message).toBe(`The branch "release" does not exist in ${repo.url}.`);
  });

  test('a repository that does not exist', async () => {
    const { outcome } = await grade({ kind: 'git', url: `${git().url}/learner/missing.git`, ref: null });
    expect(outcome.status).toBe('error');
    expect(outcome.cause).toBe('learner');
    expect(outcome.message).toMatch(/was not found or is private/);
  });

  test('a subdirectory that does not exist', async () => {
    const { outcome } = await grade(local(helloVariant()), { subdir: 'services/auth' });
    expect(outcome).toMatchObject({ status: 'error', cause: 'learner' });
    expect(outcome.message).toBe('The folder "services/auth" does not exist in the repository.');
  });

  test('an install that fails shows the end of npm output', async () => {
    // package.json asks for a dependency the lockfile does not have: `npm ci` refuses.
    const manifest = JSON.stringify({ name: 'fixture-hello', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { 'left-pad': '1.3.0' } });
    const { outcome } = await grade(local(helloVariant({ 'package.json': manifest })));
    expect(outcome.status).toBe('error');
    expect(outcome.cause).toBe('learner');
    expect(outcome.message).toMatch(/`npm ci --no-audit --no-fund` failed \(exit code \d+\)[\s\S]*```/);
  });
});
