/**
 * The web server and the grading worker meet only in core/ (core/ports.ts): no file under worker/
 * imports from server/, none under server/ from worker/, and core/ imports neither. The composition
 * roots that join them (scripts/, test/) may import both.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const FORBIDDEN: Record<string, string[]> = { core: ['server', 'worker'], server: ['worker'], worker: ['server'] };

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every relative module a file names: static imports, `export … from`, import() and require(). */
export function importedModules(source: string): string[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
  return [...source.matchAll(pattern)].map((match) => match[2]);
}

function crossings(folder: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(ROOT, folder))) {
    for (const specifier of importedModules(fs.readFileSync(file, 'utf8'))) {
      const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier)).split(path.sep)[0];
      if (FORBIDDEN[folder].includes(target)) found.push(`${path.relative(ROOT, file)} imports ${specifier}`);
    }
  }
  return found;
}

test('When a module names another, then the import regex finds static, re-export, dynamic and require forms', () => {
  const source =
    "import a from '../server/x';\nexport { b } from './y';\nconst c = await import('../../worker/z');\nrequire('../q');\nimport '../side';\nimport pino from 'pino';";
  expect(importedModules(source)).toEqual(['../server/x', './y', '../../worker/z', '../q', '../side']);
});

test.each(Object.keys(FORBIDDEN))('When %s/ imports a module, then it is not from a side it must not know', (folder) => {
  expect(crossings(folder)).toEqual([]);
});

/** The writers of stage rows and results (core/models/) are called only by core/submissionLifecycle.ts. */
const LIFECYCLE_WRITERS = /\b(startStage|finishStage|updateStageDetail|storeOutcome|updateSubmissionFinished)\s*\(/g;

test("When platform code changes a submission's stage or result, then it goes through core/submissionLifecycle.ts", () => {
  const found: string[] = [];
  for (const folder of ['core', 'server', 'worker', 'scripts']) {
    for (const file of sourceFiles(path.join(ROOT, folder))) {
      const relative = path.relative(ROOT, file);
      if (relative === path.join('core', 'submissionLifecycle.ts') || relative.startsWith(path.join('core', 'models') + path.sep)) continue;
      for (const match of fs.readFileSync(file, 'utf8').matchAll(LIFECYCLE_WRITERS)) found.push(`${relative} calls ${match[1]}`);
    }
  }
  expect(found).toEqual([]);
});
