/**
 * What the install takes from the learner's project besides package.json, made safe for the install
 * network (only the npm registry answers), and what its failures mean:
 * - a committed .npmrc is honoured minus what points the install elsewhere or carries a credential;
 * - a lockfile (npm, Yarn 1, pnpm) written against a mirror has its tarball URLs pointed at the registry;
 * - a failed install's output is read for the host it could not reach, Prisma's engine download and
 *   ERESOLVE, so the message names the cause and whose it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REGISTRY_URL } from './packageManagers';

/** .npmrc keys the grader drops: a registry, a credential, a proxy, TLS trust, a shell for scripts. */
const IGNORED_NPMRC_KEY = [
  /^registry$/i,
  /^@[^:]+:registry$/i,
  /^\/\//, // //host/:_authToken=…, //host/:always-auth…
  /_auth/i,
  /_password$/i,
  /^username$/i,
  /^email$/i,
  /^always-auth$/i,
  /^(certfile|keyfile|cert|key)$/i,
  /^(https-)?proxy$/i,
  /^noproxy$/i,
  /^script-shell$/i,
  /^replace-registry-host$/i,
  /^(cafile|ca|ca\[\])$/i,
  /^strict-ssl$/i,
];

/**
 * Rewrites the checkout's .npmrc (the learner's copy) without the settings the grader ignores, and
 * returns a warning naming them (names only: a value may be a token), or null when nothing was dropped.
 */
export function sanitizeNpmrc(dir: string): string | null {
  const file = path.join(dir, '.npmrc');
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat) return null;
  if (!stat.isFile()) {
    // A link or a folder: the install must not read through it.
    fs.rmSync(file, { recursive: true, force: true });
    return 'Your .npmrc is not a regular file (a symbolic link?), so the grader ignored it.';
  }
  const ignored: string[] = [];
  const kept = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => {
      const key = /^\s*([^=;#\s][^=]*?)\s*=/.exec(line)?.[1];
      if (!key || !IGNORED_NPMRC_KEY.some((pattern) => pattern.test(key))) return true;
      ignored.push(key.startsWith('//') ? `${key.split(':').slice(-1)[0]} (for ${key.split('/:')[0]})` : key);
      return false;
    });
  if (ignored.length === 0) return null;
  fs.writeFileSync(file, `${kept.join('\n')}\n`);
  return (
    `Your .npmrc sets ${[...new Set(ignored)].join(', ')}, which the grader ignores: dependencies are installed from the public npm registry, ` +
    'without credentials, proxy or custom certificates. Its other settings (e.g. legacy-peer-deps) were applied.'
  );
}

const REGISTRY_HOSTS = new Set(['registry.npmjs.org', 'registry.yarnpkg.com']);
/** A registry tarball URL: https://host[/any/prefix]/<name or @scope/name>/-/<file>.tgz */
const TARBALL_URL = /https?:\/\/([A-Za-z0-9.-]+(?::\d+)?)(?:\/[^\s"'#]*?)??\/((?:@[^/\s"']+\/)?[^/\s"'@][^/\s"']*)\/-\/([^/\s"'#]+\.tgz)/g;

/**
 * Points a package-lock.json, Yarn 1 or pnpm lockfile's tarball URLs that name another registry (a mirror, a company
 * Artifactory) at the npm registry, in the checkout's copy; the integrity hashes stay and are checked.
 * Returns the hosts replaced (empty when none).
 */
export function rewriteLockfileHosts(dir: string, lockfile: string | null): string[] {
  if (!lockfile) return [];
  const file = path.join(dir, lockfile);
  const content = fs.readFileSync(file, 'utf8');
  if (lockfile === 'yarn.lock' && /^__metadata:/m.test(content)) return []; // Berry records no URLs for registry packages
  const replaced = new Set<string>();
  const rewritten = content.replace(TARBALL_URL, (url, host: string, name: string, tarball: string) => {
    if (REGISTRY_HOSTS.has(host.toLowerCase())) return url;
    replaced.add(host.toLowerCase());
    return `${REGISTRY_URL}/${name}/-/${tarball}`;
  });
  if (replaced.size > 0) fs.writeFileSync(file, rewritten);
  return [...replaced].sort();
}

export type InstallDiagnosis =
  | { kind: 'manager-missing'; version: string }
  | { kind: 'prisma-engines' }
  | { kind: 'unreachable'; host: string; files: string[] }
  | { kind: 'eresolve' }
  | null;

const NETWORK_ERROR = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ECONNRESET|ESOCKETTIMEDOUT)\b/;
/** Prisma's engine download failing (prisma generate, @prisma/engines' postinstall, migrate). */
const PRISMA_ENGINE_DOWNLOAD =
  /binaries\.prisma\.sh|prisma[\s\S]{0,200}(?:engine|binary)[\s\S]{0,200}(?:download|fetch)|(?:download|fetch)[\s\S]{0,200}prisma[\s\S]{0,200}engine/i;
/** The project files that may name a host the install asked for. */
const FILES_NAMING_HOSTS = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  'pnpm-workspace.yaml',
];

/** The host of the first connection error in an install's output, when there is one. */
export function unreachableHost(output: string): string | null {
  for (const line of output.split('\n')) {
    if (!NETWORK_ERROR.test(line)) continue;
    const named =
      /getaddrinfo \w+ ([A-Za-z0-9.-]+)/.exec(line)?.[1] ?? /https?:\/\/([A-Za-z0-9.-]+)/.exec(line)?.[1] ?? /hostname: '([A-Za-z0-9.-]+)'/.exec(line)?.[1];
    if (named) return named.toLowerCase();
  }
  return null;
}

/** What an install's (or a build's) failed output says went wrong, for the message and whose fault it is. */
export function diagnoseInstallFailure(output: string, dir: string, originals: Record<string, string> = {}): InstallDiagnosis {
  // corepack asking the registry for a pnpm / Yarn release that does not exist.
  const missing = /HTTP 404 when performing the request to https:\/\/[^/\s]+\/(?:pnpm|yarn|@yarnpkg\/cli-dist)\/([^\s;/]+)/.exec(output);
  if (missing) return { kind: 'manager-missing', version: missing[1] };
  if (PRISMA_ENGINE_DOWNLOAD.test(output) && /prisma/i.test(output)) return { kind: 'prisma-engines' };
  const host = unreachableHost(output);
  if (host) {
    const files = FILES_NAMING_HOSTS.filter((name) => {
      const content = originals[name] ?? readSmall(path.join(dir, name));
      return content !== null && content.toLowerCase().includes(host);
    });
    return { kind: 'unreachable', host, files };
  }
  if (/\bERESOLVE\b/.test(output)) return { kind: 'eresolve' };
  return null;
}

function readSmall(file: string): string | null {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile() || stat.size > 50 * 1024 * 1024) return null;
  return fs.readFileSync(file, 'utf8');
}
