/** Sentences several diagnosis rules share: what the pod gives the app, and where settings go. */
import { APP_CONFIG_DOCS } from '../stages/appConfig';
import { platformVariableNames } from '../stages/platformEnv';

export { APP_CONFIG_DOCS };

/** Names of the variables the platform gives, those matching `pattern` (all by default), as `code`. */
export function platformVariables(pattern: RegExp = /./): string {
  return platformVariableNames()
    .filter((name) => pattern.test(name) && !['HOME', 'NODE_OPTIONS', 'npm_config_update_notifier'].includes(name))
    .map((name) => `\`${name}\``)
    .join(', ');
}

export const DATABASE_VARIABLES = /^(DATABASE_URL|DB_|POSTGRES_|PG)/;
export const REDIS_VARIABLES = /^REDIS_/;

/** The first line of `text` that matches `pattern`, trimmed and capped, for "we saw: …". */
export function lineMatching(text: string, pattern: RegExp): string {
  const line = text.split('\n').find((candidate) => pattern.test(candidate)) ?? '';
  const trimmed = line.trim();
  return trimmed.length > 240 ? `${trimmed.slice(0, 240)}…` : trimmed;
}

/** A list cut to `max` items, ending with "… (N in all)" when cut. */
export function listOf(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')}, … (${items.length} in all)`;
}
