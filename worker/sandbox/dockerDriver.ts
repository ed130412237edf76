/**
 * The Docker driver of the sandbox: every learner-code container gets the profile of
 * docs/ARCHITECTURE.md (non-root, read-only root, capped tmpfs, no capabilities, no-new-privileges,
 * pids/memory/CPU limits, no core dumps, labels for the reaper). Containers are always
 * stopped through the API (kill, then remove).
 */
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { EngineInterruptedError } from '../errors';
import {
  JOB_LABEL,
  NAMESPACE_LABEL,
  ROLE_LABEL,
  type ContainerSpec,
  type ContainerState,
  type EngineWatch,
  type RunResult,
  type RunningContainer,
  type Sandbox,
} from './sandbox';
import { TailBuffer } from './output';
import { ensureRegistryNetwork } from './registryNetwork';

/**
 * A tiny container that does nothing but stay up. The engine stops every container when it shuts
 * down (without live-restore), and has no restart policy for this one: when it is not running, or
 * runs since a later time, the engine restarted. Nothing of a learner can reach it (its own
 * namespaces, no network, no socket), so it is a signal only the engine can send.
 */
export const ENGINE_SENTINEL = 'backendpro-engine-sentinel';
/** Looks at the sentinel before giving up while other makers race for it (see sentinelRun). */
const SENTINEL_ATTEMPTS = 8;

export class DockerSandbox implements Sandbox {
  private sentinel: Promise<string> | null = null;

  /**
   * @param namespace the queue (or tool) this sandbox works for; the reaper only removes
   *   containers of its own namespace, so two queues can share one engine.
   */
  constructor(
    private readonly docker: Docker = new Docker(),
    private readonly namespace = 'grading',
  ) {}

  async run(jobId: string, spec: ContainerSpec, options: { timeoutMs: number; outputLimitBytes: number }): Promise<RunResult> {
    const container = await this.start(jobId, spec, options);
    try {
      return await container.wait(options.timeoutMs);
    } finally {
      await this.remove(container.id);
    }
  }

  async start(jobId: string, spec: ContainerSpec, options: { outputLimitBytes: number }): Promise<RunningContainer> {
    const name = `bp-${jobId.slice(0, 12)}-${spec.role}-${crypto.randomBytes(3).toString('hex')}`;
    const registry = spec.network.kind === 'registry' ? await ensureRegistryNetwork(this.docker) : null;
    const created = await this.docker.createContainer(containerOptions(name, jobId, this.namespace, spec, registry));
    const output = await attachOutput(this.docker, created, options.outputLimitBytes);
    try {
      await created.start();
    } catch (error) {
      await this.remove(created.id);
      throw error;
    }
    return runningContainer(this.docker, created, spec, output);
  }

  async removeJob(jobId: string): Promise<number> {
    const containers = await this.docker.listContainers({ all: true, filters: { label: [`${JOB_LABEL}=${jobId}`] } });
    await Promise.all(containers.map((info) => this.remove(info.Id)));
    return containers.length;
  }

