/**
 * The done criterion of the install paths: the Phase 1 reference app, graded with its npm lockfile and
 * with the same dependency tree as a pnpm, Yarn 1, Yarn Berry and mirror-URL lockfile (committed under
 * test/fixtures/lockfiles/project-1/, converted from its package-lock.json with `pnpm import`,
 * `yarn import` and Yarn 4's migration), scores exactly what the npm twin scores, check by check.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { findExerciseDefinition } from '../../core/exercises/definition';
import { gradeSubmission, newJobId, type GradeOutcome } from '../../worker/gradeSubmission';
import { FIXTURES, testGradeEnvironment } from '../support/fixtures';
import { materializeReference } from '../../scripts/lib/references';

jest.setTimeout(1_500_000);

// The phase 1 reference as a learner would have it (its later phases' patches left out).
const REFERENCE = materializeReference({ app: 'reference/project-1', phases: [] });
const LOCKS = path.join(FIXTURES, 'lockfiles', 'project-1');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-twins-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** The reference with its package-lock.json replaced by `lockfile` (copied as `as`). */
function twin(lockfile: string | null, as: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-twin-'));
  fs.cpSync(REFERENCE, dir, { recursive: true, filter: (source) => !/[/\\](node_modules|dist)$/.test(source) });
  if (lockfile && as) {
    fs.rmSync(path.join(dir, 'package-lock.json'));
    fs.copyFileSync(path.join(LOCKS, lockfile), path.join(dir, as));
  }
  return dir;
}

const TWINS: [string, string | null, string | null][] = [
  ['npm (the reference as committed)', null, null],
  ['pnpm 9', 'pnpm-lock.yaml', 'pnpm-lock.yaml'],
  ['Yarn 1', 'yarn-classic.lock', 'yarn.lock'],
  ['Yarn Berry 4', 'yarn-berry.lock', 'yarn.lock'],
  ['npm, lockfile written against registry.npmmirror.com', 'package-lock.mirror.json', 'package-lock.json'],
];

async function grade(dir: string): Promise<{ outcome: GradeOutcome; seconds: number }> {
  const started = Date.now();
  const outcome = await gradeSubmission(
    { jobId: newJobId(), exercise: findExerciseDefinition('phase-1-auth'), source: { kind: 'local', path: dir, ref: null }, subdir: null },
    testGradeEnvironment(new Docker(), 'test-twins', dataDir, {
      cloneTimeoutMs: 60_000,
      cloneMaxBytes: 200 * 1024 * 1024,
      cloneMaxFiles: 50_000,
      jobTimeoutMs: 1_200_000,
    }),
  );
  return { outcome, seconds: (Date.now() - started) / 1000 };
}

/** Runs `tasks` at most `limit` at a time (the machine's two cores grade two twins at once comfortably). */
async function pooled<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}

describe('When the Phase 1 reference is submitted with each kind of lockfile', () => {
  test('then every twin scores exactly what the npm twin scores, check by check', async () => {
    const graded = await pooled(
      TWINS.map(
        ([, lockfile, as]) =>
          () =>
            grade(twin(lockfile, as)),
      ),
      2,
    );
    const summary = (outcome: GradeOutcome) => ({
      status: outcome.status,
      message: outcome.message,
      score: outcome.score,
      maxScore: outcome.maxScore,
      checks: outcome.tests.map((t) => `${t.id}: ${t.status}`),
    });
    const [npm, ...others] = graded;
    console.log(
      TWINS.map(
        ([name], i) => `${name}: ${graded[i].outcome.status} ${graded[i].outcome.score}/${graded[i].outcome.maxScore} in ${graded[i].seconds.toFixed(0)} s`,
      ).join('\n'),
    );
    expect(npm.outcome.status).toBe('scored');
    expect(npm.outcome.score).toBeGreaterThan(0);
    others.forEach(({ outcome }, i) => {
      expect({ twin: TWINS[i + 1][0], ...summary(outcome) }).toEqual({ twin: TWINS[i + 1][0], ...summary(npm.outcome) });
    });
  });
});
