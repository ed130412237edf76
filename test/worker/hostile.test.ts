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
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import request from 'supertest';
import { storeOutcome, type Outcome } from '../../core/models/results';
import { gradeSubmission, newJobId } from '../../worker/gradeSubmission';
import { JOB_LABEL } from '../../worker/sandbox/sandbox';
import { ensureRegistryNetwork } from '../../worker/sandbox/registryNetwork';
import { LEARNER_UID } from '../../worker/stages/context';
import { fixtureExercise, helloPackageJson, helloVariant, testGradeEnvironment } from '../support/fixtures';
import { hostAddresses, recordCase } from '../support/securityCases';
import { Browser, csrfTokenOf, startWebTestContext, type WebApp, type WebTestContext } from '../web/support';

jest.setTimeout(240_000);

const docker = new Docker();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-hostile-'));
const NAMESPACE = 'test-hostile';
let listener: net.Server;
let port: number;
const arrivals: string[] = [];

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
  if (web) await (await web).context.close();
  await new Promise((resolve) => listener.close(resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Grades one app folder through the real pipeline. `jobId` lets a test know a job's folder before it
 * exists; `onStage` runs inside the worker's stage callback, while the job is at that stage.
 */
async function grade(dir: string, limits: Record<string, number> = {}, options: { jobId?: string; onStage?: (stage: string) => Promise<void> | void } = {}) {
  const jobId = options.jobId ?? newJobId();
  const stages: { stage: string; detail?: string }[] = [];
  const started = Date.now();
  const outcome = await gradeSubmission(
    { jobId, exercise: fixtureExercise(limits), source: { kind: 'local', path: dir, ref: null }, subdir: null },
    testGradeEnvironment(docker, NAMESPACE, dataDir, {
      httpHosts: [],
      jobTimeoutMs: 200_000,
      onStage: async (stage, _at, detail) => {
        stages.push({ stage, detail });
        await options.onStage?.(stage);
      },
    }),
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
const run = (command, args) => {
  const result = require('node:child_process').spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  if (result.error) return result.error.code || 'error';
  return 'exit ' + result.status + ': ' + ((result.status === 0 ? result.stdout : result.stderr || result.stdout).trim().split('\\n')[0] || '(no output)');
};
const sha256 = (text) => require('node:crypto').createHash('sha256').update(text).digest('hex');
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
  const workerValues = new Set(${JSON.stringify(workerEnvHashes())});
  report.workerEnv = Object.entries(process.env).filter(([, value]) => workerValues.has(sha256(value))).map(([name]) => name);
  ${Object.entries(extra)
    .map(([name, code]) => `report.extra[${JSON.stringify(name)}] = await (async () => { ${code} })();`)
    .join('\n  ')}
  console.log('ESCAPE ' + JSON.stringify(report));
  ${'%EXIT%'}
})();
`;
}

/**
 * sha256 of each value of this process's environment (the worker's, in production) that could be a
 * secret: the app is given the hashes, never the values, and names every variable of its own whose
 * value matches one. Left out: what any shell or npm sets alike in both (paths, npm's own settings),
 * and paths of files on this host (the install is handed the CA bundle's path on purpose).
 */
function workerEnvHashes(): string[] {
  const generic = /^(npm_|PATH$|PWD$|OLDPWD$|HOME$|SHELL$|TERM|LANG|LC_|USER$|LOGNAME$|HOSTNAME$|NODE$|INIT_CWD$|_$|SHLVL$|COLOR$|EDITOR$)/;
  return Object.entries(process.env)
    .filter(([name, value]) => !generic.test(name) && (value ?? '').length >= 8 && !(value!.startsWith('/') && fs.existsSync(value!)))
    .map(([, value]) => crypto.createHash('sha256').update(value!).digest('hex'));
}

function parseReport(text: string): {
  hosts: Record<string, string>;
  services: Record<string, string>;
  dns: string;
  dockerSocket: string;
  platformEnv: string[];
  workerEnv: string[];
  extra: Record<string, string>;
} {
  const line = text.split('\n').find((l) => l.includes('ESCAPE {'));
  if (!line) throw new Error(`no ESCAPE report in:\n${text.slice(-2000)}`);
  return JSON.parse(line.slice(line.indexOf('ESCAPE ') + 7));
}

/** What no escape may reach: the Docker socket, the platform's or the worker's variables, the test's own listener on the host. */
function expectHostUntouched(report: ReturnType<typeof parseReport>, arrivalsBefore: number): void {
  expect(report.dockerSocket).toBe('ENOENT');
  expect(report.platformEnv).toEqual([]);
  expect(report.workerEnv).toEqual([]);
  expect(arrivals.length).toBe(arrivalsBefore);
}

describe('When a lifecycle script tries to get out during the install', () => {
  test('then only the package registry answers: no host address, no host service, no DNS', async () => {
    const before = arrivals.length;
    const app = helloVariant({
      'escape.js': escapeScript({
        registry: "return await attempt('registry.npmjs.org', 443);",
        registryHttp: "return await attempt('registry.npmjs.org', 80);",
      }).replace('%EXIT%', 'process.exit(1);'),
      'package.json': helloPackageJson({ preinstall: 'node escape.js' }),
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
    expectHostUntouched(report, before);
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
      'package.json': helloPackageJson({
        postinstall: "node -e \"require('fs').mkdirSync('node_modules', { recursive: true }); require('fs').writeFileSync('node_modules/POISON', 'x')\"",
      }),
    });
    const first = await grade(poisoner);
    expect(first.outcome.status).toBe('scored');
    expect(first.outcome.stages.find((s) => s.stage === 'installing')?.detail).toContain('not cached: package.json has a "postinstall" script');
    const cacheFiles = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) : []);
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
    [
      '.npmrc',
      { '.npmrc': 'node-options=--require ./evil.js\n', 'evil.js': "require('fs').mkdirSync('node_modules', { recursive: true });\n" },
      'the project has its own .npmrc',
    ],
  ])('then a project %s is never cached either', async (_name, files, reason) => {
    const { outcome } = await grade(helloVariant(files));
    expect(outcome.status).toBe('scored');
    expect(outcome.stages.find((s) => s.stage === 'installing')?.detail).toContain(`not cached: ${reason}`);
  });
});

describe('When the app tries to get out while it runs', () => {
  test('then no host address, host service, DNS, Docker socket or worker secret is reachable, it cannot write results, and it is still graded', async () => {
    const before = arrivals.length;
    // A value only the worker's environment holds: an app given the worker's environment would name it.
    process.env.BP_HOSTILE_CANARY = `canary-${crypto.randomBytes(12).toString('hex')}`;
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const app = helloVariant({
      'escape.js': escapeScript({
        writeResults:
          "return tryFs(() => { fs.mkdirSync('/out', { recursive: true }); fs.writeFileSync('/out/results.json', '{\"score\":100}'); return 'written'; });",
        readGrader: "return tryFs(() => fs.readdirSync('/grader').join(',') || 'empty');",
        writeOutside: "return tryFs(() => { fs.writeFileSync('/etc/evil', 'x'); return 'written'; });",
      }).replace('%EXIT%', ''),
      'build.js': `${fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'build.js'), 'utf8')}\nrequire('fs').copyFileSync('escape.js', 'dist/escape.js');\n`,
      'server.js': `require('./escape.js');\n${server}`,
    });
    const { outcome } = await grade(app).finally(() => delete process.env.BP_HOSTILE_CANARY);
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    const report = parseReport(outcome.appLog ?? '');
    expect(Object.values(report.hosts)).not.toContain('connected');
    expect(Object.values(report.services)).not.toContain('connected');
    expect(report.dns).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(report.extra.writeResults).not.toBe('written');
    expect(report.extra.readGrader).toBe('ENOENT');
    expect(report.extra.writeOutside).not.toBe('written');
    expectHostUntouched(report, before);
    recordCase({
      area: 'Escape attempt',
      case: 'App connects to every host address and host services, resolves DNS, reads the hidden tests, writes outside its workspace',
      outcome: `graded 10/10; connections ${[...new Set(Object.values(report.hosts))].join('/')}; DNS ${report.dns}; /grader ${report.extra.readGrader}; /etc ${report.extra.writeOutside}`,
    });
    recordCase({
      area: 'Escape attempt',
      case: "App looks for the Docker socket and for the worker's environment (a canary variable set in the worker, every worker value hashed)",
      outcome: `/var/run/docker.sock ${report.dockerSocket}; ${report.workerEnv.length} of the app's variables carry a worker value; no platform secret names`,
    });
    recordCase({
      area: 'Forgery',
      case: 'App writes /out/results.json claiming 100 points',
      outcome: `refused (${report.extra.writeResults}); the score is the tester's: 10/10 for the honest checks`,
    });
  });
});

