/**
 * Which package manager installs a checkout, at which version, and how it is run in the install
 * container, whose only network is the npm registry (sandbox/registryNetwork.ts).
 *
 * pnpm and Yarn come from corepack, which fetches them from the npm registry. Two settings make that
 * work on a fresh machine (measured): COREPACK_NPM_REGISTRY (Yarn ≥2 otherwise comes from
 * repo.yarnpkg.com, which the install network does not reach) and COREPACK_INTEGRITY_KEYS=0 (the
 * keys a corepack release ships go stale when the registry rotates its signing keys: "No compatible
 * signature found in package metadata"). The registry's own sha512 integrity is still checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LearnerError } from '../errors';

export type PackageManager = 'npm' | 'pnpm' | 'yarn';

/** The registry every install talks to (and the host the install network lets through). */
export const REGISTRY_URL = 'https://registry.npmjs.org';

/** The versions used when the project does not name one in package.json's "packageManager". */
export const DEFAULT_VERSIONS = {
  pnpm9: '9.15.9',
  pnpm8: '8.15.9',
  pnpm7: '7.33.7',
  yarnClassic: '1.22.22',
  yarnBerry: '4.18.1',
} as const;

export interface ManagerChoice {
  name: PackageManager;
  /** Exact version run through corepack; null for npm (the image's own). */
  version: string | null;
  /** Yarn 2+ (Berry): --immutable, .yarnrc.yml settings. */
  berry: boolean;
  /** A Yarn release committed in the project and named by .yarnrc.yml's yarnPath (run with node). */
  yarnPath: string | null;
  /** How the choice was made, for the stage detail: "packageManager in package.json", "pnpm-lock.yaml lockfileVersion 9.0"… */
  reason: string;
}

const PACKAGE_MANAGER_FIELD = /^(npm|pnpm|yarn)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?:\+[A-Za-z0-9]+\.[0-9a-fA-F]+)?$/;

/** package.json's "packageManager" ("pnpm@9.15.0", optionally "+sha512.…"), or a learner error saying what is wrong with it. */
export function parsePackageManagerField(value: unknown): { name: PackageManager; version: string } | null {
  if (value === undefined || value === null) return null;
  const match = typeof value === 'string' ? PACKAGE_MANAGER_FIELD.exec(value.trim()) : null;
  if (!match) {
    throw new LearnerError(
      `package.json's "packageManager" is ${JSON.stringify(value)}, which is not a package manager with an exact version. ` +
        'Write it as name@version with one of npm, pnpm or yarn, e.g. "pnpm@9.15.9" or "yarn@4.5.3" (or remove the field to let the grader choose from your lockfile).',
    );
  }
  return { name: match[1] as PackageManager, version: match[2] };
}

