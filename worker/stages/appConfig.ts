/**
 * backend-pro.yml at the app's root: the learner's settings for the grader. `env:` maps the app's
 * own variable names to the platform's (`TYPEORM_URL: DATABASE_URL`) or gives them a literal value
 * (`MAIL_API_KEY: { value: "dummy" }`); `prefix:` is a path every route of the app sits under
 * (`/api/v1`), which the tester prepends to every request; `phases:` belongs to the repository link
 * (server/github/repoConfig.ts) and is not read here. Every problem is one line naming its key.
 */
import YAML from 'yaml';
import { LearnerError } from '../errors';
import { regularFileInside } from './workspaceFiles';
import { platformVariableNames } from './platformEnv';

export interface AppConfig {
  /** The app's variable name → the platform variable whose value it gets. */
  envMap: Record<string, string>;
  /** The app's variable name → a literal value (never one of the platform's own names). */
  envValues: Record<string, string>;
  /** A path such as `/api/v1` that every route sits under, or null. */
  prefix: string | null;
}

export const EMPTY_APP_CONFIG: AppConfig = { envMap: {}, envValues: {}, prefix: null };

/** Where the schema of the file is documented (linked from every message about it). */
export const APP_CONFIG_DOCS = 'docs/backend-pro-yml.md';
const SETTINGS = ['env', 'prefix', 'phases'];
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The shape of the platform's and the exercises' variable names. */
const PLATFORM_NAME = /^[A-Z_][A-Z0-9_]*$/;
const PREFIX = /^(\/[A-Za-z0-9._~-]+)+$/;
const MAX_VALUE_LENGTH = 4096;
const MAX_ENV_ENTRIES = 100;

/** backend-pro.yml does not validate: one line per problem, each naming its key. */
export class AppConfigError extends LearnerError {
  constructor(readonly problems: string[]) {
    super(
      `backend-pro.yml does not match its schema (${APP_CONFIG_DOCS}), so the grader did not start your app:\n` +
        problems.map((problem) => `- ${problem}`).join('\n') +
        `\n\nFix these keys, or remove the file if you do not need it. Every setting is described in ${APP_CONFIG_DOCS}.`,
    );
    this.name = 'AppConfigError';
  }
}

/** Reads backend-pro.yml (or .yaml) from the app's folder; the defaults when there is none. */
export function readAppConfig(dir: string): AppConfig {
  const raw = regularFileInside(dir, 'backend-pro.yml', 64 * 1024) ?? regularFileInside(dir, 'backend-pro.yaml', 64 * 1024);
  if (!raw) return EMPTY_APP_CONFIG;
  const parsed = parseAppConfig(raw.toString('utf8'));
  if (!parsed.ok) throw new AppConfigError(parsed.problems);
  return parsed.config;
}

export type AppConfigCheck = { ok: true; config: AppConfig } | { ok: false; problems: string[] };

/** Checks the text of a backend-pro.yml: the settings it holds, or every problem found. */
export function parseAppConfig(text: string): AppConfigCheck {
  let document: unknown;
  try {
    document = YAML.parse(text, { maxAliasCount: 20 });
  } catch (error) {
    const firstLine = (error as Error).message.split('\n')[0];
    return { ok: false, problems: [`the file is not valid YAML: ${firstLine.slice(0, 200)}`] };
  }
  if (document === null || document === undefined) return { ok: true, config: EMPTY_APP_CONFIG };
  if (!isMapping(document)) return { ok: false, problems: [`the top level must be a mapping of settings (${SETTINGS.join(', ')})`] };

  const problems: string[] = [];
  for (const key of Object.keys(document)) {
    if (!SETTINGS.includes(key)) problems.push(`${quoteKey(key)}: is not a setting of backend-pro.yml (the settings are ${SETTINGS.join(', ')})`);
  }
  const env = parseEnv(document.env, problems);
  const prefix = parsePrefix(document.prefix, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { ...env, prefix } };
}

function parseEnv(value: unknown, problems: string[]): Pick<AppConfig, 'envMap' | 'envValues'> {
  const envMap: Record<string, string> = {};
  const envValues: Record<string, string> = {};
  if (value === undefined || value === null) return { envMap, envValues };
  if (!isMapping(value)) {
    problems.push('env: must be a mapping of your variable names, e.g. `env: { TYPEORM_URL: DATABASE_URL, MAIL_API_KEY: { value: "dummy" } }`');
    return { envMap, envValues };
  }
  const platform = new Set(platformVariableNames());
  const entries = Object.entries(value);
  if (entries.length > MAX_ENV_ENTRIES) problems.push(`env: has ${entries.length} entries; at most ${MAX_ENV_ENTRIES} are allowed`);
  for (const [name, target] of entries.slice(0, MAX_ENV_ENTRIES)) {
    const key = `env.${quoteKey(name)}`;
    if (!VARIABLE_NAME.test(name)) {
      problems.push(`${key}: is not an environment variable name (letters, digits and _, not starting with a digit)`);
    } else if (typeof target === 'string') {
      // Which names exist depends on the exercise too (checkEnvTargets); here, only their shape.
      if (PLATFORM_NAME.test(target)) envMap[name] = target;
      else problems.push(notAVariable(key, target));
    } else if (isMapping(target) && Object.keys(target).length === 1 && 'value' in target && isScalar(target.value)) {
      const literal = String(target.value);
      if (platform.has(name)) problems.push(`${key}: is the platform's own variable and cannot be given a value; map a name of your own to it instead`);
      else if (literal.length > MAX_VALUE_LENGTH) problems.push(`${key}.value: is ${literal.length} characters long; at most ${MAX_VALUE_LENGTH} are allowed`);
      // eslint-disable-next-line no-control-regex
      else if (/[\u0000-\u001f\u007f]/.test(literal)) problems.push(`${key}.value: must be one line of text without control characters`);
      else envValues[name] = literal;
    } else {
      problems.push(`${key}: must be a platform variable name like DATABASE_URL, or { value: "…" }`);
    }
  }
  return { envMap, envValues };
}

function notAVariable(key: string, target: string): string {
  return `${key}: must be a platform variable name like DATABASE_URL, or { value: "…" } ("${target.slice(0, 60)}" is not a variable the platform gives)`;
}

/**
 * Refuses names mapped to a variable that neither the platform nor the exercise gives (e.g.
 * `TYPEORM_URL: DATABSE_URL`), which would otherwise leave the app's variable silently unset.
 */
export function checkEnvTargets(config: AppConfig, exerciseEnv: Readonly<Record<string, string>>): void {
  const available = new Set([...platformVariableNames(), ...Object.keys(exerciseEnv)]);
  const problems = Object.entries(config.envMap)
    .filter(([, target]) => !available.has(target))
    .map(([name, target]) => notAVariable(`env.${quoteKey(name)}`, target));
  if (problems.length > 0) throw new AppConfigError(problems);
}

function parsePrefix(value: unknown, problems: string[]): string | null {
  if (value === undefined || value === null) return null;
  const prefix = typeof value === 'string' ? value.trim().replace(/\/+$/, '') : null;
  if (prefix === null || prefix.length > 100 || !PREFIX.test(prefix) || prefix.split('/').some((segment) => segment === '..' || segment === '.')) {
    problems.push('prefix: must be the path every route of your app sits under, such as /api or /api/v1');
    return null;
  }
  return prefix;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function quoteKey(key: string): string {
  const shown = key.slice(0, 60);
  return VARIABLE_NAME.test(shown) ? shown : JSON.stringify(shown);
}