/**
 * Output a hostile app writes, each piece between plain words: invalid UTF-8 (0xff 0xfe, a cut
 * 3-byte sequence, overlong encodings, surrogates encoded as bytes), ANSI escapes (colour, cursor
 * movement, OSC title and hyperlink, charset and reset escapes), NUL and other C0 controls, HTML.
 */
const GARBAGE: [fd: 1 | 2, parts: (string | number[])[]][] = [
  [1, ['utf8-ff:', [0xff, 0xfe], ':alpha\n']],
  [1, ['utf8-cut:', [0xe2, 0x82], ':beta\n']],
  [1, ['utf8-overlong:', [0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xf0, 0x80, 0x80, 0xaf], ':gamma\n']],
  [1, ['utf8-surrogate:', [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80], ':delta\n']],
  [1, ['ansi:\x1b[31mred\x1b[0m \x1b[2J\x1b[H\x1b[10A\x1b[?25lmoved\x1b]0;x\x07:osc-gone\n']],
  [1, ['osc8:\x1b]8;;http://127.0.0.1/\x1b\\link\x1b]8;;\x1b\\:end\n']],
  // `tput sgr0` ends with ESC ( B; ESC 7 / ESC 8 save and restore the cursor, ESC c resets the terminal.
  [1, ['esc:\x1b(B\x1b7\x1bcplain\x1b8\x1b=:end\n']],
  [1, ['nul:\x00:end\n']],
  [1, ['c0:\x01\x02\x07\x08\x0b\x0c\x0e\x1f\x7f:end\n']],
  [1, ['tab:\tkept\n']],
  [1, ['html:<script>alert(1)</script> <img src=x onerror=alert(2)>\n']],
  [2, ['stderr:', [0xff], '\x1b[1mbold\x1b[0m\x00:epsilon\n']],
];

