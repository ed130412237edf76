/**
 * Every install path a learner's repository may take, through the real pipeline (gradeSubmission,
 * the real install network whose only reachable host is the npm registry, the real runtime image):
 * pnpm, Yarn 1 and Yarn Berry lockfiles install and the app scores like its npm twin; lockfiles
 * written against a mirror install from the registry; a committed .npmrc is honoured (minus a
 * registry or token); each failure names its cause and whose it is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { PlatformError } from '../../worker/errors';
import { gradeSubmission, newJobId } from '../../worker/gradeSubmission';
import { FIXTURES, fixtureExercise, helloVariant, testGradeEnvironment } from '../support/fixtures';

jest.setTimeout(300_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-install-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const LOCKS = path.join(FIXTURES, 'lockfiles');
const lock = (...parts: string[]) => fs.readFileSync(path.join(LOCKS, ...parts), 'utf8');
const hello = fs.readFileSync(path.join(FIXTURES, 'apps', 'hello', 'server.js'), 'utf8');
/** The hello app, depending on ms@2.1.3 and printing it at start: proof node_modules is usable by `npm run start`. */
const usesMs = `console.log('ms says ' + require('ms')(60000));\n${hello}`;
const msPackage = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    name: 'fixture-hello',
    version: '1.0.0',
    private: true,
    scripts: { build: 'node build.js', start: 'node dist/server.js' },
    dependencies: { ms: '2.1.3' },
    ...extra,
  });

function msApp(files: Record<string, string | null>, extra: Record<string, unknown> = {}): string {
  return helloVariant({ 'package.json': msPackage(extra), 'package-lock.json': null, 'server.js': usesMs, ...files });
}

async function grade(dir: string, limits: Record<string, number> = {}) {
  const details: string[] = [];
  const started = Date.now();
  const outcome = await gradeSubmission(
    { jobId: newJobId(), exercise: fixtureExercise({ installSeconds: 240, ...limits }), source: { kind: 'local', path: dir, ref: null }, subdir: null },
    testGradeEnvironment(docker, 'test-install', dataDir, {
      jobTimeoutMs: 400_000,
      onStage: async (stage, _at, detail) => void details.push(`${stage}: ${detail ?? ''}`),
    }),
  );
  return { outcome, details, seconds: (Date.now() - started) / 1000 };
}

describe('When a project commits the lockfile of another package manager, then it installs with that manager and scores', () => {
  test.concurrent.each([
    ['pnpm 9 (pnpm-lock.yaml lockfileVersion 9.0)', { 'pnpm-lock.yaml': lock('ms', 'pnpm-lock.yaml') }, {}],
    ['Yarn 1 (classic yarn.lock)', { 'yarn.lock': lock('ms', 'yarn-classic.lock') }, {}],
    ['Yarn Berry 4 (yarn.lock with __metadata, no .yarnrc.yml: the node-modules linker is forced)', { 'yarn.lock': lock('ms', 'yarn-berry.lock') }, {}],
    ['pnpm named by "packageManager" (pnpm@9.15.0)', { 'pnpm-lock.yaml': lock('ms', 'pnpm-lock.yaml') }, { packageManager: 'pnpm@9.15.0' }],
    [
      'Yarn 4.5.3 named by "packageManager" (older than the grader\'s default Yarn, whose settings it does not know)',
      { 'yarn.lock': lock('ms', 'yarn-berry-4.5.3.lock') },
      { packageManager: 'yarn@4.5.3' },
    ],
    [
      'a Yarn 1 lockfile written against a mirror (its URLs are pointed at the registry)',
      { 'yarn.lock': lock('ms', 'yarn-classic.lock').replaceAll('https://registry.yarnpkg.com/', 'https://registry.npmmirror.com/') },
      {},
    ],
    [
      'a package-lock.json written against a company registry (its URLs are pointed at the registry, prefix and all)',
      {
        'package-lock.json': lock('ms', 'package-lock.json').replace(
          '"version": "2.1.3",',
          '"version": "2.1.3",\n      "resolved": "https://artifactory.example.com/artifactory/api/npm/npm-remote/ms/-/ms-2.1.3.tgz",',
        ),
      },
      {},
    ],
  ])('%s', async (_name, files, extra) => {
    const { outcome, seconds } = await grade(msApp(files, extra));
    expect(outcome.message).toBeNull();
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(outcome.appLog).toContain('ms says 1m');
    console.log(`${_name}: graded in ${seconds.toFixed(0)} s`);
  });
});

