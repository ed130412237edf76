/**
 * The README names real things (issue 12 §4): every repository path in its code blocks, inline
 * code and links exists, and every npm command it gives is a script of package.json. A path is a
 * token that starts with one of the repository's own top-level folders (`server/…`, `graders/…`);
 * anything else (`/auth/login`, a learner's `src/app.ts`) is not the repository's and is not checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadGraderConfig } from '../../scripts/lib/references';
import { minimatch } from 'minimatch';
import { loadChecks } from '../../graders/harness/checkDefinitions';
import { GRADERS_DIR } from '../../core/exercises/definition';
import { lexMarkdown } from '../../server/lib/markdown';
import { parseMutant } from '../../scripts/verify-exercises';

const ROOT = path.resolve(__dirname, '..', '..');

/** Folders of a fresh clone: what .gitignore keeps out (.data, node_modules) is not the repository's. */
const TOP_FOLDERS = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !['.git', '.data', 'node_modules', 'test-artifacts', 'dist', 'coverage'].includes(entry.name))
  .map((entry) => entry.name);

/**
 * Scripts of a learner's app, which the README describes the platform running in the sandbox
 * (`npm run build`, `npm run migration:run`…): not this repository's scripts.
 */
const LEARNER_SCRIPTS = new Set(['build', 'start:prod', 'migration:run', 'migration:revert']);
/** npm's own commands, which run no script. */
const NPM_COMMANDS = new Set(['ci', 'install', 'i', 'exec', 'pack', 'view']);

interface MarkdownToken {
  type: string;
  text?: string;
  href?: string;
  tokens?: MarkdownToken[];
  items?: MarkdownToken[];
  /** A table's header cells (a cell's own `header` is a boolean). */
  header?: MarkdownToken[] | boolean;
  rows?: MarkdownToken[][];
}

/** The text of every code block and code span, and every link target, in document order. */
function codeAndLinks(markdown: string): string[] {
  const found: string[] = [];
  const walk = (tokens: readonly MarkdownToken[] | boolean | undefined): void => {
    if (!Array.isArray(tokens)) return;
    for (const token of tokens as readonly MarkdownToken[]) {
      if ((token.type === 'code' || token.type === 'codespan') && token.text) found.push(unescapeHtml(token.text));
      if (token.type === 'link' && token.href) found.push(token.href);
      walk(token.tokens);
      walk(token.items);
      walk(token.header);
      for (const row of token.rows ?? []) walk(row);
    }
  };
  walk(lexMarkdown(markdown) as unknown as MarkdownToken[]);
  return found;
}

/** marked escapes code spans for HTML; the README's reader sees the characters. */
function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Repository paths in a piece of code: tokens that start with a top-level folder and a slash, not
 * preceded by a path character (so `/auth/login` and `src/server/x` are not taken). `<id>` and `*`
 * stand for any name.
 */
function repositoryPaths(code: string, topFolders: readonly string[] = TOP_FOLDERS): string[] {
  const folders = topFolders.map((name) => name.replace(/[.]/g, '\\.')).join('|');
  const pattern = new RegExp(`(?<![\\w./<>*-])(?:${folders})/[\\w.<>*/-]*`, 'g');
  return [...code.matchAll(pattern)].map((match) => match[0].replace(/[.]+$/, ''));
}

/** Whether a path, where `<…>` and `*` stand for any name, names at least one file or folder. */
function pathExists(repoPath: string, root = ROOT): boolean {
  const glob = repoPath.replace(/\/+$/, '').replace(/<[^>/]+>/g, '*');
  if (!glob.includes('*')) return fs.existsSync(path.join(root, glob));
  const fixed = glob.slice(0, glob.indexOf('*')).replace(/[^/]*$/, '');
  const base = path.join(root, fixed);
  if (!fs.existsSync(base)) return false;
  const candidates = fs.readdirSync(base, { recursive: true, encoding: 'utf8' }).map((entry) => `${fixed}${entry}`);
  return candidates.some((candidate) => minimatch(candidate, glob));
}

