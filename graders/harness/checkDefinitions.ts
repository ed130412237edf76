/**
 * The declaration side of a grader: what checks exist, their points and who sees what.
 * Pure data, no Jest and no I/O, so both the reporter (main process) and the tests (Jest
 * runtime) can load an exercise's `checks.ts`.
 */

export type Visibility = 'visible' | 'hidden' | 'after_due_date';

export interface CheckDefinition {
  /** Stable id, `group-slug.check-slug`; mutants and stored results refer to it. */
  id: string;
  /** One line the learner reads. */
  name: string;
  group: string;
  points: number;
  visibility: Visibility;
  /** Shown instead of the feedback when the check is hidden (and after it for visible ones). */
  hint?: string;
  /** Per-check budget in seconds; the harness default applies when absent. */
  timeoutSeconds?: number;
  /**
   * A required check gates the phase: it is passed only when the score reaches the pass mark
   * and every required check passes. The rule, the same in every brief: a failure means a
   * security hole, lost or corrupted money or data, or the phase's headline skill missing.
   * Points are unaffected (required is orthogonal to the score).
   */
  required?: boolean;
  /**
   * Only for a check whose verdict may differ between two runs of the same code, with the reason
   * (non-empty) and why it cannot be made deterministic. exercises:verify fails on a FLAKY verdict
   * unless every check that changed is marked so; it then reports "FLAKY (allowed: <reason>)".
   * No check should need it: prefer a deterministic check.
   */
  flaky?: string;
}

export interface ExerciseChecks<Id extends string = string> {
  exerciseId: string;
  /** Sum of every check's points. */
  maxScore: number;
  checks: ReadonlyArray<CheckDefinition & { id: Id }>;
  byId(id: string): CheckDefinition | undefined;
}

const ID_PATTERN = /^[a-z0-9-]+\.[a-z0-9-]+$/;

/**
 * Validates an exercise's checks once, at load time, so an authoring slip (duplicate id,
 * points that do not add up) breaks the grader loudly instead of mis-scoring learners.
 */
export function defineChecks<const T extends ReadonlyArray<CheckDefinition>>(input: {
  exerciseId: string;
  /** When given, the points must add up to exactly this. */
  maxScore?: number;
  checks: T;
}): ExerciseChecks<T[number]['id']> {
  const seen = new Set<string>();
  for (const check of input.checks) {
    if (!ID_PATTERN.test(check.id)) throw new Error(`check id "${check.id}" must look like "group.name"`);
    if (seen.has(check.id)) throw new Error(`check id "${check.id}" is declared twice`);
    seen.add(check.id);
    if (!Number.isFinite(check.points) || check.points < 0) {
      throw new Error(`check "${check.id}" has invalid points ${String(check.points)}`);
    }
    if (check.visibility === 'hidden' && !check.hint) {
      throw new Error(`hidden check "${check.id}" needs a hint: it is all the learner sees`);
    }
    if (check.flaky !== undefined && (typeof check.flaky !== 'string' || !check.flaky.trim())) {
      throw new Error(`check "${check.id}" is marked flaky without a reason: explain why its verdict may change between runs`);
    }
  }
  const total = input.checks.reduce((sum, check) => sum + check.points, 0);
  if (input.maxScore !== undefined && total !== input.maxScore) {
    throw new Error(`checks of ${input.exerciseId} add up to ${total} points, expected ${input.maxScore}`);
  }
  const index = new Map(input.checks.map((check) => [check.id, check]));
  return {
    exerciseId: input.exerciseId,
    maxScore: total,
    checks: input.checks,
    byId: (id) => index.get(id),
  };
}

/** Test titles carry the id in brackets so the reporter can map Jest results back to checks. */
export function checkTitle(check: Pick<CheckDefinition, 'id' | 'name'>): string {
  return `[${check.id}] ${check.name}`;
}

/** The inverse of {@link checkTitle}; undefined for a test that is not a check. */
export function checkIdFromTitle(title: string): string | undefined {
  return /^\[([^\]\s]+)\]/.exec(title)?.[1];
}

/** The checks a checks.ts declares (its `checks` export, or default, from defineChecks()). */
export function loadChecks(checksPath: string): readonly CheckDefinition[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(checksPath) as { checks?: ExerciseChecks; default?: ExerciseChecks };
  const exercise = module.checks ?? module.default;
  if (!exercise?.checks) throw new Error(`${checksPath} exports no \`checks\` from defineChecks()`);
  return exercise.checks;
}
