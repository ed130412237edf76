/** A phase passes on the pass mark AND every required check (issue 11 §1): core/lib/passing.ts. */
import { describeNotPassed, failedRequiredChecks, reachesPassMark, verdictOf } from '../../core/lib/passing';

const check = (id: string, status: string, required = false) => ({ id, status, required });

describe('verdictOf', () => {
  const tests = [check('tokens.bad-tokens-rejected', 'failed', true), check('roles.admin-only', 'passed', true), check('docs.openapi', 'failed')];

  test('When a required check fails, then a score above the pass mark does not pass, and the check is named', () => {
    expect(verdictOf({ status: 'scored', score: 95, maxScore: 100, tests }, 80)).toEqual({ passed: false, failedRequired: ['tokens.bad-tokens-rejected'] });
  });

  test('When every required check passes, then the pass mark alone decides (a failed optional check costs points only)', () => {
    const fixed = tests.map((t) => (t.id === 'tokens.bad-tokens-rejected' ? { ...t, status: 'passed' } : t));
    expect(verdictOf({ status: 'scored', score: 95, maxScore: 100, tests: fixed }, 80)).toEqual({ passed: true, failedRequired: [] });
    expect(verdictOf({ status: 'scored', score: 79, maxScore: 100, tests: fixed }, 80).passed).toBe(false);
    expect(verdictOf({ status: 'scored', score: 80, maxScore: 100, tests: fixed }, 80).passed).toBe(true);
  });

  test('When a required check timed out or was not graded, then it counts as failed; an error result never passes', () => {
    expect(failedRequiredChecks([check('a.b', 'timeout', true), check('c.d', 'error', true), check('e.f', 'passed', true)])).toEqual(['a.b', 'c.d']);
    expect(verdictOf({ status: 'error', score: 0, maxScore: 100, tests: [] }, 80)).toEqual({ passed: false, failedRequired: [] });
    expect(verdictOf({ status: 'scored', score: 0, maxScore: 0, tests: [] }, 0).passed).toBe(false);
  });
});

describe('reachesPassMark', () => {
  test('When the score is exactly the pass mark, then it is reached even where floating point lands a hair below (as the database, with exact numerics, decides)', () => {
    // 29 / 100 * 100 is 28.999999999999996 in floating point; 57 and 58 likewise.
    for (const mark of [29, 57, 58]) {
      expect(reachesPassMark(mark, 100, mark)).toBe(true);
      expect(verdictOf({ status: 'scored', score: mark, maxScore: 100, tests: [] }, mark).passed).toBe(true);
      expect(describeNotPassed({ score: mark, maxScore: 100, passMark: mark, failedRequired: ['a.b'] })).toBe(
        `Not passed: ${mark}/100, but \`a.b\` is required`,
      );
    }
    expect(reachesPassMark(4.52, 5.65, 80)).toBe(true);
  });

  test('When the score is one step below the pass mark, then it is not reached; no maximum never passes', () => {
    expect(reachesPassMark(28.99, 100, 29)).toBe(false);
    expect(reachesPassMark(4.51, 5.65, 80)).toBe(false);
    expect(reachesPassMark(0, 0, 0)).toBe(false);
  });
});

describe('describeNotPassed', () => {
  test('When the score is above the pass mark, then the sentence names the required check that blocks it', () => {
    expect(describeNotPassed({ score: 95, maxScore: 100, passMark: 80, failedRequired: ['tokens.bad-tokens-rejected'] })).toBe(
      'Not passed: 95/100, but `tokens.bad-tokens-rejected` is required',
    );
    expect(describeNotPassed({ score: 90, maxScore: 100, passMark: 80, failedRequired: ['a.b', 'c.d', 'e.f'] })).toBe(
      'Not passed: 90/100, but `a.b`, `c.d` and `e.f` are required',
    );
  });

  test('When the score is below the pass mark, then it says so, and adds the failed required checks', () => {
    expect(describeNotPassed({ score: 61.5, maxScore: 100, passMark: 80, failedRequired: [] })).toBe('Not passed: 61.5/100, below the pass mark of 80%');
    expect(describeNotPassed({ score: 61.5, maxScore: 100, passMark: 80, failedRequired: ['Hidden check 1'] }, (label) => label)).toBe(
      'Not passed: 61.5/100, below the pass mark of 80%, and Hidden check 1 is required',
    );
  });
});
