/**
 * A brief's "What is graded" section against its grader's checks.ts (issue 12 §4): what the learner
 * reads about points and required checks is what the grader scores. Pure (markdown and check
 * definitions in, problems out), so test/unit/briefChecks.test.ts runs it on every gradable
 * exercise and on what `npm run exercises:new` scaffolds.
 *
 * What a brief states, and what is compared:
 * - "N checks worth P points" (or "N checks, P points"), "in six groups": the number of checks,
 *   the total and the number of groups;
 * - the table `| group | points | … |`: each group's name and points, in checks.ts's order; where
 *   the third cell gives each check's points in brackets, "(4)" or "(4, hidden)", those are the
 *   group's checks in order, with their visibility;
 * - "### Required checks": the check each list item (or table row) starts with, exactly the checks
 *   marked `required: true`.
 */
import type { Tokens } from 'marked';
import type { CheckDefinition } from '../../graders/harness/checkDefinitions';
import { lexMarkdown } from '../../server/lib/markdown';

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const CHECK_ID = /^[a-z0-9-]+\.[a-z0-9-]+$/;

export interface BriefGroup {
  name: string;
  points: number;
  /** Each check's points as the third cell gives them, or null when it gives none. */
  checks: Array<{ points: number; hidden: boolean }> | null;
}

export interface BriefGrading {
  /** From the opening sentence; null when it gives none. */
  checkCount: number | null;
  approximate: boolean;
  totalPoints: number | null;
  groupCount: number | null;
  groups: BriefGroup[];
  /** The ids "Required checks" lists; null when the brief has no such section. */
  required: string[] | null;
}

function numberOf(word: string): number {
  return /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS.indexOf(word.toLowerCase());
}

/** The tokens of a level-2 section, up to the next level-2 heading. */
function section(tokens: readonly Tokens.Generic[], title: RegExp): Tokens.Generic[] {
  const start = tokens.findIndex((token) => token.type === 'heading' && token.depth === 2 && title.test(token.text as string));
  if (start < 0) return [];
  const end = tokens.findIndex((token, index) => index > start && token.type === 'heading' && token.depth <= 2);
  return tokens.slice(start + 1, end < 0 ? undefined : end);
}

/** The first code span of a list item's or a cell's tokens, when it is a check id. */
function leadingCheckId(tokens: readonly Tokens.Generic[] | undefined): string | null {
  for (const token of tokens ?? []) {
    if (token.type === 'codespan') return CHECK_ID.test(token.text as string) ? (token.text as string) : null;
    if (token.type === 'text' && Array.isArray(token.tokens)) return leadingCheckId(token.tokens);
    if (token.type !== 'text' || (token.text as string).trim()) return null;
  }
  return null;
}

/** Reads the "What is graded" section of a brief (the markdown after its front matter). */
export function readBriefGrading(briefMarkdown: string): BriefGrading {
  const tokens = section(lexMarkdown(briefMarkdown), /^What is graded$/i);
  const text = tokens
    .filter((token) => token.type === 'paragraph')
    .map((token) => token.text as string)
    .join(' ')
    .replace(/\s+/g, ' ');
  const opening = /\b(About )?(\d+) (?:small automatic )?checks?(?:,| worth) (\d+) points/i.exec(text);
  const groupCount = /\bin (\w+) groups?\b/i.exec(text);

  const groups: BriefGroup[] = [];
  const table = tokens.find((token): token is Tokens.Table => token.type === 'table' && /^group$/i.test((token as Tokens.Table).header[0]?.text ?? ''));
  for (const row of table?.rows ?? []) {
    const perCheck = [...(row[2]?.text ?? '').matchAll(/\((\d+)(, hidden)?\)/g)].map((match) => ({ points: Number(match[1]), hidden: Boolean(match[2]) }));
    groups.push({ name: row[0].text.replace(/\*\*/g, '').trim(), points: Number(row[1]?.text.trim()), checks: perCheck.length ? perCheck : null });
  }

  const requiredAt = tokens.findIndex((token) => token.type === 'heading' && /^Required checks$/i.test(token.text as string));
  let required: string[] | null = null;
  if (requiredAt >= 0) {
    required = [];
    for (const token of tokens.slice(requiredAt + 1)) {
      if (token.type === 'heading') break;
      if (token.type === 'list') for (const item of (token as Tokens.List).items) required.push(leadingCheckId(item.tokens) ?? '');
      if (token.type === 'table') for (const row of (token as Tokens.Table).rows) required.push(leadingCheckId(row[0]?.tokens) ?? '');
    }
    required = required.filter(Boolean);
  }
  return {
    checkCount: opening ? Number(opening[2]) : null,
    approximate: Boolean(opening?.[1]),
    totalPoints: opening ? Number(opening[3]) : null,
    groupCount: groupCount ? numberOf(groupCount[1]) : null,
    groups,
    required,
  };
}

