/**
 * npm run exercises:verify [-- <exercise-id>…] [--only reference|<mutant>] [--repeat N]
 * A reference or mutant that does not behave as declared is graded once more (not with --repeat);
 * passing then, it is listed as FLAKY at the end with what the first run saw.
 *
 * Proves each grader: its reference solution scores full marks, and each mutant
 * (graders/<id>/mutants/*.patch, a realistic mistake) fails exactly the checks its `Fails:`
 * header names. Prints the failed checks, each failure's feedback, and every measurement a
 * check recorded beside its threshold, so the margins are visible. With --repeat N the whole
 * verification runs N times and must give identical results (no flaky checks).
 * Exits 1 on any difference.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { GRADERS_DIR, loadExerciseDefinitions, type ExerciseDefinition } from '../server/exercises/definition';
import { gradeLocally, prepareGrading } from './lib/gradeLocally';
import type { GradeOutcome } from '../worker/gradeSubmission';
import type { Images } from '../worker/stages/context';

const GraderConfigSchema = z.object({ reference: z.string() });

export interface Mutant {
  name: string;
  description: string;
  fails: string[];
  patchPath: string;
}

export function parseMutant(patchPath: string): Mutant {
  const text = fs.readFileSync(patchPath, 'utf8');
  const header = text.split(/^diff --git /m)[0];
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(header)?.[1]?.trim() ?? '';
  const fails = field('Fails')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (!fails.length) throw new Error(`${patchPath}: the header has no "Fails:" line naming the checks it must fail`);
  return { name: field('Mutant') || path.basename(patchPath, '.patch'), description: field('Description'), fails, patchPath };
}

function printMeasurements(outcome: GradeOutcome): void {
  for (const test of outcome.tests) {
    for (const m of test.measurements ?? []) {
      const value = `${m.value}${m.unit ? ` ${m.unit}` : ''}`;
      console.log(`       ~ ${test.id}: ${m.name} = ${value}${m.threshold ? `  (threshold ${m.threshold})` : ''}`);
    }
  }
}

function failedChecks(outcome: GradeOutcome): string[] {
  return outcome.tests.filter((test) => test.status !== 'passed').map((test) => test.id).sort();
}

function copyReference(referenceDir: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-mutant-'));
  fs.cpSync(referenceDir, dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (from) => !/(^|\/)(node_modules|dist)$/.test(path.relative(referenceDir, from)),
  });
  return dir;
}

/** What a verification observed: compared across --repeat runs. */
type Signature = string[];

/** Checks that matched only on the second run (printed at the end; kept out of --repeat runs). */
const flaky: string[] = [];

