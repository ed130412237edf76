/** The roadmap's levels, phase statuses, and the one markdown renderer. */
import { combinePhaseStatuses, computeLevel, phaseStatus, type PhaseStatus } from '../../server/lib/levels';
import { renderInlineMarkdown, renderMarkdown } from '../../server/lib/markdown';
import { formatDuration, formatPercent } from '../../core/lib/format';

const statuses = (passed: number, distinction: number): PhaseStatus[] => {
  const list: PhaseStatus[] = [];
  for (let i = 0; i < 8; i += 1) list.push(i < distinction ? 'distinction' : i < passed ? 'passed' : 'in-progress');
  return list;
};

describe('levels', () => {
  test.each([
    [0, 0, 'Junior'],
    [3, 0, 'Junior'],
    [4, 0, 'Mid-level'],
    [6, 6, 'Mid-level'],
    [7, 0, 'Strong Mid'],
    [8, 7, 'Strong Mid'],
    [8, 8, 'Senior-Ready'],
  ])('When %i phases pass (%i with distinction), then the level is %s', (passed, distinction, level) => {
    expect(computeLevel(statuses(passed, distinction)).name).toBe(level);
  });

  test('When a submission passed, then the phase passes; at 90%, with distinction; attempts alone never pass', () => {
    expect(phaseStatus(null, 0)).toBe('not-started');
    expect(phaseStatus(null, 2)).toBe('in-progress');
    expect(phaseStatus(80, 1)).toBe('passed');
    expect(phaseStatus(89.9, 3)).toBe('passed');
    expect(phaseStatus(90, 1)).toBe('distinction');
  });

  test('When a phase has several exercises, then it passes only when all do', () => {
    expect(combinePhaseStatuses(['passed', 'in-progress'])).toBe('in-progress');
    expect(combinePhaseStatuses(['passed', 'distinction'])).toBe('passed');
    expect(combinePhaseStatuses(['distinction', 'distinction'])).toBe('distinction');
    expect(combinePhaseStatuses([])).toBe('not-started');
  });
});

describe('renderMarkdown', () => {
  test('When markdown has tables and code, then they are kept', () => {
    const html = renderMarkdown('| a | b |\n|---|--:|\n| 1 | 2 |\n\n```ts\nconst x = 1 < 2;\n```');
    expect(html).toContain('<table>');
    expect(html).toContain('<td align="right">2</td>');
    expect(html).toContain('<code class="language-ts">const x = 1 &lt; 2;');
  });

  test('When markdown carries raw HTML, then scripts, styles, iframes, handlers and javascript: links are neutralised', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<style>body{}</style>\n\n<iframe src="https://x"></iframe>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <a href="https://ok.example" onclick="y()">ok</a>',
    );
    expect(html).not.toMatch(/<script|<style|<iframe|<img|onerror|onclick|javascript:/);
    expect(html).toContain('<a href="https://ok.example" rel="noopener noreferrer">ok</a>');
  });

  test('When a line is rendered inline, then there is no wrapping paragraph', () => {
    expect(renderInlineMarkdown('No `build` script')).toBe('No <code>build</code> script');
  });
});

describe('format', () => {
  test('durations and percentages read naturally and never round a fail up to a pass', () => {
    expect(formatDuration(420)).toBe('0.4 s');
    expect(formatDuration(12_300)).toBe('12 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatPercent(79.99)).toBe('79.9%');
    expect(formatPercent(80)).toBe('80%');
    expect(formatPercent(null)).toBe('—');
  });
});
