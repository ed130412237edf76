import { toPositional } from '../../core/db/sql';
import { clampResults, ResultsFileSchema } from '../../core/models/results';
import { cleanOutput, lastLines, TailBuffer } from '../../worker/sandbox/output';
import { cleanText } from '../../core/lib/text';
import { tailLog } from '../../server/lib/submissionView';

describe('toPositional', () => {
  test('When a SQL text uses named parameters, then they become positional, repeated names sharing one', () => {
    expect(toPositional('SELECT * FROM t WHERE a = $a AND b = $b OR a = $a::int', { a: 1, b: 2 })).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 AND b = $2 OR a = $1::int',
      values: [1, 2],
    });
  });
  test('When a parameter is missing, then it throws naming it', () => {
    expect(() => toPositional('SELECT $missing', {})).toThrow('SQL parameter $missing was not given');
  });
});

describe('TailBuffer', () => {
  test('When more than the cap is written, then only the tail is kept and the cut is said', () => {
    const tail = new TailBuffer(10);
    for (let i = 0; i < 100; i += 1) tail.push(Buffer.from(`line ${i}\n`));
    expect(tail.total).toBe(790);
    expect(tail.truncated).toBe(true);
    expect(tail.text()).toMatch(/^\[… 780 earlier bytes cut …\]\n/);
    expect(tail.text().endsWith('line 99\n')).toBe(true);
  });
  test('When output holds ANSI escapes, NUL bytes and carriage returns, then they are removed', () => {
    expect(cleanOutput('\u001b[31mred\u001b[0m\u0000 ok\r\nnext\rover')).toBe('red ok\nnext\nover');
    expect(lastLines('a\nb\nc\n', 2)).toBe('b\nc');
  });
});

describe('results.json', () => {
  const base = { version: 1, status: 'scored', score: 999, max_score: 10 };
  test('When scores are out of range, then each is clamped and the totals come from the checks', () => {
    const parsed = ResultsFileSchema.parse({
      ...base,
      tests: [
        { id: 'a.x', name: 'x', score: 50, max_score: 5, status: 'passed' },
        { id: 'a.y', name: 'y', score: -3, max_score: 5, status: 'failed' },
      ],
    });
    const clamped = clampResults(parsed);
    expect(clamped.tests.map((t) => t.score)).toEqual([5, 0]);
    expect([clamped.score, clamped.max_score]).toEqual([5, 10]);
  });
  test('When a field has the wrong type or version, then it is refused', () => {
    expect(ResultsFileSchema.safeParse({ ...base, version: 2 }).success).toBe(false);
    expect(ResultsFileSchema.safeParse({ ...base, tests: [{ id: 'a', status: 'great' }] }).success).toBe(false);
  });
});

describe('cleanText', () => {
  test('removes C1 controls (U+009B is a one-character CSI to some terminals) and keeps the text around them', () => {
    expect(cleanText('a\u009b31mb\u0085c\u00a0d')).toBe('a31mbc\u00a0d');
  });
});

describe('tailLog', () => {
  test('never starts with half of a character outside the BMP when the cut falls inside it', () => {
    const emoji = '\u{1F600}';
    // The page keeps the last 32 768 characters: make the cut land between the two halves of an emoji.
    const log = `x${emoji}${'y'.repeat(32_767)}`;
    expect(log.slice(-32_768).charCodeAt(0)).toBeGreaterThanOrEqual(0xdc00);
    const tail = tailLog(log)!;
    expect(tail).toMatch(/^y+$/);
    expect(tail).toHaveLength(32_767);
  });
});
