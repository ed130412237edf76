/**
 * Hostile submissions, graded through the real pipeline (real Docker engine, sandbox images and
 * firewall): each ends as a stored, explained outcome within its limits, leaves no container of
 * its job behind, and the next honest submission is still graded correctly.
 *
 * Escape attempts aim only at listeners this test runs itself, on every IPv4 address of this
 * host (loopback, docker0 and the other bridge gateways, the main interface); the test asserts
 * that nothing arrived. The only outside address contacted is the package registry, which the
 * install step is meant to reach.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { gradeSubmission, newJobId } from '../../worker/gradeSubmission';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import { JOB_LABEL } from '../../worker/sandbox/sandbox';
import { ensureRegistryNetwork } from '../../worker/sandbox/registryNetwork';
import { fixtureExercise, helloVariant, imagesFromEnv } from '../support/fixtures';
import { recordCase } from '../support/securityCases';

jest.setTimeout(240_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-hostile-'));
const NAMESPACE = 'test-hostile';
let listener: net.Server;
let port: number;
const arrivals: string[] = [];

/** Every IPv4 address of this host, bridges included, up or down (Node's own list skips down ones). */
function hostAddresses(): string[] {
  const lines = execFileSync('ip', ['-4', '-o', 'addr', 'show']).toString().split('\n');
  return [...new Set(lines.flatMap((line) => /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(line)?.[1] ?? []))];
}

beforeAll(async () => {
  // The install network's bridge gateway is one of the host's addresses to try.
  await ensureRegistryNetwork(docker);
  listener = net.createServer((socket) => {
    arrivals.push(`${socket.remoteAddress}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
  port = (listener.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function grade(dir: string, limits: Record<string, number> = {}) {
  const jobId = newJobId();
  const stages: { stage: string; detail?: string }[] = [];
  const started = Date.now();
  const outcome = await gradeSubmission(
    { jobId, exercise: fixtureExercise(limits), source: { kind: 'local', path: dir, ref: null }, subdir: null },
    {
      sandbox: new DockerSandbox(docker, NAMESPACE),
      images: imagesFromEnv(),
      dataDir,
      platformDir: path.resolve(__dirname, '..', '..'),
      cloneTimeoutMs: 30_000,
      cloneMaxBytes: 50 * 1024 * 1024,
      cloneMaxFiles: 50_000,
      httpHosts: [],
      jobTimeoutMs: 200_000,
      onStage: async (stage, _at, detail) => void stages.push({ stage, detail }),
    },
  );
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${JOB_LABEL}=${jobId}`] } });
  expect(leftovers).toEqual([]);
  expect(fs.existsSync(path.join(dataDir, 'jobs', jobId))).toBe(false);
  return { outcome, stages, seconds: (Date.now() - started) / 1000 };
}

/** A Node script that tries every way out it is given and prints one "ESCAPE {json}" line. */
function escapeScript(extra: Record<string, string> = {}): string {
  return `
const net = require('node:net');
const dns = require('node:dns');
const fs = require('node:fs');
const attempt = (host, port) => new Promise((resolve) => {
  const socket = net.connect({ host, port, timeout: 2000 });
  socket.on('connect', () => { socket.destroy(); resolve('connected'); });
  socket.on('timeout', () => { socket.destroy(); resolve('timeout'); });
  socket.on('error', (e) => resolve(e.code || 'error'));
});
const tryFs = (fn) => { try { return fn(); } catch (e) { return e.code || 'error'; } };
(async () => {
  const report = { hosts: {}, services: {}, extra: {} };
  for (const host of ${JSON.stringify(hostAddresses())}) report.hosts[host] = await attempt(host, ${port});
  for (const [name, target] of Object.entries(${JSON.stringify({
    postgres: '172.17.0.1:54329',
    redis: '172.17.0.1:63790',
    dockerApi: '172.17.0.1:2375',
  })})) report.services[name] = await attempt(target.split(':')[0], Number(target.split(':')[1]));
  report.dns = await new Promise((resolve) => dns.lookup('example.com', (e, a) => resolve(e ? e.code : a)));
  report.dockerSocket = tryFs(() => fs.statSync('/var/run/docker.sock') && 'visible');
  report.platformEnv = Object.keys(process.env).filter((k) => /SESSION_SECRET|GITHUB|DATABASE_ADMIN|REDIS_URL/.test(k) && !/^(REDIS_URL)$/.test(k));
  ${Object.entries(extra)
    .map(([name, code]) => `report.extra[${JSON.stringify(name)}] = await (async () => { ${code} })();`)
    .join('\n  ')}
  console.log('ESCAPE ' + JSON.stringify(report));
  ${'%EXIT%'}
})();
`;
}

