/** Lists in grader feedback say how long they were. */
import { someOf } from '../../graders/shared/lists';

describe('someOf', () => {
  test('When the list fits, then every item is shown and no count is added', () => {
    expect(someOf(['a', 'b', 'c'], 3)).toBe('a, b, c');
  });

  test('When the list is longer, then the first items are shown and it ends with "… (N in all)"', () => {
    expect(someOf(['a', 'b', 'c', 'd', 'e'], 2)).toBe('a, b, … (5 in all)');
    expect(someOf(['x', 'y', 'z'], 1, '\n- ')).toBe('x\n- … (3 in all)');
  });
});
