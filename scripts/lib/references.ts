/**
 * Reference and alternative solutions as one app per project plus phase patches (issue 12 §1).
 *
 * A project's app is written once (graders/reference/project-1); each later phase's solution is
 * that app with `<app>/phases/<exercise-id>.patch` applied, so a fix to shared code is made once
 * instead of in five near-copies. grader.json names the app and the patches to apply, in order.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { GRADERS_DIR } from '../../core/exercises/definition';

/**
 * A solution tree: an app folder relative to graders/ ("reference/project-1"), or the app with phase
 * patches applied in the order given: `{ "app": "reference/project-1", "phases": ["phase-2-data"] }`
 * applies graders/reference/project-1/phases/phase-2-data.patch.
 */
export const TreeSpecSchema = z.union([
  z.string().transform((app) => ({ app, phases: [] as string[] })),
  z.object({ app: z.string(), phases: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/)).default([]) }).strict(),
]);
export type TreeSpec = z.output<typeof TreeSpecSchema>;

/**
 * grader.json: `reference` (the solution mutants and variants patch) and `alternatives`: other
 * correct solutions of a different shape (another framework, plain SQL…), graded as they are and
 * held to full marks, so a check that tests one framework's habits instead of the contract fails
 * verify (issue 11 §5). Both are tree specs (TreeSpecSchema).
 */
export const GraderConfigSchema = z.object({ reference: TreeSpecSchema, alternatives: z.array(TreeSpecSchema).default([]) }).strict();
export type GraderConfig = z.output<typeof GraderConfigSchema>;

/** graders/<exercise>/grader.json, parsed; null when the exercise has none. */
export function loadGraderConfig(graderDir: string): GraderConfig | null {
  const configPath = path.join(graderDir, 'grader.json');
  if (!fs.existsSync(configPath)) return null;
  const parsed = GraderConfigSchema.safeParse(JSON.parse(fs.readFileSync(configPath, 'utf8')));
  if (!parsed.success) throw new Error(`${configPath}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** "project-1-express+phase-3-security": how a report names a tree. Pure. */
export function treeName(spec: TreeSpec): string {
  return [path.basename(spec.app), ...spec.phases].join('+');
}

/** "reference/project-1 + phase-2-data": where a tree comes from, relative to graders/. Pure. */
export function treeLabel(spec: TreeSpec): string {
  return [spec.app, ...spec.phases].join(' + ');
}

export function phasePatchPath(app: string, phase: string): string {
  return path.join(GRADERS_DIR, app, 'phases', `${phase}.patch`);
}

/**
 * What a copy of an app leaves out: installs and builds anywhere in it, and the app's own phase
 * patches (they describe other trees, and a learner's submission would not have them). `relative`
 * is the path inside the app. Pure.
 */
export function isLeftOut(relative: string): boolean {
  return /(^|\/)(node_modules|dist)$/.test(relative) || relative === 'phases';
}

/** Copies an app without what isLeftOut names. */
export function copyApp(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (source) => !isLeftOut(path.relative(from, source)) });
}

/** The files of a tree (relative paths, sorted), without what isLeftOut names. */
export function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (isLeftOut(child)) continue;
      if (entry.isDirectory()) walk(child);
      else files.push(child);
    }
  };
  walk('');
  return files.sort();
}

/**
 * `git apply` in `dir`. The ceiling stops git from finding a repository around `dir` (a target
 * inside this checkout): there, git apply would resolve paths from that repository's root and
 * silently skip the patch's files.
 */
export function gitApply(dir: string, patchPath: string, check = false): void {
  execFileSync('git', ['apply', '--whitespace=nowarn', ...(check ? ['--check'] : []), patchPath], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(path.resolve(dir)) },
  });
}

/** sha256 of the app's files and the patches: the name of the tree's cached directory. */
function treeHash(spec: TreeSpec): string {
  const hash = crypto.createHash('sha256');
  const appDir = path.join(GRADERS_DIR, spec.app);
  for (const file of listFiles(appDir))
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(appDir, file)))
      .update('\0');
  for (const phase of spec.phases)
    hash
      .update(phase)
      .update('\0')
      .update(fs.readFileSync(phasePatchPath(spec.app, phase)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Builds the tree in `dir` (new or empty). Throws naming the patch that does not apply. */
function buildTree(spec: TreeSpec, dir: string): void {
  const appDir = path.join(GRADERS_DIR, spec.app);
  if (!fs.existsSync(path.join(appDir, 'package.json'))) throw new Error(`graders/${spec.app} is not an app (no package.json)`);
  copyApp(appDir, dir);
  spec.phases.forEach((phase, index) => {
    const patchPath = phasePatchPath(spec.app, phase);
    const relative = path.relative(GRADERS_DIR, patchPath);
    if (!fs.existsSync(patchPath)) throw new Error(`graders/${relative} does not exist (named in ${treeLabel(spec)})`);
    try {
      gitApply(dir, patchPath);
    } catch (error) {
      const onto = [spec.app, ...spec.phases.slice(0, index)].join(' + ');
      const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
      throw new Error(`graders/${relative} does not apply onto ${onto}:\n${stderr}`, { cause: error });
    }
  });
}

/**
 * The directory holding the tree `spec` describes. Without `into`, a directory named by the
 * content hash of the app and its patches, under the system's temporary folder, built once and
 * reused: the same tree is at the same path on every run, and a tree is never edited after it is
 * built (graders copy it). With `into` (a directory that must not exist yet), the tree is built
 * there, e.g. to edit it.
 */
export function materializeReference(spec: TreeSpec, into?: string): string {
  if (into) {
    if (fs.existsSync(into)) throw new Error(`${into} already exists: materialize into a new directory`);
    buildTree(spec, into);
    return into;
  }
  const root = path.join(os.tmpdir(), 'backend-pro-references');
  const dir = path.join(root, `${treeName(spec)}-${treeHash(spec)}`);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(root, { recursive: true });
  // Built under a temporary name and renamed: two gradings side by side (--jobs) may build the
  // same tree at once, and neither may see the other's half-built one.
  const staging = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    buildTree(spec, staging);
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw error;
  }
  return dir;
}

/**
 * The patch that turns tree `base` into tree `edited` (git's format, paths relative to the app);
 * empty when they are the same. What isLeftOut names and what the app's .gitignore ignores (a local
 * .env, logs) are not part of a tree. Made in a scratch repository from two tree objects, so that
 * it needs no commit identity and no user's diff settings (renames off, no colour) change it.
 */
export function diffTrees(base: string, edited: string): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-phase-diff-'));
  const git = (args: string[]) =>
    execFileSync('git', ['-c', 'core.autocrlf=false', '-c', 'core.excludesFile=/dev/null', ...args], {
      cwd: scratch,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(scratch) },
    });
  const treeOf = (dir: string) => {
    for (const entry of fs.readdirSync(scratch)) if (entry !== '.git') fs.rmSync(path.join(scratch, entry), { recursive: true, force: true });
    copyApp(dir, scratch);
    git(['add', '--all', '.']);
    return git(['write-tree']).trim();
  };
  try {
    git(['init', '--quiet']);
    const before = treeOf(base);
    const after = treeOf(edited);
    return git(['diff', '--binary', '--no-renames', '--no-color', before, after]);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