function parseReport(text: string): { hosts: Record<string, string>; services: Record<string, string>; dns: string; dockerSocket: string; platformEnv: string[]; extra: Record<string, string> } {
  const line = text.split('\n').find((l) => l.includes('ESCAPE {'));
  if (!line) throw new Error(`no ESCAPE report in:\n${text.slice(-2000)}`);
  return JSON.parse(line.slice(line.indexOf('ESCAPE ') + 7));
}

describe('When a lifecycle script tries to get out during the install', () => {
  test('then only the package registry answers: no host address, no host service, no DNS', async () => {
    const before = arrivals.length;
    const app = helloVariant({
      'escape.js': escapeScript({ registry: "return await attempt('registry.npmjs.org', 443);", registryHttp: "return await attempt('registry.npmjs.org', 80);" }).replace(
        '%EXIT%',
        'process.exit(1);',
      ),
      'package.json': JSON.stringify({ name: 'fixture-hello', version: '1.0.0', private: true, scripts: { preinstall: 'node escape.js', build: 'node build.js', start: 'node dist/server.js' } }),
    });
    const { outcome } = await grade(app);
    expect(outcome.status).toBe('error');
    expect(outcome.message).toContain('`npm ci --no-audit --no-fund` failed');
    const report = parseReport(outcome.message ?? '');
    // The registry, by name, over https: the one thing the install step may reach.
    expect(report.extra.registry).toBe('connected');
    expect(report.extra.registryHttp).not.toBe('connected');
    expect(Object.keys(report.hosts)).toEqual(expect.arrayContaining(['172.17.0.1', '127.0.0.1']));
    expect(Object.keys(report.hosts).length).toBeGreaterThanOrEqual(4);
    for (const [host, result] of Object.entries(report.hosts)) {
      // 127.0.0.1 inside the container is the container's own loopback: nothing listens there.
      expect([host, result]).toEqual([host, expect.not.stringMatching(/^connected$/)]);
    }
    expect(Object.values(report.services)).not.toContain('connected');
    expect(report.dns).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(report.dockerSocket).toBe('ENOENT');
    expect(report.platformEnv).toEqual([]);
    expect(arrivals.length).toBe(before);
    recordCase({
      area: 'Escape attempt',
      case: `Install lifecycle script connects to every host address (${Object.keys(report.hosts).join(', ')}), host PostgreSQL/Redis/Docker API, DNS`,
      outcome: `registry.npmjs.org:443 ${report.extra.registry}; every host address ${[...new Set(Object.values(report.hosts))].join('/')}; DNS ${report.dns}; 0 connections reached the test's listener; install failed as the script asked`,
    });
  });
});

