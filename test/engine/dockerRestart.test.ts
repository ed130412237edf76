/**
 * Fault: the Docker engine restarts in the middle of a grading job. Every container of the job is
 * stopped by the engine (exit 143) — which, left alone, reads exactly like a learner's app that
 * exited or an install that failed. The job must end as a retried infrastructure fault, then be
 * graded honestly, with one result and nothing of the killed attempt left.
 *
 * This file restarts the suite's one shared engine, so `npm test` runs it in a pass of its own,
 * with nothing else using Docker (scripts/test.ts). It also proves the install network's firewall
 * on an engine that just restarted, and on a "fresh machine": with the network, the chain and the
 * rules all removed, the next install sets them up again before it runs.
 *
 * Escape probes aim only at a listener this test runs on the host's own addresses, and at the
 * package registry (which the install step is meant to reach).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { canRestartDocker, restartDocker } from '../../scripts/services';
import { selectOptionalResult } from '../../core/models/results';
import { selectOptionalSubmission, type Submission } from '../../core/models/submissions';
import { EngineInterruptedError } from '../../worker/errors';
import { DockerSandbox, ENGINE_SENTINEL } from '../../worker/sandbox/dockerDriver';
import type { ContainerSpec } from '../../worker/sandbox/sandbox';
import { REGISTRY_BRIDGE, REGISTRY_NETWORK } from '../../worker/sandbox/registryNetwork';
import { createFixtureDatabase, type TestDatabase } from '../support/database';
import {
  faultQueue,
  closeTestQueue,
  submitApp,
  startWorkerProcess,
  type WorkerProcess,
  slowHelloVariant,
  until,
  waitUntilFinished,
  resultCount,
  jobContainers,
} from '../support/faults';
import { helloPackageJson, helloVariant, imagesFromEnv, testWorkerEnv } from '../support/fixtures';
import { startGitServer, type GitServer } from '../support/gitServer';
import { hostAddresses, recordCase } from '../support/securityCases';

jest.setTimeout(300_000);

const bed = faultQueue('fault-engine');
const { docker, dataDir, queueName, redisUrl, queue, policy } = bed;
/** The app listens after this long, and the install's own script sleeps this long: time to restart in. */
const DELAY_MS = 8_000;
const restartable = canRestartDocker();
let database: TestDatabase;
let git: GitServer;
let userId: number;
let worker: WorkerProcess;
let listener: net.Server;
let port: number;
const arrivals: string[] = [];