/** The script each `npm run [-s] X` or `npm X` names (npm's own commands left out). */
function npmScripts(code: string): string[] {
  const names: string[] = [];
  for (const match of code.matchAll(/(?<![\w-])npm\s+(?:run\s+(?:-s\s+|--silent\s+)?)?([\w:.-]+)/g)) {
    if (match[0].includes(' run ') || !NPM_COMMANDS.has(match[1])) names.push(match[1]);
  }
  return names.filter((name) => name !== 'run');
}

describe('reading the README', () => {
  test('When code names repository paths among URL routes and learner files, then only the repository paths are taken', () => {
    const code = 'call `POST /auth/login`, read graders/<id>/checks.ts and worker/stages/*. See src/server/app.ts, /server/x, (docs/SECURITY.md).';
    expect(repositoryPaths(code, ['docs', 'graders', 'server', 'worker'])).toEqual(['graders/<id>/checks.ts', 'worker/stages/*', 'docs/SECURITY.md']);
  });

  test('When a path has placeholders, then it exists when one file or folder fits', () => {
    expect(pathExists('graders/<id>/checks.ts')).toBe(true);
    expect(pathExists('graders/<id>/mutants/*.patch')).toBe(true);
    expect(pathExists('graders/<id>/nothing.ts')).toBe(false);
    expect(pathExists('server/no-such-file.ts')).toBe(false);
  });

  test("When commands run npm, then scripts are named and npm's own commands are not", () => {
    expect(npmScripts('npm run -s grade -- x; npm test; npm ci --no-audit; npm run exercises:verify -- --exercise ID; npm start')).toEqual([
      'grade',
      'test',
      'exercises:verify',
      'start',
    ]);
  });
});

describe('README.md', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const code = codeAndLinks(readme);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const scripts = new Set(Object.keys((require(path.join(ROOT, 'package.json')) as { scripts: Record<string, string> }).scripts));

  test('When it names a repository path, then the path exists', () => {
    const paths = [...new Set(code.flatMap((text) => repositoryPaths(text)))];
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((repoPath) => !pathExists(repoPath))).toEqual([]);
  });

  test("When it gives an npm command, then package.json has the script (a learner app's scripts aside)", () => {
    const named = [...new Set(code.flatMap(npmScripts))];
    expect(named).toEqual(expect.arrayContaining(['test', 'test:unit', 'exercises:verify', 'grade']));
    expect(named.filter((name) => !scripts.has(name) && !LEARNER_SCRIPTS.has(name))).toEqual([]);
  });

  test("When it lists what is graded today, then each row's checks, reference and mutants are the grader's", () => {
    const section = readme.slice(readme.indexOf('## What is graded today'), readme.indexOf('## Authoring an exercise'));
    // The reference column: the app, then each phase patch built on it (`+ \`phases/<id>.patch\``).
    const rows = [...section.matchAll(/^\| [^|]+ \| `([a-z0-9-]+)` \| (\d+) \| `graders\/([^`]+)`((?: \+ `phases\/[a-z0-9-]+\.patch`)*) \| (\d+) \|$/gm)];
    const gradable = fs.readdirSync(GRADERS_DIR).filter((id) => fs.existsSync(path.join(GRADERS_DIR, id, 'checks.ts')));
    expect(rows.map((row) => row[1]).sort()).toEqual(gradable.sort());
    for (const [, id, checks, app, phases, mutants] of rows) {
      const dir = path.join(GRADERS_DIR, id);
      const patches = fs.readdirSync(path.join(dir, 'mutants')).filter((name) => name.endsWith('.patch'));
      const reference = { app, phases: [...phases.matchAll(/phases\/([a-z0-9-]+)\.patch/g)].map((match) => match[1]) };
      expect({ id, checks: Number(checks), reference, mutants: Number(mutants) }).toEqual({
        id,
        checks: loadChecks(path.join(dir, 'checks.ts')).length,
        reference: loadGraderConfig(dir)!.reference,
        // Correct variants (`Fails: none`) are not mutants.
        mutants: patches.filter((name) => !parseMutant(path.join(dir, 'mutants', name)).variant).length,
      });
    }
  });
});
