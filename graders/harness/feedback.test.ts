import { CheckFailure, capBytes, decodeFeedback, expectObserved, expectStatus, stripAnsi, type HttpExchange } from './feedback';

const exchange = (status: number, body: unknown): HttpExchange => ({
  method: 'POST',
  path: '/auth/refresh',
  status,
  headers: {},
  body,
  text: JSON.stringify(body),
});

describe('feedback', () => {
  test('When a status differs, then the failure says what was observed, what was expected and what to do', () => {
    const act = () =>
      expectStatus(exchange(200, { ok: true }), 401, {
        when: 'with a refresh token already used',
        fix: 'Mark each refresh token as used when it is exchanged and refuse it the second time.',
      });
    expect(act).toThrow(CheckFailure);
    try {
      act();
    } catch (error) {
      const markdown = (error as CheckFailure).markdown;
      expect(markdown).toMatch(/^`POST \/auth\/refresh` with a refresh token already used answered \*\*200\*\*; expected \*\*401\*\*\. Mark each/);
      expect(markdown).toContain('"ok": true');
    }
  });

  test('When the status is expected, then nothing is thrown', () => {
    expect(() => expectStatus(exchange(401, {}), [400, 401], { fix: '' })).not.toThrow();
  });

  test('When feedback travels inside a Jest failure message, then it is recovered with its status', () => {
    const failure = new CheckFailure('**observed** x', 'timeout');
    const jestMessage = `Error: ${failure.message}\n    at Object.<anonymous> (checks.test.ts:1:1)`;
    expect(decodeFeedback(jestMessage)).toEqual({ status: 'timeout', markdown: '**observed** x' });
    expect(decodeFeedback('expect(received).toBe(expected)')).toBeUndefined();
  });

  test('When text is too long, then it is capped in bytes without splitting a character', () => {
    const capped = capBytes('é'.repeat(5000), 4096);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(4096);
    expect(capped).toMatch(/feedback cut\)$/);
    expect(capped).not.toContain('\uFFFD');
  });

  test('When an observed value differs, then the failure shows both and the next step', () => {
    expect(() => expectObserved("The access token's `role`", 'admin', 'user', 'Sign the stored role.')).toThrow(
      'The access token\'s `role` is `"admin"`; expected `"user"`. Sign the stored role.',
    );
    expect(() => expectObserved('x', { a: 1 }, { a: 1 }, '')).not.toThrow();
  });

  test('When text carries ANSI colours, then they are removed', () => {
    expect(stripAnsi('\u001b[31mExpected\u001b[39m: \u001b[32m401\u001b[39m')).toBe('Expected: 401');
  });
});
