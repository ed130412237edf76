/**
 * One app per project plus phase patches (issue 12 §1): every grader.json's trees build, every
 * phase patch applies where grader.json says, every mutant still applies onto the tree it mutates,
 * and a tree edited and diffed back rebuilds byte for byte. No Docker: files and `git apply` only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GRADERS_DIR, loadExerciseDefinitions } from '../../core/exercises/definition';
import {
  diffTrees,
  gitApply,
  GraderConfigSchema,
  listFiles,
  loadGraderConfig,
  materializeReference,
  phasePatchPath,
  treeName,
  type TreeSpec,
} from '../../scripts/lib/references';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-references-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A new directory for a tree, so each test builds its own instead of trusting the shared cache. */
const freshDir = (label: string) => path.join(scratch, `${label}-${(counter += 1)}`);

const graders = loadExerciseDefinitions().flatMap((exercise) => {
  const config = loadGraderConfig(exercise.graderDir);
  return config ? [{ exercise, config }] : [];
});
const trees = graders.flatMap(({ exercise, config }) => [
  { exercise, role: 'reference', spec: config.reference },
  ...config.alternatives.map((spec) => ({ exercise, role: `alternative ${treeName(spec)}`, spec })),
]);

describe('grader.json trees', () => {
  test('When the exercises are read, then several have a grader.json', () => {
    expect(graders.length).toBeGreaterThanOrEqual(5);
  });

  test.each(trees.map((tree) => [`${tree.exercise.id} ${tree.role}`, tree.spec] as const))(
    'When %s is materialised, then every patch applies and the tree has a package.json and one lockfile',
    (_label, spec: TreeSpec) => {
      const dir = materializeReference(spec, freshDir(treeName(spec)));
      expect(fs.existsSync(path.join(dir, 'package.json'))).toBe(true);
      expect(['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock'].filter((name) => fs.existsSync(path.join(dir, name)))).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'phases'))).toBe(false);
    },
  );

  test.each(graders.map(({ exercise, config }) => [exercise.id, config.reference] as const))(
    'When the %s reference is materialised, then every mutant and variant of the exercise applies onto it',
    (id, spec) => {
      const mutantsDir = path.join(GRADERS_DIR, id, 'mutants');
      const patches = fs.existsSync(mutantsDir) ? fs.readdirSync(mutantsDir).filter((file) => file.endsWith('.patch')) : [];
      const dir = materializeReference(spec);
      const refused = patches.filter((file) => {
        try {
          gitApply(dir, path.join(mutantsDir, file), true);
          return false;
        } catch {
          return true;
        }
      });
      expect(refused).toEqual([]);
    },
  );

  test('When phase patches are on disk, then each is named by some grader.json and after an exercise', () => {
    const named = new Set(trees.flatMap(({ spec }) => spec.phases.map((phase) => phasePatchPath(spec.app, phase))));
    const ids = new Set(loadExerciseDefinitions().map((exercise) => exercise.id));
    const onDisk = ['reference', 'alternatives'].flatMap((kind) =>
      fs.readdirSync(path.join(GRADERS_DIR, kind)).flatMap((app) => {
        const phasesDir = path.join(GRADERS_DIR, kind, app, 'phases');
        return fs.existsSync(phasesDir) ? fs.readdirSync(phasesDir).map((file) => path.join(phasesDir, file)) : [];
      }),
    );
    expect(onDisk.filter((file) => !named.has(file))).toEqual([]);
    expect(onDisk.map((file) => path.basename(file, '.patch')).filter((phase) => !ids.has(phase))).toEqual([]);
  });

  test('When graders/reference is listed, then it holds one app per project, each with one lockfile and nothing nested', () => {
    // A later phase is a patch in the project's phases/, never another copy of the app (issue 12 §1).
    const root = path.join(GRADERS_DIR, 'reference');
    const apps = fs.readdirSync(root);
    expect(apps.filter((app) => !/^project-\d+$/.test(app))).toEqual([]);
    const lockfiles = apps.flatMap((app) =>
      listFiles(path.join(root, app))
        .filter((file) => /(^|\/)(package-lock\.json|pnpm-lock\.yaml|yarn\.lock)$/.test(file))
        .map((file) => `${app}/${file}`),
    );
    expect(lockfiles).toEqual(apps.map((app) => `${app}/package-lock.json`));
  });
});

