/** Lists in grader feedback say how long they were, and SQL from pg_stat_statements says it is normalised. */
import { NORMALISED_SQL_NOTE, someOf, statementList } from '../../graders/shared/lists';

describe('someOf', () => {
  test('When the list fits, then every item is shown and no count is added', () => {
    expect(someOf(['a', 'b', 'c'], 3)).toBe('a, b, c');
  });

  test('When the list is longer, then the first items are shown and it ends with "… (N in all)"', () => {
    expect(someOf(['a', 'b', 'c', 'd', 'e'], 2)).toBe('a, b, … (5 in all)');
    expect(someOf(['x', 'y', 'z'], 1, '\n- ')).toBe('x\n- … (3 in all)');
  });
});

describe('statementList', () => {
  const statements = Array.from({ length: 6 }, (_, i) => ({ calls: 10 - i, query: `SELECT  *\n FROM posts WHERE id = $${i + 1}` }));

  test('When there are more statements than shown, then the count of all of them follows, then the note on normalised SQL', () => {
    const text = statementList(statements, 4);
    expect(text.split('\n').filter((line) => line.startsWith('- 1') || line.startsWith('- 9') || line.startsWith('- 8') || line.startsWith('- 7'))).toHaveLength(4);
    expect(text).toContain('- 10 × `SELECT * FROM posts WHERE id = $1`');
    expect(text).not.toContain('$5');
    expect(text).toContain('- … (6 different statements in all)');
    expect(text.endsWith(NORMALISED_SQL_NOTE)).toBe(true);
    expect(NORMALISED_SQL_NOTE).toMatch(/pg_stat_statements/);
  });

  test('When every statement is shown, then no count line is added but the note still is', () => {
    const text = statementList(statements.slice(0, 2), 4);
    expect(text).not.toContain('in all');
    expect(text).toContain(NORMALISED_SQL_NOTE);
  });
});
