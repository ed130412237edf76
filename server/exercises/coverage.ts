/**
 * An exercise's coverage table, `graders/<id>/coverage.md` (issue 11 §2b): every normative rule of
 * the brief mapped to the checks that test it, or to `review: <why>` when only an instructor can
 * judge it. `exercises:verify` keeps it true (scripts/lib/briefCoverage.ts); this module reads it,
 * and the instructor's coverage page shows it beside each check's points, required and hidden flags.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tokens } from 'marked';
import { type CheckDefinition, loadChecks } from '../../graders/harness/checkDefinitions';
import { lexMarkdown } from '../lib/markdown';
import type { ExerciseDefinition } from '../../core/exercises/definition';

export interface CoverageRow {
  section: string;
  rule: string;
  /** Check ids, or empty when the row is a review. */
  checks: string[];
  /** Set when the rule is left to the instructor: the reason. */
  review: string | null;
  /** Still to be mapped. */
  todo: boolean;
}

/** Markdown inline text to plain text: code spans keep their backticks, emphasis goes. Pure. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[^*])\*([^*]+)\*/g, '$1$2')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\|/g, '/')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where an exercise keeps its coverage table. */
export function coveragePath(graderDir: string): string {
  return path.join(graderDir, 'coverage.md');
}

/** Reads the table of a coverage.md: `| section | rule | checks |`. Pure. */
export function parseCoverage(markdown: string): CoverageRow[] {
  const rows: CoverageRow[] = [];
  for (const token of lexMarkdown(markdown)) {
    if (token.type !== 'table') continue;
    for (const row of (token as Tokens.Table).rows) {
      const [section = '', rule = '', checks = ''] = row.map((cell) => cell.text.trim());
      const review = /^review:\s*(.+)$/i.exec(checks)?.[1]?.trim() ?? null;
      const todo = /^todo\b/i.test(checks);
      rows.push({
        section: plainText(section),
        rule: plainText(rule),
        checks:
          review || todo
            ? []
            : checks
                .split(/[,\s]+/)
                .map((id) => id.replace(/`/g, '').trim())
                .filter(Boolean),
        review,
        todo,
      });
    }
  }
  return rows;
}

export interface CoverageCheck {
  id: string;
  name: string;
  group: string;
  points: number;
  required: boolean;
  hidden: boolean;
  /** The rules that name it. */
  rules: number;
}

export interface ExerciseCoverage {
  rows: Array<CoverageRow & { checkDetails: Array<Omit<CoverageCheck, 'rules'> | { id: string; unknown: true }> }>;
  /** Every check of the exercise with the number of rules that name it (0: it tests nothing the brief says). */
  checks: CoverageCheck[];
  counts: { rules: number; checked: number; review: number; todo: number };
}

function summary(check: CheckDefinition): Omit<CoverageCheck, 'rules'> {
  return {
    id: check.id,
    name: check.name,
    group: check.group,
    points: check.points,
    required: check.required === true,
    hidden: check.visibility !== 'visible',
  };
}

/** Joins a coverage table with the exercise's check definitions. Pure. */
export function joinCoverage(rows: readonly CoverageRow[], definitions: readonly CheckDefinition[]): ExerciseCoverage {
  const byId = new Map(definitions.map((check) => [check.id, check]));
  const named = new Map<string, number>();
  for (const row of rows) for (const id of new Set(row.checks)) named.set(id, (named.get(id) ?? 0) + 1);
  return {
    rows: rows.map((row) => ({
      ...row,
      checkDetails: row.checks.map((id) => {
        const check = byId.get(id);
        return check ? summary(check) : { id, unknown: true as const };
      }),
    })),
    checks: definitions.map((check) => ({ ...summary(check), rules: named.get(check.id) ?? 0 })),
    counts: {
      rules: rows.length,
      checked: rows.filter((row) => row.checks.length > 0).length,
      review: rows.filter((row) => row.review !== null).length,
      todo: rows.filter((row) => row.todo).length,
    },
  };
}

/** The coverage of a gradable exercise, or null when it has no table yet. */
export function readExerciseCoverage(exercise: Pick<ExerciseDefinition, 'graderDir' | 'gradable'>): ExerciseCoverage | null {
  const file = coveragePath(exercise.graderDir);
  if (!exercise.gradable || !fs.existsSync(file)) return null;
  return joinCoverage(parseCoverage(fs.readFileSync(file, 'utf8')), loadChecks(path.join(exercise.graderDir, 'checks.ts')));
}