describe('When an install runs code of its own', () => {
  test("then its node_modules never reaches the dependency cache, so another learner's install with the same lockfile is clean", async () => {
    const poisoner = helloVariant({
      'package.json': JSON.stringify({
        name: 'fixture-hello',
        version: '1.0.0',
        private: true,
        scripts: { postinstall: "node -e \"require('fs').mkdirSync('node_modules', { recursive: true }); require('fs').writeFileSync('node_modules/POISON', 'x')\"", build: 'node build.js', start: 'node dist/server.js' },
      }),
    });
    const first = await grade(poisoner);
    expect(first.outcome.status).toBe('scored');
    expect(first.outcome.stages.find((s) => s.stage === 'installing')?.detail).toBe('installed, not cached: package.json has a "postinstall" script');
    const cacheFiles = (dir: string): string[] =>
      fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [];
    expect(cacheFiles(path.join(dataDir, 'cache')).filter((file) => file.endsWith('POISON'))).toEqual([]);

    const honest = await grade(helloVariant());
    expect(honest.outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(honest.outcome.stages.find((s) => s.stage === 'installing')?.detail ?? '').not.toMatch(/restored from cache/);
    const again = await grade(helloVariant());
    expect(again.outcome.stages.find((s) => s.stage === 'installing')?.detail).toMatch(/restored from cache/);
    expect(cacheFiles(path.join(dataDir, 'cache')).filter((file) => file.endsWith('POISON'))).toEqual([]);
    recordCase({
      area: 'Escape attempt',
      case: 'postinstall script writes into node_modules to poison the dependency cache of other learners',
      outcome: 'graded (10/10); that install is never cached; the next learner with the same lockfile installs clean, and its own install is cached',
    });
  });

  test.each([
    ['.npmrc', { '.npmrc': 'node-options=--require ./evil.js\n', 'evil.js': "require('fs').mkdirSync('node_modules', { recursive: true });\n" }, 'the project has its own .npmrc'],
  ])('then a project %s is never cached either', async (_name, files, reason) => {
    const { outcome } = await grade(helloVariant(files));
    expect(outcome.status).toBe('scored');
    expect(outcome.stages.find((s) => s.stage === 'installing')?.detail).toBe(`installed, not cached: ${reason}`);
  });
});

describe('When the app tries to get out while it runs', () => {
  test('then no host address, host service or DNS answers, it cannot write results, and it is still graded', async () => {
    const before = arrivals.length;
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const app = helloVariant({
      'escape.js': escapeScript({
        writeResults: "return tryFs(() => { fs.mkdirSync('/out', { recursive: true }); fs.writeFileSync('/out/results.json', '{\"score\":100}'); return 'written'; });",
        readGrader: "return tryFs(() => fs.readdirSync('/grader').join(',') || 'empty');",
        writeOutside: "return tryFs(() => { fs.writeFileSync('/etc/evil', 'x'); return 'written'; });",
      }).replace('%EXIT%', ''),
      'build.js': `${fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'build.js'), 'utf8')}\nrequire('fs').copyFileSync('escape.js', 'dist/escape.js');\n`,
      'server.js': `require('./escape.js');\n${server}`,
    });
    const { outcome } = await grade(app);
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    const report = parseReport(outcome.appLog ?? '');
    expect(Object.values(report.hosts)).not.toContain('connected');
    expect(Object.values(report.services)).not.toContain('connected');
    expect(report.dns).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(report.extra.writeResults).not.toBe('written');
    expect(report.extra.readGrader).toBe('ENOENT');
    expect(report.extra.writeOutside).not.toBe('written');
    expect(report.platformEnv).toEqual([]);
    expect(arrivals.length).toBe(before);
    recordCase({
      area: 'Escape attempt',
      case: 'App connects to every host address and host services, resolves DNS, reads the hidden tests, writes outside its workspace',
      outcome: `graded 10/10; connections ${[...new Set(Object.values(report.hosts))].join('/')}; DNS ${report.dns}; /grader ${report.extra.readGrader}; /etc ${report.extra.writeOutside}`,
    });
    recordCase({ area: 'Forgery', case: 'App writes /out/results.json claiming 100 points', outcome: `refused (${report.extra.writeResults}); the score is the tester's: 10/10 for the honest checks` });
  });
});

describe('When the app abuses resources', () => {
  const server = () => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');

  test('then a fork bomb hits the pids limit and the app is still graded', async () => {
    const bomb = `const { spawn } = require('node:child_process');\nlet spawned = 0, refused = 0;\nfor (let i = 0; i < 2000; i++) { try { const c = spawn('sleep', ['600']); c.on('error', () => refused++); spawned++; } catch { refused++; } }\nsetTimeout(() => console.log('fork bomb: spawned ' + spawned + ', refused ' + refused), 500);\n`;
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${bomb}${server()}` }), { pids: 64 });
    expect(outcome.status).toBe('scored');
    expect(outcome.appLog).toMatch(/fork bomb: spawned \d+, refused [1-9]\d*/);
    expect(seconds).toBeLessThan(120);
    recordCase({ area: 'Hostile submission', case: 'Fork bomb (2000 processes, pids limit 64)', outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; ${/fork bomb: [^\n]*/.exec(outcome.appLog ?? '')?.[0]}`, seconds });
  });

  test('then 200 MB written to stdout is cut to the log cap and the app is still graded', async () => {
    const flood = "const line = Buffer.from('x'.repeat(1023) + '\\n'); for (let i = 0; i < 200 * 1024; i++) require('node:fs').writeSync(1, line);\n";
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${flood}${server()}` }));
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(Buffer.byteLength(outcome.appLog ?? '')).toBeLessThanOrEqual(300 * 1024);
    recordCase({ area: 'Hostile submission', case: '200 MB written to stdout', outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; log kept: ${Math.round(Buffer.byteLength(outcome.appLog ?? '') / 1024)} KB`, seconds });
  });

  test('then filling /tmp stops at its size cap and the app is still graded', async () => {
    const fill = "let written = 0; try { const chunk = Buffer.alloc(1 << 20); for (;;) { require('node:fs').appendFileSync('/tmp/fill', chunk); written++; } } catch (e) { console.log('tmp full after ' + written + ' MB: ' + e.code); require('node:fs').rmSync('/tmp/fill'); }\n";
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${fill}${server()}` }), { tmpMb: 32 });
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(outcome.appLog).toMatch(/tmp full after (2\d|3[0-2]) MB: ENOSPC/);
    recordCase({ area: 'Hostile submission', case: 'Filling /tmp (tmpfs capped at 32 MB)', outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; ${/tmp full after [^\n]*/.exec(outcome.appLog ?? '')?.[0]}`, seconds });
  });

  test('then a CPU spin at import time ends as "never listened" within the boot limit', async () => {
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `for (;;) {}\n${server()}` }), { bootSeconds: 8 });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/did not (start )?listen|never listened|within 8 s/i);
    expect(seconds).toBeLessThan(90);
    recordCase({ area: 'Hostile submission', case: 'CPU spin at import time (boot limit 8 s)', outcome: `${outcome.status}: ${(outcome.message ?? '').split('.')[0]}`, seconds });
  });

  test('then an app that crashes in the middle of the suite loses the checks after the crash, and the result is stored', async () => {
    const crash = "let served = 0; const realEmit = require('node:http').Server.prototype.emit; require('node:http').Server.prototype.emit = function (event, ...args) { if (event === 'request' && ++served > 1) process.exit(3); return realEmit.call(this, event, ...args); };\n";
    const { outcome } = await grade(helloVariant({ 'server.js': `${crash}${server()}` }));
    expect(outcome.status).toBe('scored');
    expect(outcome.score).toBeLessThan(10);
    expect(outcome.tests.some((t) => t.status === 'passed')).toBe(true);
    recordCase({ area: 'Hostile submission', case: 'App crashes in the middle of the suite', outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}: the checks before the crash keep their points` });
  });

  test('then, after all of that, an honest submission is graded in full', async () => {
    const { outcome, seconds } = await grade(helloVariant());
    expect(outcome).toMatchObject({ status: 'scored', score: 10, maxScore: 10 });
    recordCase({ area: 'Hostile submission', case: 'Honest submission after the hostile ones', outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}`, seconds });
  });
});
