import { z } from 'zod';
import { execute, loadSqlBlocks, queryOptionalRow, queryRows } from '../../core/db/sql';
import type { ExerciseDefinition } from '../../core/exercises/definition';

const sql = loadSqlBlocks(__filename);

export const ExerciseSchema = z.object({
  id: z.string(),
  phase: z.number(),
  title: z.string(),
  summary: z.string(),
  points: z.number(),
  pass_mark: z.number(),
  gradable: z.boolean(),
  brief_md: z.string(),
  front_matter: z.record(z.string(), z.unknown()),
  updated_at: z.date(),
});
export type Exercise = z.infer<typeof ExerciseSchema>;

export async function upsertExercise(definition: ExerciseDefinition): Promise<void> {
  const { briefMarkdown, graderDir: _graderDir, ...frontMatter } = definition;
  await execute(sql.upsert_exercise, {
    id: definition.id,
    phase: definition.phase,
    title: definition.title,
    summary: definition.summary,
    points: definition.points,
    pass_mark: definition.passMark,
    gradable: definition.gradable,
    brief_md: briefMarkdown,
    front_matter: JSON.stringify(frontMatter),
  });
}

export function selectExercises(): Promise<Exercise[]> {
  return queryRows(sql.select_exercises, {}, ExerciseSchema);
}

export function selectOptionalExercise(id: string): Promise<Exercise | null> {
  // Ids are lowercase letters, digits and dashes (definition.ts): anything else, e.g. a NUL
  // byte PostgreSQL would refuse, is simply no exercise.
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(id)) return Promise.resolve(null);
  return queryOptionalRow(sql.select_exercise, { id }, ExerciseSchema);
}
