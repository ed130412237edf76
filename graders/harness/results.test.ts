import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTitle, defineChecks } from './checkDefinitions';
import { encodeFeedback } from './feedback';
import GraderReporter from './reporter';
import { type CaseOutcome, buildResults } from './results';

const exercise = defineChecks({
  exerciseId: 'unit',
  maxScore: 10,
  checks: [
    { id: 'group.visible', name: 'A visible check', group: 'Group', points: 4, visibility: 'visible' },
    { id: 'group.hidden', name: 'A hidden check', group: 'Group', points: 3, visibility: 'hidden', hint: 'Look at X.' },
    { id: 'group.other', name: 'Another check', group: 'Other', points: 3, visibility: 'visible' },
  ],
});
const [visible, hidden, other] = exercise.checks;

const passed = (check: { id: string; name: string }): CaseOutcome => ({
  title: checkTitle(check),
  status: 'passed',
  failureMessages: [],
});
const failed = (check: { id: string; name: string }, message: string): CaseOutcome => ({
  title: checkTitle(check),
  status: 'failed',
  failureMessages: [message],
});
const run = (cases: CaseOutcome[], extra: Partial<Parameters<typeof buildResults>[0]> = {}) =>
  buildResults({ checks: exercise.checks, cases, fileErrors: [], executionTimeMs: 1234.4, ...extra });

