/**
 * Fixtures of the pipeline tests: the fixture exercise (graded by test/fixtures/graders/
 * fixture-hello) and learner apps made from test/fixtures/apps/hello with one change each.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { FrontMatterSchema, type ExerciseDefinition } from '../../core/exercises/definition';
import type { GradeEnvironment } from '../../worker/gradeSubmission';
import { DockerSandbox } from '../../worker/sandbox/dockerDriver';
import type { Images } from '../../worker/stages/context';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
/** The platform's checkout. */
export const PLATFORM_ROOT = path.resolve(__dirname, '..', '..');

/** The instructors' CLI (`npm run grade -- …args`) as a process from the platform's root, through tsx alone: at most 120 s. */
export function runGradeCli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(PLATFORM_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/grade.ts', ...args], {
    cwd: PLATFORM_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

export function fixtureExercise(limits: Record<string, number> = {}, id = 'fixture-hello', extra: Record<string, unknown> = {}): ExerciseDefinition {
  const frontMatter = FrontMatterSchema.parse({
    ...extra,
    id,
    phase: 99,
    title: 'Fixture: hello',
    services: ['postgres'],
    limits: { installSeconds: 120, buildSeconds: 60, bootSeconds: 15, testSeconds: 60, memoryMb: 256, ...limits },
  });
  return { ...frontMatter, briefMarkdown: '', gradable: true, graderDir: path.join(FIXTURES, 'graders', id) };
}

export function imagesFromEnv(): Images {
  const { IMAGE_RUNTIME_NODE20, IMAGE_RUNTIME_NODE22, IMAGE_RUNTIME_NODE24, IMAGE_SERVICES, IMAGE_TESTER } = process.env;
  if (!IMAGE_RUNTIME_NODE20 || !IMAGE_RUNTIME_NODE22 || !IMAGE_RUNTIME_NODE24 || !IMAGE_SERVICES || !IMAGE_TESTER) {
    throw new Error('IMAGE_RUNTIME_NODE20/22/24, IMAGE_SERVICES and IMAGE_TESTER must be set: run the suite with `npm test`');
  }
  return { runtimes: { '20': IMAGE_RUNTIME_NODE20, '22': IMAGE_RUNTIME_NODE22, '24': IMAGE_RUNTIME_NODE24 }, services: IMAGE_SERVICES, tester: IMAGE_TESTER };
}

/**
 * A grading worker's settings in these tests, as the real worker reads them from its environment:
 * its database, Redis, queue and DATA_DIR, git over loopback, and `extra`.
 */
export function testWorkerEnv(
  at: { databaseUrl: string; redisUrl: string; queueName: string; dataDir: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: at.databaseUrl,
    REDIS_URL: at.redisUrl,
    QUEUE_NAME: at.queueName,
    DATA_DIR: at.dataDir,
    GIT_HTTP_HOSTS: '127.0.0.1',
    ...extra,
  };
}

/** The hello app's package.json (test/fixtures/apps/hello). */
export const HELLO_PACKAGE = { name: 'fixture-hello', version: '1.0.0', private: true, scripts: { build: 'node build.js', start: 'node dist/server.js' } };

/** The hello app's package.json as text, with `scripts` added to (or replacing) its own and `fields` added (e.g. dependencies). */
export function helloPackageJson(scripts: Record<string, string> = {}, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...HELLO_PACKAGE, scripts: { ...HELLO_PACKAGE.scripts, ...scripts }, ...fields });
}

/** A copy of the hello app with files replaced or removed (null removes). */
export function helloVariant(changes: Record<string, string | null> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-app-'));
  fs.cpSync(path.join(FIXTURES, 'apps', 'hello'), dir, { recursive: true });
  for (const [file, content] of Object.entries(changes)) {
    const target = path.join(dir, file);
    if (content === null) fs.rmSync(target, { force: true, recursive: true });
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }
  return dir;
}

/**
 * The environment the pipeline tests grade in: a DockerSandbox whose containers carry the test's
 * own namespace (so its clean-up never touches another file's), the suite's images, the platform's
 * graders, and clone limits a fixture never reaches; anything else (job timeout, stage callbacks,
 * git hosts) is the test's to set.
 */
export function testGradeEnvironment(docker: Docker, namespace: string, dataDir: string, settings: Partial<GradeEnvironment> = {}): GradeEnvironment {
  return {
    sandbox: new DockerSandbox(docker, namespace),
    images: imagesFromEnv(),
    dataDir,
    platformDir: PLATFORM_ROOT,
    cloneTimeoutMs: 30_000,
    cloneMaxBytes: 50 * 1024 * 1024,
    cloneMaxFiles: 50_000,
    httpHosts: ['127.0.0.1'],
    jobTimeoutMs: 300_000,
    ...settings,
  };
}