/**
 * Where a gradable exercise's brief and its checks.ts disagree, one line each; empty when they
 * agree. `points` is the front matter's total.
 */
export function compareBriefWithChecks(briefMarkdown: string, points: number, checks: readonly CheckDefinition[]): string[] {
  const brief = readBriefGrading(briefMarkdown);
  const problems: string[] = [];
  const total = checks.reduce((sum, check) => sum + check.points, 0);
  const groupNames = [...new Set(checks.map((check) => check.group))];

  if (total !== points) problems.push(`checks.ts's points add up to ${total}, the front matter says points: ${points}`);
  if (brief.checkCount === null) problems.push('"What is graded" does not open with "N checks worth P points"');
  else {
    if (brief.approximate || brief.checkCount !== checks.length)
      problems.push(`the brief says ${brief.approximate ? 'about ' : ''}${brief.checkCount} checks, checks.ts declares ${checks.length}`);
    if (brief.totalPoints !== total) problems.push(`the brief says ${brief.totalPoints} points, checks.ts's add up to ${total}`);
  }
  if (brief.groupCount !== null && brief.groupCount !== groupNames.length)
    problems.push(`the brief says ${brief.groupCount} groups, checks.ts has ${groupNames.length}`);

  if (!brief.groups.length) problems.push('"What is graded" has no `| group | points |` table');
  else {
    const tableNames = brief.groups.map((group) => group.name);
    if (tableNames.join('\n') !== groupNames.join('\n'))
      problems.push(`the table's groups are ${tableNames.join(', ')}; checks.ts's, in order, ${groupNames.join(', ')}`);
    const tableTotal = brief.groups.reduce((sum, group) => sum + group.points, 0);
    if (tableTotal !== points) problems.push(`the table's points add up to ${tableTotal}, not the exercise's ${points}`);
    for (const group of brief.groups) {
      const members = checks.filter((check) => check.group === group.name);
      if (!members.length) continue;
      const sum = members.reduce((s, check) => s + check.points, 0);
      if (group.points !== sum) problems.push(`group "${group.name}": the table says ${group.points} points, its checks add up to ${sum}`);
      if (!group.checks) continue;
      const declared = members.map((check) => `${check.points}${check.visibility === 'visible' ? '' : ', hidden'}`).join(' | ');
      const told = group.checks.map((check) => `${check.points}${check.hidden ? ', hidden' : ''}`).join(' | ');
      if (declared !== told)
        problems.push(
          `group "${group.name}": the table gives its checks as (${told}), checks.ts as (${declared}): ${members.map((check) => check.id).join(', ')}`,
        );
    }
  }

  const requiredIds = checks.filter((check) => check.required).map((check) => check.id);
  if (brief.required === null) {
    if (requiredIds.length) problems.push(`the brief has no "Required checks" section; checks.ts requires ${requiredIds.join(', ')}`);
  } else {
    const listed = new Set(brief.required);
    const unknown = brief.required.filter((id) => !checks.some((check) => check.id === id));
    const notRequired = brief.required.filter((id) => !unknown.includes(id) && !requiredIds.includes(id));
    const missing = requiredIds.filter((id) => !listed.has(id));
    if (unknown.length) problems.push(`"Required checks" names checks checks.ts does not declare: ${unknown.join(', ')}`);
    if (notRequired.length) problems.push(`"Required checks" lists checks that are not required in checks.ts: ${notRequired.join(', ')}`);
    if (missing.length) problems.push(`checks.ts requires checks "Required checks" does not list: ${missing.join(', ')}`);
  }
  return problems;
}
