/**
 * The test tiers (issue 12 §4): `npm test` keeps its passes, each tier brings up only what it
 * needs, and every test file of the platform belongs to exactly one tier of jest.config.js.
 */
import fs from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { planTestRun, TestUsageError, unitEnvironment } from '../../scripts/lib/testTiers';

const ROOT = path.resolve(__dirname, '..', '..');

interface JestProject {
  displayName: string;
  rootDir: string;
  testMatch: string[];
}

/** Every *.test.ts Jest may collect: the platform's suite and the harness's own tests. */
function testFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith('test/fixtures/'));
}

/** jest.config.js's testMatch, read the way Jest reads it: a file matches the positive globs and no `!` glob. */
function inProject(project: JestProject, file: string): boolean {
  const absolute = path.join(ROOT, file);
  const globs = project.testMatch.map((glob) => glob.replace('<rootDir>', project.rootDir));
  const negated = globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  return globs.some((glob) => !glob.startsWith('!') && minimatch(absolute, glob)) && !negated.some((glob) => minimatch(absolute, glob));
}

describe('jest.config.js tiers', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const projects = (require(path.join(ROOT, 'jest.config.js')) as { projects: JestProject[] }).projects;
  const files = [...testFiles('test'), ...testFiles('graders/harness')];

  test('When the suite is collected, then every test file is in exactly one tier', () => {
    expect(projects.map((p) => p.displayName)).toEqual(['unit', 'integration', 'e2e']);
    const misplaced = files
      .map((file) => ({ file, tiers: projects.filter((p) => inProject(p, file)).map((p) => p.displayName) }))
      .filter((entry) => entry.tiers.length !== 1);
    expect(misplaced).toEqual([]);
  });

  test('When a file needs a service, then it is not in the unit tier', () => {
    const unit = projects[0];
    expect(files.filter((file) => inProject(unit, file) && !file.startsWith('test/unit/')).sort()).toEqual(
      ['graders/harness/feedback.test.ts', 'graders/harness/passwordHashes.test.ts', 'graders/harness/results.test.ts', 'graders/harness/run.test.ts'].sort(),
    );
    expect(inProject(unit, 'graders/harness/statementCounter.test.ts')).toBe(false);
    expect(inProject(projects[1], 'test/engine/dockerRestart.test.ts')).toBe(true);
    expect(inProject(projects[2], 'test/e2e/exercisesVerify.test.ts')).toBe(true);
  });
});

describe('planTestRun', () => {
  test('When npm test runs without arguments, then it type-checks, starts everything and keeps its three passes', () => {
    expect(planTestRun([])).toEqual({
      typecheck: true,
      services: 'browser',
      harnessDatabase: true,
      passes: [
        ['--testPathIgnorePatterns', '/node_modules/', '/test/fixtures/', '/test/engine/', 'exercisesVerify'],
        ['--runInBand', 'test/engine'],
        ['test/e2e/exercisesVerify.test.ts'],
      ],
    });
  });

  test('When npm test is given Jest arguments, then it runs them once with every service up', () => {
    expect(planTestRun(['test/web', '-t', 'CSRF'])).toEqual({
      typecheck: false,
      services: 'browser',
      harnessDatabase: true,
      passes: [['test/web', '-t', 'CSRF']],
    });
  });

  test('When the unit tier runs, then nothing is started and one pass selects the unit project', () => {
    expect(planTestRun(['--tier', 'unit'])).toEqual({ typecheck: false, services: 'none', harnessDatabase: false, passes: [['--selectProjects', 'unit']] });
    expect(planTestRun(['--tier=unit', 'test/unit/readme']).passes).toEqual([['--selectProjects', 'unit', '--passWithNoTests', 'test/unit/readme']]);
  });

  test('When the integration tier runs, then test/engine runs alone after the rest, and arguments narrow both passes', () => {
    const plan = planTestRun(['--tier', 'integration', 'test/web']);
    expect(plan).toMatchObject({ services: 'platform', harnessDatabase: true });
    expect(plan.passes).toEqual([
      ['--selectProjects', 'integration', '--passWithNoTests', 'test/web', '--testPathIgnorePatterns', '/node_modules/', '/test/engine/'],
      ['--selectProjects', 'integration', '--passWithNoTests', 'test/web', '--runInBand', '--testPathIgnorePatterns', '/node_modules/', '^(?!.*/test/engine/)'],
    ]);
    const onlyEngine = new RegExp(plan.passes[1][7]);
    expect(onlyEngine.test(path.join(ROOT, 'test/web/app.test.ts'))).toBe(true);
    expect(onlyEngine.test(path.join(ROOT, 'test/engine/dockerRestart.test.ts'))).toBe(false);
  });

  test('When the e2e tier runs, then Chromium is brought up and exercises:verify is left to its own command', () => {
    expect(planTestRun(['--tier', 'e2e'])).toEqual({
      typecheck: false,
      services: 'browser',
      harnessDatabase: false,
      passes: [['--selectProjects', 'e2e', '--testPathIgnorePatterns', '/node_modules/', 'exercisesVerify']],
    });
  });

  test('When the tier is unknown or missing, then it is a usage error naming the tiers', () => {
    expect(() => planTestRun(['--tier', 'smoke'])).toThrow(TestUsageError);
    expect(() => planTestRun(['--tier'])).toThrow(/unknown tier "": use unit, integration, e2e/);
  });
});

describe('unitEnvironment', () => {
  test('When the unit tier starts, then no service address reaches the tests and Docker points nowhere', () => {
    const env = unitEnvironment({
      PATH: '/bin',
      DATABASE_URL: 'postgres://x',
      REDIS_URL: 'redis://x',
      APP_DATABASE_URL: 'p',
      DATABASE_ADMIN_URL: 'p',
      IMAGE_TESTER: 't',
      DOCKER_HOST: 'tcp://d:2375',
    });
    expect(env).toEqual({ PATH: '/bin', NODE_ENV: 'test', LOG_LEVEL: 'warn', DOCKER_HOST: 'unix:///nonexistent/unit-tests-use-no-docker.sock' });
  });
});
