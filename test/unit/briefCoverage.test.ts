/** Brief rules → checks (issue 11 §2b): scripts/lib/briefCoverage.ts. */
import { compareCoverage, describeProblems, extractBriefRules, renderCoverage } from '../../scripts/lib/briefCoverage';
import { parseCoverage } from '../../server/exercises/coverage';

const brief = `---
id: phase-9-demo
---

# Phase 9 — Demo

## How your app is run

| variable | what it is |
| --- | --- |
| \`PORT\` | the port |

Your app must listen on PORT (not a contract rule: outside the contract).

## The HTTP contract

All bodies are JSON. A user **never** carries a password.

| method and path | auth | success |
| --- | --- | --- |
| \`POST /things\` | Bearer | \`201\` the thing |
| \`GET /things/:id\` | none | \`200\` the thing |

### Rules

- **Validation.** A missing field is a \`400\` that names it.
- Unknown routes answer \`404\`.

This sentence states nothing normative. A \`500\` never shows a stack trace.

## What is graded

| group | points |
| --- | --- |
| Things | 100 |
`;

describe('extractBriefRules', () => {
  test('When a brief is read, then only its contract sections give rules: table rows, list items and normative sentences', () => {
    const rules = extractBriefRules(brief).map((r) => `[${r.section}] ${r.rule}`);
    expect(rules).toEqual([
      '[The HTTP contract] A user never carries a password.',
      '[The HTTP contract] `POST /things`',
      '[The HTTP contract] `GET /things/:id`',
      '[Rules] Validation.',
      '[Rules] Unknown routes answer `404`.',
      '[Rules] A `500` never shows a stack trace.',
    ]);
  });
});

describe('compareCoverage', () => {
  const rules = extractBriefRules(brief);
  const ids = new Set(['things.create', 'things.read', 'errors.validation', 'errors.not-found']);
  const table = (rows: string[]) => `| section | rule | checks |\n| --- | --- | --- |\n${rows.join('\n')}\n`;

  test('When every rule has checks or a review reason, then there is no problem', () => {
    const rows = parseCoverage(
      table([
        '| The HTTP contract | A user never carries a password. | `things.read` |',
        '| The HTTP contract | `POST /things` | `things.create` |',
        '| The HTTP contract | `GET /things/:id` | things.read |',
        '| Rules | Validation. | `errors.validation` |',
        '| Rules | Unknown routes answer `404`. | `errors.not-found` |',
        '| Rules | A `500` never shows a stack trace. | review: a 500 cannot be provoked in every app |',
      ]),
    );
    expect(describeProblems(compareCoverage(rules, rows, ids))).toEqual([]);
  });

  test('When a rule has no row, a row names an unknown check, is TODO, empty or stale, then each is said with the rule', () => {
    const rows = parseCoverage(
      table([
        '| The HTTP contract | A user never carries a password. | `things.gone` |',
        '| The HTTP contract | `POST /things` | TODO |',
        '| The HTTP contract | `GET /things/:id` |  |',
        '| Rules | Validation. | `errors.validation` |',
        '| Rules | Unknown routes answer `404`. | `errors.not-found` |',
        '| Rules | A rule that was removed | `things.read` |',
      ]),
    );
    const lines = describeProblems(compareCoverage(rules, rows, ids));
    expect(lines).toEqual([
      'no row for the brief\'s rule [Rules] "A `500` never shows a stack trace." — add its check(s) or "review: <why>"',
      '[The HTTP contract] "`POST /things`" is still TODO',
      '[The HTTP contract] "A user never carries a password." names checks that do not exist: things.gone',
      '[The HTTP contract] "`GET /things/:id`" has neither checks nor "review: <why>"',
      '[Rules] "A rule that was removed" is not a rule of the brief any more (edited or removed): update or remove the row',
    ]);
  });

  test('When the table is rewritten, then mapped rows are kept, new rules come as TODO and stale rows go', () => {
    const rows = parseCoverage(table(['| Rules | Validation. | `errors.validation` |', '| Rules | Gone | `things.read` |']));
    const rendered = renderCoverage('phase-9-demo', rules, rows);
    expect(rendered).toContain('| Rules | Validation. | `errors.validation` |');
    expect(rendered).toContain('| The HTTP contract | `POST /things` | TODO |');
    expect(rendered).not.toContain('Gone');
    // What it writes, it reads back the same.
    expect(parseCoverage(rendered).map((r) => r.rule)).toEqual(rules.map((r) => r.rule));
  });
});
