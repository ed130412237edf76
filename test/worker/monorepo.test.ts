/**
 * Monorepos through the real pipeline: an app submitted as a subdirectory of an npm or pnpm
 * workspace (no lockfile of its own) installs at the workspace root from the root's lockfile, and
 * builds, starts and is graded in its own folder with the workspace's node_modules — the registry
 * package `ms` and the sibling workspace package `@fixture/greet` both resolve.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { gradeSubmission, newJobId } from '../../worker/gradeSubmission';
import { FIXTURES, fixtureExercise, testGradeEnvironment } from '../support/fixtures';

jest.setTimeout(300_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-monorepo-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const hello = path.join(FIXTURES, 'apps', 'hello');
/** The hello app's server, printing what it got from the registry package and the sibling workspace package. */
const server = `console.log('ms says ' + require('ms')(60000) + '; ' + require('@fixture/greet')('api'));\n${fs.readFileSync(path.join(hello, 'server.js'), 'utf8')}`;

/** A copy of test/fixtures/lockfiles/monorepo-<kind> (manifests and the root lockfile) with the hello app in apps/api. */
function monorepo(kind: 'npm' | 'pnpm', extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bp-monorepo-${kind}-`));
  fs.cpSync(path.join(FIXTURES, 'lockfiles', `monorepo-${kind}`), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'apps', 'api', 'server.js'), server);
  fs.copyFileSync(path.join(hello, 'build.js'), path.join(dir, 'apps', 'api', 'build.js'));
  for (const [file, content] of Object.entries(extra)) fs.writeFileSync(path.join(dir, file), content);
  return dir;
}

async function grade(dir: string) {
  const details: string[] = [];
  const started = Date.now();
  const outcome = await gradeSubmission(
    { jobId: newJobId(), exercise: fixtureExercise({ installSeconds: 240 }), source: { kind: 'local', path: dir, ref: null }, subdir: 'apps/api' },
    testGradeEnvironment(docker, 'test-monorepo', dataDir, {
      jobTimeoutMs: 400_000,
      onStage: async (stage, _at, detail) => void details.push(`${stage}: ${detail ?? ''}`),
      onStageDetail: async (stage, detail) => void details.push(`${stage}: ${detail}`),
    }),
  );
  return { outcome, details, seconds: (Date.now() - started) / 1000 };
}

describe('When an app is submitted as apps/api of a workspace whose lockfile is at the root', () => {
  test.concurrent(
    'then an npm workspace (package.json "workspaces" globs) installs at the root with npm ci, and the app scores 10/10 on the root\'s Node',
    async () => {
      const { outcome, details, seconds } = await grade(monorepo('npm', { '.nvmrc': '22\n' }));
      expect(outcome.message).toBeNull();
      expect(outcome).toMatchObject({ status: 'scored', score: 10, maxScore: 10 });
      expect(outcome.appLog).toContain('ms says 1m; hello from the workspace, api');
      expect(outcome.warnings.join('\n')).not.toMatch(/No lockfile/);
      expect(details).toContain("installing: npm (package-lock.json at the workspace root) on Node 22.23.5 (from the workspace root's .nvmrc: 22)");
      expect(details.join('\n')).toMatch(
        /installing: installed at the workspace root \(apps\/api is a member\) with npm, not cached: it installs the whole workspace/,
      );
      console.log(`npm workspace: graded in ${seconds.toFixed(0)} s`);
    },
  );

  test.concurrent('then a pnpm workspace (pnpm-workspace.yaml, a workspace:* sibling) installs at the root with pnpm, and the app scores 10/10', async () => {
    const { outcome, details, seconds } = await grade(monorepo('pnpm'));
    expect(outcome.message).toBeNull();
    expect(outcome).toMatchObject({ status: 'scored', score: 10, maxScore: 10 });
    expect(outcome.appLog).toContain('ms says 1m; hello from the workspace, api');
    expect(details.join('\n')).toMatch(/installing: installed at the workspace root \(apps\/api is a member\) with pnpm 9\.15\.9, not cached/);
    console.log(`pnpm workspace: graded in ${seconds.toFixed(0)} s`);
  });
});
