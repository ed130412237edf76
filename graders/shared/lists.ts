/**
 * Lists in feedback: a long list is cut to its first items and says how long it was (statements
 * from pg_stat_statements: describeStatements in graders/harness/statementCounter.ts).
 */

/** The first `shown` items joined by `separator`, then "… (N in all)" when some were left out. */
export function someOf(items: readonly string[], shown: number, separator = ', '): string {
  if (items.length <= shown) return items.join(separator);
  return `${items.slice(0, shown).join(separator)}${separator}… (${items.length} in all)`;
}
