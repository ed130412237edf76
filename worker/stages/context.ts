/**
 * What every stage of one grading job shares: the sandbox, the images, the folders, the
 * exercise's limits, and the builder of the sandbox profile for learner-code containers.
 */
import type { ExerciseDefinition } from '../../core/exercises/definition';
import type { ContainerSpec, Sandbox } from '../sandbox/sandbox';
import type { NodeMajor } from './nodeVersion';

export const LEARNER_UID = '10001:10001';
export const TESTER_UID = '10002:10002';

export interface Images {
  /** The learner runtime image of each supported Node major. */
  runtimes: Record<NodeMajor, string>;
  services: string;
  tester: string;
}

export interface JobContext {
  jobId: string;
  sandbox: Sandbox;
  images: Images;
  /** The runtime image this job's app installs, builds and runs on (its chosen Node major's). */
  runtime: { major: NodeMajor; image: string };
  exercise: ExerciseDefinition;
  /** .data/jobs/<jobId>: checkout/, out/ */
  jobDir: string;
  /** .data/cache/deps: node_modules by lockfile hash */
  cacheDir: string;
  /** The platform's root (graders/ and node_modules/ are mounted read-only into the tester). */
  platformDir: string;
}

/** Where a learner container sees the project (a Workspace fits): the install folder, and the app's folder inside it. */
export interface ProjectFolders {
  installDir: string;
  /** The app's folder relative to installDir (a workspace member such as 'apps/api'), or null for installDir itself. */
  member: string | null;
}

/**
 * The sandbox profile (docs/ARCHITECTURE.md), for any container that runs the learner's code. The install
 * folder is mounted at /workspace (a monorepo's root, so its hoisted node_modules are there) and
 * the command runs in the app's folder: /workspace or /workspace/<member>.
 */
export function learnerContainer(
  context: JobContext,
  role: string,
  project: ProjectFolders,
  cmd: string[],
  overrides: Partial<ContainerSpec> = {},
): ContainerSpec {
  const { limits } = context.exercise;
  return {
    role,
    image: context.runtime.image,
    cmd,
    env: { HOME: '/tmp', CI: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    user: LEARNER_UID,
    workdir: project.member ? `/workspace/${project.member}` : '/workspace',
    mounts: [{ host: project.installDir, container: '/workspace', readOnly: false }],
    tmpfs: { '/tmp': limits.tmpMb },
    network: { kind: 'none' },
    memoryMb: limits.memoryMb,
    cpus: limits.cpus,
    pids: limits.pids,
    readOnlyRoot: true,
    ...overrides,
  };
}

export function seconds(value: number): number {
  return value * 1000;
}
