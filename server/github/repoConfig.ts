/**
 * backend-pro.yml: the phase → branch/folder map written in the learner's repository, at the root
 * of its default branch. Read through the GitHub API only (never from a webhook payload, which
 * anyone holding the secret could fill), checked with the very rules of the /github form, and
 * applied whole or not at all: a file with one mistake changes nothing.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { checkRef, checkSubdir, type Checked } from '../lib/submissionInput';
import { selectExercises, type Exercise } from '../models/exercises';
import { replaceLinkPhases, type Link, type LinkPhaseInput } from '../models/links';
import { GitHubApiError, type GitHubApi } from './api';
import { COMMIT_SHA, type PushPayload } from './pushes';

export const CONFIG_FILE = 'backend-pro.yml';
export const CONFIG_MAX_BYTES = 16 * 1024;
/** A map of a few phases needs no aliases; a handful is tolerated, more is an expansion bomb. */
const MAX_ALIASES = 20;

type CourseExercise = Pick<Exercise, 'id' | 'phase'>;

export type ConfigCheck = { ok: true; phases: LinkPhaseInput[] } | { ok: false; errors: string[] };

export type ConfigRead = { kind: 'missing' } | ({ kind: 'read' } & ConfigCheck);

/** A zod step running one of the form's checks, so that the file and the form refuse the same names in the same words. */
function formRule(check: (raw: string) => Checked<string | null>) {
  return z.string({ error: 'must be text: put it in quotes' }).transform((raw, ctx) => {
    const checked = check(raw);
    if (!checked.ok) {
      ctx.addIssue({ code: 'custom', message: checked.reason });
      return z.NEVER;
    }
    return checked.value;
  });
}

const EntrySchema = z.preprocess(
  // `phase-1-auth:` with nothing under it: the default branch, the whole repository.
  (value) => value ?? {},
  z.strictObject(
    { branch: formRule(checkRef).optional(), folder: formRule(checkSubdir).optional() },
    { error: 'must be a mapping such as { branch: main, folder: auth-service }' },
  ),
);

function configSchema(exercises: CourseExercise[]) {
  const known = new Set(exercises.map((exercise) => exercise.id));
  const ids = exercises.map((exercise) => exercise.id).join(', ');
  return z.strictObject(
    {
      // The same file at an app's root also holds the grader's settings, `env:` and `prefix:`
      // (worker/stages/appConfig.ts checks them there, docs/backend-pro-yml.md): allowed here, not read.
      env: z.unknown().optional(),
      prefix: z.unknown().optional(),
      phases: z
        .record(z.string(), EntrySchema, {
          error: (issue) =>
            issue.input === undefined
              ? 'is missing: the file lists the phases under "phases:"'
              : 'must be a mapping of exercise ids, e.g. "phase-1-auth: { branch: main }"',
        })
        .superRefine((phases, ctx) => {
          const count = Object.keys(phases).length;
          if (count > exercises.length) {
            ctx.addIssue({ code: 'custom', message: `lists ${count} phases, but the course has ${exercises.length}` });
            return;
          }
          for (const id of Object.keys(phases)) {
            if (!known.has(id))
              ctx.addIssue({ code: 'custom', path: [id], message: `"${id.slice(0, 100)}" is not an exercise of the course (exercise ids: ${ids})` });
          }
        }),
    },
    { error: 'the top level must be a mapping with a "phases:" key (see the example on /github)' },
  );
}

/**
 * Checks the text of a backend-pro.yml. A phase without a branch is tracked on `defaultBranch`;
 * without a folder, on the whole repository. Errors name the line and the key.
 */
export function parseRepoConfig(text: string, exercises: CourseExercise[], defaultBranch: string): ConfigCheck {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > CONFIG_MAX_BYTES) return { ok: false, errors: [tooLarge(size)] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.slice(0, 5).map((error) => `line ${lines.linePos(error.pos[0]).line}: ${firstLine(error.message)}`) };
  }
  if (doc.contents === null) return { ok: false, errors: ['empty file: list the phases under "phases:" (see the example on /github)'] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return { ok: false, errors: ['too many YAML alias expansions (*name): write each phase out in full'] };
  }
  const parsed = configSchema(exercises).safeParse(data);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.slice(0, 10).map((issue) => describeIssue(issue, doc, lines)) };
  }
  const phases = Object.entries(parsed.data.phases).map(([exerciseId, entry]) => ({
    exerciseId,
    branch: entry.branch ?? defaultBranch,
    subdir: entry.folder ?? null,
  }));
  const order = new Map(exercises.map((exercise) => [exercise.id, exercise.phase]));
  return { ok: true, phases: phases.sort((a, b) => order.get(a.exerciseId)! - order.get(b.exerciseId)!) };
}