async function verifyExercise(
  exercise: ExerciseDefinition,
  images: Images,
  only: string | undefined,
  signature: Signature,
  retryOnce: boolean,
): Promise<boolean> {
  const configPath = path.join(exercise.graderDir, 'grader.json');
  if (!fs.existsSync(configPath)) {
    console.log(`\n${exercise.id}: no grader.json (no reference to verify against) — skipped`);
    return true;
  }
  const config = GraderConfigSchema.parse(JSON.parse(fs.readFileSync(configPath, 'utf8')));
  const referenceDir = path.join(GRADERS_DIR, config.reference);
  let ok = true;
  console.log(`\n=== ${exercise.id} (reference: graders/${config.reference})`);

  if (!only || only === 'reference') {
    let outcome = await gradeLocally(exercise, { kind: 'local', path: referenceDir, ref: null }, null, images);
    let full = outcome.status === 'scored' && outcome.score === outcome.maxScore && outcome.maxScore > 0;
    if (!full && retryOnce) {
      const first = `${outcome.score}/${outcome.maxScore} (${outcome.status}), failed ${failedChecks(outcome).join(', ') || 'nothing'}`;
      for (const test of outcome.tests.filter((t) => t.status !== 'passed')) console.log(`       first run · ${test.id}: ${test.output.replace(/\s+/g, ' ').slice(0, 300)}`);
      outcome = await gradeLocally(exercise, { kind: 'local', path: referenceDir, ref: null }, null, images);
      full = outcome.status === 'scored' && outcome.score === outcome.maxScore && outcome.maxScore > 0;
      if (full) flaky.push(`${exercise.id} reference: first run ${first}; second run full marks`);
    }
    console.log(`${full ? 'OK  ' : 'FAIL'} reference: ${outcome.score}/${outcome.maxScore} (${outcome.status})${outcome.message ? ` — ${outcome.message}` : ''}`);
    signature.push(`${exercise.id} reference ${outcome.status} ${failedChecks(outcome).join(',')}`);
    printMeasurements(outcome);
    if (!full) {
      ok = false;
      for (const test of outcome.tests.filter((t) => t.status !== 'passed')) console.log(`       failed ${test.id}: ${test.output.split('\n')[0]}`);
    }
  }

  const mutantsDir = path.join(exercise.graderDir, 'mutants');
  const patches = fs.existsSync(mutantsDir) ? fs.readdirSync(mutantsDir).filter((file) => file.endsWith('.patch')).sort() : [];
  for (const file of patches) {
    const mutant = parseMutant(path.join(mutantsDir, file));
    if (only && only !== mutant.name) continue;
    const dir = copyReference(referenceDir);
    try {
      execFileSync('git', ['apply', '--whitespace=nowarn', mutant.patchPath], { cwd: dir, stdio: 'pipe' });
      const declared = [...mutant.fails].sort();
      let outcome = await gradeLocally(exercise, { kind: 'local', path: dir, ref: null }, null, images);
      let observed = failedChecks(outcome);
      let same = outcome.status === 'scored' && JSON.stringify(observed) === JSON.stringify(declared);
      let retried = false;
      if (!same && retryOnce) {
        // One more run before failing, and the first run's surprise is printed and kept: a check
        // that differs between two runs of the same code is a flaky check to fix, not a pass.
        const surprise = outcome.tests.filter((t) => t.status !== 'passed' && !declared.includes(t.id));
        const first = `${outcome.score}/${outcome.maxScore} (${outcome.status}), failed ${observed.join(', ') || 'nothing'}`;
        for (const test of surprise) console.log(`       first run · ${test.id}: ${test.output.replace(/\s+/g, ' ').slice(0, 300)}`);
        outcome = await gradeLocally(exercise, { kind: 'local', path: dir, ref: null }, null, images);
        observed = failedChecks(outcome);
        same = outcome.status === 'scored' && JSON.stringify(observed) === JSON.stringify(declared);
        retried = true;
        if (same) flaky.push(`${exercise.id} mutant ${mutant.name}: first run ${first}; second run as declared`);
      }
      signature.push(`${exercise.id} ${mutant.name} ${outcome.status} ${observed.join(',')}`);
      ok &&= same;
      console.log(`${same ? 'OK  ' : 'FAIL'} mutant ${mutant.name}: ${outcome.score}/${outcome.maxScore}${retried ? ' (second run)' : ''}`);
      console.log(`       declared: ${declared.join(', ')}`);
      if (!same) console.log(`       observed: ${observed.join(', ') || '(none)'}${outcome.status === 'error' ? ` — error: ${outcome.message}` : ''}`);
      for (const test of outcome.tests.filter((t) => t.status !== 'passed')) {
        console.log(`       · ${test.id}: ${test.output.replace(/\s+/g, ' ').slice(0, 220)}`);
      }
      printMeasurements(outcome);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return ok;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { only: { type: 'string' }, repeat: { type: 'string', default: '1' } },
  });
  const exercises = loadExerciseDefinitions().filter((exercise) => exercise.gradable && (!positionals.length || positionals.includes(exercise.id)));
  const images = await prepareGrading((line) => console.log(line));
  let ok = true;
  const runs: Signature[] = [];
  const repeat = Math.max(1, Number(values.repeat) || 1);
  for (let run = 1; run <= repeat; run += 1) {
    if (repeat > 1) console.log(`\n##### run ${run} of ${repeat}`);
    const signature: Signature = [];
    // --repeat measures flakiness itself, so it never retries.
    for (const exercise of exercises) ok = (await verifyExercise(exercise, images, values.only, signature, repeat === 1)) && ok;
    runs.push(signature);
  }
  if (repeat > 1) {
    const identical = runs.every((signature) => JSON.stringify(signature) === JSON.stringify(runs[0]));
    console.log(identical ? `\nthe ${repeat} runs gave identical results` : `\nFLAKY: the ${repeat} runs differ`);
    ok &&= identical;
  }
  for (const line of flaky) console.log(`FLAKY (as declared only on the second run): ${line}`);
  console.log(ok ? '\nexercises:verify: every grader behaves as declared' : '\nexercises:verify: FAILED (see above)');
  return ok ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
