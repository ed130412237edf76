/**
 * `/instructor`: the cohort at a glance — every learner, best score per phase, recent submissions.
 * `/instructor/exercises/:id/coverage`: which checks test each rule of the exercise's brief.
 */
import { Router } from 'express';
import { z } from 'zod';
import { requireInstructor } from '../../auth/middleware';
import { loadSqlBlocks, queryRows } from '../../../core/db/sql';
import { readExerciseCoverage } from '../../exercises/coverage';
import { ExerciseDefinitionError, findExerciseDefinition } from '../../../core/exercises/definition';
import { HttpError } from '../../lib/errors';
import { renderInlineMarkdown } from '../../lib/markdown';
import { phaseStatus } from '../../lib/levels';
import { selectExercises } from '../../models/exercises';

const sql = loadSqlBlocks(__filename);

const CohortProgressSchema = z.object({
  user_id: z.coerce.number(),
  exercise_id: z.string(),
  attempts: z.number(),
  best_percent: z.number().nullable(),
  best_passed_percent: z.number().nullable(),
  last_submitted_at: z.date().nullable(),
  latest_submission_id: z.string().nullable(),
  latest_status: z.string().nullable(),
});

const LearnerSchema = z.object({
  id: z.coerce.number(),
  login: z.string(),
  name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  created_at: z.date(),
  last_seen_at: z.date(),
  last_submitted_at: z.date().nullable(),
  submission_count: z.number(),
});

const RecentSubmissionSchema = z.object({
  id: z.string(),
  exercise_id: z.string(),
  status: z.string(),
  score: z.coerce.number().nullable(),
  max_score: z.coerce.number().nullable(),
  commit_sha: z.string().nullable(),
  created_at: z.date(),
  error_message: z.string().nullable(),
  login: z.string(),
  phase: z.number(),
});

export function instructorRouter(): Router {
  const router = Router();
  router.get('/instructor', requireInstructor, async (_req, res) => {
    const [exercises, learners, progress, recent] = await Promise.all([
      selectExercises(),
      queryRows(sql.select_learners, {}, LearnerSchema),
      queryRows(sql.select_cohort_progress, {}, CohortProgressSchema),
      queryRows(sql.select_recent_submissions, { limit: 30 }, RecentSubmissionSchema),
    ]);
    const cells = new Map(progress.map((row) => [`${row.user_id}:${row.exercise_id}`, { ...row, status: phaseStatus(row.best_passed_percent, row.attempts) }]));
    res.render('instructor', {
      title: 'Cohort — Backend Pro',
      exercises,
      learners,
      cell: (userId: number, exerciseId: string) => cells.get(`${userId}:${exerciseId}`),
      recent,
    });
  });

  router.get('/instructor/exercises/:id/coverage', requireInstructor, (req, res) => {
    let exercise;
    try {
      exercise = findExerciseDefinition(String(req.params.id));
    } catch (error) {
      if (error instanceof ExerciseDefinitionError) throw new HttpError(404, `There is no exercise "${String(req.params.id)}".`);
      throw error;
    }
    res.render('coverage', {
      title: `Coverage: Phase ${exercise.phase} — Backend Pro`,
      exercise,
      coverage: readExerciseCoverage(exercise),
      inline: renderInlineMarkdown,
    });
  });
  return router;
}
