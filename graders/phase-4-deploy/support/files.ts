/**
 * The learner's files as the checks read them: the root files by name, YAML parsed with the
 * platform's `yaml` package, ignore files as patterns. Every reader returns what it observed so
 * feedback can quote it.
 */
import { parse as parseYaml } from 'yaml';
import { fail } from '../../harness/check';
import { listSubmissionFiles, readSubmissionFile } from '../../harness/submission';

/** A root file by exact name, or null. */
export function rootFile(name: string): string | null {
  return readSubmissionFile(name);
}

/** The first of these root files that exists, with its name. */
export function firstRootFile(names: readonly string[]): { name: string; text: string } | null {
  for (const name of names) {
    const text = readSubmissionFile(name);
    if (text !== null) return { name, text };
  }
  return null;
}

export type YamlMap = Record<string, unknown>;

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses YAML or fails the check naming the file and the parser's message. */
export function readYaml(name: string, text: string): unknown {
  try {
    // maxAliasCount bounds alias expansion: a learner's file cannot make the tester spin.
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    fail(
      `\`${name}\` is not valid YAML: ${String((error as Error).message).split('\n')[0]}. Fix the file (\`docker compose config\` or an editor with a YAML linter shows where).`,
    );
  }
}

export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

/** The Compose file, parsed; fails the check when there is none or it is not a YAML map. */
export function readCompose(): { name: string; doc: YamlMap; services: Record<string, YamlMap> } {
  const file = firstRootFile(COMPOSE_FILES);
  if (!file)
    fail(
      `No Compose file at the root of your repository: looked for ${COMPOSE_FILES.map((n) => `\`${n}\``).join(', ')}. Add \`compose.yaml\` with your app and database services.`,
    );
  const doc = readYaml(file.name, file.text);
  if (!isMap(doc) || !isMap(doc.services)) fail(`\`${file.name}\` has no \`services:\` map. A Compose file lists its containers under \`services:\`.`);
  const services: Record<string, YamlMap> = {};
  for (const [name, value] of Object.entries(doc.services)) if (isMap(value)) services[name] = value;
  return { name: file.name, doc, services };
}

/** The app service: the first service with `build`. */
export function appService(compose: ReturnType<typeof readCompose>): { name: string; service: YamlMap } | null {
  const entry = Object.entries(compose.services).find(([, service]) => service.build !== undefined && service.build !== null);
  return entry ? { name: entry[0], service: entry[1] } : null;
}

const POSTGRES_IMAGE = /^(?:(?:docker\.io\/)?(?:library\/)?)postgres(?=$|[:@])/;

/** The database service: the first whose image is PostgreSQL's. */
export function databaseService(compose: ReturnType<typeof readCompose>): { name: string; service: YamlMap; image: string } | null {
  const entry = Object.entries(compose.services).find(([, service]) => typeof service.image === 'string' && POSTGRES_IMAGE.test(service.image));
  return entry ? { name: entry[0], service: entry[1], image: entry[1].image as string } : null;
}

export function requireDatabase(compose: ReturnType<typeof readCompose>): { name: string; service: YamlMap; image: string } {
  const db = databaseService(compose);
  if (!db) {
    const images = Object.entries(compose.services).map(([name, s]) => `\`${name}\`: ${s.image === undefined ? 'no image' : `\`${JSON.stringify(s.image)}\``}`);
    fail(
      `\`${compose.name}\` has no service whose \`image\` is \`postgres:<tag>\` (services: ${images.join(', ') || 'none'}). Add a \`db\` service with \`image: postgres:16-alpine\`.`,
    );
  }
  return db;
}

/**
 * Ignore-file lines (.gitignore, .dockerignore) reduced to what they name: `/node_modules/`,
 * `**\/node_modules` and `node_modules` all become `node_modules`. Negations are dropped.
 */
export function ignoredNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'))
    .map((line) =>
      line
        .replace(/^(?:\*\*\/|\/)+/, '')
        .replace(/\/+$/, '')
        .replace(/\/\*\*$/, ''),
    );
}

/** Whether an ignore file covers node_modules and .env (`.env*` counts; `.env.*` alone does not). */
export function ignoresBasics(text: string): { nodeModules: boolean; env: boolean } {
  const names = ignoredNames(text);
  return {
    nodeModules: names.some((n) => n === 'node_modules' || n === 'node_modules*'),
    env: names.some((n) => n === '.env' || n === '.env*' || n === '*.env'),
  };
}

/** The workflows under .github/workflows/, parsed (files that do not parse are reported). */
export function readWorkflows(): { workflows: Array<{ name: string; doc: YamlMap }>; invalid: string[] } {
  const workflows: Array<{ name: string; doc: YamlMap }> = [];
  const invalid: string[] = [];
  const files = listSubmissionFiles()
    .filter((f) => !f.symlink && /^\.github\/workflows\/[^/]+\.ya?ml$/.test(f.path))
    .map((f) => f.path)
    .sort();
  for (const name of files) {
    const text = readSubmissionFile(name);
    if (text === null) continue;
    try {
      const doc = parseYaml(text, { maxAliasCount: 100 }) as unknown;
      if (isMap(doc)) workflows.push({ name, doc });
      else invalid.push(`\`${name}\`: not a YAML map`);
    } catch (error) {
      invalid.push(`\`${name}\`: ${String((error as Error).message).split('\n')[0]}`);
    }
  }
  if (!workflows.length) {
    fail(
      `No valid workflow in \`.github/workflows/\`${invalid.length ? ` (${invalid.join('; ')})` : ' (no `.yml` or `.yaml` file there)'}. ` +
        'Add `.github/workflows/ci.yml` that installs, tests and builds on push and pull_request.',
    );
  }
  return { workflows, invalid };
}
