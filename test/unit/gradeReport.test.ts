/**
 * The CLI's readable report: a failing check's whole feedback (the requests it sent included) and
 * the end of the app's log by default; --brief cuts the feedback and leaves the log out.
 */
import { formatReport } from '../../scripts/grade';
import type { GradeOutcome } from '../../worker/gradeSubmission';

function outcomeWith(feedbackLines: number, appLogLines: number): GradeOutcome {
  const feedback = Array.from({ length: feedbackLines }, (_, i) => `feedback line ${i + 1}`).join('\n');
  return {
    status: 'scored',
    cause: null,
    message: null,
    score: 5,
    maxScore: 10,
    executionTimeMs: 1000,
    tests: [
      { id: 'a.passes', name: 'passes', group: 'A', status: 'passed', score: 5, max_score: 5, visibility: 'visible', output: 'all good' },
      { id: 'a.fails', name: 'fails', group: 'A', status: 'failed', score: 0, max_score: 5, visibility: 'visible', output: feedback },
    ],
    appLog: Array.from({ length: appLogLines }, (_, i) => `log line ${i + 1}`).join('\n'),
    warnings: [],
    commitSha: null,
    stages: [],
  } as GradeOutcome;
}

describe('formatReport', () => {
  test('When a check fails with 30 lines of feedback, then every line is shown, and the last 40 lines of the app log', () => {
    const report = formatReport('Fixture', outcomeWith(30, 100));
    expect(report).toContain('feedback line 1\n');
    expect(report).toContain('feedback line 30');
    expect(report).not.toContain('lines in all');
    expect(report).toContain("The app's log (the last 40 of 100 lines):");
    expect(report).toContain('| log line 61\n');
    expect(report).toContain('| log line 100');
    expect(report).not.toContain('| log line 60\n');
  });

  test('When --brief is given, then the feedback stops after 12 lines and says how many there are, and the log is left out', () => {
    const report = formatReport('Fixture', outcomeWith(30, 100), { brief: true });
    expect(report).toContain('feedback line 12\n');
    expect(report).not.toContain('feedback line 13');
    expect(report).toContain('… (30 lines in all; run without --brief for the rest)');
    expect(report).not.toContain('log line');
  });

  test('When every check passes, then the app log is not printed', () => {
    const passing = outcomeWith(1, 10);
    passing.tests = passing.tests.filter((test) => test.status === 'passed');
    expect(formatReport('Fixture', passing)).not.toContain("The app's log");
  });
});