/** What must be left of GARBAGE: every plain word, the HTML as text (U+FFFD may stand for bad bytes). */
const GARBAGE_KEPT: (string | RegExp)[] = [
  /^utf8-ff:\uFFFD*:alpha$/m,
  /^utf8-cut:\uFFFD*:beta$/m,
  /^utf8-overlong:\uFFFD*:gamma$/m,
  /^utf8-surrogate:\uFFFD*:delta$/m,
  /^ansi:red moved:osc-gone$/m,
  /^osc8:link:end$/m,
  /^esc:plain:end$/m,
  /^nul::end$/m,
  /^c0::end$/m,
  /^tab:\tkept$/m,
  'html:<script>alert(1)</script> <img src=x onerror=alert(2)>',
  /^stderr:\uFFFD*bold:epsilon$/m,
];

function garbageScript(): string {
  return `const fs = require('node:fs');\nfor (const [fd, parts] of ${JSON.stringify(GARBAGE)}) fs.writeSync(fd, Buffer.concat(parts.map((part) => Buffer.from(part))));\n`;
}

/** Safe to store (PostgreSQL text) and to show: valid UTF-8, no lone surrogate, no NUL, ESC or other control but newline and tab. */
function expectSafeText(text: string): void {
  expect(Buffer.from(text, 'utf8').toString('utf8') === text).toBe(true);
  expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
}

function expectGarbageKept(text: string): void {
  for (const kept of GARBAGE_KEPT) {
    if (typeof kept === 'string') expect(text).toContain(kept);
    else expect(text).toMatch(kept);
  }
}

/** The real web server on a fresh database, started on first use by the tests that render a stored outcome. */
let web: Promise<{ context: WebTestContext; app: WebApp }> | undefined;

/** Stores an outcome as the submission of a new learner, and returns that learner's submission page. */
async function renderStored(outcome: Outcome, login: string): Promise<string> {
  web ??= startWebTestContext().then(async (context) => ({ context, app: await context.startApp() }));
  const { app } = await web;
  const learner = new Browser(app);
  await learner.signIn(login);
  const form = await learner.get('/phases/phase-1-auth');
  // Queued on the test's own queue, which no worker reads: the outcome below is the one shown.
  const created = await request(app.server)
    .post('/phases/phase-1-auth/submissions')
    .set('Cookie', learner.cookie)
    .type('form')
    .send({ repo_url: `https://github.com/${login}/app`, _csrf: csrfTokenOf(form.text) });
  const id = /^\/submissions\/([0-9a-f-]{36})$/.exec(created.headers.location ?? '')?.[1];
  if (!id) throw new Error(`no submission created: ${created.status} ${created.text.slice(0, 300)}`);
  await storeOutcome(id, outcome);
  const page = await learner.get(`/submissions/${id}`);
  expect(page.status).toBe(200);
  return page.text;
}

