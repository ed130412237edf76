/**
 * npm run references:materialize -- <exercise-id> <new-dir> [--alternative NAME]
 *   builds the exercise's reference solution (or the alternative NAME, as exercises:verify names
 *   it) in <new-dir>: the app with its phase patches applied, as grader.json says.
 * npm run references:diff -- <exercise-id> <dir> [--alternative NAME]
 *   rewrites the last phase patch of that tree so that it turns the tree before it into <dir>.
 *
 * Editing a later phase's reference: materialize it, edit the folder (install, build, grade it as
 * any app), then diff it back. Exits 1 when something does not apply, 2 on bad usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExerciseDefinitionError, findExerciseDefinition } from '../core/exercises/definition';
import { diffTrees, loadGraderConfig, materializeReference, phasePatchPath, treeName, type TreeSpec } from './lib/references';

const USAGE =
  'usage: npm run references:materialize -- <exercise-id> <new-dir> [--alternative NAME]\n' +
  '       npm run references:diff -- <exercise-id> <dir> [--alternative NAME]';

class UsageError extends Error {}

function findTree(exerciseId: string, alternative: string | undefined): TreeSpec {
  let graderDir: string;
  try {
    graderDir = findExerciseDefinition(exerciseId).graderDir;
  } catch (error) {
    if (error instanceof ExerciseDefinitionError) throw new UsageError(error.message);
    throw error;
  }
  const config = loadGraderConfig(graderDir);
  if (!config) throw new UsageError(`${exerciseId} has no grader.json`);
  if (!alternative) return config.reference;
  const found = config.alternatives.find((spec) => treeName(spec) === alternative);
  if (!found) throw new UsageError(`${exerciseId} has no alternative "${alternative}" (there are: ${config.alternatives.map(treeName).join(', ') || 'none'})`);
  return found;
}

/** The text before the first diff of a patch: its description, kept when the patch is rewritten. */
function headerOf(patchPath: string, spec: TreeSpec, phase: string): string {
  if (fs.existsSync(patchPath)) return fs.readFileSync(patchPath, 'utf8').split(/^diff --git /m)[0];
  return `${phase}: graders/${spec.app} changed into this exercise's solution (scripts/references.ts says how to edit it).\n---\n`;
}

function rewritePhasePatch(spec: TreeSpec, edited: string): string {
  const phase = spec.phases.at(-1);
  if (!phase) throw new UsageError(`graders/${spec.app} is a whole app, not a phase patch: edit it in place`);
  const base = materializeReference({ app: spec.app, phases: spec.phases.slice(0, -1) });
  const patchPath = phasePatchPath(spec.app, phase);
  fs.mkdirSync(path.dirname(patchPath), { recursive: true });
  fs.writeFileSync(patchPath, headerOf(patchPath, spec, phase) + diffTrees(base, edited));
  // The proof that the patch is whole: the tree it builds is the folder it came from.
  const differences = diffTrees(materializeReference(spec), edited);
  if (differences) throw new Error(`the rewritten ${patchPath} does not rebuild ${edited}; what differs:\n${differences}`);
  return patchPath;
}

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { alternative: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, exerciseId, dir] = positionals;
  try {
    if (positionals.length !== 3 || !['materialize', 'diff'].includes(command)) throw new UsageError('expected a command, an exercise id and a folder');
    const spec = findTree(exerciseId, values.alternative);
    const target = path.resolve(dir);
    if (command === 'materialize') console.log(`${materializeReference(spec, target)}: ${treeName(spec)}`);
    else {
      if (!fs.existsSync(path.join(target, 'package.json'))) throw new UsageError(`${target} has no package.json`);
      console.log(`wrote ${path.relative(process.cwd(), rewritePhasePatch(spec, target))}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`references: ${error.message}\n${USAGE}`);
      return 2;
    }
    console.error(`references: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
