/**
 * Every normative rule of a brief, mapped to the checks that test it (issue 11 §2b): a grader is
 * looser than its brief wherever a rule has no check, so each exercise keeps a coverage table,
 * `graders/<id>/coverage.md`, from every rule of the brief's contract to its check(s) or to
 * "review: <reason>" (left to the instructor, with why). `exercises:verify` fails when a rule of
 * the brief has no row, a row names a check that does not exist, or a row is still `TODO`.
 *
 * A rule is, inside the brief's contract sections (an H2 whose title says "contract"): each row
 * of a table, each item of a list, and each sentence of a paragraph that says must / never /
 * always / only / at most / at least or names a status code. Its key is the section's title and
 * the start of the rule's text, so a rule edited in the brief needs its row looked at again.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Token, Tokens } from 'marked';
import { loadChecks } from '../../graders/harness/checkDefinitions';
import { coveragePath, parseCoverage, plainText, type CoverageRow } from '../../server/exercises/coverage';
import { lexMarkdown } from '../../server/lib/markdown';

export interface BriefRule {
  /** The nearest heading above the rule (H3 inside the contract, else the H2). */
  section: string;
  /** The rule's key within its section: a table row's first cell, a list item's bold lead or first words. */
  rule: string;
  /** The rule's whole text (for the generated skeleton). */
  text: string;
}

const CONTRACT_HEADING = /contract/i;
const NORMATIVE = /\b(must|never|always|only|at most|at least|required|forbidden|refused)\b|`[1-5]\d\d`|\b[1-5]\d\d\b/i;
const KEY_LENGTH = 70;

/** The key of a rule: its bold lead when it has one ("**Validation.**"), else its first words. */
function keyOf(markdown: string): string {
  const lead = /^\*\*([^*]{2,60})\*\*/.exec(markdown.trim());
  if (lead) return plainText(lead[1]);
  const text = plainText(markdown);
  if (text.length <= KEY_LENGTH) return text;
  const cut = text.slice(0, KEY_LENGTH);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 40))}…`;
}

function sentences(text: string): string[] {
  // Split after . ! ? followed by a space and a capital or a backtick, never inside code spans.
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z`*])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function extractBriefRules(markdown: string): BriefRule[] {
  const body = markdown.replace(/^---\n[\s\S]*?\n---\n/, '');
  const rules: BriefRule[] = [];
  let inContract = false;
  let section = '';
  const add = (rule: string, text: string) => {
    if (!rules.some((r) => r.section === section && r.rule === rule)) rules.push({ section, rule, text: plainText(text) });
  };
  const visit = (token: Token) => {
    switch (token.type) {
      case 'heading': {
        const heading = token as Tokens.Heading;
        if (heading.depth <= 2) inContract = heading.depth === 2 && CONTRACT_HEADING.test(heading.text);
        if (heading.depth <= 3) section = plainText(heading.text);
        return;
      }
      case 'table': {
        if (!inContract) return;
        for (const row of (token as Tokens.Table).rows) {
          const cells = row.map((cell) => cell.text);
          add(keyOf(cells[0] ?? ''), cells.join(' | '));
        }
        return;
      }
      case 'list': {
        if (!inContract) return;
        for (const item of (token as Tokens.List).items) add(keyOf(item.text), item.text);
        return;
      }
      case 'paragraph': {
        if (!inContract) return;
        for (const sentence of sentences((token as Tokens.Paragraph).text)) {
          if (NORMATIVE.test(sentence)) add(keyOf(sentence), sentence);
        }
        return;
      }
      default:
        return;
    }
  };
  for (const token of lexMarkdown(body)) visit(token);
  return rules;
}

export interface CoverageProblems {
  /** Rules of the brief with no row in the table. */
  uncovered: BriefRule[];
  /** Rows still marked TODO. */
  todo: CoverageRow[];
  /** Rows naming checks the exercise does not declare. */
  unknownChecks: Array<{ row: CoverageRow; ids: string[] }>;
  /** Rows with neither checks nor a review reason. */
  empty: CoverageRow[];
  /** Rows whose rule is no longer in the brief (edited or removed): the table is stale. */
  stale: CoverageRow[];
}

