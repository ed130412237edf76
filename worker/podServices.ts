/**
 * The pod's services container (PostgreSQL + Redis) belongs to the platform. When it is gone,
 * whatever the app or the checks did next (an app that exited, checks that could not reach the
 * database) is not the learner's doing. This watches the job's sandbox for that container, so
 * gradeSubmission can ask after the pod, or when the pod failed, whether it was still running.
 */
import { LearnerError, PlatformError } from './errors';
import type { RunningContainer, Sandbox } from './sandbox/sandbox';

export interface PodServicesWatch {
  /** The sandbox to give the job: the same, with the services container remembered when it starts. */
  sandbox: Sandbox;
  /**
   * Null while the services container runs (or was never started). Once it stopped: a
   * PlatformError, or a LearnerError when it was killed for memory (the database lives in memory:
   * the app filled it).
   */
  fault(): Promise<PlatformError | LearnerError | null>;
}

export function watchPodServices(sandbox: Sandbox): PodServicesWatch {
  let services: RunningContainer | null = null;
  let memoryMb = 0;
  return {
    sandbox: {
      run: (jobId, spec, options) => sandbox.run(jobId, spec, options),
      start: async (jobId, spec, options) => {
        const container = await sandbox.start(jobId, spec, options);
        if (spec.role === 'services') {
          services = container;
          memoryMb = spec.memoryMb;
        }
        return container;
      },
      removeJob: (jobId) => sandbox.removeJob(jobId),
      reap: (isLive) => sandbox.reap(isLive),
      watchEngine: (image) => sandbox.watchEngine(image),
    },
    async fault() {
      if (!services) return null;
      // A container that is gone altogether (removed by someone else) is not running either.
      const state = await services.state().catch(() => ({ running: false, exitCode: null, oomKilled: false }));
      if (state.running) return null;
      if (state.oomKilled) {
        return new LearnerError(
          `The pod's PostgreSQL and Redis ran out of their ${memoryMb} MB of memory (the database lives in memory during grading), so your app lost its database. Keep what your app stores during the tests small: no large blobs or unbounded caches.`,
        );
      }
      return new PlatformError(
        `The grading pod's services container (PostgreSQL + Redis) stopped while the submission was being graded (exit code ${state.exitCode ?? 'unknown'}): the app and the checks lost their database. A fault of the grading infrastructure (the Docker engine, or someone stopping the container); check the worker's Docker engine.`,
      );
    },
  };
}
