/**
 * Which Node a learner's app runs on. The platform has one runtime image per supported major; an
 * app picks one the ways Node developers already do — `volta.node` in package.json, `.nvmrc`,
 * `.node-version`, `engines.node` (in that order) — and runs on the current LTS when it says nothing.
 */
import semver from 'semver';
import { LearnerError } from '../errors';
import { regularFileInside } from './workspaceFiles';

/** The Node majors there is a runtime image for, oldest first. */
export const NODE_MAJORS = ['20', '22', '24'] as const;
export type NodeMajor = (typeof NODE_MAJORS)[number];
/** The current LTS: what an app that declares nothing runs on. */
export const DEFAULT_NODE_MAJOR: NodeMajor = '24';

/**
 * What each runtime image holds (scripts/lib/services/nodeRuntimes.ts builds them from these, and
 * hashes them into the tags). npm 11 for every major: what Node 24 ships, it supports
 * ^20.17 || >=22.9 (npm 12 drops Node 20), and one npm means an install behaves the same whatever
 * Node the app chose (11.19.1: what the single Node 20 runtime had before). corepack 0.34.7: the
 * newest that supports Node 20 (^20.10 || ^22.11 || >=24; 0.35 needs ^22.22.2 || ^24.15).
 */
export const NODE_RUNTIMES: Record<NodeMajor, { node: string; npm: string; corepack: string }> = {
  '20': { node: '20.20.2', npm: '11.19.1', corepack: '0.34.7' },
  '22': { node: '22.23.5', npm: '11.19.1', corepack: '0.34.7' },
  '24': { node: '24.22.3', npm: '11.19.1', corepack: '0.34.7' },
};

/** LTS code names, oldest first (nvm's `lts/<name>`); only some have an image. */
const LTS_NAMES: Record<string, number> = {
  argon: 4,
  boron: 6,
  carbon: 8,
  dubnium: 10,
  erbium: 12,
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
  krypton: 24,
};
const NEWEST_LTS = 24;

/** One place a project says which Node it wants. */
export interface NodeDeclaration {
  /** Where, as the learner would name it: `.nvmrc`, `package.json "engines.node"`. */
  source: string;
  /** What it says, trimmed. */
  value: string;
  /** `range` for engines.node (a semver range); `version` for the version files and volta. */
  kind: 'version' | 'range';
}

export interface NodeChoice {
  major: NodeMajor;
  /** The exact version in that image. */
  version: string;
  /** For the installing stage: "Node 22.23.5 (from .nvmrc: 22.1)". */
  detail: string;
  /** Declarations that disagree with the one that decided. */
  warnings: string[];
}

const SUPPORTED = `${NODE_MAJORS.slice(0, -1).join(', ')} and ${NODE_MAJORS[NODE_MAJORS.length - 1]}`;
const HOW_TO_DECLARE = `Declare one of them, e.g. "24" (or "22", "20") in .nvmrc or .node-version, or "engines": { "node": ">=22" } in package.json; with nothing declared the app runs on Node ${DEFAULT_NODE_MAJOR}, the current LTS.`;

function unsupported(declaration: NodeDeclaration, why: string): LearnerError {
  return new LearnerError(`${declaration.source} says "${declaration.value}", ${why}. The grader runs Node ${SUPPORTED}. ${HOW_TO_DECLARE}`);
}

function isSupported(major: number): boolean {
  return (NODE_MAJORS as readonly string[]).includes(String(major));
}

