/**
 * Start-up step: the exercise files are the source of truth; the database holds a copy so pages
 * and submissions can join on it. Exercises removed from disk stay (submissions reference them).
 */
import { upsertExercise } from '../models/exercises';
import { loadExerciseDefinitions, type ExerciseDefinition } from '../../core/exercises/definition';

/** Reads every exercises/<id>/README.md and upserts it; throws on the first invalid definition. */
export async function loadExercises(dir?: string): Promise<ExerciseDefinition[]> {
  const definitions = loadExerciseDefinitions(dir);
  for (const definition of definitions) {
    await upsertExercise(definition);
  }
  return definitions;
}