/** The page shows the HTML the app wrote as text, never as markup. */
function expectEscapedPage(html: string): void {
  expect(html).toContain('html:&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;');
  expect(html).not.toMatch(/<script>alert/i);
  expect(html).not.toMatch(/<img src=x/i);
  expect(html).not.toContain('\u0000');
  expect(html).not.toContain('\u001b');
}

describe('When the app writes hostile output and tries to gain privileges', () => {
  test('then every privilege attempt fails, the app is graded 10/10, and its log is stored as valid, plain text that the page escapes', async () => {
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const learnerUid = LEARNER_UID.split(':')[0];
    const app = helloVariant({
      'garbage.js': garbageScript(),
      'escape.js': escapeScript({
        // The learner may set the bit on its own copy; it can only ever give the learner's uid.
        setuidCopy:
          "fs.copyFileSync('/usr/bin/id', '/workspace/suid-id'); fs.chmodSync('/workspace/suid-id', 0o4755); return (fs.statSync('/workspace/suid-id').mode & 0o4000 ? 'setuid bit set, ' : 'no setuid bit, ') + run('/workspace/suid-id', ['-u']);",
        // mount is setuid root in the image: no-new-privileges keeps the caller's uid.
        setuidRootMount:
          "const st = fs.statSync('/usr/bin/mount'); return (st.uid === 0 && st.mode & 0o4000 ? 'setuid root, ' : 'not setuid root, ') + run('/usr/bin/mount', ['-t', 'tmpfs', 'none', '/tmp']);",
        setuid0: "try { process.setuid(0); return 'uid ' + process.getuid(); } catch (e) { return e.code || e.message; }",
        setgid0: "try { process.setgid(0); return 'gid ' + process.getgid(); } catch (e) { return e.code || e.message; }",
        unshareMapRoot: "return run('unshare', ['-r', 'id', '-u']);",
        unshareUser: "return run('unshare', ['--user', 'id', '-u']);",
        mountTmpfs: "return run('mount', ['-t', 'tmpfs', 'none', '/workspace']);",
        chroot: "return run('/usr/sbin/chroot', ['/', '/usr/bin/id', '-u']);",
        procSys: "return tryFs(() => { fs.writeFileSync('/proc/sys/kernel/hostname', 'pwned'); return 'written'; });",
        sysrq: "return tryFs(() => { fs.writeFileSync('/proc/sysrq-trigger', 'h'); return 'written'; });",
        // The services container shares the network namespace, not the pid namespace.
        servicesProcesses:
          "const pids = fs.readdirSync('/proc').filter((name) => /^\\d+$/.test(name)); const lines = pids.map((pid) => String(tryFs(() => fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').join(' ').trim()))); const services = lines.filter((line) => /postgres|redis-server/.test(line)); return services.length ? 'visible: ' + services.join('; ') : 'none of ' + pids.length + ' processes; pid 1 is ' + lines[pids.indexOf('1')];",
        proc1Environ:
          "const env = tryFs(() => fs.readFileSync('/proc/1/environ', 'utf8')); return /^E[A-Z]+$/.test(env) ? env : env.includes('POSTGRES_SUPERUSER_PASSWORD') ? 'services environment' : 'own container: ' + env.split('\\0').filter(Boolean).length + ' variables, no POSTGRES_SUPERUSER_PASSWORD';",
      }).replace('%EXIT%', ''),
      'build.js': `${fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'build.js'), 'utf8')}\nrequire('fs').copyFileSync('escape.js', 'dist/escape.js');\nrequire('fs').copyFileSync('garbage.js', 'dist/garbage.js');\n`,
      'server.js': `require('./garbage.js');\nrequire('./escape.js');\n${server}`,
    });
    const { outcome, seconds } = await grade(app);
    expect(outcome).toMatchObject({ status: 'scored', score: 10, maxScore: 10 });
    const report = parseReport(outcome.appLog ?? '');
    const { extra } = report;
    const failed = /^(exit [1-9]\d*: .+|E[A-Z]+)$/;
    expect(extra.setuidCopy).toBe(`setuid bit set, exit 0: ${learnerUid}`);
    expect(extra.setuidRootMount).toMatch(/^setuid root, exit [1-9]\d*: /);
    for (const name of ['setuid0', 'setgid0', 'unshareMapRoot', 'unshareUser', 'mountTmpfs', 'chroot', 'procSys', 'sysrq']) {
      expect([name, extra[name]]).toEqual([name, expect.stringMatching(failed)]);
    }
    expect(extra.servicesProcesses).toMatch(/^none of \d+ processes; pid 1 is /);
    expect(extra.proc1Environ).not.toBe('services environment');

    const appLog = outcome.appLog ?? '';
    expectSafeText(appLog);
    expectGarbageKept(appLog);
    const page = await renderStored(outcome, 'hostile-hal');
    expectEscapedPage(page);
    expect(page).toContain('ansi:red moved:osc-gone');

    recordCase({
      area: 'Escape attempt',
      case: "App tries to gain privileges: setuid copy and setuid-root mount, setuid(0)/setgid(0), unshare -r/--user, mount tmpfs, chroot, write /proc/sys and /proc/sysrq-trigger, look for the services container's processes and environment",
      outcome: `graded 10/10; setuid copy runs as uid ${learnerUid}; mount ${extra.setuidRootMount.replace(/^setuid root, /, '')}; setuid(0) ${extra.setuid0}; unshare -r ${extra.unshareMapRoot}; chroot ${extra.chroot}; /proc/sys ${extra.procSys}; services processes: ${extra.servicesProcesses}; /proc/1/environ: ${extra.proc1Environ}`,
      seconds,
    });
    recordCase({
      area: 'Output abuse',
      case: 'App log with invalid UTF-8 (ff fe, cut 3-byte, overlong, ed a0 80), ANSI colour/cursor/OSC/charset escapes, NUL and C0 controls, <script> and <img onerror>',
      outcome:
        'stored as valid UTF-8 without NUL, ESC or controls, every word around the garbage kept, HTML kept as text; the submission page shows it escaped',
      seconds,
    });
  });

  test.each([
    ['build', { build: 'node garbage.js && exit 1', start: 'node dist/server.js' }, '`npm run build` failed'],
    ['install', { preinstall: 'node garbage.js && exit 1', build: 'node build.js', start: 'node dist/server.js' }, '`npm ci --no-audit --no-fund` failed'],
  ])('then hostile %s output is quoted in the error message as valid, plain text that the page escapes', async (step, scripts, failure) => {
    const app = helloVariant({
      'garbage.js': garbageScript(),
      'package.json': JSON.stringify({ name: 'fixture-hello', version: '1.0.0', private: true, scripts }),
    });
    const { outcome, seconds } = await grade(app);
    expect(outcome.status).toBe('error');
    const message = outcome.message ?? '';
    expect(message).toContain(failure);
    // What the learner reads is their own output, not the platform's configuration noise.
    expect(message).not.toMatch(/Unknown (env|user|project) config/);
    expectSafeText(message);
    expectGarbageKept(message);
    const page = await renderStored(outcome, `hostile-${step}`);
    expectEscapedPage(page);
    recordCase({
      area: 'Output abuse',
      case: `Failing ${step} whose output carries invalid UTF-8, ANSI escapes, NUL and C0 controls, and HTML`,
      outcome: 'the error message quotes it as valid UTF-8 without NUL, ESC or controls, words kept, HTML as text; the page shows it escaped',
      seconds,
    });
  });

  test('then a log cut at the cap inside a multi-byte character is still valid text', async () => {
    // 9-byte units of 2-, 3- and 4-byte characters, written last: the 64 KB cap then starts inside
    // one of them whatever came before (65535 bytes before the final newline is 6 bytes into a unit).
    const unit = 'é€😀';
    const flood = `const text = ${JSON.stringify(unit)}.repeat(20000) + '\\n'; require('node:http').Server.prototype.listen = ((listen) => function (...args) { const server = listen.apply(this, args); server.once('listening', () => process.stdout.write(text)); return server; })(require('node:http').Server.prototype.listen);\n`;
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${flood}${server}` }));
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    const appLog = outcome.appLog ?? '';
    expectSafeText(appLog);
    const cut = /^\[… (\d+) earlier bytes cut …\]\n/.exec(appLog);
    expect(cut).not.toBeNull();
    const body = appLog.slice(cut![0].length);
    // The broken character at the start is replaced, never half kept; the rest is whole units.
    const broken = /^\uFFFD*/.exec(body)![0].length;
    expect(broken).toBeGreaterThanOrEqual(1);
    expect(broken).toBeLessThanOrEqual(3);
    expect(body.slice(broken)).toMatch(/^(?:€😀|😀)?(?:é€😀)+\n$/u);
    recordCase({
      area: 'Output abuse',
      case: '64 KB app log cap cuts inside a multi-byte character (180 KB of 2/3/4-byte characters)',
      outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; ${cut![1]} bytes cut; the split character is stored as ${broken} U+FFFD, the rest whole and valid UTF-8`,
      seconds,
    });
  });
});

