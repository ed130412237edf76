/**
 * npm run exercises:verify [-- --exercise ID …] [--mutant NAME|reference …] [--repeat N] [--jobs N]
 *   (aliases: positional exercise ids for --exercise, --only for --mutant)
 *
 * Proves each grader: its reference solution scores full marks, each mutant
 * (graders/<id>/mutants/*.patch, a realistic mistake) fails exactly the checks its `Fails:`
 * header names, and each correct variant (a patch whose header says `Fails: none`: another
 * correct way to meet the brief) scores full marks too. Prints the failed checks, each failure's
 * feedback, and every measurement a check recorded beside its threshold, so the margins are visible.
 *
 * A reference, variant or mutant that does not behave as declared is graded once more (not with
 * --repeat). Behaving as declared then, it is FLAKY: the report shows both runs, and verify fails
 * (exit 1) unless every check that changed its verdict is marked `flaky: '<why>'` in the
 * exercise's checks.ts, which reports it as "FLAKY (allowed: <why>)". With --repeat N the whole
 * verification runs N times without retries and must give identical results. --jobs N grades N
 * targets side by side (default 2); the report keeps the sequential order.
 * Exits 1 on any difference, 2 on bad usage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkExerciseCoverage } from './lib/briefCoverage';
import { copyApp, gitApply, loadGraderConfig, materializeReference, treeLabel, treeName } from './lib/references';
import type { CheckDefinition } from '../graders/harness/checkDefinitions';
import { loadChecks } from '../graders/harness/checkDefinitions';
import { loadExerciseDefinitions, type ExerciseDefinition } from '../core/exercises/definition';
import type { GradeOutcome } from '../worker/gradeSubmission';
import type { Images } from '../worker/stages/context';

/**
 * Two gradings side by side by default: most of a grading's time is the app and the suite waiting
 * (rate-limit windows, boots, timeouts), and the timing checks' margins were measured at two.
 */
export const DEFAULT_JOBS = 2;

export const USAGE =
  'usage: npm run exercises:verify [-- [--exercise ID]… [--mutant NAME|reference]… [--repeat N] [--jobs N]]\n' +
  '  (positional exercise ids are the same as --exercise; --only is the same as --mutant)';

export class UsageError extends Error {}

export interface Mutant {
  name: string;
  description: string;
  /** The checks the patch must fail, sorted; empty for a correct variant. */
  fails: string[];
  /** `Fails: none`: a correct variant of the reference, which must score full marks. */
  variant: boolean;
  patchPath: string;
}

/** Reads a patch's header (everything before the first `diff --git`). Pure. */
export function parseMutantText(text: string, patchPath: string): Mutant {
  const header = text.split(/^diff --git /m)[0];
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(header)?.[1]?.trim() ?? '';
  const fails = field('Fails')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (!fails.length) throw new Error(`${patchPath}: the header has no "Fails:" line naming the checks it must fail (or "Fails: none" for a correct variant)`);
  const variant = fails.some((id) => id.toLowerCase() === 'none');
  if (variant && fails.length > 1) throw new Error(`${patchPath}: "Fails: none" (a correct variant) cannot also name checks: ${fails.join(', ')}`);
  return {
    name: field('Mutant') || path.basename(patchPath, '.patch'),
    description: field('Description'),
    fails: variant ? [] : [...fails].sort(),
    variant,
    patchPath,
  };
}

export function parseMutant(patchPath: string): Mutant {
  return parseMutantText(fs.readFileSync(patchPath, 'utf8'), patchPath);
}

export interface VerifyOptions {
  /** Exercise ids to verify; empty: every gradable exercise. */
  exercises: string[];
  /** `reference` and/or mutant or variant names; empty: all of them. */
  targets: string[];
  repeat: number;
  /** Gradings side by side. */
  jobs: number;
  help: boolean;
}

/** The command line (after `--`). Throws UsageError. Pure. */
export function parseVerifyArgs(argv: readonly string[]): VerifyOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        exercise: { type: 'string', multiple: true },
        mutant: { type: 'string', multiple: true },
        only: { type: 'string', multiple: true },
        repeat: { type: 'string' },
        jobs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const unique = (list: string[]) => [...new Set(list.map((item) => item.trim()).filter(Boolean))];
  const repeatText = values.repeat ?? '1';
  if (!/^\d+$/.test(repeatText) || Number(repeatText) < 1) throw new UsageError(`--repeat takes a whole number of runs, at least 1 (got "${repeatText}")`);
  const jobsText = values.jobs ?? String(DEFAULT_JOBS);
  if (!/^\d+$/.test(jobsText) || Number(jobsText) < 1)
    throw new UsageError(`--jobs takes a whole number of gradings side by side, at least 1 (got "${jobsText}")`);
  return {
    exercises: unique([...positionals, ...(values.exercise ?? [])]),
    targets: unique([...(values.mutant ?? []), ...(values.only ?? [])]),
    repeat: Number(repeatText),
    jobs: Number(jobsText),
    help: values.help ?? false,
  };
}

