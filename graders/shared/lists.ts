/**
 * Lists in feedback: a long list is cut to its first items and says how long it was, and SQL
 * taken from pg_stat_statements says that it is the normalised form PostgreSQL recorded.
 */

/** The first `shown` items joined by `separator`, then "… (N in all)" when some were left out. */
export function someOf(items: readonly string[], shown: number, separator = ', '): string {
  if (items.length <= shown) return items.join(separator);
  return `${items.slice(0, shown).join(separator)}${separator}… (${items.length} in all)`;
}

/** One statement as pg_stat_statements keeps it: how often it ran and its normalised text. */
export interface CountedStatement {
  calls: number;
  query: string;
}

/** Said under every list of statements taken from pg_stat_statements. */
export const NORMALISED_SQL_NOTE =
  "(SQL as PostgreSQL's pg_stat_statements records it: constants become `$1`, `$2`…, and statements that differ only in their constants are counted together, so this is the shape of each query, not its exact text.)";

/** A markdown list of the `shown` most frequent statements, the total when cut, and the note on normalised SQL. */
export function statementList(statements: readonly CountedStatement[], shown: number): string {
  const lines = statements.slice(0, shown).map((s) => `- ${s.calls} × \`${s.query.replace(/\s+/g, ' ').slice(0, 160)}\``);
  if (statements.length > shown) lines.push(`- … (${statements.length} different statements in all)`);
  return `${lines.join('\n')}\n\n${NORMALISED_SQL_NOTE}`;
}