/** The requested major and, when the declaration names one, the exact version; throws for what no image serves. */
function resolveVersion(declaration: NodeDeclaration): { major: NodeMajor; exact: string | null } {
  const value = declaration.value.toLowerCase().replace(/^v(?=\d)/, '');
  let major: number | null;
  let exact: string | null = null;
  if (['node', 'latest', 'current', 'stable'].includes(value)) major = Number(NODE_MAJORS[NODE_MAJORS.length - 1]);
  else if (value === 'lts' || value === 'lts/*') major = NEWEST_LTS;
  else if (/^lts\/-\d+$/.test(value)) major = NEWEST_LTS - 2 * Number(value.slice('lts/-'.length));
  else if (value.startsWith('lts/')) {
    major = LTS_NAMES[value.slice('lts/'.length)] ?? null;
    if (major === null)
      throw unsupported(declaration, `which is not an LTS code name this grader knows (${Object.keys(LTS_NAMES).slice(-3).join(', ')} are Node 20, 22 and 24)`);
  } else {
    const numeric = /^(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(value);
    if (numeric) {
      major = Number(numeric[1]);
      if (semver.valid(value)) exact = value;
    } else if (semver.validRange(value)) {
      return resolveRange(declaration);
    } else {
      throw unsupported(declaration, 'which is not a Node version');
    }
  }
  if (!isSupported(major)) throw unsupported(declaration, `which asks for Node ${major}`);
  return { major: String(major) as NodeMajor, exact };
}

/** The newest major whose image satisfies the range; else the newest the range reaches at all (another patch). */
function resolveRange(declaration: NodeDeclaration): { major: NodeMajor; exact: string | null } {
  const range = semver.validRange(declaration.value);
  if (!range) throw unsupported(declaration, 'which is not a semver range (e.g. ">=22" or "^24.0.0")');
  const newestFirst = [...NODE_MAJORS].reverse();
  const satisfied = newestFirst.find((major) => semver.satisfies(NODE_RUNTIMES[major].node, range));
  if (satisfied) return { major: satisfied, exact: null };
  const reached = newestFirst.find((major) => semver.intersects(range, `>=${major}.0.0 <${Number(major) + 1}.0.0`));
  if (reached) return { major: reached, exact: semver.minVersion(range)?.version ?? null };
  throw unsupported(declaration, 'which no supported Node version satisfies');
}

/** Whether `declaration` accepts the version the app will run on (for the disagreement warnings). */
function accepts(declaration: NodeDeclaration, major: NodeMajor, version: string): boolean {
  try {
    if (declaration.kind === 'range') return semver.satisfies(version, declaration.value);
    return resolveVersion(declaration).major === major;
  } catch {
    return false;
  }
}

/**
 * The Node an app runs on, from its declarations in order of precedence (the first decides; pure).
 * Throws a LearnerError naming the file, what it says and the supported versions when the deciding
 * declaration asks for a Node without an image.
 */
export function chooseNode(declarations: NodeDeclaration[]): NodeChoice {
  const [deciding, ...others] = declarations;
  if (!deciding) {
    const version = NODE_RUNTIMES[DEFAULT_NODE_MAJOR].node;
    return { major: DEFAULT_NODE_MAJOR, version, detail: `Node ${version} (the default: nothing declared)`, warnings: [] };
  }
  const { major, exact } = deciding.kind === 'range' ? resolveRange(deciding) : resolveVersion(deciding);
  const version = NODE_RUNTIMES[major].node;
  const warnings: string[] = [];
  // An exact patch other than the image's is normal (the detail shows both); another major is not.
  if (exact && semver.major(exact) !== Number(major)) {
    warnings.push(`${deciding.source} says "${deciding.value}"; your app ran on Node ${version}.`);
  }
  for (const other of others) {
    if (!accepts(other, major, version)) {
      warnings.push(
        `${other.source} says "${other.value}", but your app ran on Node ${version}, chosen from ${deciding.source} ("${deciding.value}"), which comes first (volta.node, .nvmrc, .node-version, then engines.node). Make them agree.`,
      );
    }
  }
  return { major, version, detail: `Node ${version} (from ${deciding.source}: ${deciding.value})`, warnings };
}

/** The first meaningful line of a version file (nvm allows comments after `#`). */
function versionFileValue(content: string): string {
  for (const line of content.split(/\r?\n/)) {
    const value = line.replace(/#.*/, '').trim();
    if (value) return value;
  }
  return '';
}

/**
 * The project's Node declarations in order of precedence, read without following a symlink
 * (package.json itself was already read and validated by inspectWorkspace).
 */
export function readNodeDeclarations(dir: string): NodeDeclaration[] {
  const declarations: NodeDeclaration[] = [];
  const packageJsonRaw = regularFileInside(dir, 'package.json', 512 * 1024);
  const packageJson = packageJsonRaw ? (JSON.parse(packageJsonRaw.toString('utf8')) as Record<string, unknown>) : {};
  const field = (object: unknown, key: string) => {
    const value = object && typeof object === 'object' ? (object as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' && value.trim() ? value.trim() : null;
  };
  const volta = field(packageJson.volta, 'node');
  if (volta) declarations.push({ source: 'package.json "volta.node"', value: volta, kind: 'version' });
  for (const file of ['.nvmrc', '.node-version']) {
    const content = regularFileInside(dir, file, 4 * 1024);
    const value = content ? versionFileValue(content.toString('utf8')) : '';
    if (value) declarations.push({ source: file, value, kind: 'version' });
  }
  const engines = field(packageJson.engines, 'node');
  if (engines) declarations.push({ source: 'package.json "engines.node"', value: engines, kind: 'range' });
  return declarations;
}

/**
 * The Node the app in `dir` runs on (see chooseNode). A workspace member that declares nothing
 * runs on what its workspace root (`installDir`) declares: monorepos keep .nvmrc and engines there.
 */
export function chooseNodeForWorkspace(dir: string, installDir: string = dir): NodeChoice {
  const own = readNodeDeclarations(dir);
  if (own.length > 0 || installDir === dir) return chooseNode(own);
  const root = readNodeDeclarations(installDir).map((declaration) => ({ ...declaration, source: `the workspace root's ${declaration.source}` }));
  return chooseNode(root);
}