/** The exercises to verify, in course order; unknown or ungradable ids are a usage error. */
export function selectExercises<T extends Pick<ExerciseDefinition, 'id' | 'gradable'>>(all: readonly T[], ids: readonly string[]): T[] {
  if (!ids.length) return all.filter((exercise) => exercise.gradable);
  for (const id of ids) {
    const exercise = all.find((candidate) => candidate.id === id);
    if (!exercise) throw new UsageError(`no exercise "${id}" (there are: ${all.map((candidate) => candidate.id).join(', ')})`);
    if (!exercise.gradable) throw new UsageError(`exercise "${id}" has no grader (graders/${id}/checks.ts)`);
  }
  return all.filter((exercise) => ids.includes(exercise.id));
}

/** The checks whose verdict was not the declared one: failed but not declared, or declared but passed. */
export function unexpectedChecks(failed: readonly string[], declared: readonly string[]): string[] {
  return [...failed.filter((id) => !declared.includes(id)), ...declared.filter((id) => !failed.includes(id))].sort();
}

export interface FlakeDecision {
  /** True when every check that changed its verdict is marked `flaky` with a reason. */
  allowed: boolean;
  /** Each check that changed its verdict between the two runs, with its `flaky` reason or null. */
  checks: Array<{ id: string; reason: string | null }>;
  /** The first run was a grading error (not attributable to a check: never allowed). */
  firstRunError: boolean;
}

/**
 * A reference/variant/mutant behaved as declared only on its second run: is that allowed? Only when
 * the first run was scored and every check that differed is explicitly marked flaky. Pure.
 */
export function decideFlake(input: {
  firstStatus: 'scored' | 'error';
  firstFailed: readonly string[];
  declared: readonly string[];
  checks: ReadonlyArray<Pick<CheckDefinition, 'id' | 'flaky'>>;
}): FlakeDecision {
  const byId = new Map(input.checks.map((check) => [check.id, check]));
  const checks = unexpectedChecks(input.firstFailed, input.declared).map((id) => ({ id, reason: byId.get(id)?.flaky?.trim() || null }));
  const firstRunError = input.firstStatus !== 'scored';
  return { allowed: !firstRunError && checks.length > 0 && checks.every((check) => check.reason !== null), checks, firstRunError };
}

/** The report line of a flake. Pure. */
export function flakeLine(label: string, decision: FlakeDecision, firstRun: string): string {
  const verdict = decision.allowed
    ? `FLAKY (allowed: ${[...new Set(decision.checks.map((check) => `${check.id}: ${check.reason}`))].join('; ')})`
    : `FLAKY (fails verify${
        decision.checks.some((check) => check.reason === null)
          ? `; not marked flaky: ${
              decision.checks
                .filter((check) => check.reason === null)
                .map((check) => check.id)
                .join(', ') || 'no single check'
            }`
          : ''
      }${decision.firstRunError ? '; the first run was a grading error' : ''})`;
  return `${verdict} ${label}: first run ${firstRun}; second run as declared`;
}

function printMeasurements(outcome: GradeOutcome, log: (line: string) => void): void {
  for (const test of outcome.tests) {
    for (const m of test.measurements ?? []) {
      const value = `${m.value}${m.unit ? ` ${m.unit}` : ''}`;
      log(`       ~ ${test.id}: ${m.name} = ${value}${m.threshold ? `  (threshold ${m.threshold})` : ''}`);
    }
  }
}

function failedChecks(outcome: GradeOutcome): string[] {
  return outcome.tests
    .filter((test) => test.status !== 'passed')
    .map((test) => test.id)
    .sort();
}

/** Scored, and failing exactly the declared checks (none, with full marks, for a reference or variant). */
function asDeclared(outcome: GradeOutcome, declared: readonly string[]): boolean {
  if (outcome.status !== 'scored' || outcome.maxScore <= 0) return false;
  if (!declared.length && outcome.score !== outcome.maxScore) return false;
  return JSON.stringify(failedChecks(outcome)) === JSON.stringify([...declared].sort());
}

function copyReference(referenceDir: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-mutant-'));
  copyApp(referenceDir, dir);
  return dir;
}

/** One thing graded: the reference itself, or the reference with a patch applied. */
type Target =
  | { kind: 'reference'; name: 'reference'; fails: [] }
  | { kind: 'alternative'; name: string; fails: []; dir: string; description: string }
  | ({ kind: 'mutant' | 'variant' } & Mutant);

