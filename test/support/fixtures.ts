/**
 * Fixtures of the pipeline tests: the fixture exercise (graded by test/fixtures/graders/
 * fixture-hello) and learner apps made from test/fixtures/apps/hello with one change each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FrontMatterSchema, type ExerciseDefinition } from '../../server/exercises/definition';
import type { Images } from '../../worker/stages/context';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

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
