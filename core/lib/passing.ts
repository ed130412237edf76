/**
 * Whether a graded submission passes its phase (issue 11 §1): the score reaches the pass mark
 * AND every required check passed. Required is orthogonal to points: a required check costs its
 * points like any other, and on top of that keeps the phase from passing while it fails.
 */
import { formatPoints } from './format';

export interface Verdict {
  passed: boolean;
  /** Ids of the required checks that did not pass (in the grader's order). */
  failedRequired: string[];
}

interface CheckOutcome {
  id: string;
  status: string;
  required?: boolean;
}

/**
 * Whether `score` out of `maxScore` reaches `passMark` percent. The database decides `passed` with
 * exact numerics (core/models/submissions.sql); in floating point 29/100*100 is
 * 28.999999999999996, so a plain `>=` would call 29/100 below a pass mark of 29 where the database
 * calls it passed. Comparing with a tolerance far below any score step keeps the two in agreement.
 */
export function reachesPassMark(score: number, maxScore: number, passMark: number): boolean {
  if (!(maxScore > 0)) return false;
  return (score / maxScore) * 100 >= passMark - 1e-9;
}

export function failedRequiredChecks(tests: readonly CheckOutcome[]): string[] {
  return tests.filter((test) => test.required === true && test.status !== 'passed').map((test) => test.id);
}

export function verdictOf(result: { status: 'scored' | 'error'; score: number; maxScore: number; tests: readonly CheckOutcome[] }, passMark: number): Verdict {
  const failedRequired = result.status === 'scored' ? failedRequiredChecks(result.tests) : [];
  const passed = result.status === 'scored' && reachesPassMark(result.score, result.maxScore, passMark) && failedRequired.length === 0;
  return { passed, failedRequired };
}

/**
 * One sentence for a scored submission that did not pass, e.g. "Not passed: 95/100, but
 * `tokens.bad-tokens-rejected` is required". `names` maps an id to what the learner may see
 * (hidden checks are named by their placeholder, never by their id).
 */
export function describeNotPassed(
  input: { score: number; maxScore: number; passMark: number; failedRequired: readonly string[] },
  names: (id: string) => string = (id) => `\`${id}\``,
): string {
  const points = `${formatPoints(input.score)}/${formatPoints(input.maxScore)}`;
  const reached = reachesPassMark(input.score, input.maxScore, input.passMark);
  const required = input.failedRequired.map(names);
  if (!required.length && reached) return `Not passed: ${points}`;
  const list = required.length === 1 ? `${required[0]} is` : `${required.slice(0, -1).join(', ')} and ${required.at(-1)} are`;
  if (!reached) {
    return required.length
      ? `Not passed: ${points}, below the pass mark of ${input.passMark}%, and ${list} required`
      : `Not passed: ${points}, below the pass mark of ${input.passMark}%`;
  }
  return `Not passed: ${points}, but ${list} required`;
}