interface Plan {
  exercise: ExerciseDefinition;
  referenceDir: string;
  reference: string;
  checks: readonly CheckDefinition[];
  targets: Target[];
}

/** What a verification observed: compared across --repeat runs. */
type Signature = string[];

/**
 * Reads grader.json, checks.ts and every patch header, and builds the reference and alternative
 * trees (phase patches applied: scripts/lib/references.ts), before anything is graded.
 */
function planExercise(exercise: ExerciseDefinition, wanted: readonly string[]): Plan | null {
  const config = loadGraderConfig(exercise.graderDir);
  if (!config) return null;
  const mutantsDir = path.join(exercise.graderDir, 'mutants');
  const patches = fs.existsSync(mutantsDir)
    ? fs
        .readdirSync(mutantsDir)
        .filter((file) => file.endsWith('.patch'))
        .sort()
    : [];
  const all: Target[] = [
    { kind: 'reference', name: 'reference', fails: [] },
    ...config.alternatives.map((spec): Target => ({
      kind: 'alternative',
      name: treeName(spec),
      fails: [],
      dir: materializeReference(spec),
      description: `graders/${treeLabel(spec)}, another correct solution: full marks`,
    })),
    ...patches.map((file): Target => {
      const mutant = parseMutant(path.join(mutantsDir, file));
      return { ...mutant, kind: mutant.variant ? 'variant' : 'mutant' };
    }),
  ];
  return {
    exercise,
    reference: treeLabel(config.reference),
    referenceDir: materializeReference(config.reference),
    checks: loadChecks(path.join(exercise.graderDir, 'checks.ts')),
    targets: all.filter((target) => !wanted.length || wanted.includes(target.name)),
  };
}

/**
 * Grades one target and says whether it behaved as declared. Its report lines go to `log`, so that
 * targets graded side by side (--jobs) print as whole blocks.
 */
async function verifyTarget(
  plan: Plan,
  target: Target,
  images: Images,
  signature: Signature,
  retryOnce: boolean,
  flakes: string[],
  log: (line: string) => void,
): Promise<boolean> {
  const { gradeLocally } = await import('./lib/gradeLocally');
  const { exercise } = plan;
  const patched = target.kind === 'mutant' || target.kind === 'variant';
  const dir = target.kind === 'alternative' ? target.dir : patched ? copyReference(plan.referenceDir) : plan.referenceDir;
  try {
    if (patched) gitApply(dir, target.patchPath);
    const declared = target.fails;
    const grade = () => gradeLocally(exercise, { kind: 'local', path: dir, ref: null }, null, images);
    const startedAt = Date.now();
    let outcome = await grade();
    let same = asDeclared(outcome, declared);
    let retried = false;
    if (!same && retryOnce) {
      // One more run before failing, and the first run's surprise is printed and kept: a check
      // that differs between two runs of the same code is a flaky check to fix, not a pass.
      const firstFailed = failedChecks(outcome);
      const first = `${outcome.score}/${outcome.maxScore} (${outcome.status}${outcome.status === 'error' ? `: ${outcome.message}` : ''}), failed ${firstFailed.join(', ') || 'nothing'}`;
      log(`       first run: ${first}`);
      for (const test of outcome.tests.filter((t) => unexpectedChecks(firstFailed, declared).includes(t.id))) {
        log(`       first run · ${test.id} ${test.status}: ${test.output.replace(/\s+/g, ' ').slice(0, 300)}`);
      }
      printMeasurements(outcome, log);
      const firstStatus = outcome.status;
      outcome = await grade();
      same = asDeclared(outcome, declared);
      retried = true;
      if (same) {
        const decision = decideFlake({ firstStatus, firstFailed, declared, checks: plan.checks });
        flakes.push(flakeLine(`${exercise.id} ${target.kind === 'reference' ? 'reference' : `${target.kind} ${target.name}`}`, decision, first));
        same = decision.allowed;
      }
    }
    const observed = failedChecks(outcome);
    signature.push(`${exercise.id} ${target.name} ${outcome.status} ${observed.join(',')}`);
    const label = target.kind === 'reference' ? 'reference' : `${target.kind} ${target.name}`;
    const status = target.kind === 'reference' ? ` (${outcome.status})${outcome.message ? ` — ${outcome.message}` : ''}` : '';
    log(`${same ? 'OK  ' : 'FAIL'} ${label}: ${outcome.score}/${outcome.maxScore}${status}${retried ? ' (second run)' : ''}`);
    log(`       graded in ${((Date.now() - startedAt) / 1000).toFixed(1)} s${retried ? ' (both runs)' : ''}`);
    if (target.kind !== 'reference') {
      if (target.description) log(`       ${target.description}`);
      log(`       declared: ${target.kind === 'mutant' ? declared.join(', ') : `none (a correct ${target.kind}: full marks)`}`);
      if (!asDeclared(outcome, declared))
        log(`       observed: ${observed.join(', ') || '(none)'}${outcome.status === 'error' ? ` — error: ${outcome.message}` : ''}`);
    }
    for (const test of outcome.tests.filter((t) => t.status !== 'passed')) {
      log(`       · ${test.id} ${test.status}: ${test.output.replace(/\s+/g, ' ').slice(0, 220)}`);
    }
    printMeasurements(outcome, log);
    return same;
  } finally {
    if (patched) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `work` on every item with at most `jobs` at a time, and hands each result to `report` in
 * the items' order as soon as it and every result before it are done.
 */
export async function inOrder<T, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>, report: (result: R) => void): Promise<R[]> {
  const results = new Array<{ value: R } | undefined>(items.length);
  let next = 0;
  let reported = 0;
  const flush = () => {
    while (reported < items.length && results[reported]) report(results[reported++]!.value);
  };
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = { value: await work(items[index]) };
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, lane));
  return results.map((result) => result!.value);
}

