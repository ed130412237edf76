/**
 * npm run exercises:coverage [-- --exercise <id>…] [--write]
 *
 * Checks each exercise's coverage table (graders/<id>/coverage.md) against its brief: every
 * normative rule of the brief's contract has a row naming the checks that test it, or
 * "review: <why>" (scripts/lib/briefCoverage.ts). `--write` rewrites the table in the brief's
 * order, keeping what is mapped and adding new rules as TODO. Exits 1 on any problem.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadExerciseDefinitions } from '../core/exercises/definition';
import { coveragePath, parseCoverage } from '../server/exercises/coverage';
import { checkExerciseCoverage, extractBriefRules, renderCoverage } from './lib/briefCoverage';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { exercise: { type: 'string', multiple: true }, write: { type: 'boolean', default: false } } });
  const wanted = values.exercise ?? [];
  const exercises = loadExerciseDefinitions().filter((e) => e.gradable && (!wanted.length || wanted.includes(e.id)));
  let ok = true;
  for (const exercise of exercises) {
    const file = coveragePath(exercise.graderDir);
    if (values.write) {
      const rows = fs.existsSync(file) ? parseCoverage(fs.readFileSync(file, 'utf8')) : [];
      fs.writeFileSync(file, renderCoverage(`${exercise.id}`, extractBriefRules(exercise.briefMarkdown), rows));
    }
    const problems = await checkExerciseCoverage(exercise);
    if (problems === null) {
      console.log(`${exercise.id}: no coverage table yet (${file}; --write starts one)`);
      continue;
    }
    console.log(`${exercise.id}: ${problems.length ? `${problems.length} problem(s)` : 'every rule of the brief is mapped'}`);
    for (const line of problems) console.log(`  - ${line}`);
    ok &&= problems.length === 0;
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