function iptablesHas(...rule: string[]): boolean {
  try {
    execFileSync('iptables', ['-w', '10', '-C', ...rule], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** The three rules that keep the install network to the registry (worker/sandbox/registryNetwork.ts). */
function firewallInPlace(): { input: boolean; dockerUser: boolean; chainRejects: boolean } {
  let chain = '';
  try {
    chain = execFileSync('iptables', ['-w', '10', '-S', 'BP-REGISTRY'], { stdio: 'pipe' }).toString();
  } catch {
    // no chain
  }
  return {
    input: iptablesHas('INPUT', '-i', REGISTRY_BRIDGE, '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'),
    dockerUser: iptablesHas('DOCKER-USER', '-i', REGISTRY_BRIDGE, '-j', 'BP-REGISTRY'),
    chainRejects: /-A BP-REGISTRY -j REJECT/.test(chain) && /--dport 443 -j RETURN/.test(chain),
  };
}

function submit(name: string, appDir: string): Promise<Submission> {
  return submitApp(git, queue, userId, name, appDir, policy);
}

async function sentinelRun(): Promise<string | null> {
  const info = await docker
    .getContainer(ENGINE_SENTINEL)
    .inspect()
    .catch(() => null);
  return info?.State.Running ? `${info.Id}@${info.State.StartedAt}` : null;
}

/** Waits for the job to reach `stage` with a container of `role` running, then restarts the engine. */
async function restartDuring(id: string, stage: string, role: string): Promise<{ killed: string[]; restartSeconds: number }> {
  const killed = await until(
    `submission ${id} to be ${stage} with its ${role} container up`,
    async () => {
      const submission = await selectOptionalSubmission(id);
      if (submission?.stage !== stage) return undefined;
      const running = await docker.listContainers({ filters: { label: [`pro.backend.job=${id}`, `pro.backend.role=${role}`] } });
      return running.length > 0 ? jobContainers(docker, id) : undefined;
    },
    120_000,
    100,
  );
  const started = Date.now();
  expect(await restartDocker({ log: () => undefined })).toBe(true);
  return { killed, restartSeconds: (Date.now() - started) / 1000 };
}

/** How an attempt broken by an engine restart may fail: the sentinel's verdict, or the engine not answering. */
const INFRASTRUCTURE_FAILURE =
  /^(EngineInterruptedError: The Docker engine restarted|Error: (connect ENOENT \/var\/run\/docker\.sock|connect ECONNREFUSED|write EPIPE|socket hang up|read ECONNRESET|\(HTTP code 40[49]\)))/;

/** What the retried job says about the attempt the restart broke (BullMQ keeps each failure's stack). */
async function firstFailure(id: string): Promise<string> {
  const job = await queue.getJob(id);
  return (job?.stacktrace ?? [])[0]?.split('\n')[0] ?? '';
}

/** The job broken by the restart ended scored 10/10 with one result after exactly one retry; returns how its first attempt failed (an infrastructure fault). */
async function expectRetriedOnceAndScored(id: string): Promise<string> {
  const finished = await waitUntilFinished(id, 180_000);
  expect(finished).toMatchObject({ status: 'scored', score: 10, max_score: 10 });
  expect(await resultCount(id)).toBe(1);
  // One failed attempt (the restart), then the one that graded it.
  expect((await queue.getJob(id))?.attemptsMade).toBe(2);
  const failure = await firstFailure(id);
  expect(failure).toMatch(INFRASTRUCTURE_FAILURE);
  return failure;
}

/** Restarts the engine once the job is `stage` with its `role` container up (restartDuring), then expects it retried once and scored. */
async function restartAndExpectRetried(id: string, stage: string, role: string): Promise<{ killed: string[]; restartSeconds: number; failure: string }> {
  const restart = await restartDuring(id, stage, role);
  return { ...restart, failure: await expectRetriedOnceAndScored(id) };
}

/** The security report's row of a restart case: how the first attempt failed, the retry's score, what was left, the engine's downtime. */
function recordRestart(
  what: string,
  { killed, restartSeconds, failure }: { killed: string[]; restartSeconds: number; failure: string },
  leftBehind = `; the ${killed.length} stopped containers removed`,
): void {
  recordCase({
    area: 'Fault',
    case: what,
    outcome: `attempt 1 failed as infrastructure (${failure.slice(0, 80)}), retried: scored 10/10, 1 result${leftBehind}; engine back in ${restartSeconds.toFixed(1)} s`,
    seconds: restartSeconds,
  });
}

/** A preinstall script that tries the registry and every host address, prints one line, and fails the install. */
function probeInstall(): string {
  const script = `
const net = require('node:net');
const attempt = (host, port) => new Promise((resolve) => {
  const socket = net.connect({ host, port, timeout: 3000 });
  socket.on('connect', () => { socket.destroy(); resolve('connected'); });
  socket.on('timeout', () => { socket.destroy(); resolve('timeout'); });
  socket.on('error', (e) => resolve(e.code || 'error'));
});
(async () => {
  const report = { registry: await attempt('registry.npmjs.org', 443), hosts: {} };
  for (const host of ${JSON.stringify(hostAddresses())}) report.hosts[host] = await attempt(host, ${port});
  console.log('PROBE ' + JSON.stringify(report));
  process.exit(1);
})();
`;
  return helloVariant({
    'probe.js': script,
    'package.json': helloPackageJson({ preinstall: 'node probe.js' }),
  });
}

function parseProbe(message: string): { registry: string; hosts: Record<string, string> } {
  const line = message.split('\n').find((l) => l.includes('PROBE {'));
  if (!line) throw new Error(`no PROBE line in:\n${message.slice(-2000)}`);
  return JSON.parse(line.slice(line.indexOf('PROBE ') + 6));
}

const describeWithEngine = restartable ? describe : describe.skip;
if (!restartable) {
  // Said once, loudly: on a machine whose engine npm test did not start (a system dockerd,
  // DOCKER_HOST), these cases are skipped rather than restarting someone else's engine.
  console.warn('dockerRestart.test.ts: skipped — the Docker engine was not started by npm test (scripts/services.ts), so it is not restarted.');
  // Jest runs no hook of a file whose tests are all skipped: the queue's Redis connection, opened
  // when the file loads, would otherwise keep Jest from exiting (the engine pass hung on it).
  void bed.queue.close().finally(() => bed.connection.disconnect());
}

beforeAll(async () => {
  ({ database, userId } = await createFixtureDatabase('engine-test'));
  git = await startGitServer();
  await queue.waitUntilReady();
  listener = net.createServer((socket) => {
    arrivals.push(`${socket.remoteAddress}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
  port = (listener.address() as net.AddressInfo).port;
  if (restartable) {
    worker = await startWorkerProcess(
      testWorkerEnv({ databaseUrl: database.url, redisUrl, queueName, dataDir }, { FIXTURE_LIMITS: JSON.stringify({ bootSeconds: 40, installSeconds: 60 }) }),
    );
  }
});

afterAll(async () => {
  await worker?.stop(30_000);
  await queue.obliterate({ force: true }).catch(() => undefined);
  await new Promise((resolve) => listener.close(resolve));
  await closeTestQueue(bed, git, database);
});

describeWithEngine('When the Docker engine restarts in the middle of a job', () => {
  test('then a job whose app was starting is retried as an infrastructure fault and scored in full, not failed as "your app exited (code 143)"', async () => {
    const sentinelBefore = await sentinelRun();
    const submission = await submit('engine-restart-starting', slowHelloVariant(DELAY_MS));
    const { killed, restartSeconds, failure } = await restartAndExpectRetried(submission.id, 'starting', 'app');
    expect(killed.length).toBeGreaterThanOrEqual(2); // services + app
    expect((await selectOptionalResult(submission.id))?.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed']);
    // The killed attempt's containers were removed, and so was everything of the job.
    const left = await docker.listContainers({ all: true });
    expect(killed.filter((id) => left.some((info) => info.Id === id))).toEqual([]);
    expect(await jobContainers(docker, submission.id)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'jobs', submission.id))).toBe(false);
    // The engine's restart shows in the sentinel: a new run of it.
    const sentinelAfter = await sentinelRun();
    expect(sentinelAfter).not.toBeNull();
    expect(sentinelAfter).not.toBe(sentinelBefore);
    expect(worker.alive()).toBe(true);
    recordRestart('Docker engine restarted while the app was starting (every container stopped, exit 143)', { killed, restartSeconds, failure });
  });

  test('then a job in the middle of its hidden tests is retried, not stored as a grader error or a partial score', async () => {
    // Every answer takes 1.5 s: the tester container is up long enough to be hit.
    const server = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'apps', 'hello', 'server.js'), 'utf8');
    const handler = 'http.createServer(async (req, res) => {';
    if (!server.includes(handler)) throw new Error('the hello fixture no longer serves the way this test slows down');
    const slow = helloVariant({ 'server.js': server.replace(handler, `${handler}\n  await new Promise((resolve) => setTimeout(resolve, 1500));`) });
    const submission = await submit('engine-restart-testing', slow);
    const { killed, restartSeconds, failure } = await restartAndExpectRetried(submission.id, 'testing', 'tester');
    expect(await jobContainers(docker, submission.id)).toEqual([]);
    recordRestart('Docker engine restarted during the hidden tests (tester and app stopped)', { killed, restartSeconds, failure });
  });

  test('then a job whose install was running is retried, not failed as "npm ci failed (exit code 143)"', async () => {
    // The root package's own preinstall sleeps: the install container is up long enough to be hit.
    const sleepy = helloVariant({
      'package.json': helloPackageJson({ preinstall: `node -e "setTimeout(() => {}, ${DELAY_MS})"` }),
    });
    const submission = await submit('engine-restart-install', sleepy);
    const { killed, restartSeconds, failure } = await restartAndExpectRetried(submission.id, 'installing', 'install');
    expect(await jobContainers(docker, submission.id)).toEqual([]);
    const left = await docker.listContainers({ all: true });
    expect(killed.filter((id) => left.some((info) => info.Id === id))).toEqual([]);
    recordRestart('Docker engine restarted during the install step', { killed, restartSeconds, failure }, ', nothing left');
  });

  test('then after the restarts the install network is still fenced: only the registry answers, nothing on the host', async () => {
    expect(firewallInPlace()).toEqual({ input: true, dockerUser: true, chainRejects: true });
    const before = arrivals.length;
    const submission = await submit('engine-restart-probe', probeInstall());
    const finished = await waitUntilFinished(submission.id, 180_000);
    expect(finished.status).toBe('error');
    const report = parseProbe(finished.error_message ?? '');
    expect(report.registry).toBe('connected');
    expect(Object.keys(report.hosts).length).toBeGreaterThanOrEqual(3);
    expect(Object.values(report.hosts)).not.toContain('connected');
    expect(arrivals.length).toBe(before);
    recordCase({
      area: 'Escape attempt',
      case: 'Install script after two engine restarts: registry and every host address',
      outcome: `registry.npmjs.org:443 ${report.registry}; host addresses ${[...new Set(Object.values(report.hosts))].join('/')}; 0 connections reached the test's listener`,
    });
  });

  test('then the worker is still healthy: an honest submission is graded in full', async () => {
    const honest = await submit('engine-restart-honest', helloVariant());
    const finished = await waitUntilFinished(honest.id, 120_000);
    expect(finished).toMatchObject({ status: 'scored', score: 10, max_score: 10 });
    expect((await queue.getJob(honest.id))?.attemptsMade).toBe(1);
    expect(worker.alive()).toBe(true);
  });
});

describeWithEngine('When a job asks whether the engine restarted (worker/sandbox/dockerDriver.ts, the engine sentinel)', () => {
  // A restart normally breaks the job's requests in flight (the cases above). The gap it leaves: the
  // engine restarts while the job sleeps between two looks, and the next look finds a container that
  // "exited with code 143" on an engine that answers as if nothing happened.
  const sandbox = new DockerSandbox(docker, `${queueName}-sentinel`);
  const image = imagesFromEnv().runtimes['24'];
  const spec = (role: string, cmd: string[]): ContainerSpec => ({
    role,
    image,
    cmd,
    env: {},
    user: '10001',
    mounts: [],
    tmpfs: {},
    network: { kind: 'none' },
    memoryMb: 64,
    cpus: 0.5,
    pids: 32,
    readOnlyRoot: true,
  });

  test('then a container that ends itself with SIGTERM (exit 143) is not taken for a restart', async () => {
    const jobId = crypto.randomUUID();
    const watch = await sandbox.watchEngine(image);
    const result = await sandbox.run(jobId, spec('selfterm', ['bash', '-c', 'kill -TERM $$']), { timeoutMs: 20_000, outputLimitBytes: 1024 });
    expect(result.exitCode).toBe(143);
    await expect(watch.check({ settleMs: 1000 })).resolves.toBeUndefined();
    expect(await sandbox.removeJob(jobId)).toBe(0);
  });

  test('then several drivers that find the sentinel stopped at once (workers after a restart) all get one running sentinel, none an error', async () => {
    // What a restart leaves behind: the sentinel stopped. Four drivers (four workers, or verify's
    // side-by-side gradings) look at once; one removes the old container while others create or
    // start it, and the engine answers 404 or 409 to the slower ones, which must look again.
    await docker
      .getContainer(ENGINE_SENTINEL)
      .stop({ t: 0 })
      .catch(() => undefined);
    expect(await sentinelRun()).toBeNull();
    const drivers = Array.from({ length: 4 }, (_, i) => new DockerSandbox(docker, `${queueName}-race-${i}`));
    const settled = await Promise.allSettled(drivers.map((driver) => driver.watchEngine(image)));
    expect(settled.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const running = await sentinelRun();
    expect(running).not.toBeNull();
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') await expect(outcome.value.check()).resolves.toBeUndefined();
    }
    const sentinels = await docker.listContainers({ all: true, filters: { name: [ENGINE_SENTINEL] } });
    expect(sentinels.filter((info) => info.Names.includes(`/${ENGINE_SENTINEL}`))).toHaveLength(1);
  });

  test('then a restart between two looks is told apart from a crash, and a new watch after it holds', async () => {
    const jobId = crypto.randomUUID();
    const watch = await sandbox.watchEngine(image);
    const container = await sandbox.start(jobId, spec('sleeper', ['sleep', '600']), { outputLimitBytes: 1024 });
    expect(await restartDocker({ log: () => undefined })).toBe(true);
    // The engine answers again, and the container reads exactly like a learner's crash.
    expect(await container.state()).toEqual({ running: false, exitCode: 143, oomKilled: false });
    await expect(watch.check()).rejects.toBeInstanceOf(EngineInterruptedError);
    const next = await sandbox.watchEngine(image);
    await expect(next.check()).resolves.toBeUndefined();
    expect(await sandbox.removeJob(jobId)).toBe(1);
    recordCase({
      area: 'Fault',
      case: 'Engine restarted while a job waited between two looks (its container then reads "exited 143" on an engine that answers)',
      outcome:
        'told apart by the engine sentinel: EngineInterruptedError (retried); a container that ends itself with SIGTERM (also 143) is not taken for a restart',
    });
  });
});

describeWithEngine('When the install network, its firewall chain and rules are all missing (a fresh machine)', () => {
  test('then the next install creates them before it runs, and its script reaches the registry and nothing on the host', async () => {
    // Remove everything registryNetwork.ts sets up, as on a machine that never ran a job.
    const quiet = { stdio: 'pipe' } as const;
    const tryRun = (args: string[]) => {
      try {
        execFileSync(args[0], args.slice(1), quiet);
      } catch {
        // already absent
      }
    };
    tryRun(['iptables', '-w', '10', '-D', 'DOCKER-USER', '-i', REGISTRY_BRIDGE, '-j', 'BP-REGISTRY']);
    tryRun(['iptables', '-w', '10', '-D', 'INPUT', '-i', REGISTRY_BRIDGE, '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable']);
    tryRun(['iptables', '-w', '10', '-F', 'BP-REGISTRY']);
    tryRun(['iptables', '-w', '10', '-X', 'BP-REGISTRY']);
    await docker
      .getNetwork(REGISTRY_NETWORK)
      .remove()
      .catch(() => undefined);
    expect(firewallInPlace()).toEqual({ input: false, dockerUser: false, chainRejects: false });
    expect((await docker.listNetworks({ filters: { name: [REGISTRY_NETWORK] } })).filter((n) => n.Name === REGISTRY_NETWORK)).toEqual([]);

    const before = arrivals.length;
    const submission = await submit('fresh-machine-probe', probeInstall());
    const finished = await waitUntilFinished(submission.id, 180_000);
    expect(finished.status).toBe('error');
    const report = parseProbe(finished.error_message ?? '');
    expect(firewallInPlace()).toEqual({ input: true, dockerUser: true, chainRejects: true });
    expect((await docker.listNetworks({ filters: { name: [REGISTRY_NETWORK] } })).map((n) => n.Name)).toContain(REGISTRY_NETWORK);
    expect(report.registry).toBe('connected');
    expect(Object.keys(report.hosts)).toEqual(expect.arrayContaining(['127.0.0.1', '172.17.0.1']));
    expect(Object.values(report.hosts)).not.toContain('connected');
    expect(arrivals.length).toBe(before);
    recordCase({
      area: 'Escape attempt',
      case: 'Install network, firewall chain and rules removed (a fresh machine), then an install script probes out',
      outcome: `network and rules recreated before the install; registry.npmjs.org:443 ${report.registry}; host addresses ${[...new Set(Object.values(report.hosts))].join('/')}; 0 connections reached the test's listener`,
    });
  });
});