/** Fetches backend-pro.yml of `repo` at `ref` (a branch or a commit) and checks it. GitHub failing throws GitHubApiError. */
export async function readRepoConfig(api: GitHubApi, repo: string, ref: string, defaultBranch: string, exercises: CourseExercise[]): Promise<ConfigRead> {
  const file = await api.getFile(repo, CONFIG_FILE, ref);
  if (!file) return { kind: 'missing' };
  // GitHub gives the size first: a large file is refused without decoding it.
  if (file.size > CONFIG_MAX_BYTES) return { kind: 'read', ok: false, errors: [tooLarge(file.size)] };
  return { kind: 'read', ...parseRepoConfig(file.content.toString('utf8'), exercises, defaultBranch) };
}

/**
 * A push to the default branch whose commits added or modified backend-pro.yml: the file is read
 * again at the pushed commit and applied before the push is graded, so that the push is graded
 * with the map it brings. Returns the line for the delivery record, or null when the push did not
 * touch the file. A removed file keeps the map: the form (or a new file) changes it.
 */
export async function applyPushedConfig(push: PushPayload, link: Link, api: GitHubApi): Promise<string | null> {
  if (push.deleted || !push.ref.startsWith('refs/heads/') || !COMMIT_SHA.test(push.after)) return null;
  const commits = push.commits ?? [];
  const written = commits.some((commit) => [...(commit.added ?? []), ...(commit.modified ?? [])].includes(CONFIG_FILE));
  const removed = commits.some((commit) => (commit.removed ?? []).includes(CONFIG_FILE));
  if (!written && !removed) return null;
  const kept = '(the previous map is kept)';
  try {
    const defaultBranch = await api.getDefaultBranch(link.repo_full_name);
    if (push.ref !== `refs/heads/${defaultBranch}`) return null;
    if (!written) return `${CONFIG_FILE} removed: the current map is kept (change it on /github)`;
    const read = await readRepoConfig(api, link.repo_full_name, push.after, defaultBranch, await selectExercises());
    if (read.kind === 'missing') return `${CONFIG_FILE} not found at ${push.after.slice(0, 7)} ${kept}`;
    if (!read.ok) return `${CONFIG_FILE} refused: ${read.errors.join('; ')} ${kept}`;
    await replaceLinkPhases(link.id, read.phases);
    return `${CONFIG_FILE} applied: ${read.phases.length} ${read.phases.length === 1 ? 'phase' : 'phases'}`;
  } catch (error) {
    if (!(error instanceof GitHubApiError)) throw error;
    return `${CONFIG_FILE} not read: ${error.message} ${kept}`;
  }
}

function tooLarge(size: number): string {
  return `${(size / 1024).toFixed(1)} KB, over the limit of ${CONFIG_MAX_BYTES / 1024} KB: list only the phases, with their branch and folder`;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** "line 4, phases.phase-1-auth.branch: …", the line found by walking the document along the issue's path. */
function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): string {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const allowed = issue.path.length === 0 ? 'the file takes only "phases" (and "env", read by the grader)' : 'a phase takes only "branch" and "folder"';
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : '';
    return `${where([...issue.path, key], doc, lines)}: unknown key "${key.slice(0, 100)}"${more}: ${allowed}`;
  }
  return `${where(issue.path, doc, lines)}: ${issue.message}`;
}

function where(path: PropertyKey[], doc: Document, lines: LineCounter): string {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair || !isScalar(pair.key)) break;
    offset = pair.key.range?.[0] ?? offset;
    node = pair.value;
  }
  const key = path.map(String).join('.');
  return `line ${lines.linePos(offset).line}${key ? `, ${key}` : ''}`;
}
