import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NODE_MAJORS, NODE_RUNTIMES, type NodeMajor } from '../../../worker/stages/nodeVersion';
import { STAGING_RECIPE, stageRegistryNode } from './nodeRuntimes';
import { aptInstall, findExecutable, isRoot, Log, mustRun, runCommand, seconds, ServicesError } from './process';

export interface ImageTags {
  /** One learner runtime image per supported Node major. */
  runtimes: Record<NodeMajor, string>;
  services: string;
  tester: string;
}

interface Context {
  dockerDir: string;
  workDir: string;
  log: Log;
}

const OFFICIAL_DEBIAN = 'debian:bookworm-slim';
const OFFICIAL_NODE = 'node:20-bookworm-slim';
const MIRROR = process.env.BACKENDPRO_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const SECURITY_MIRROR = process.env.BACKENDPRO_DEBIAN_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security';
// The legacy builder: it works with every engine (20.10 here) and needs no buildx plugin.
const DOCKER_ENV = { ...process.env, DOCKER_BUILDKIT: '0' };

function sha256(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The tag: the first 16 hex digits of a sha256 over every input of the image. */
function inputsHash(inputs: unknown): string {
  return sha256(JSON.stringify(inputs)).slice(0, 16);
}

/** Path, exec bit and content of every file under `dir`, sorted: what COPY can see. */
function hashDirectory(dir: string): string[] {
  const entries: string[] = [];
  const walk = (current: string) => {
    for (const name of fs.readdirSync(current).sort()) {
      const full = path.join(current, name);
      const stat = fs.statSync(full);
      if (stat.isDirectory()) walk(full);
      else entries.push(`${path.relative(dir, full)} ${stat.mode & 0o111 ? 'x' : '-'} ${sha256(fs.readFileSync(full))}`);
    }
  };
  walk(dir);
  return entries;
}

/** The image's id, or undefined when the engine does not have it. */
async function imageId(reference: string): Promise<string | undefined> {
  const result = await runCommand('docker', ['image', 'inspect', '--format', '{{.Id}}', reference], { env: DOCKER_ENV, timeoutMs: 15_000 });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/**
 * An official base image when the engine has it (or, with BACKENDPRO_PULL_BASE=1, can pull it);
 * undefined otherwise. No pull is tried by default: machines here reach no image registry.
 */
async function officialBase(reference: string, ctx: Context): Promise<{ ref: string; id: string } | undefined> {
  let id = await imageId(reference);
  if (!id && process.env.BACKENDPRO_PULL_BASE === '1') {
    const startedAt = Date.now();
    const pulled = await runCommand('docker', ['pull', reference], { env: DOCKER_ENV, timeoutMs: 180_000 });
    ctx.log(`images: docker pull ${reference}: ${pulled.code === 0 ? 'done' : 'failed, falling back'} (${seconds(startedAt)})`);
    if (pulled.code === 0) id = await imageId(reference);
  }
  return id ? { ref: reference, id } : undefined;
}

/** Unmounts whatever debootstrap left mounted under `dir` (after a crash), then removes it. */
function removeRootfs(dir: string) {
  if (!fs.existsSync(dir)) return;
  const mounts = fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mounts) {
    const result = spawnSync('umount', ['-l', mountPoint]);
    if (result.status !== 0) throw new ServicesError(`images: cannot unmount ${mountPoint}; unmount it by hand and run again.`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Debian bookworm from Debian's archive (debootstrap minbase), imported as backendpro/bookworm:<hash>. */
async function debootstrapBase(ctx: Context): Promise<string> {
  const tag = `backendpro/bookworm:${inputsHash({ recipe: 'debootstrap --variant=minbase', suite: 'bookworm', mirror: MIRROR, security: SECURITY_MIRROR, revision: 2 })}`;
  if (await imageId(tag)) return tag;
  const startedAt = Date.now();
  if (!isRoot()) {
    throw new ServicesError(
      `images: building the base needs root (debootstrap), or make ${OFFICIAL_DEBIAN} and ${OFFICIAL_NODE} available to the engine (docker pull / docker load).`,
    );
  }
  let debootstrap = findExecutable('debootstrap', ['/usr/sbin', '/sbin']);
  if (!debootstrap) {
    await aptInstall(['debootstrap'], 'debootstrap', (line) => ctx.log(`images: ${line}`));
    debootstrap = findExecutable('debootstrap', ['/usr/sbin', '/sbin']) ?? '/usr/sbin/debootstrap';
  }
  const rootfs = path.join(ctx.workDir, 'bookworm-rootfs');
  removeRootfs(rootfs);
  const logFile = path.join(ctx.workDir, 'debootstrap.log');
  fs.writeFileSync(logFile, '');
  ctx.log(`images: debootstrap --variant=minbase bookworm from ${MIRROR} (about 30 s; log ${path.relative(process.cwd(), logFile)})`);
  await mustRun(debootstrap, ['--variant=minbase', 'bookworm', rootfs, MIRROR], `debootstrap failed; see ${logFile}. Is ${MIRROR} reachable?`, {
    logFile,
    timeoutMs: 15 * 60_000,
  });
  fs.writeFileSync(
    path.join(rootfs, 'etc/apt/sources.list'),
    [`deb ${MIRROR} bookworm main`, `deb ${MIRROR} bookworm-updates main`, `deb ${SECURITY_MIRROR} bookworm-security main`, ''].join('\n'),
  );
  // As in the official slim image: apt keeps no downloaded packages, dpkg installs no docs or translations.
  fs.writeFileSync(
    path.join(rootfs, 'etc/apt/apt.conf.d/docker-clean'),
    [
      'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
      'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
      'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(rootfs, 'etc/dpkg/dpkg.cfg.d/docker-slim'),
    ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/groff/*', '/usr/share/lintian/*']
      .map((pattern) => `path-exclude ${pattern}`)
      .concat('path-include /usr/share/doc/*/copyright', 'path-include /usr/share/locale/locale.alias', '')
      .join('\n'),
  );
  for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
    for (const name of fs.readdirSync(path.join(rootfs, dir))) {
      if (name.endsWith('.deb') || (dir.endsWith('lists') && name !== 'partial' && name !== 'lock')) fs.rmSync(path.join(rootfs, dir, name), { force: true });
    }
  }
  const importScript = [
    'set -o pipefail',
    `tar --numeric-owner -C "$1" -cf - . | docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' - "$2"`,
  ].join('\n');
  await mustRun('bash', ['-c', importScript, 'import', rootfs, tag], 'docker import failed.', { env: DOCKER_ENV, timeoutMs: 10 * 60_000 });
  removeRootfs(rootfs);
  ctx.log(`images: built ${tag} with debootstrap + docker import (${seconds(startedAt)})${await removeOlderTags(tag)}`);
  return tag;
}

/** The host's Node (the platform's), laid out as in the official image, for the tester's base. */
function hostNode() {
  const binary = fs.realpathSync(process.execPath);
  const prefix = path.resolve(path.dirname(binary), '..');
  const headers = path.join(prefix, 'include', 'node');
  const modules = path.join(prefix, 'lib', 'node_modules');
  for (const needed of [headers, path.join(modules, 'npm'), path.join(modules, 'corepack')]) {
    if (!fs.existsSync(needed))
      throw new ServicesError(
        `images: the tester's node layer copies the host's Node 20, but ${needed} is missing; install Node 20 with its headers, npm and corepack (the nodesource nodejs package has them).`,
      );
  }
  if (!process.version.startsWith('v20.'))
    throw new ServicesError(
      `images: the host runs Node ${process.version}; the tester's node layer copies it and needs Node 20, or make ${OFFICIAL_NODE} available.`,
    );
  const version = (pkg: string) => (JSON.parse(fs.readFileSync(path.join(modules, pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const stat = fs.statSync(binary);
  return {
    binary,
    headers,
    modules,
    identity: { node: process.version, size: stat.size, mtime: stat.mtimeMs, npm: version('npm'), corepack: version('corepack') },
  };
}

/** Copies the host's Node into `contextDir` as docker/node expects it. */
function stageHostNode(contextDir: string) {
  const node = hostNode();
  fs.rmSync(contextDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(contextDir, 'bin'), { recursive: true });
  fs.copyFileSync(node.binary, path.join(contextDir, 'bin', 'node'));
  fs.cpSync(node.headers, path.join(contextDir, 'include', 'node'), { recursive: true, verbatimSymlinks: true });
  for (const pkg of ['npm', 'corepack']) {
    fs.cpSync(path.join(node.modules, pkg), path.join(contextDir, 'lib', 'node_modules', pkg), { recursive: true, verbatimSymlinks: true });
  }
}

/**
 * docker/node on `base` as `repository:<hash of the Dockerfile, the Node's identity, the base>`,
 * from a context `stage` lays out (only when the tag is missing).
 */
async function nodeLayer(
  repository: string,
  base: string,
  identity: unknown,
  stage: (contextDir: string) => Promise<void> | void,
  ctx: Context,
): Promise<string> {
  const dockerfile = path.join(ctx.dockerDir, 'node', 'Dockerfile');
  const tag = `${repository}:${inputsHash({ dockerfile: sha256(fs.readFileSync(dockerfile)), node: identity, base })}`;
  if (await imageId(tag)) return tag;
  const startedAt = Date.now();
  const context = path.join(ctx.workDir, `${repository.split('/').pop()}-context`);
  await stage(context);
  await buildImage(tag, dockerfile, context, { BASE: base }, ctx);
  fs.rmSync(context, { recursive: true, force: true });
  ctx.log(`images: built ${tag} (${seconds(startedAt)})${await removeOlderTags(tag)}`);
  return tag;
}

/** The platform's Node 20 (the host's own: nothing but Debian and npm can be downloaded) on the Debian base: the tester's base. */
function platformNodeLayer(debianBase: string, ctx: Context): Promise<string> {
  return nodeLayer('backendpro/platform-node', debianBase, hostNode().identity, stageHostNode, ctx);
}

/** The learner runtime for one Node major: the registry's Node on the shared build tools, then docker/runtime. */
async function runtimeImage(major: NodeMajor, buildtools: string, ctx: Context): Promise<string> {
  const versions = NODE_RUNTIMES[major];
  const packDir = path.join(ctx.workDir, 'packs');
  const identity = { ...versions, staging: STAGING_RECIPE };
  const node = await nodeLayer(`backendpro/node${major}`, buildtools, identity, (contextDir) => stageRegistryNode(versions, packDir, contextDir), ctx);
  return ensureImage(`runtime-node${major}`, 'runtime', { ref: node }, ctx);
}

async function buildImage(tag: string, dockerfile: string, contextDir: string, buildArgs: Record<string, string>, ctx: Context) {
  const name = tag.split(':')[0].split('/').pop()!;
  const logFile = path.join(ctx.workDir, `${name}.build.log`);
  fs.writeFileSync(logFile, '');
  const args = ['build', '--tag', tag, '--label', `org.backendpro.image=${name}`, '--file', dockerfile];
  for (const [key, value] of Object.entries(buildArgs)) args.push('--build-arg', `${key}=${value}`);
  await mustRun('docker', [...args, contextDir], `docker build of ${tag} failed; see ${logFile}.`, { env: DOCKER_ENV, logFile, timeoutMs: 30 * 60_000 });
}

/** Removes the other tags of the same image (older inputs), except those a container still uses. */
async function removeOlderTags(current: string): Promise<string> {
  // Several checkouts of the project sharing one engine (worktrees) would otherwise remove each other's images.
  if (process.env.BACKENDPRO_KEEP_IMAGES === '1') return '';
  const repository = current.split(':')[0];
  const listed = await runCommand('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository], { env: DOCKER_ENV, timeoutMs: 15_000 });
  const older = listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((tag) => tag && tag !== current && !tag.endsWith(':<none>'));
  const removed: string[] = [];
  for (const tag of older) {
    // Without --force: an image that a container still uses stays.
    if ((await runCommand('docker', ['image', 'rm', tag], { env: DOCKER_ENV, timeoutMs: 60_000 })).code === 0) removed.push(tag);
  }
  return removed.length ? `; removed ${removed.join(', ')}` : '';
}

/** Builds docker/<dir>/ as backendpro/<name>:<hash of its files, build args, base id>, unless it exists. */
async function ensureImage(name: string, dir: string, base: { ref: string; id?: string }, ctx: Context, extraInputs: unknown = null): Promise<string> {
  const folder = path.join(ctx.dockerDir, dir);
  const buildArgs = { BASE: base.ref };
  const tag = `backendpro/${name}:${inputsHash({ files: hashDirectory(folder), buildArgs, baseId: base.id ?? null, extraInputs })}`;
  if (await imageId(tag)) return tag;
  const startedAt = Date.now();
  await buildImage(tag, path.join(folder, 'Dockerfile'), folder, buildArgs, ctx);
  ctx.log(`images: built ${tag} FROM ${base.ref} (${seconds(startedAt)})${await removeOlderTags(tag)}`);
  return tag;
}

/**
 * Builds (only when their inputs changed) the sandbox images: one runtime per supported Node major,
 * services, tester. The runtimes share backendpro/buildtools (the apt layer) and differ by a thin
 * Node layer each. Bases: the official Debian/Node images when the engine has them, else a
 * debootstrap Debian (+ the host's Node 20 for the tester).
 */
export async function ensureImages(dockerDir: string, dataRoot: string, log: Log): Promise<ImageTags> {
  const startedAt = Date.now();
  if (!findExecutable('docker')) throw new ServicesError('images: the docker client is missing: apt-get install -y docker.io');
  const workDir = path.join(dataRoot, 'images');
  fs.mkdirSync(workDir, { recursive: true });
  const ctx: Context = { dockerDir, workDir, log };

  const override = (variable: string) => (process.env[variable] ? { ref: process.env[variable] } : undefined);
  let debianBase = override('BACKENDPRO_DEBIAN_BASE') ?? (await officialBase(OFFICIAL_DEBIAN, ctx));
  const nodeBase = override('BACKENDPRO_NODE_BASE') ?? (await officialBase(OFFICIAL_NODE, ctx));
  if (!debianBase) debianBase = { ref: await debootstrapBase(ctx) };
  const platformBase = nodeBase ?? { ref: await platformNodeLayer(debianBase.ref, ctx) };

  const buildtools = ensureImage('buildtools', 'buildtools', debianBase, ctx);
  const [runtimeTags, services, tester] = await Promise.all([
    buildtools.then((tools) => Promise.all(NODE_MAJORS.map((major) => runtimeImage(major, tools, ctx)))),
    ensureImage('services', 'services', debianBase, ctx),
    // The tester runs the platform's own graders: the platform's Node.
    ensureImage('tester', 'tester', platformBase, ctx, { node: process.version }),
  ]);
  const runtimes = Object.fromEntries(NODE_MAJORS.map((major, index) => [major, runtimeTags[index]])) as Record<NodeMajor, string>;
  log(`images: ${runtimeTags.join(', ')}, ${services}, ${tester} (${seconds(startedAt)})`);
  return { runtimes, services, tester };
}
