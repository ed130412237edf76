import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LearnerError } from '../../worker/errors';
import { inspectWorkspace } from '../../worker/stages/inspectWorkspace';

function checkout(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-ws-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const manifest = (extra: object = {}) => JSON.stringify({ name: 'x', scripts: { 'start:prod': 'node dist/main.js', build: 'tsc' }, ...extra });

describe('inspectWorkspace', () => {
  test('When an npm project has a lockfile and backend-pro.yml, then its manager, start command and env map are read', () => {
    const dir = checkout({ 'package.json': manifest(), 'package-lock.json': '{}', 'backend-pro.yml': 'env:\n  TYPEORM_URL: DATABASE_URL\n' });
    const workspace = inspectWorkspace(dir, null);
    expect(workspace).toMatchObject({
      packageManager: 'npm',
      lockfile: 'package-lock.json',
      startCommand: ['npm', 'run', 'start:prod'],
      appConfig: { envMap: { TYPEORM_URL: 'DATABASE_URL' } },
      warnings: [],
    });
    expect(workspace.lockHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('When only the dependencies in package.json change, then the cache key changes too', () => {
    const a = inspectWorkspace(checkout({ 'package.json': manifest(), 'package-lock.json': '{}' }), null);
    const b = inspectWorkspace(checkout({ 'package.json': manifest({ dependencies: { pg: '8' } }), 'package-lock.json': '{}' }), null);
    const c = inspectWorkspace(checkout({ 'package.json': manifest({ description: 'only words' }), 'package-lock.json': '{}' }), null);
    expect(a.lockHash).not.toBe(b.lockHash);
    expect(a.lockHash).toBe(c.lockHash);
  });

  test('When there is a pnpm lockfile, then pnpm is used; without any lockfile, a warning is given', () => {
    expect(inspectWorkspace(checkout({ 'package.json': manifest(), 'pnpm-lock.yaml': 'lockfileVersion: 9' }), null).packageManager).toBe('pnpm');
    const bare = inspectWorkspace(checkout({ 'package.json': manifest() }), null);
    expect(bare.lockHash).toBeNull();
    expect(bare.warnings[0]).toMatch(/No lockfile/);
  });

  test('When package.json is a symlink out of the checkout, then it is refused and never read', () => {
    const dir = checkout({});
    fs.symlinkSync('/etc/passwd', path.join(dir, 'package.json'));
    expect(() => inspectWorkspace(dir, null)).toThrow(new LearnerError('package.json is a symbolic link; the grader only reads regular files.'));
  });

  test('When the subdirectory is a symlink, then it is refused', () => {
    const dir = checkout({ 'real/package.json': manifest() });
    fs.symlinkSync('/etc', path.join(dir, 'apps'));
    expect(() => inspectWorkspace(dir, 'apps')).toThrow(/"apps" is a symbolic link/);
    expect(inspectWorkspace(dir, 'real').dir).toBe(path.join(dir, 'real'));
  });

  test('When backend-pro.yml maps to something that is not a variable name, then it is refused', () => {
    const dir = checkout({ 'package.json': manifest(), 'backend-pro.yml': 'env:\n  X: "$(cat /etc/passwd)"\n' });
    expect(() => inspectWorkspace(dir, null)).toThrow(/backend-pro.yml does not match its schema/);
  });
});

describe('choosing the package manager and its version', () => {
  test.each([
    ["pnpm-lock.yaml lockfileVersion '9.0'", { 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" }, 'pnpm', '9.15.9'],
    ["pnpm-lock.yaml lockfileVersion '6.0'", { 'pnpm-lock.yaml': "lockfileVersion: '6.0'\n" }, 'pnpm', '8.15.9'],
    ['pnpm-lock.yaml lockfileVersion 5.4', { 'pnpm-lock.yaml': 'lockfileVersion: 5.4\n' }, 'pnpm', '7.33.7'],
    ['a Yarn 1 yarn.lock', { 'yarn.lock': '# yarn lockfile v1\n\nms@2.1.3:\n  version "2.1.3"\n' }, 'yarn', '1.22.22'],
    ['a Yarn Berry yarn.lock', { 'yarn.lock': '__metadata:\n  version: 8\n' }, 'yarn', '4.18.1'],
    ['package-lock.json', { 'package-lock.json': '{}' }, 'npm', null],
  ])('When the project commits %s, then its manager and version follow from it', (_name, files, name, version) => {
    const workspace = inspectWorkspace(checkout({ 'package.json': manifest(), ...files }), null);
    expect(workspace.manager).toMatchObject({ name, version });
  });

  test('When package.json names "packageManager", then that exact version is used, and its lockfile is preferred', () => {
    const workspace = inspectWorkspace(
      checkout({
        'package.json': manifest({ packageManager: 'pnpm@8.6.0+sha512.abc123' }),
        'package-lock.json': '{}',
        'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      }),
      null,
    );
    expect(workspace).toMatchObject({ lockfile: 'pnpm-lock.yaml', manager: { name: 'pnpm', version: '8.6.0', reason: 'packageManager in package.json' } });
  });

  test('When Yarn Berry has a committed yarnPath, then that release runs', () => {
    const workspace = inspectWorkspace(
      checkout({
        'package.json': manifest(),
        'yarn.lock': '__metadata:\n  version: 8\n',
        '.yarnrc.yml': 'yarnPath: .yarn/releases/yarn-4.1.0.cjs\n',
        '.yarn/releases/yarn-4.1.0.cjs': '',
      }),
      null,
    );
    expect(workspace.manager).toMatchObject({ name: 'yarn', berry: true, yarnPath: '.yarn/releases/yarn-4.1.0.cjs' });
  });

  test.each([['pnpm'], ['pnpm@latest'], ['bun@1.1.0'], [42]])('When "packageManager" is %p, then the learner is told the expected form', (value) => {
    expect(() => inspectWorkspace(checkout({ 'package.json': manifest({ packageManager: value }) }), null)).toThrow(
      /not a package manager with an exact version[\s\S]*"pnpm@9\.15\.9"/,
    );
  });

  test('When "packageManager" names another manager than the committed lockfile, then the learner is told which to change', () => {
    expect(() =>
      inspectWorkspace(checkout({ 'package.json': manifest({ packageManager: 'yarn@1.22.22' }), 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" }), null),
    ).toThrow(/names yarn, but the committed lockfile is pnpm-lock\.yaml/);
  });
});

describe('a subdirectory submission inside a workspace (monorepo)', () => {
  const root = (extra: object = {}) => JSON.stringify({ name: 'mono', private: true, ...extra });

  test('When apps/api has no lockfile and the root\'s package.json "workspaces" globs match it, then it installs at the root from the root\'s lockfile', () => {
    const dir = checkout({
      'package.json': root({ workspaces: ['packages/**', 'apps/*'], packageManager: 'npm@11.0.0' }),
      'package-lock.json': '{}',
      'apps/api/package.json': manifest(),
      'apps/api/backend-pro.yml': 'env:\n  TYPEORM_URL: DATABASE_URL\n',
    });
    const workspace = inspectWorkspace(dir, 'apps/api');
    expect(workspace).toMatchObject({
      dir: path.join(dir, 'apps', 'api'),
      installDir: dir,
      member: 'apps/api',
      lockfile: 'package-lock.json',
      packageManager: 'npm',
      startCommand: ['npm', 'run', 'start:prod'],
      appConfig: { envMap: { TYPEORM_URL: 'DATABASE_URL' } },
      warnings: [],
      uncacheable: 'it installs the whole workspace (apps/api is one of its members)',
    });
    expect(workspace.lockHash).toMatch(/^[0-9a-f]{64}$/);
    // Yarn's { packages: [...] } form, and a nested root (backend/) with a deeper glob.
    const yarn = checkout({
      'backend/package.json': root({ workspaces: { packages: ['services/**'] } }),
      'backend/yarn.lock': '# yarn lockfile v1\n',
      'backend/services/a/api/package.json': manifest(),
    });
    expect(inspectWorkspace(yarn, 'backend/services/a/api')).toMatchObject({
      installDir: path.join(yarn, 'backend'),
      member: 'services/a/api',
      manager: { name: 'yarn', version: '1.22.22' },
    });
  });

  test("When the root is a pnpm workspace (pnpm-workspace.yaml), then the member installs at the root with the pnpm of the root's lockfile", () => {
    const dir = checkout({
      'package.json': root(),
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - '!apps/legacy'\n",
      'apps/api/package.json': manifest(),
      'apps/legacy/package.json': manifest(),
    });
    expect(inspectWorkspace(dir, 'apps/api')).toMatchObject({
      installDir: dir,
      member: 'apps/api',
      lockfile: 'pnpm-lock.yaml',
      manager: { name: 'pnpm', version: '9.15.9' },
    });
    // Excluded by a "!" pattern: not a member, so it installs on its own as today.
    expect(inspectWorkspace(dir, 'apps/legacy')).toMatchObject({ installDir: path.join(dir, 'apps', 'legacy'), member: null, lockfile: null });
  });

  test("When the subdirectory is not a member of the root's workspaces (or has its own lockfile), then it installs on its own as before", () => {
    const dir = checkout({ 'package.json': root({ workspaces: ['packages/*'] }), 'package-lock.json': '{}', 'apps/api/package.json': manifest() });
    const alone = inspectWorkspace(dir, 'apps/api');
    expect(alone).toMatchObject({
      dir: path.join(dir, 'apps', 'api'),
      installDir: path.join(dir, 'apps', 'api'),
      member: null,
      lockfile: null,
      lockHash: null,
    });
    expect(alone.warnings[0]).toMatch(/No lockfile/);
    // A root with workspaces but no lockfile is no install root either.
    expect(inspectWorkspace(checkout({ 'package.json': root({ workspaces: ['apps/*'] }), 'apps/api/package.json': manifest() }), 'apps/api').member).toBeNull();
    const own = checkout({
      'package.json': root({ workspaces: ['apps/*'] }),
      'package-lock.json': '{}',
      'apps/api/package.json': manifest(),
      'apps/api/pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    });
    expect(inspectWorkspace(own, 'apps/api')).toMatchObject({ member: null, lockfile: 'pnpm-lock.yaml' });
  });

  test("When the workspace root's lockfile or pnpm-workspace.yaml is a symbolic link, then it is refused and never read", () => {
    const dir = checkout({ 'package.json': root({ workspaces: ['apps/*'] }), 'apps/api/package.json': manifest() });
    fs.symlinkSync('/etc/passwd', path.join(dir, 'package-lock.json'));
    expect(() => inspectWorkspace(dir, 'apps/api')).toThrow(new LearnerError('package-lock.json is a symbolic link; the grader only reads regular files.'));
    const pnpm = checkout({ 'package.json': root(), 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n", 'apps/api/package.json': manifest() });
    fs.symlinkSync('/etc/hostname', path.join(pnpm, 'pnpm-workspace.yaml'));
    expect(() => inspectWorkspace(pnpm, 'apps/api')).toThrow(/pnpm-workspace\.yaml is a symbolic link/);
  });
});
