/**
 * Hidden means hidden (issue 11 §3): the one redaction every learner view uses, and the CLI's
 * report and --json through it.
 */
import { formatReport } from '../../scripts/grade';
import type { TestResult } from '../../core/models/results';
import { hiddenCheckOutput, redactHiddenChecks } from '../../server/lib/hiddenChecks';

const visible: TestResult = {
  id: 'items.create',
  name: 'POST /items creates an item',
  group: 'Items',
  score: 3,
  max_score: 3,
  status: 'passed',
  visibility: 'visible',
  required: false,
  output: 'Passed.',
  measurements: [{ name: 'p95', value: 12, unit: 'ms', threshold: '≤ 200 ms' }],
};
const hiddenFailed: TestResult = {
  id: 'perf.no-n-plus-one',
  name: 'GET /posts runs a fixed number of statements',
  group: 'Performance',
  score: 0,
  max_score: 5,
  status: 'failed',
  visibility: 'hidden',
  required: true,
  // What a grader might write if the harness did not redact (it does; the function must not rely on it).
  output: 'GET /posts?limit=20 ran 41 statements; requests sent: `GET /posts?limit=20` → 200',
  hint: 'Load related rows in one query.',
  measurements: [{ name: 'statements', value: 41, threshold: '≤ 8' }],
};
const hiddenPassed: TestResult = {
  id: 'perf.cursor-stable',
  name: 'Cursor pages never repeat a row',
  group: 'Performance',
  score: 4,
  max_score: 4,
  status: 'passed',
  visibility: 'after_due_date',
  required: false,
  output: 'Passed.',
  hint: 'Order by a unique key.',
  measurements: [{ name: 'pages', value: 3 }],
};

describe('redactHiddenChecks', () => {
  test('When a visible check needs a step a hidden check tests, then neither its needs nor its feedback names the hidden id', () => {
    const blocked: TestResult = {
      ...visible,
      id: 'perf.cursor-next',
      status: 'failed',
      score: 0,
      needs: 'perf.no-n-plus-one',
      output: '**Not tested:** a step this check needs first failed; the check `perf.no-n-plus-one` tests that step. Also see perf.no-n-plus-one-extra.',
    };
    const [shown, hiddenOne] = redactHiddenChecks([blocked, hiddenFailed]);
    expect(shown.needs).toBe('Hidden check 1');
    expect(shown.output).toBe(
      '**Not tested:** a step this check needs first failed; the check `Hidden check 1` tests that step. Also see perf.no-n-plus-one-extra.',
    );
    expect(JSON.stringify(shown)).not.toMatch(/perf\.no-n-plus-one(?!-)/);
    expect(hiddenOne.id).toBe('hidden-1');
  });

  test('When checks are hidden, then each keeps only a placeholder name, group, status, points, required and hint, numbered in order', () => {
    const [first, second, third] = redactHiddenChecks([visible, hiddenFailed, hiddenPassed]);
    expect(first).toEqual(visible);
    expect(second).toEqual({
      id: 'hidden-1',
      name: 'Hidden check 1',
      group: 'Performance',
      score: 0,
      max_score: 5,
      status: 'failed',
      visibility: 'hidden',
      required: true,
      output: 'Failed. This check is hidden.\n\n**Hint:** Load related rows in one query.',
      hint: 'Load related rows in one query.',
    });
    expect(third).toEqual({
      id: 'hidden-2',
      name: 'Hidden check 2',
      group: 'Performance',
      score: 4,
      max_score: 4,
      status: 'passed',
      visibility: 'after_due_date',
      required: false,
      output: 'Passed.',
      hint: 'Order by a unique key.',
    });
  });

  test('When a hidden check carries fields the allow-list does not know, then none of them, its id, name, feedback or measurements survive', () => {
    const withExtra = { ...hiddenFailed, evidence: { requests: ['GET /posts?limit=20'] } } as TestResult;
    const text = JSON.stringify(redactHiddenChecks([withExtra]));
    for (const secret of ['perf.no-n-plus-one', 'fixed number of statements', '41', 'GET /posts', 'statements', 'evidence']) expect(text).not.toContain(secret);
  });

  test('When the input is redacted, then it is not modified', () => {
    const input = [hiddenFailed];
    redactHiddenChecks(input);
    expect(input[0].name).toBe('GET /posts runs a fixed number of statements');
  });

  test('When a hidden check timed out or was not graded, then its output says so and no hint line is added without a hint', () => {
    expect(hiddenCheckOutput('timeout', undefined)).toBe('Timed out. This check is hidden.');
    expect(hiddenCheckOutput('error', 'x')).toBe('Not graded. This check is hidden.\n\n**Hint:** x');
  });
});

describe('The CLI report of hidden checks', () => {
  const outcome = {
    status: 'scored' as const,
    cause: null,
    message: null,
    score: 7,
    maxScore: 12,
    executionTimeMs: 10,
    tests: [visible, hiddenFailed, hiddenPassed],
    appLog: null,
    warnings: [],
    commitSha: null,
    stages: [],
  };

  test('When a learner reads the report, then a hidden check shows its placeholder, status, points and hint only', () => {
    const report = formatReport('Fixture', outcome);
    expect(report).toContain('FAILED    0/5  Hidden check 1 (hidden)');
    expect(report).toContain('PASS      4/4  Hidden check 2 (hidden)');
    expect(report).toContain('**Hint:** Load related rows in one query.');
    for (const secret of ['perf.no-n-plus-one', 'fixed number of statements', 'ran 41 statements', 'perf.cursor-stable']) expect(report).not.toContain(secret);
  });

  test('When an instructor reads the report (--instructor), then hidden checks show their id, name, feedback and measurements', () => {
    const report = formatReport('Fixture', outcome, { instructor: true });
    expect(report).toContain('perf.no-n-plus-one — GET /posts runs a fixed number of statements (hidden)');
    expect(report).toContain('ran 41 statements');
    expect(report).toContain('~ statements = 41  (threshold ≤ 8)');
  });

  test('When the pass mark is reached but a required check failed, then the report says not passed and names it as the reader may see it', () => {
    expect(formatReport('Fixture', outcome, { passMark: 50 })).toContain('Not passed: 7/12, but Hidden check 1 is required');
    expect(formatReport('Fixture', outcome, { passMark: 50, instructor: true })).toContain('Not passed: 7/12, but perf.no-n-plus-one is required');
    const fixed = { ...outcome, tests: outcome.tests.map((t) => ({ ...t, status: 'passed' as const })) };
    expect(formatReport('Fixture', fixed, { passMark: 50 })).toContain('PASSED (pass mark 50%, every required check passed)');
  });
});