  async reap(isLive: (jobId: string) => Promise<boolean>): Promise<number> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [JOB_LABEL, `${NAMESPACE_LABEL}=${this.namespace}`] },
    });
    const jobIds = [...new Set(containers.map((info) => info.Labels[JOB_LABEL]))];
    let removed = 0;
    for (const jobId of jobIds) {
      if (!(await isLive(jobId))) removed += await this.removeJob(jobId);
    }
    return removed;
  }

  async watchEngine(image: string): Promise<EngineWatch> {
    // Jobs starting together share one look (and one start of the sentinel after a restart).
    this.sentinel ??= this.sentinelRun(image).finally(() => {
      this.sentinel = null;
    });
    const run = await this.sentinel;
    return {
      check: async ({ settleMs = 0 } = {}) => {
        if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
        const now = await this.inspectSentinel();
        if (!now?.State.Running || sentinelRunId(now) !== run) throw new EngineInterruptedError();
      },
    };
  }

  /**
   * The sentinel's current run ("id@started at"), starting or creating it when needed. Several
   * workers (or verify's side-by-side gradings, each with its own driver) may find it stopped after
   * an engine restart at the same moment: one removes it while another creates or starts it, and
   * the engine answers 404 or 409 ("marked for removal") to the slower one, which then looks again.
   */
  private async sentinelRun(image: string): Promise<string> {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < SENTINEL_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      let info = await this.inspectSentinel();
      if (info?.State.Running) return sentinelRunId(info);
      try {
        if (info) {
          // Stopped by an engine restart: made anew from today's image, so it holds no old image.
          await this.remove(info.Id);
          info = null;
        }
        await this.createSentinel(image).catch((error: { statusCode?: number }) => {
          // Another worker on this engine made it first (or is still removing the old one).
          if (error.statusCode !== 409) throw error;
        });
        await this.docker
          .getContainer(ENGINE_SENTINEL)
          .start()
          .catch((error: { statusCode?: number }) => {
            if (error.statusCode !== 304) throw error;
          });
        info = await this.inspectSentinel();
        if (info?.State.Running) return sentinelRunId(info);
        lastError = new Error(info?.State.Error || 'it stopped right after it started');
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        // Raced with another maker: the name is taken by a container being removed, or gone.
        if (status !== 404 && status !== 409) throw error;
        lastError = error;
      }
    }
    throw new Error(
      `the engine sentinel container (${ENGINE_SENTINEL}) does not stay up: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  private async createSentinel(image: string): Promise<void> {
    await this.docker.createContainer({
      name: ENGINE_SENTINEL,
      Image: image,
      Cmd: ['sleep', 'infinity'],
      User: '65534:65534',
      Labels: { 'pro.backend.purpose': 'engine sentinel: stopped only by an engine restart' },
      HostConfig: {
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
        PidsLimit: 8,
        Memory: 16 * 1024 * 1024,
        LogConfig: { Type: 'none', Config: {} },
        RestartPolicy: { Name: 'no' },
        Init: true,
      },
    });
  }

  private async inspectSentinel(): Promise<Docker.ContainerInspectInfo | null> {
    return this.docker
      .getContainer(ENGINE_SENTINEL)
      .inspect()
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode === 404) return null;
        throw error;
      });
  }

  private async remove(id: string): Promise<void> {
    const container = this.docker.getContainer(id);
    await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    await container.remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
    });
  }
}

function sentinelRunId(info: Docker.ContainerInspectInfo): string {
  return `${info.Id}@${info.State.StartedAt}`;
}

/** The one sandbox profile every container gets (README "The sandbox", docs/ARCHITECTURE.md). Pure. */
function containerOptions(
  name: string,
  jobId: string,
  namespace: string,
  spec: ContainerSpec,
  registry: Awaited<ReturnType<typeof ensureRegistryNetwork>> | null,
): Docker.ContainerCreateOptions {
  return {
    name,
    Image: spec.image,
    Cmd: spec.cmd,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    User: spec.user,
    WorkingDir: spec.workdir,
    Labels: { [JOB_LABEL]: jobId, [ROLE_LABEL]: spec.role, [NAMESPACE_LABEL]: namespace },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      Binds: spec.mounts.map((mount) => `${mount.host}:${mount.container}:${mount.readOnly ? 'ro' : 'rw'}`),
      Tmpfs: Object.fromEntries(
        Object.entries(spec.tmpfs).map(([path, sizeMb]) => [path, `rw,nosuid,nodev,${spec.tmpfsExec ? 'exec' : 'noexec'},size=${sizeMb}m,mode=1777`]),
      ),
      NetworkMode: registry ? registry.network : spec.network.kind === 'join' ? `container:${spec.network.container}` : 'none',
      // The registry by name without DNS: the addresses the firewall lets through.
      ExtraHosts: registry ? Object.entries(registry.hosts).map(([host, address]) => `${host}:${address}`) : undefined,
      ReadonlyRootfs: spec.readOnlyRoot,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      PidsLimit: spec.pids,
      Memory: spec.memoryMb * 1024 * 1024,
      MemorySwap: spec.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(spec.cpus * 1e9),
      Ulimits: [
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'nofile', Soft: 4096, Hard: 4096 },
      ],
      // Output is read from the attach stream and capped there; nothing piles up on disk.
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      Init: true,
    },
  };
}

/** A container's output as it runs: capped to its tail, and a promise that the stream has ended. */
interface AttachedOutput {
  tail: TailBuffer;
  ended: Promise<void>;
}

/** Attached before the start, so no first byte is missed. */
async function attachOutput(docker: Docker, created: Docker.Container, limitBytes: number): Promise<AttachedOutput> {
  const stream = await created.attach({ stream: true, stdout: true, stderr: true });
  const tail = demuxedTail(docker, stream, limitBytes);
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  return { tail, ended };
}

/** stdout and stderr of an attached stream (Docker multiplexes them when there is no TTY), kept to their last `limitBytes`. */
function demuxedTail(docker: Docker, stream: NodeJS.ReadableStream, limitBytes: number): TailBuffer {
  const tail = new TailBuffer(limitBytes);
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => tail.push(chunk));
  docker.modem.demuxStream(stream, sink, sink);
  return tail;
}

/** The handle of a started container: its state, output, a kill, an exec and a bounded wait. */
function runningContainer(docker: Docker, created: Docker.Container, spec: ContainerSpec, { tail, ended }: AttachedOutput): RunningContainer {
  const startedAt = Date.now();
  const state = async (): Promise<ContainerState> => {
    const info = await created.inspect();
    return {
      running: info.State.Running,
      exitCode: info.State.Running ? null : info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
    };
  };
  const kill = async (): Promise<void> => {
    await created.kill({ signal: 'SIGKILL' }).catch(() => undefined);
  };
  return {
    id: created.id,
    role: spec.role,
    output: () => tail.text(),
    outputBytes: () => tail.total,
    state,
    kill,
    exec: (cmd, timeoutMs) => execIn(docker, created.id, cmd, timeoutMs),
    async wait(timeoutMs) {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        void kill();
      }, timeoutMs);
      try {
        await created.wait();
      } finally {
        clearTimeout(timer);
      }
      // Let the attach stream deliver its last bytes.
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1000))]);
      const final = await state();
      return {
        exitCode: final.exitCode,
        timedOut,
        oomKilled: final.oomKilled,
        output: tail.text(),
        outputBytes: tail.total,
        outputTruncated: tail.truncated,
        durationMs: Date.now() - startedAt,
      };
    },
  };
}

/** Runs a command in a running container; its output capped at 16 KiB, given up after timeoutMs. */
async function execIn(docker: Docker, containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const execStream = await exec.start({ hijack: true, stdin: false });
  const execTail = demuxedTail(docker, execStream, 16 * 1024);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      execStream.destroy();
      resolve();
    }, timeoutMs);
    execStream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    execStream.on('error', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const info = await exec.inspect();
  return { exitCode: info.Running ? null : info.ExitCode, output: execTail.text() };
}