describe('GraderConfigSchema', () => {
  test('When a tree is a path, then it is that app with no phases; when an object, its phases in order', () => {
    expect(GraderConfigSchema.parse({ reference: 'reference/p', alternatives: [{ app: 'alternatives/a', phases: ['phase-2-x', 'phase-3-y'] }] })).toEqual({
      reference: { app: 'reference/p', phases: [] },
      alternatives: [{ app: 'alternatives/a', phases: ['phase-2-x', 'phase-3-y'] }],
    });
  });

  test('When a field is unknown or a phase is not an exercise id, then the config is refused', () => {
    expect(GraderConfigSchema.safeParse({ reference: 'reference/p', phase: 'phase-2-x' }).success).toBe(false);
    expect(GraderConfigSchema.safeParse({ reference: { app: 'reference/p', phases: ['../x'] } }).success).toBe(false);
  });
});

describe('materializeReference', () => {
  /** A tiny app under the scratch folder, addressed relative to graders/ as grader.json would. */
  function tinyApp(patch: string): TreeSpec {
    const app = fs.mkdtempSync(path.join(scratch, 'app-'));
    fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "tiny" }\n');
    fs.mkdirSync(path.join(app, 'phases'));
    fs.writeFileSync(path.join(app, 'phases', 'phase-9-x.patch'), patch);
    fs.mkdirSync(path.join(app, 'node_modules'));
    return { app: path.relative(GRADERS_DIR, app), phases: ['phase-9-x'] };
  }
  const addsReadme = 'Adds a README.\n---\ndiff --git a/README.md b/README.md\nnew file mode 100644\n--- /dev/null\n+++ b/README.md\n@@ -0,0 +1 @@\n+hello\n';

  test('When a tree is materialised twice without a target, then both give the same directory', () => {
    const spec = tinyApp(addsReadme);
    const first = materializeReference(spec);
    expect(materializeReference(spec)).toBe(first);
    expect(fs.readFileSync(path.join(first, 'README.md'), 'utf8')).toBe('hello\n');
    expect(fs.readdirSync(first).sort()).toEqual(['README.md', 'package.json']);
    fs.rmSync(first, { recursive: true });
  });

  test('When a phase patch does not apply, then the error names the patch and what it was applied onto', () => {
    const spec = tinyApp(addsReadme.replace('new file mode 100644\n--- /dev/null', '--- a/README.md').replace('@@ -0,0 +1 @@', '@@ -1 +1 @@\n-bye'));
    expect(() => materializeReference(spec, freshDir('broken'))).toThrow(/phases\/phase-9-x\.patch does not apply onto .*app-/);
  });

  test('When the target folder exists, then it is refused rather than mixed into', () => {
    expect(() => materializeReference(tinyApp(addsReadme), scratch)).toThrow(/already exists/);
  });
});

describe('diffTrees', () => {
  test('When a materialised phase is edited and diffed against the tree before it, then the patch rebuilds the edit', () => {
    const spec = trees.find((tree) => tree.spec.phases.length)!.spec;
    const before = materializeReference({ app: spec.app, phases: spec.phases.slice(0, -1) });
    const edited = materializeReference(spec, freshDir('edited'));
    fs.appendFileSync(path.join(edited, 'README.md'), '\nOne more line.\n');
    fs.writeFileSync(path.join(edited, 'NEW.md'), 'new\n');
    fs.rmSync(path.join(edited, 'tsconfig.build.json'));
    // What the app ignores or a build leaves behind is not part of the reference.
    fs.writeFileSync(path.join(edited, '.env'), 'JWT_SECRET=local\n');
    fs.mkdirSync(path.join(edited, 'dist'));
    fs.writeFileSync(path.join(edited, 'dist', 'main.js'), '\n');
    const patch = path.join(scratch, 'edited.patch');
    const text = diffTrees(before, edited);
    expect(text).not.toMatch(/\.env b\/|dist\/main/);
    fs.writeFileSync(patch, text);
    const rebuilt = materializeReference({ app: spec.app, phases: spec.phases.slice(0, -1) }, freshDir('rebuilt'));
    gitApply(rebuilt, patch);
    expect(diffTrees(rebuilt, edited)).toBe('');
    expect(fs.readFileSync(path.join(rebuilt, 'NEW.md'), 'utf8')).toBe('new\n');
  });
});