describe('When two jobs are graded at once', () => {
  test("then one job's app finds no trace of the other's checkout or results, by host path or in its own container", async () => {
    const jobA = newJobId();
    const jobB = newJobId();
    const tokenA = `job-a-${crypto.randomBytes(6).toString('hex')}`;
    const tokenB = `job-b-${crypto.randomBytes(6).toString('hex')}`;
    const hostA = path.join(dataDir, 'jobs', jobA);
    // Job A's build waits until the test lets it go, so A's folders exist for as long as B looks.
    const release = () => fs.existsSync(path.join(hostA, 'checkout')) && fs.writeFileSync(path.join(hostA, 'checkout', 'release'), 'go');
    const appA = helloVariant({
      [`${tokenA}.txt`]: 'secret of job A',
      'wait.js': "const fs = require('node:fs'); const poll = () => (fs.existsSync('release') ? console.log('released') : setTimeout(poll, 200)); poll();\n",
      'package.json': JSON.stringify({
        name: 'fixture-hello',
        version: '1.0.0',
        private: true,
        scripts: { build: 'node wait.js && node build.js', start: 'node dist/server.js' },
      }),
    });
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const look = `
const fs = require('node:fs');
const path = require('node:path');
const tryFs = (fn) => { try { return fn(); } catch (e) { return e.code || 'error'; } };
const report = { hostPaths: {}, containerPaths: {} };
for (const target of ${JSON.stringify([path.join(hostA, 'checkout', `${tokenA}.txt`), path.join(hostA, 'checkout'), path.join(hostA, 'out'), path.join(dataDir, 'jobs'), dataDir])}) {
  report.hostPaths[target] = tryFs(() => (fs.statSync(target).isDirectory() ? 'listed: ' + fs.readdirSync(target).join(',') : 'read: ' + fs.readFileSync(target, 'utf8')));
}
for (const target of ['/out', '/submission', '/jobs', '/workspace/../jobs']) report.containerPaths[target] = tryFs(() => fs.readdirSync(target).join(',') || 'empty');
report.workspace = fs.readdirSync('/workspace');
// Every name this container can see, outside /proc, /sys and /dev: where either job's token shows up.
const found = { a: [], b: [] };
let scanned = 0;
const walk = (dir) => {
  const entries = tryFs(() => fs.readdirSync(dir, { withFileTypes: true }));
  if (!Array.isArray(entries)) return;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    scanned++;
    if (entry.name.includes(${JSON.stringify(tokenA)})) found.a.push(full);
    if (entry.name.includes(${JSON.stringify(tokenB)})) found.b.push(full);
    if (entry.isDirectory() && !['/proc', '/sys', '/dev'].includes(full)) walk(full);
  }
};
walk('/');
report.scanned = scanned;
report.found = found;
// Where this container has file systems mounted, as the kernel lists them: the kernel's own, and the
// files Docker adds to every container (its /etc files, the init process), aside.
report.mounts = [...new Set(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\\n').filter(Boolean).map((line) => line.split(' ')[4]))]
  .filter((point) => !/^\\/(proc|sys|dev)(\\/|$)/.test(point) && !['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/usr/sbin/docker-init'].includes(point))
  .sort();
console.log('NEIGHBOUR ' + JSON.stringify(report));
`;
    const appB = helloVariant({
      [`${tokenB}.txt`]: 'own file of job B',
      'look.js': look,
      'build.js': `${fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'build.js'), 'utf8')}\nrequire('fs').copyFileSync('look.js', 'dist/look.js');\n`,
      'server.js': `require('./look.js');\n${server}`,
    });

    let aStarted!: () => void;
    const aInstalling = new Promise<void>((resolve) => (aStarted = resolve));
    const gradingA = grade(appA, {}, { jobId: jobA, onStage: (stage) => void (stage === 'installing' && aStarted()) });
    const aSeen: Record<string, boolean> = {};
    let gradingB: ReturnType<typeof grade> | undefined;
    try {
      await Promise.race([aInstalling, gradingA]);
      gradingB = grade(
        appB,
        {},
        {
          jobId: jobB,
          onStage: (stage) => {
            // B's app looks between these two stages; A's checkout is there at both, and A cannot end before release.
            if (stage === 'starting' || stage === 'testing') aSeen[stage] = fs.existsSync(path.join(hostA, 'checkout', `${tokenA}.txt`));
            if (stage === 'testing') release();
          },
        },
      );
      await gradingB.catch(() => undefined);
    } finally {
      release();
    }
    const [a, b] = await Promise.all([gradingA, gradingB]);
    expect(aSeen).toEqual({ starting: true, testing: true });
    expect(a.outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(b.outcome).toMatchObject({ status: 'scored', score: 10 });
    const line = (b.outcome.appLog ?? '').split('\n').find((l) => l.startsWith('NEIGHBOUR {'));
    if (!line) throw new Error(`no NEIGHBOUR report in:\n${(b.outcome.appLog ?? '').slice(-2000)}`);
    const report = JSON.parse(line.slice('NEIGHBOUR '.length)) as {
      hostPaths: Record<string, string>;
      containerPaths: Record<string, string>;
      workspace: string[];
      scanned: number;
      found: { a: string[]; b: string[] };
      mounts: string[];
    };
    for (const [target, result] of Object.entries(report.hostPaths)) expect([target, result]).toEqual([target, expect.stringMatching(/^(ENOENT|EACCES)$/)]);
    for (const [target, result] of Object.entries(report.containerPaths))
      expect([target, result]).toEqual([target, expect.stringMatching(/^(ENOENT|EACCES)$/)]);
    expect(report.workspace).toContain(`${tokenB}.txt`);
    expect(report.workspace).not.toContain(`${tokenA}.txt`);
    // The walk does see the container's own files (B's token, in /workspace), and nowhere A's.
    expect(report.found.b).toContain(`/workspace/${tokenB}.txt`);
    expect(report.found.a).toEqual([]);
    expect(report.scanned).toBeGreaterThan(1000);
    // One file system from the host: its own workspace; the rest is the image and its private /tmp.
    expect(report.mounts).toEqual(['/', '/tmp', '/workspace']);
    recordCase({
      area: 'Escape attempt',
      case: "While job A is being graded, job B's app reads A's checkout and results by the worker's host paths, lists its /workspace and walks its whole filesystem for A's files",
      outcome: `both graded 10/10; host paths ${[...new Set(Object.values(report.hostPaths))].join('/')}; /out ${report.containerPaths['/out']}; A's file found in none of ${report.scanned} names B can see; B's mounts: ${report.mounts.join(', ')}`,
      seconds: Math.max(a.seconds, b.seconds),
    });
  });
});

describe('When the build never ends', () => {
  test('then it is stopped at the build limit with an explained error', async () => {
    const app = helloVariant({
      'package.json': helloPackageJson({ build: 'echo building forever && sleep infinity' }),
    });
    const { outcome, seconds } = await grade(app, { buildSeconds: 5 });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/^`npm run build` took longer than the 5 s build limit/);
    const building = outcome.stages.find((s) => s.stage === 'building')!;
    const buildSeconds = (building.finishedAt!.getTime() - building.startedAt.getTime()) / 1000;
    expect(buildSeconds).toBeGreaterThanOrEqual(5);
    expect(buildSeconds).toBeLessThan(5 + 5);
    recordCase({
      area: 'Hostile submission',
      case: 'Build script that sleeps forever (build limit 5 s)',
      outcome: `${outcome.status}: ${outcome.message}; the build stage lasted ${buildSeconds.toFixed(1)} s`,
      seconds,
    });
  });
});

