/**
 * Grading without the web server or the queue, for the CLI and exercises:verify: brings up
 * the Docker engine and the images, then runs the same gradeSubmission as the worker.
 */
import path from 'node:path';
import { ROOT_DIR } from '../../core/config';
import type { ExerciseDefinition } from '../../core/exercises/definition';
import { errorOutcome } from '../../core/lib/outcomes';
import type { ResultsFile } from '../../core/models/results';
import { EngineInterruptedError, PlatformError } from '../../worker/errors';
import { gradeSubmission, newJobId, type GradeOutcome } from '../../worker/gradeSubmission';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import type { Images } from '../../worker/stages/context';
import type { Source } from '../../worker/stages/fetchSource';
import { ensureServices } from '../services';

export async function prepareGrading(log: (line: string) => void): Promise<Images> {
  const info = await ensureServices({ docker: true, images: true, postgres: false, redis: false, log });
  return info.images;
}

/**
 * A fault of the platform (a PlatformError, the engine restarting) is reported as an error
 * result with cause `platform`, as the worker stores it once its retries run out; the CLI does
 * not retry. Anything else still throws (no result).
 */
export async function gradeLocally(
  exercise: ExerciseDefinition,
  source: Source,
  subdir: string | null,
  images: Images,
  onStage?: (stage: string, at: Date, detail?: string) => void,
): Promise<GradeOutcome> {
  const started = Date.now();
  try {
    return await gradeSubmission(
      { jobId: newJobId(), exercise, source, subdir },
      {
        sandbox: new DockerSandbox(undefined, 'cli'),
        images,
        dataDir: process.env.DATA_DIR ?? path.join(ROOT_DIR, '.data'),
        platformDir: ROOT_DIR,
        cloneTimeoutMs: 120_000,
        cloneMaxBytes: 500 * 1024 * 1024,
        cloneMaxFiles: 200_000,
        httpHosts: ['127.0.0.1', 'localhost'],
        jobTimeoutMs: 30 * 60_000,
        onStage: async (stage, at, detail) => onStage?.(stage, at, detail),
      },
    );
  } catch (error) {
    if (!(error instanceof PlatformError || error instanceof EngineInterruptedError)) throw error;
    return { ...errorOutcome({ cause: 'platform', message: error.message, executionTimeMs: Date.now() - started }), commitSha: null, stages: [] };
  }
}

/** The outcome as a results.json object (ResultsFileSchema, core/models/results.ts). */
export function toResultsFile(outcome: GradeOutcome): ResultsFile {
  return {
    version: 1,
    status: outcome.status,
    ...(outcome.cause ? { cause: outcome.cause } : {}),
    ...(outcome.message ? { message: outcome.message } : {}),
    score: outcome.score,
    max_score: outcome.maxScore,
    execution_time_ms: outcome.executionTimeMs ?? 0,
    tests: outcome.tests,
  };
}
