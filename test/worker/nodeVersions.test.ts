/**
 * The Node an app declares is the Node it is installed, built and run on, through the real
 * pipeline (Docker, the runtime images, the fixture grader): the hello app logs `process.version`
 * at start and the test reads it from the outcome's app log. Native addons (bcrypt 5, no prebuilt
 * binary) compile against each image's own headers on the registry-only install network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { gradeSubmission, newJobId } from '../../worker/gradeSubmission';
import { NODE_RUNTIMES } from '../../worker/stages/nodeVersion';
import { FIXTURES, fixtureExercise, helloVariant, testGradeEnvironment } from '../support/fixtures';

jest.setTimeout(600_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-data-'));
const helloServer = fs.readFileSync(path.join(FIXTURES, 'apps', 'hello', 'server.js'), 'utf8');
const helloPackage = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'apps', 'hello', 'package.json'), 'utf8')) as Record<string, unknown>;

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** The hello app that says which Node runs it, with `changes` on top. */
function helloOnNode(changes: Record<string, string | null> = {}): string {
  return helloVariant({ 'server.js': `console.log('running on node ' + process.version);\n${helloServer}`, ...changes });
}

async function grade(dir: string, limits: Record<string, number> = {}) {
  const outcome = await gradeSubmission(
    { jobId: newJobId(), exercise: fixtureExercise(limits), source: { kind: 'local', path: dir, ref: null }, subdir: null },
    testGradeEnvironment(docker, 'test-node-versions', dataDir, { jobTimeoutMs: 500_000 }),
  );
  // The stage's final detail (a cache hit rewrites it after the stage began).
  return { outcome, installing: outcome.stages.find((stage) => stage.stage === 'installing')?.detail ?? '' };
}

describe('When an app declares its Node', () => {
  test('then .nvmrc 22 installs and runs it on Node 22, and the installing stage says so', async () => {
    const { outcome, installing } = await grade(helloOnNode({ '.nvmrc': '22\n' }));
    expect(outcome.status).toBe('scored');
    expect(outcome.score).toBe(10);
    expect(outcome.appLog).toContain(`running on node v${NODE_RUNTIMES['22'].node}`);
    expect(installing).toMatch(/^(installed with npm and cached|restored from cache) \(key [0-9a-f]{8}, \d+ MB\) on Node /);
    expect(installing.endsWith(` on Node ${NODE_RUNTIMES['22'].node} (from .nvmrc: 22)`)).toBe(true);
    expect(outcome.warnings).toEqual([]);
  });

  test('then nothing declared runs on Node 24, the default', async () => {
    const { outcome, installing } = await grade(helloOnNode());
    expect(outcome.status).toBe('scored');
    expect(outcome.appLog).toContain(`running on node v${NODE_RUNTIMES['24'].node}`);
    expect(installing).toContain(`Node ${NODE_RUNTIMES['24'].node} (the default: nothing declared)`);
  });

  test('then engines.node ">=20 <21" runs on Node 20', async () => {
    const { outcome } = await grade(helloOnNode({ 'package.json': JSON.stringify({ ...helloPackage, engines: { node: '>=20 <21' } }) }));
    expect(outcome.status).toBe('scored');
    expect(outcome.appLog).toContain(`running on node v${NODE_RUNTIMES['20'].node}`);
  });

  test('then .nvmrc 18 ends before the install as an error that names the file and the supported versions', async () => {
    const { outcome, installing } = await grade(helloOnNode({ '.nvmrc': '18\n' }));
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/^\.nvmrc says "18", which asks for Node 18\. The grader runs Node 20, 22 and 24\. Declare one of them/);
    expect(outcome.stages.map((stage) => stage.stage)).toEqual(['cloning', 'error']);
    expect(installing).toBe('');
  });
});

describe('When the same lockfile is installed on two Node majors', () => {
  test('then the dependency cache serves each major only what was installed on it', async () => {
    // A lockfile of its own (its name differs), so that no other test of this file filled the cache for it.
    const lockfile = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'apps', 'hello', 'package-lock.json'), 'utf8')) as {
      name: string;
      packages: Record<string, { name?: string }>;
    };
    lockfile.name = 'fixture-hello-cache-key';
    if (lockfile.packages['']) lockfile.packages[''].name = lockfile.name;
    const app = (nvmrc: string) =>
      helloOnNode({
        '.nvmrc': nvmrc,
        'package.json': JSON.stringify({ ...helloPackage, name: lockfile.name }),
        'package-lock.json': JSON.stringify(lockfile, null, 2),
      });
    expect((await grade(app('20'))).installing).not.toContain('restored from cache');
    expect((await grade(app('20'))).installing).toContain('restored from cache');
    const other = await grade(app('22'));
    expect(other.installing).not.toContain('restored from cache');
    expect(other.outcome.appLog).toContain(`running on node v${NODE_RUNTIMES['22'].node}`);
  });
});

describe('When an app depends on a native addon without a prebuilt binary (bcrypt 5)', () => {
  test.each(['22', '24'] as const)("then on Node %s it compiles against the image's headers with no download, and runs", async (major) => {
    const server = `const bcrypt = require('bcrypt');\nconsole.log('bcrypt ' + bcrypt.compareSync('pw', bcrypt.hashSync('pw', 4)) + ' on node ' + process.version);\n${helloServer}`;
    const { outcome } = await grade(
      helloVariant({
        'server.js': server,
        '.nvmrc': major,
        'package.json': JSON.stringify({ ...helloPackage, dependencies: { bcrypt: '5.1.1' } }),
        // No lockfile: written here, a lockfile would need the registry from the test itself.
        'package-lock.json': null,
      }),
      { installSeconds: 400 },
    );
    expect(outcome.message).toBeNull();
    expect(outcome.status).toBe('scored');
    expect(outcome.appLog).toContain(`bcrypt true on node v${NODE_RUNTIMES[major].node}`);
  });
});