describe("When pnpm 10 (which skips dependencies' build scripts by default) installs a native addon", () => {
  test.concurrent('then the addon is built as npm would build it, and works (bcrypt 5: no prebuild in the package)', async () => {
    const useBcrypt = "const bcrypt = require('bcrypt'); console.log('bcrypt works: ' + bcrypt.compareSync('s', bcrypt.hashSync('s', 4)));\n";
    const app = helloVariant({
      'package.json': JSON.stringify({
        name: 'fixture-hello',
        version: '1.0.0',
        private: true,
        packageManager: 'pnpm@10.34.9',
        scripts: { build: 'node build.js', start: 'node dist/server.js' },
        dependencies: { bcrypt: '5.1.1' },
      }),
      'package-lock.json': null,
      'pnpm-lock.yaml': lock('bcrypt-pnpm10', 'pnpm-lock.yaml'),
      'server.js': `${useBcrypt}${hello}`,
    });
    const { outcome } = await grade(app);
    expect(outcome.message).toBeNull();
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(outcome.appLog).toContain('bcrypt works: true');
  });
});

describe('When a project commits an .npmrc', () => {
  const peerApp = (files: Record<string, string | null>) =>
    helloVariant({
      'package.json': lock('peer-conflict', 'app-package.json'),
      'package-lock.json': lock('peer-conflict', 'package-lock.json'),
      'server.js': `console.log('react-dom ' + require('react-dom/package.json').version);\n${hello}`,
      ...files,
    });

  test.concurrent('then a peer-dependency conflict (ERESOLVE) fails with the fix that works in a graded repo', async () => {
    const { outcome } = await grade(peerApp({}));
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/ERESOLVE/);
    expect(outcome.message).toMatch(/commit an `\.npmrc` with the line `legacy-peer-deps=true`/);
  });

  test.concurrent('then its twin with `legacy-peer-deps=true` installs, and a registry or token in it is ignored with a warning', async () => {
    const npmrc = 'legacy-peer-deps=true\nregistry=https://npm.example.com/\n//npm.example.com/:_authToken=secret-token\n';
    const { outcome } = await grade(peerApp({ '.npmrc': npmrc }));
    expect(outcome.message).toBeNull();
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(outcome.appLog).toContain('react-dom 17.0.2');
    const warning = outcome.warnings.find((w) => w.includes('.npmrc'));
    expect(warning).toMatch(/sets registry, _authToken \(for \/\/npm\.example\.com\), which the grader ignores/);
    expect(warning).not.toContain('secret-token');
  });
});

describe('When "packageManager" names a release the registry does not have', () => {
  test.concurrent('then the learner is told to name a published version', async () => {
    const { outcome } = await grade(msApp({ 'pnpm-lock.yaml': lock('ms', 'pnpm-lock.yaml') }, { packageManager: 'pnpm@9.99.99' }));
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/"packageManager" names pnpm@9\.99\.99, which the npm registry does not have/);
  });
});

describe('When an install asks for a host the install network does not reach', () => {
  test.concurrent('then it fails in seconds, naming the host and the file that asked for it', async () => {
    const app = msApp({}, { dependencies: { ms: 'https://downloads.example.org/tarballs/ms-2.1.3.tgz' } });
    const { outcome, seconds } = await grade(app);
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/tried to reach downloads\.example\.org/);
    expect(outcome.message).toMatch(/package\.json names it/);
    expect(seconds).toBeLessThan(60);
    console.log(`unreachable host: error after ${seconds.toFixed(0)} s`);
  });
});

describe('When a Prisma app is graded on a worker whose install network cannot reach binaries.prisma.sh', () => {
  test.concurrent('then grading stops with a PlatformError naming the engine download and the operator settings', async () => {
    const prisma = path.join(FIXTURES, 'apps', 'prisma');
    const app = helloVariant({
      'package.json': fs.readFileSync(path.join(prisma, 'package.json'), 'utf8'),
      'package-lock.json': fs.readFileSync(path.join(prisma, 'package-lock.json'), 'utf8'),
      'prisma/schema.prisma': fs.readFileSync(path.join(prisma, 'prisma', 'schema.prisma'), 'utf8'),
    });
    const failure = grade(app);
    await expect(failure).rejects.toBeInstanceOf(PlatformError);
    // Measured: Prisma 6's install leaves the download to `prisma generate`, so the build step is the one that ends it.
    await expect(failure).rejects.toThrow(
      /^`npm run build` needs Prisma's engine binaries, downloaded from binaries\.prisma\.sh[\s\S]*INSTALL_ALLOWED_HOSTS[\s\S]*PRISMA_ENGINES_MIRROR/,
    );
  });
});