export function compareCoverage(rules: readonly BriefRule[], rows: readonly CoverageRow[], checkIds: ReadonlySet<string>): CoverageProblems {
  const key = (section: string, rule: string) => `${section}\u0000${rule}`;
  const ruleKeys = new Set(rules.map((r) => key(r.section, r.rule)));
  const rowKeys = new Set(rows.map((r) => key(r.section, r.rule)));
  return {
    uncovered: rules.filter((r) => !rowKeys.has(key(r.section, r.rule))),
    todo: rows.filter((r) => r.todo),
    unknownChecks: rows.map((row) => ({ row, ids: row.checks.filter((id) => !checkIds.has(id)) })).filter((entry) => entry.ids.length > 0),
    empty: rows.filter((r) => !r.todo && !r.review && r.checks.length === 0),
    stale: rows.filter((r) => !ruleKeys.has(key(r.section, r.rule))),
  };
}

export function hasProblems(problems: CoverageProblems): boolean {
  return Object.values(problems).some((list: readonly unknown[]) => list.length > 0);
}

/** Lines saying what is wrong, each naming the rule and the fix. */
export function describeProblems(problems: CoverageProblems): string[] {
  return [
    ...problems.uncovered.map((r) => `no row for the brief's rule [${r.section}] "${r.rule}" — add its check(s) or "review: <why>"`),
    ...problems.todo.map((r) => `[${r.section}] "${r.rule}" is still TODO`),
    ...problems.unknownChecks.map(({ row, ids }) => `[${row.section}] "${row.rule}" names checks that do not exist: ${ids.join(', ')}`),
    ...problems.empty.map((r) => `[${r.section}] "${r.rule}" has neither checks nor "review: <why>"`),
    ...problems.stale.map((r) => `[${r.section}] "${r.rule}" is not a rule of the brief any more (edited or removed): update or remove the row`),
  ];
}

/** A table row's cell: pipes escaped. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The coverage table rewritten in the brief's order: existing rows kept, new rules added as TODO,
 * stale rows dropped (so `--write` after editing a brief shows what needs mapping).
 */
export function renderCoverage(title: string, rules: readonly BriefRule[], rows: readonly CoverageRow[]): string {
  const existing = new Map(rows.map((row) => [`${row.section}\u0000${row.rule}`, row]));
  const lines = [
    `# ${title}: what checks each rule of the brief`,
    '',
    'Generated and checked by `npm run exercises:coverage` (and by `exercises:verify`). One row per',
    "normative rule of the brief's contract: the checks that test it, or `review: <why>` when only an",
    'instructor can judge it. Edit the third column; `--write` adds new rules as TODO.',
    '',
    '| section | rule | checks |',
    '| --- | --- | --- |',
  ];
  for (const rule of rules) {
    const row = existing.get(`${rule.section}\u0000${rule.rule}`);
    const mapped = !row || row.todo ? 'TODO' : row.review ? `review: ${row.review}` : row.checks.map((id) => `\`${id}\``).join(', ');
    lines.push(`| ${cell(rule.section)} | ${cell(rule.rule)} | ${cell(mapped)} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function readBriefRules(briefPath: string): BriefRule[] {
  return extractBriefRules(fs.readFileSync(briefPath, 'utf8'));
}

/**
 * The coverage problems of one exercise, or null when it has no table yet (said, not failed:
 * the tables are being written exercise by exercise).
 */
export async function checkExerciseCoverage(exercise: { id: string; briefMarkdown: string; graderDir: string }): Promise<string[] | null> {
  const file = coveragePath(exercise.graderDir);
  if (!fs.existsSync(file)) return null;
  const ids = new Set(loadChecks(path.join(exercise.graderDir, 'checks.ts')).map((check) => check.id));
  return describeProblems(compareCoverage(extractBriefRules(exercise.briefMarkdown), parseCoverage(fs.readFileSync(file, 'utf8')), ids));
}
