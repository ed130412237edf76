/**
 * Hidden means hidden (issue 11 §3): what a learner may see of a check that is not visible.
 * One pure function for every learner-facing view (the CLI's report and --json, the web pages,
 * the stored results a learner reads); instructors see the full record.
 *
 * A redacted check keeps only a placeholder name ("Hidden check N"), its group, status, points,
 * whether it is required, and its hint. Its id, real name, feedback, measurements (statement
 * counts, timings…) and any other field, present or future, are dropped: the record is rebuilt
 * from an allow-list, never copied and pruned.
 */
import type { TestResult } from '../../core/models/results';

export const HIDDEN_CHECK_NAME = 'Hidden check';

/** Visible checks show everything; any other visibility (hidden, after_due_date) is redacted. */
export function isHiddenCheck(test: Pick<TestResult, 'visibility'>): boolean {
  return test.visibility !== 'visible';
}

/** The feedback of a hidden check, whatever the grader wrote: its status and hint only. */
export function hiddenCheckOutput(status: TestResult['status'], hint: string | undefined): string {
  if (status === 'passed') return 'Passed.';
  const statusLine = status === 'timeout' ? 'Timed out.' : status === 'error' ? 'Not graded.' : 'Failed.';
  return `${statusLine} This check is hidden.${hint ? `\n\n**Hint:** ${hint}` : ''}`;
}

/** A check id where it stands alone (`a.b` is not found inside `a.b-c`). */
function idPattern(id: string): RegExp {
  return new RegExp(`(?<![\\w.-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-]|\\.\\w)`, 'g');
}

/**
 * The checks as a learner may see them, in order: visible ones unchanged except that they never
 * name a hidden check (their `needs` and feedback say "Hidden check N" instead of its id), the Nth
 * hidden one renamed `hidden-N` / "Hidden check N" with only its group, status, points, required,
 * hint and the step it needs (named as the learner may name it).
 */
export function redactHiddenChecks(tests: readonly TestResult[]): TestResult[] {
  const placeholders = new Map<string, string>();
  tests.filter(isHiddenCheck).forEach((test, rank) => placeholders.set(test.id, `${HIDDEN_CHECK_NAME} ${rank + 1}`));
  const label = (id: string) => placeholders.get(id) ?? id;
  const unnamed = (text: string) => [...placeholders].reduce((out, [id, name]) => out.replace(idPattern(id), name), text);
  let hiddenCount = 0;
  return tests.map((test): TestResult => {
    if (!isHiddenCheck(test)) {
      if (!placeholders.size) return test;
      return { ...test, output: unnamed(test.output), ...(test.needs ? { needs: label(test.needs) } : {}) };
    }
    hiddenCount += 1;
    return {
      id: `hidden-${hiddenCount}`,
      name: `${HIDDEN_CHECK_NAME} ${hiddenCount}`,
      group: test.group,
      score: test.score,
      max_score: test.max_score,
      status: test.status,
      visibility: test.visibility,
      required: test.required,
      output: hiddenCheckOutput(test.status, test.hint),
      ...(test.hint ? { hint: test.hint } : {}),
      ...(test.needs ? { needs: label(test.needs) } : {}),
    };
  });
}
