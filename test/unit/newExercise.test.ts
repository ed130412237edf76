/**
 * npm run exercises:new (scripts/new-exercise.ts), into a temporary folder shaped like the
 * repository: what it scaffolds passes the checks the real exercises pass (front matter, checks.ts,
 * the brief against checks.ts, a suite that runs every declared check, the type-check), grades an
 * app through the real harness entrypoint, and it refuses a malformed or taken id without writing
 * anything.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { loadChecks } from '../../graders/harness/checkDefinitions';
import type { Results } from '../../graders/harness/results';
import { loadExerciseDefinitions } from '../../core/exercises/definition';
import { compareBriefWithChecks } from '../../scripts/lib/briefChecks';
import { ScaffoldError, scaffoldExercise } from '../../scripts/new-exercise';

const ROOT = path.resolve(__dirname, '..', '..');
const ID = 'phase-9-rate-limits';
let root: string;

/**
 * A folder with the repository's exercises/ and graders/ layout; the harness and node_modules are
 * the real ones (linked: the compiler resolves the harness's packages from the folder it sees).
 */
function emptyRepository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-new-exercise-'));
  fs.mkdirSync(path.join(dir, 'exercises'));
  fs.mkdirSync(path.join(dir, 'graders'));
  fs.symlinkSync(path.join(ROOT, 'graders', 'harness'), path.join(dir, 'graders', 'harness'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** The compiler's errors for these files, with the repository's tsconfig.json (what npm run typecheck uses). */
function typeErrors(files: string[]): string[] {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

beforeAll(() => {
  root = emptyRepository();
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('scaffoldExercise', () => {
  let created: string[];

  beforeAll(() => {
    created = scaffoldExercise(ID, { root });
  });

  test('When a new id is scaffolded, then the brief, checks.ts, one suite, grader.json and the reference placeholder are written', () => {
    expect(created).toEqual([
      `exercises/${ID}/README.md`,
      `graders/${ID}/checks.ts`,
      `graders/${ID}/basics.test.ts`,
      `graders/${ID}/grader.json`,
      `graders/reference/${ID}/README.md`,
    ]);
    const grader = JSON.parse(fs.readFileSync(path.join(root, 'graders', ID, 'grader.json'), 'utf8')) as { reference: string };
    expect(fs.existsSync(path.join(root, 'graders', grader.reference))).toBe(true);
  });

  test('When the brief is loaded like the real exercises, then its front matter is valid and its phase and title come from the id', () => {
    const [exercise] = loadExerciseDefinitions(path.join(root, 'exercises'));
    expect(exercise).toMatchObject({ id: ID, phase: 9, title: 'Rate limits', points: 100, passMark: 80, services: ['postgres'] });
    expect(exercise.briefMarkdown).toMatch(
      /^# Phase 9 — Rate limits\n[\s\S]*## How your app is run[\s\S]*## The HTTP contract[\s\S]*## What is graded[\s\S]*### Required checks/,
    );
  });

  test('When its checks.ts is loaded, then the brief agrees with it, and the suite runs every declared check', () => {
    const checks = loadChecks(path.join(root, 'graders', ID, 'checks.ts'));
    const [exercise] = loadExerciseDefinitions(path.join(root, 'exercises'));
    expect(compareBriefWithChecks(exercise.briefMarkdown, exercise.points, checks)).toEqual([]);
    const suite = fs.readFileSync(path.join(root, 'graders', ID, 'basics.test.ts'), 'utf8');
    // The harness makes a declared check that never ran a grader error.
    expect([...suite.matchAll(/^check\('([^']+)'/gm)].map((m) => m[1])).toEqual(checks.map((check) => check.id));
  });

  test("When checks.ts and the suite are type-checked with the repository's settings, then there is no error", () => {
    expect(typeErrors([path.join(root, 'graders', ID, 'checks.ts'), path.join(root, 'graders', ID, 'basics.test.ts')])).toEqual([]);
  });

  test('When the harness grades an app that answers GET /health, then the example check scores every point', async () => {
    const app = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const resultsPath = path.join(root, 'out', 'results.json');
    try {
      // The worker's contract with the tester container (graders/harness/README.md), on loopback.
      await new Promise<void>((resolve) => {
        execFile(process.execPath, [path.join(ROOT, 'graders', 'harness', 'run.js')], {
          env: {
            PATH: process.env.PATH ?? '',
            GRADER_DIR: path.join(root, 'graders', ID),
            APP_URL: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
            RESULTS_PATH: resultsPath,
            APP_WAIT_SECONDS: '1',
          },
        }).on('exit', () => resolve());
      });
    } finally {
      app.close();
    }
    const results = JSON.parse(fs.readFileSync(resultsPath, 'utf8')) as Results;
    expect(results).toMatchObject({ status: 'scored', score: 100, max_score: 100 });
    expect(results.tests.map((t) => [t.id, t.status, t.required])).toEqual([['basics.health', 'passed', true]]);
  });

  test('When the id is taken, then it is refused naming what exists, and nothing is written', () => {
    const before = fs.readFileSync(path.join(root, 'graders', ID, 'checks.ts'), 'utf8');
    expect(() => scaffoldExercise(ID, { root })).toThrow(
      new ScaffoldError(`${ID} exists already (exercises/${ID}, graders/${ID}, graders/reference/${ID}): pick another id, or edit that exercise`),
    );
    expect(fs.readFileSync(path.join(root, 'graders', ID, 'checks.ts'), 'utf8')).toBe(before);
  });

  test('When the id is malformed, then it is refused with the expected form, and nothing is written', () => {
    const fresh = emptyRepository();
    for (const bad of ['Phase-9-x', 'phase-9', 'caching', 'phase-0-x', 'phase-9-x_y', 'phase-9-x-', '../phase-9-x']) {
      expect(() => scaffoldExercise(bad, { root: fresh })).toThrow(/is not an exercise id: use phase-<number>-<name>/);
    }
    expect(fs.readdirSync(path.join(fresh, 'exercises'))).toEqual([]);
    fs.rmSync(fresh, { recursive: true, force: true });
  });
});

describe('npm run exercises:new', () => {
  test('When it is run on an id the repository has, then it exits 2 with the reason and the repository is unchanged', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/new-exercise.ts', 'phase-1-auth'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('exercises:new: phase-1-auth exists already (exercises/phase-1-auth, graders/phase-1-auth)');
  });
});
