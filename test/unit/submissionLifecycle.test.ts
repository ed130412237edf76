/** The stage rules of core/submissionLifecycle.ts (the moves that reach the database are exercised by test/worker). */
import { GradingAttempt, IllegalTransitionError, isLegalTransition } from '../../core/submissionLifecycle';

test.each([
  ['queued', 'cloning'],
  ['cloning', 'installing'],
  ['building', 'starting'], // probing skipped: an app with no probe stage
  ['testing', 'scored'],
  ['queued', 'error'],
  ['installing', 'error'],
] as const)('When a grading moves from %s to %s, then the move is legal', (from, to) => {
  expect(isLegalTransition(from, to)).toBe(true);
});

test.each([
  ['installing', 'cloning'], // back
  ['testing', 'testing'], // the same stage again
  ['scored', 'error'], // out of a final stage
  ['error', 'queued'],
  ['scored', 'testing'],
] as const)('When a grading would move from %s to %s, then the move is refused', (from, to) => {
  expect(isLegalTransition(from, to)).toBe(false);
});

test('When an attempt is told to go back a stage, then it throws before writing anything', async () => {
  // No database here: a write would fail with a pool error, not the lifecycle's own error.
  const attempt = new GradingAttempt('00000000-0000-4000-8000-000000000000');
  await expect(attempt.enter('queued', new Date())).rejects.toThrow(IllegalTransitionError);
  await expect(attempt.enter('queued', new Date())).rejects.toThrow('cannot move from stage queued to queued');
  expect(attempt.current).toBe('queued');
});