/** pnpm's lockfileVersion → the pnpm major that writes it. */
function pnpmForLockfile(content: string): { version: string; reason: string } {
  const match = /^lockfileVersion:\s*['"]?([0-9.]+)['"]?/m.exec(content);
  const lockfileVersion = match?.[1] ?? 'unknown';
  const major = Number.parseInt(lockfileVersion, 10);
  const version = major >= 9 ? DEFAULT_VERSIONS.pnpm9 : major === 6 ? DEFAULT_VERSIONS.pnpm8 : major === 5 ? DEFAULT_VERSIONS.pnpm7 : DEFAULT_VERSIONS.pnpm9;
  return { version, reason: `pnpm-lock.yaml lockfileVersion ${lockfileVersion}` };
}

/** .yarnrc.yml's yarnPath, when it names a regular file inside the project. */
function committedYarnPath(dir: string): string | null {
  const rc = path.join(dir, '.yarnrc.yml');
  const stat = fs.lstatSync(rc, { throwIfNoEntry: false });
  if (!stat?.isFile()) return null;
  const match = /^yarnPath:\s*["']?([^"'\s#]+)["']?/m.exec(fs.readFileSync(rc, 'utf8'));
  if (!match) return null;
  const target = path.resolve(dir, match[1]);
  if (!target.startsWith(dir + path.sep))
    throw new LearnerError(`.yarnrc.yml's yarnPath (${match[1]}) points outside the project; commit the Yarn release inside it (.yarn/releases/).`);
  const targetStat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (!targetStat?.isFile())
    throw new LearnerError(`.yarnrc.yml's yarnPath names ${match[1]}, which is not a file in the repository: commit it, or remove yarnPath.`);
  return path.relative(dir, target);
}

/**
 * The manager and version for a checkout: package.json's "packageManager" when present (its name must
 * match the committed lockfile's kind, if any), else the lockfile's kind and format version.
 */
export function choosePackageManager(dir: string, field: unknown, lockfile: { name: string; manager: PackageManager; content: string } | null): ManagerChoice {
  const declared = parsePackageManagerField(field);
  if (declared && lockfile && declared.name !== lockfile.manager) {
    throw new LearnerError(
      `package.json's "packageManager" names ${declared.name}, but the committed lockfile is ${lockfile.name} (${lockfile.manager}). ` +
        `Commit the lockfile ${declared.name} writes, or change "packageManager" to the manager that wrote ${lockfile.name}.`,
    );
  }
  const name = declared?.name ?? lockfile?.manager ?? 'npm';
  if (name === 'npm')
    return {
      name,
      version: null,
      berry: false,
      yarnPath: null,
      reason: declared ? 'packageManager in package.json (the image’s npm)' : lockfile ? lockfile.name : 'no lockfile',
    };
  if (name === 'pnpm') {
    const fromLock = lockfile ? pnpmForLockfile(lockfile.content) : { version: DEFAULT_VERSIONS.pnpm9, reason: 'no lockfile' };
    return declared
      ? { name, version: declared.version, berry: false, yarnPath: null, reason: 'packageManager in package.json' }
      : { name, version: fromLock.version, berry: false, yarnPath: null, reason: fromLock.reason };
  }
  const yarnPath = committedYarnPath(dir);
  if (declared) {
    const berry = !declared.version.startsWith('1.');
    return { name, version: declared.version, berry, yarnPath: berry ? yarnPath : null, reason: 'packageManager in package.json' };
  }
  const berry = lockfile ? /^__metadata:/m.test(lockfile.content) : yarnPath !== null;
  return berry
    ? { name, version: DEFAULT_VERSIONS.yarnBerry, berry, yarnPath, reason: yarnPath ? `.yarnrc.yml yarnPath ${yarnPath}` : 'yarn.lock (Yarn 2+ format)' }
    : { name, version: DEFAULT_VERSIONS.yarnClassic, berry, yarnPath: null, reason: 'yarn.lock (Yarn 1 format)' };
}

/** "pnpm 9.15.9", "yarn 1.22.22", "npm": how the stage detail and messages name the manager. */
export function managerLabel(choice: ManagerChoice): string {
  if (choice.yarnPath) return `yarn (${choice.yarnPath})`;
  return choice.version ? `${choice.name} ${choice.version}` : choice.name;
}

/** Whether `version` (major.minor.patch) is at least major.minor. */
function atLeast(version: string | null, major: number, minor: number): boolean {
  const [a, b] = (version ?? '0.0').split('.').map((part) => Number.parseInt(part, 10));
  return a > major || (a === major && b >= minor);
}

export interface InstallInvocation {
  command: string[];
  env: Record<string, string>;
}

/** The install command (frozen-lockfile semantics, like `npm ci`) and the environment that points it at the registry. */
export function installInvocation(choice: ManagerChoice, hasLockfile: boolean): InstallInvocation {
  const corepack: Record<string, string> = {
    COREPACK_HOME: '/tmp/corepack',
    COREPACK_NPM_REGISTRY: REGISTRY_URL,
    COREPACK_INTEGRITY_KEYS: '0',
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    COREPACK_ENABLE_AUTO_PIN: '0',
    // The version is given on the command line; a "packageManager" naming another manager is our error to report, not corepack's.
    COREPACK_ENABLE_STRICT: '0',
  };
  const npmStyle: Record<string, string> = {
    // (A lockfile written against a mirror has its URLs pointed at the registry before the install,
    // installInputs.ts: npm's replace-registry-host=always keeps the mirror's path, which a company
    // registry prefixes — /artifactory/api/npm/npm-remote/… — and the registry answers 400.)
    npm_config_registry: `${REGISTRY_URL}/`,
    // One quick retry, then fail: an unreachable host must end the install in seconds, not minutes.
    npm_config_fetch_retries: '1',
    npm_config_fetch_retry_mintimeout: '2000',
    npm_config_fetch_retry_maxtimeout: '5000',
  };
  if (choice.name === 'npm') {
    return { command: hasLockfile ? ['npm', 'ci', '--no-audit', '--no-fund'] : ['npm', 'install', '--no-audit', '--no-fund'], env: npmStyle };
  }
  if (choice.name === 'pnpm') {
    const major = Number.parseInt(choice.version ?? '9', 10);
    return {
      command: ['corepack', `pnpm@${choice.version}`, 'install', hasLockfile ? '--frozen-lockfile' : '--no-frozen-lockfile', '--reporter=append-only'],
      env: {
        ...corepack,
        ...npmStyle,
        npm_config_store_dir: '/tmp/.pnpm-store',
        // pnpm ≥10 skips dependencies' build scripts unless approved; npm runs them, and native
        // addons (bcrypt) need them: the same behaviour whichever manager the learner picked.
        ...(major >= 10 ? { npm_config_dangerously_allow_all_builds: 'true' } : {}),
      },
    };
  }
  if (!choice.berry) {
    return {
      command: [
        'corepack',
        `yarn@${choice.version}`,
        'install',
        hasLockfile ? '--frozen-lockfile' : '--no-lockfile',
        '--non-interactive',
        '--network-timeout',
        '30000',
      ],
      env: { ...corepack, YARN_CACHE_FOLDER: '/tmp/.yarn-cache', YARN_REGISTRY: `${REGISTRY_URL}/`, YARN_DISABLE_SELF_UPDATE_CHECK: 'true' },
    };
  }
  const berryEnv: Record<string, string> = {
    ...corepack,
    // node_modules whatever .yarnrc.yml says: the app is started with `npm run`, which needs it.
    YARN_NODE_LINKER: 'node-modules',
    YARN_NPM_REGISTRY_SERVER: REGISTRY_URL,
    YARN_CACHE_FOLDER: '/tmp/.yarn-cache',
    YARN_GLOBAL_FOLDER: '/tmp/.yarn-global',
    YARN_ENABLE_GLOBAL_CACHE: 'false',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_PROGRESS_BARS: 'false',
    YARN_ENABLE_COLORS: 'false',
    YARN_HTTP_RETRY: '1',
    // npm runs dependencies' scripts (native addons such as bcrypt need them); so does the grader, whatever a newer Yarn's default.
    YARN_ENABLE_SCRIPTS: 'true',
    // Yarn ≥4.10 refuses packages younger than its age gate; a lockfile the learner installed is taken as
    // it is. Older releases refuse the unknown setting ("Unrecognized or legacy configuration"): measured.
    ...(!choice.yarnPath && atLeast(choice.version, 4, 10) ? { YARN_NPM_MINIMAL_AGE_GATE: '0' } : {}),
  };
  const args = ['install', ...(hasLockfile ? ['--immutable'] : [])];
  return { command: choice.yarnPath ? ['node', choice.yarnPath, ...args] : ['corepack', `yarn@${choice.version}`, ...args], env: berryEnv };
}