describe('When the app abuses resources', () => {
  const server = () => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');

  test('then a fork bomb hits the pids limit and the app is still graded', async () => {
    const bomb = `const { spawn } = require('node:child_process');\nlet spawned = 0, refused = 0;\nfor (let i = 0; i < 2000; i++) { try { const c = spawn('sleep', ['600']); c.on('error', () => refused++); spawned++; } catch { refused++; } }\nsetTimeout(() => console.log('fork bomb: spawned ' + spawned + ', refused ' + refused), 500);\n`;
    // 2000 refused spawns before the app listens take a few seconds on an idle machine and more than
    // the default 15 s boot limit beside the rest of the suite (seen in CI-like runs): the boot limit
    // is not what is tested here, the pids limit is.
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${bomb}${server()}` }), { pids: 64, bootSeconds: 90 });
    expect(outcome.status).toBe('scored');
    expect(outcome.appLog).toMatch(/fork bomb: spawned \d+, refused [1-9]\d*/);
    expect(seconds).toBeLessThan(120);
    recordCase({
      area: 'Hostile submission',
      case: 'Fork bomb (2000 processes, pids limit 64)',
      outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; ${/fork bomb: [^\n]*/.exec(outcome.appLog ?? '')?.[0]}`,
      seconds,
    });
  });

  test('then 200 MB written to stdout is cut to the log cap and the app is still graded', async () => {
    const flood = "const line = Buffer.from('x'.repeat(1023) + '\\n'); for (let i = 0; i < 200 * 1024; i++) require('node:fs').writeSync(1, line);\n";
    // Pushing 200 MB through the attach stream takes the app ~10 s before it listens on an idle
    // machine and longer beside the rest of the suite: the boot limit here is not what is tested.
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${flood}${server()}` }), { bootSeconds: 90 });
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(Buffer.byteLength(outcome.appLog ?? '')).toBeLessThanOrEqual(300 * 1024);
    recordCase({
      area: 'Hostile submission',
      case: '200 MB written to stdout',
      outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; log kept: ${Math.round(Buffer.byteLength(outcome.appLog ?? '') / 1024)} KB`,
      seconds,
    });
  });

  test('then filling /tmp stops at its size cap and the app is still graded', async () => {
    const fill =
      "let written = 0; try { const chunk = Buffer.alloc(1 << 20); for (;;) { require('node:fs').appendFileSync('/tmp/fill', chunk); written++; } } catch (e) { console.log('tmp full after ' + written + ' MB: ' + e.code); require('node:fs').rmSync('/tmp/fill'); }\n";
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `${fill}${server()}` }), { tmpMb: 32 });
    expect(outcome).toMatchObject({ status: 'scored', score: 10 });
    expect(outcome.appLog).toMatch(/tmp full after (2\d|3[0-2]) MB: ENOSPC/);
    recordCase({
      area: 'Hostile submission',
      case: 'Filling /tmp (tmpfs capped at 32 MB)',
      outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}; ${/tmp full after [^\n]*/.exec(outcome.appLog ?? '')?.[0]}`,
      seconds,
    });
  });

  test('then a CPU spin at import time ends as "never listened" within the boot limit', async () => {
    const { outcome, seconds } = await grade(helloVariant({ 'server.js': `for (;;) {}\n${server()}` }), { bootSeconds: 8 });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/did not (start )?listen|never listened|within 8 s/i);
    expect(seconds).toBeLessThan(90);
    recordCase({
      area: 'Hostile submission',
      case: 'CPU spin at import time (boot limit 8 s)',
      outcome: `${outcome.status}: ${(outcome.message ?? '').split('.')[0]}`,
      seconds,
    });
  });

  test('then an app that crashes in the middle of the suite loses the checks after the crash, and the result is stored', async () => {
    const crash =
      "let served = 0; const realEmit = require('node:http').Server.prototype.emit; require('node:http').Server.prototype.emit = function (event, ...args) { if (event === 'request' && ++served > 1) process.exit(3); return realEmit.call(this, event, ...args); };\n";
    const { outcome } = await grade(helloVariant({ 'server.js': `${crash}${server()}` }));
    expect(outcome.status).toBe('scored');
    expect(outcome.score).toBeLessThan(10);
    expect(outcome.tests.some((t) => t.status === 'passed')).toBe(true);
    recordCase({
      area: 'Hostile submission',
      case: 'App crashes in the middle of the suite',
      outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}: the checks before the crash keep their points`,
    });
  });

  test('then, after all of that, an honest submission is graded in full', async () => {
    const { outcome, seconds } = await grade(helloVariant());
    expect(outcome).toMatchObject({ status: 'scored', score: 10, maxScore: 10 });
    recordCase({
      area: 'Hostile submission',
      case: 'Honest submission after the hostile ones',
      outcome: `${outcome.status} ${outcome.score}/${outcome.maxScore}`,
      seconds,
    });
  });
});
