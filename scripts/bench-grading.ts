/**
 * npm run bench:grading [-- --runs N] [--exercise ID] [--path DIR]
 *
 * Grades a solution (default: the Phase 1 reference) through the real pipeline once cold (an
 * empty dependency cache) and N times warm, and prints each stage's seconds: the numbers in the
 * README's performance section.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findExerciseDefinition } from '../core/exercises/definition';
import type { GradeOutcome } from '../worker/gradeSubmission';
import { gradeLocally, prepareGrading } from './lib/gradeLocally';
import { materializeReference } from './lib/references';

const STAGES = ['cloning', 'installing', 'building', 'starting', 'testing'] as const;

function stageSeconds(outcome: GradeOutcome): Record<string, number> {
  const seconds: Record<string, number> = {};
  for (const stage of outcome.stages) {
    if (stage.finishedAt) seconds[stage.stage] = (stage.finishedAt.getTime() - stage.startedAt.getTime()) / 1000;
  }
  seconds.total = STAGES.reduce((sum, stage) => sum + (seconds[stage] ?? 0), 0);
  return seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, exercise: { type: 'string', default: 'phase-1-auth' }, path: { type: 'string' } },
  });
  const exercise = findExerciseDefinition(values.exercise);
  const solution = values.path ? path.resolve(values.path) : materializeReference({ app: 'reference/project-1', phases: [] });
  const images = await prepareGrading(() => undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-bench-'));
  process.env.DATA_DIR = dataDir;
  const rows: Array<{ label: string; seconds: Record<string, number>; score: string }> = [];
  try {
    const runs = Number(values.runs);
    for (let run = 0; run <= runs; run += 1) {
      const outcome = await gradeLocally(exercise, { kind: 'local', path: solution, ref: null }, null, images);
      rows.push({ label: run === 0 ? 'cold' : `warm ${run}`, seconds: stageSeconds(outcome), score: `${outcome.score}/${outcome.maxScore}` });
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`bench:grading ${exercise.id} ${values.path ?? 'graders/reference/project-1'} on ${os.cpus().length} cores`);
  console.log(['run', ...STAGES, 'total', 'score'].map((cell) => cell.padStart(11)).join(''));
  for (const row of rows) {
    console.log(
      [row.label, ...[...STAGES, 'total'].map((stage) => (row.seconds[stage] ?? 0).toFixed(1)), row.score].map((cell) => String(cell).padStart(11)).join(''),
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
