/**
 * Done criterion of the Node runtimes: the Phase 1 reference (NestJS, TypeORM, bcrypt) graded by
 * its real grader scores exactly the same, check by check, whether it declares Node 20 or 22 in
 * .nvmrc or nothing at all (then Node 24, the default) — through the real pipeline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { loadExerciseDefinitions } from '../../core/exercises/definition';
import { gradeSubmission, newJobId, type GradeOutcome } from '../../worker/gradeSubmission';
import { NODE_RUNTIMES, type NodeMajor } from '../../worker/stages/nodeVersion';
import { testGradeEnvironment } from '../support/fixtures';
import { materializeReference } from '../../scripts/lib/references';

jest.setTimeout(1_500_000);

// The phase 1 reference as a learner would have it (its later phases' patches left out).
const REFERENCE = materializeReference({ app: 'reference/project-1', phases: [] });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-data-'));
const copies: string[] = [];

afterAll(() => {
  for (const dir of [dataDir, ...copies]) fs.rmSync(dir, { recursive: true, force: true });
});

/** The reference as a learner would commit it, with `.nvmrc` saying `nvmrc` (or no .nvmrc). */
function referenceOn(nvmrc: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-twin-'));
  copies.push(dir);
  fs.cpSync(REFERENCE, dir, { recursive: true, verbatimSymlinks: true, filter: (from) => !/(^|\/)(node_modules|dist)$/.test(path.relative(REFERENCE, from)) });
  if (nvmrc) fs.writeFileSync(path.join(dir, '.nvmrc'), `${nvmrc}\n`);
  return dir;
}

async function grade(dir: string): Promise<GradeOutcome> {
  const exercise = loadExerciseDefinitions().find((candidate) => candidate.id === 'phase-1-auth');
  if (!exercise) throw new Error('exercises/phase-1-auth is missing');
  return gradeSubmission(
    { jobId: newJobId(), exercise, source: { kind: 'local', path: dir, ref: null }, subdir: null },
    testGradeEnvironment(new Docker(), 'test-node-twins', dataDir, {
      cloneTimeoutMs: 60_000,
      cloneMaxBytes: 500 * 1024 * 1024,
      cloneMaxFiles: 200_000,
      jobTimeoutMs: 20 * 60_000,
    }),
  );
}

/** What must be equal between twins: the score and every check's status. */
function scoreCard(outcome: GradeOutcome) {
  return {
    status: outcome.status,
    message: outcome.message,
    score: outcome.score,
    maxScore: outcome.maxScore,
    checks: outcome.tests.map((test) => [test.id, test.status]),
  };
}

test('When the Phase 1 reference runs on Node 20, 22 and 24, then it scores exactly the same on each, check by check', async () => {
  const outcomes: Partial<Record<NodeMajor, GradeOutcome>> = {};
  for (const [major, nvmrc] of [
    ['20', '20'],
    ['22', '22'],
    ['24', null],
  ] as const) {
    const outcome = await grade(referenceOn(nvmrc));
    const installing = outcome.stages.find((stage) => stage.stage === 'installing')?.detail ?? '';
    expect(installing).toContain(`Node ${NODE_RUNTIMES[major].node}`);
    outcomes[major] = outcome;
  }
  const node20 = scoreCard(outcomes['20']!);
  expect(node20).toMatchObject({ status: 'scored', message: null });
  expect(node20.score).toBe(node20.maxScore);
  expect(node20.checks.length).toBeGreaterThanOrEqual(15);
  expect(scoreCard(outcomes['22']!)).toEqual(node20);
  expect(scoreCard(outcomes['24']!)).toEqual(node20);
});