describe('buildResults', () => {
  test('When every check passes, then the run is scored with full points in declaration order', () => {
    const results = run([passed(other), passed(visible), passed(hidden)]);
    expect(results).toMatchObject({ version: 1, status: 'scored', score: 10, max_score: 10, execution_time_ms: 1234 });
    expect(results.message).toBeUndefined();
    expect(results.tests.map((t) => [t.id, t.status, t.score, t.max_score])).toEqual([
      ['group.visible', 'passed', 4, 4],
      ['group.hidden', 'passed', 3, 3],
      ['group.other', 'passed', 3, 3],
    ]);
    expect(results.tests[1]).toMatchObject({ visibility: 'hidden', hint: 'Look at X.', output: 'Passed.' });
  });

  test('When a check fails with feedback, then its output is that markdown and it scores 0', () => {
    const feedback = encodeFeedback('failed', '`GET /x` answered **200**; expected **401**.');
    const results = run([failed(visible, `Error: ${feedback}\n    at foo (bar.ts:1:1)`), passed(hidden), passed(other)]);
    expect(results.score).toBe(6);
    expect(results.tests[0]).toMatchObject({ status: 'failed', score: 0, output: '`GET /x` answered **200**; expected **401**.' });
  });

  test('When a hidden check fails, then the learner sees its hint, not what it sent', () => {
    const feedback = encodeFeedback('failed', 'secret request details');
    const results = run([passed(visible), failed(hidden, feedback), passed(other)]);
    expect(results.tests[1]?.output).toContain('Look at X.');
    expect(results.tests[1]?.output).not.toContain('secret request details');
  });

  test('When a step a check needs first fails, then the result names the check that tests it and says so first', () => {
    const needs = encodeFeedback('failed', '`POST /auth/register` answered **500**; expected **201**.', 'group.visible');
    const results = run([failed(visible, encodeFeedback('failed', 'registration broke')), failed(hidden, needs), failed(other, needs)]);
    expect(results.tests[0]?.needs).toBeUndefined();
    expect(results.tests[1]).toMatchObject({ needs: 'group.visible', status: 'failed', score: 0 });
    expect(results.tests[1]?.output).toContain('a step this check needs first failed; the check `group.visible` tests that step');
    expect(results.tests[1]?.output).not.toContain('POST /auth/register');
    expect(results.tests[2]?.output).toMatch(/^\*\*Not tested:\*\* a step this check needs first failed.*\n\n`POST \/auth\/register` answered \*\*500\*\*/);
  });

  test('When a needed step names a check the exercise does not declare, or the check itself, then no needs is kept', () => {
    const unknown = encodeFeedback('failed', 'x', 'nowhere.step');
    const itself = encodeFeedback('failed', 'y', 'group.other');
    const results = run([failed(visible, unknown), passed(hidden), failed(other, itself)]);
    expect(results.tests[0]?.needs).toBeUndefined();
    expect(results.tests[0]?.output).toBe('x');
    expect(results.tests[2]?.needs).toBeUndefined();
  });

  test('When a plain expect fails, then its message is kept without colours and stack frames', () => {
    const message =
      '\u001b[2mexpect(\u001b[22m\u001b[31mreceived\u001b[39m\u001b[2m).\u001b[22mtoBe\u001b[2m(\u001b[22m\u001b[32mexpected\u001b[39m\u001b[2m)\u001b[22m\n\n' +
      'Expected: \u001b[32m401\u001b[39m\nReceived: \u001b[31m200\u001b[39m\n    at Object.<anonymous> (/platform/graders/x.test.ts:3:4)';
    const output = run([failed(visible, message)]).tests[0]?.output ?? '';
    expect(output).toContain('Expected: 401\nReceived: 200');
    expect(output).not.toContain('\u001b');
    expect(output).not.toContain('    at ');
  });

  test("When Jest's own timeout fires, then the check is a timeout", () => {
    const results = run([failed(visible, 'thrown: "Exceeded timeout of 5000 ms for a test.')]);
    expect(results.tests[0]?.status).toBe('timeout');
  });

  test('When a declared check did not run, then it is an error worth 0 and the run is an error', () => {
    const results = run([passed(visible), passed(hidden)]);
    expect(results.tests[2]).toMatchObject({ id: 'group.other', status: 'error', score: 0 });
    expect(results).toMatchObject({ status: 'error', score: 7 });
    expect(results.message).toContain('group.other');
  });

  test('When a hidden check could not be graded, then the message names it by its placeholder, never its id', () => {
    const results = run([passed(visible), failed(hidden, encodeFeedback('error', 'no database')), passed(other)]);
    expect(results.status).toBe('error');
    expect(results.message).toContain('Hidden check 1');
    expect(results.message).not.toContain('group.hidden');
  });

  test('When the grader itself faulted in a check, then the run is an error', () => {
    const results = run([passed(visible), passed(hidden), failed(other, encodeFeedback('error', 'no database'))]);
    expect(results.tests[2]?.status).toBe('error');
    expect(results.status).toBe('error');
  });

  test('When the overall budget ran out, then unfinished checks are timeouts and the message says so', () => {
    const results = run([passed(visible)], { budgetExceededSeconds: 180 });
    expect(results.tests.slice(1).map((t) => t.status)).toEqual(['timeout', 'timeout']);
    expect(results.message).toMatch(/180 s budget/);
  });

  test('When a suite file cannot run, then the run is an error that names it', () => {
    const results = run([passed(visible)], { fileErrors: [{ file: 'tokens.test.ts', message: 'SyntaxError: x' }] });
    expect(results.status).toBe('error');
    expect(results.message).toContain('tokens.test.ts');
  });

  test('When nothing ran at all, then the run is an error', () => {
    expect(run([]).status).toBe('error');
  });

  test('When a test names an undeclared check, then the run is an error', () => {
    const results = run([passed(visible), passed({ id: 'group.ghost', name: 'ghost' })]);
    expect(results.status).toBe('error');
    expect(results.message).toContain('group.ghost');
  });

  test('When feedback is huge, then each output stays under 4 KB', () => {
    const results = run([failed(visible, encodeFeedback('failed', 'x'.repeat(20_000)))]);
    expect(Buffer.byteLength(results.tests[0]?.output ?? '')).toBeLessThanOrEqual(4096);
  });
});

describe('GraderReporter', () => {
  test('When Jest reports cases and the run completes, then results.json is written once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reporter-'));
    const checksPath = join(dir, 'checks.js');
    writeFileSync(checksPath, `module.exports = { checks: ${JSON.stringify({ checks: exercise.checks })} };`);
    const resultsPath = join(dir, 'out', 'results.json');
    const reporter = new GraderReporter({ rootDir: dir }, { checksPath, resultsPath });
    const test = { path: join(dir, 'a.test.ts') } as never;
    reporter.onTestCaseResult(test, { ...passed(visible), fullName: 'v' } as never);
    reporter.onTestFileResult(test, { testResults: [{ ...failed(hidden, 'boom'), fullName: 'h' }] } as never);
    reporter.onRunComplete(undefined, {} as never);
    const written = JSON.parse(readFileSync(resultsPath, 'utf8'));
    expect(written).toMatchObject({ status: 'error', score: 4, max_score: 10 });
    expect(written.tests.map((t: { status: string }) => t.status)).toEqual(['passed', 'failed', 'error']);
    expect(reporter.hasWritten()).toBe(true);
  });
});