async function main(argv: readonly string[]): Promise<number> {
  let options: VerifyOptions;
  let plans: Plan[];
  try {
    options = parseVerifyArgs(argv);
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    const exercises = selectExercises(loadExerciseDefinitions(), options.exercises);
    plans = [];
    for (const exercise of exercises) {
      const plan = planExercise(exercise, options.targets);
      if (plan) plans.push(plan);
      else console.log(`${exercise.id}: no grader.json (no reference to verify against) — skipped`);
    }
    const known = new Set(plans.flatMap((plan) => plan.targets.map((target) => target.name)));
    const unknown = options.targets.filter((name) => !known.has(name));
    if (unknown.length)
      throw new UsageError(
        `no mutant or variant named ${unknown.map((name) => `"${name}"`).join(', ')} in ${plans.map((plan) => plan.exercise.id).join(', ') || 'the selected exercises'}`,
      );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`exercises:verify: ${error.message}\n${USAGE}`);
    return 2;
  }

  // Every rule of the brief mapped to its checks (graders/<id>/coverage.md, issue 11 §2b).
  let ok = true;
  for (const plan of plans) {
    const problems = await checkExerciseCoverage(plan.exercise);
    if (problems === null) console.log(`${plan.exercise.id}: no coverage table yet (npm run exercises:coverage -- --exercise ${plan.exercise.id} --write)`);
    else if (problems.length) {
      ok = false;
      console.log(`FAIL ${plan.exercise.id} coverage table:`);
      for (const line of problems) console.log(`       - ${line}`);
    } else console.log(`OK   ${plan.exercise.id}: every rule of the brief is mapped to checks or review`);
  }

  const { prepareGrading } = await import('./lib/gradeLocally');
  const images = await prepareGrading((line) => console.log(line));
  const runs: Signature[] = [];
  const flakes: string[] = [];
  for (let run = 1; run <= options.repeat; run += 1) {
    if (options.repeat > 1) console.log(`\n##### run ${run} of ${options.repeat}`);
    const signature: Signature = [];
    const items = plans.flatMap((plan) => plan.targets.map((target, index) => ({ plan, target, first: index === 0 })));
    // --jobs gradings side by side; each report block is printed whole and in plan order.
    // --repeat measures flakiness itself, so it never retries.
    const results = await inOrder(
      items,
      options.jobs,
      async ({ plan, target, first }) => {
        const lines: string[] = first ? [`\n=== ${plan.exercise.id} (reference: graders/${plan.reference})`] : [];
        const same = await verifyTarget(plan, target, images, signature, options.repeat === 1, flakes, (line) => lines.push(line));
        return { same, lines };
      },
      ({ lines }) => {
        for (const line of lines) console.log(line);
      },
    );
    ok = results.every((result) => result.same) && ok;
    runs.push(signature.sort());
  }
  if (options.repeat > 1) {
    const identical = runs.every((signature) => JSON.stringify(signature) === JSON.stringify(runs[0]));
    console.log(identical ? `\nthe ${options.repeat} runs gave identical results` : `\nFLAKY: the ${options.repeat} runs differ`);
    if (!identical) {
      for (let run = 1; run < runs.length; run += 1) {
        for (const line of runs[run])
          if (!runs[0].includes(line))
            console.log(
              `  run ${run + 1}: ${line}  (run 1: ${runs[0].find((first) => first.split(' ').slice(0, 2).join(' ') === line.split(' ').slice(0, 2).join(' ')) ?? '—'})`,
            );
      }
    }
    ok &&= identical;
  }
  if (flakes.length) console.log('');
  for (const line of flakes) console.log(line);
  console.log(ok ? '\nexercises:verify: every grader behaves as declared' : '\nexercises:verify: FAILED (see above)');
  return ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
