/**
 * The one sandbox interface every stage uses. The Docker driver (dockerDriver.ts) implements
 * it today; a Kubernetes Job per grading pod would be the next driver, behind the same calls.
 */
export interface Mount {
  host: string;
  container: string;
  readOnly: boolean;
}

/**
 * none: no interface but loopback. registry: the install step's network, where only the package
 * registry answers (registryNetwork.ts). join: another container's namespace (the pod).
 */
export type NetworkChoice = { kind: 'none' } | { kind: 'registry' } | { kind: 'join'; container: string };

export interface ContainerSpec {
  /** Short purpose, part of the container name and of messages: install, build, app, tester… */
  role: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  user: string;
  workdir?: string;
  mounts: Mount[];
  /** Size-capped tmpfs mounts: path → size in MB. Mounted noexec unless `tmpfsExec`. */
  tmpfs: Record<string, number>;
  /** Allow executing files from the tmpfs mounts (node-gyp compiles native addons in /tmp). */
  tmpfsExec?: boolean;
  network: NetworkChoice;
  memoryMb: number;
  cpus: number;
  pids: number;
  /** Read-only root file system (every learner-code container). */
  readOnlyRoot: boolean;
}

export interface RunResult {
  exitCode: number | null;
  timedOut: boolean;
  oomKilled: boolean;
  /** The last `outputLimitBytes` of stdout+stderr, cleaned for display. */
  output: string;
  outputBytes: number;
  outputTruncated: boolean;
  durationMs: number;
}

export interface ContainerState {
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
}

export interface RunningContainer {
  id: string;
  role: string;
  /** Output so far (the capped tail). */
  output(): string;
  outputBytes(): number;
  state(): Promise<ContainerState>;
  exec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }>;
  /** Resolves when the container stops (or the timeout passes: then it is killed). */
  wait(timeoutMs: number): Promise<RunResult>;
  kill(): Promise<void>;
}

export interface Sandbox {
  /** Runs a container to completion with a kill timer. */
  run(jobId: string, spec: ContainerSpec, options: { timeoutMs: number; outputLimitBytes: number }): Promise<RunResult>;
  /** Starts a long-running container (services, app) and returns a handle. */
  start(jobId: string, spec: ContainerSpec, options: { outputLimitBytes: number }): Promise<RunningContainer>;
  /** Kills and removes every container of a job. */
  removeJob(jobId: string): Promise<number>;
  /** Removes every job's containers (of this sandbox's namespace) for which `isLive(jobId)` is false. Returns how many. */
  reap(isLive: (jobId: string) => Promise<boolean>): Promise<number>;
  /**
   * Marks the engine's current run, so that a job can tell a container the engine stopped (it was
   * restarted) from one the learner's code ended. `image` is any image the engine has.
   */
  watchEngine(image: string): Promise<EngineWatch>;
}

export interface EngineWatch {
  /**
   * Throws EngineInterruptedError when the engine stopped its containers (a restart) since the watch
   * began. `settleMs`: how long to wait first — an engine shutting down stops every container at
   * once, and the one a job saw die may be reported a moment before the others.
   */
  check(options?: { settleMs?: number }): Promise<void>;
}

export const JOB_LABEL = 'pro.backend.job';
export const ROLE_LABEL = 'pro.backend.role';
/** Which queue (or tool) owns a container: a reaper only touches its own namespace's containers. */
export const NAMESPACE_LABEL = 'pro.backend.namespace';
