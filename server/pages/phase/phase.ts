/** `/phases/:id`: the brief, the submit form and the learner's attempts; POST submits. */
import { Router } from 'express';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { Config } from '../../config';
import type { GradingJobData } from '../../queue';
import { currentUser, requireUser } from '../../auth/middleware';
import { createSubmission } from '../../lib/createSubmission';
import { HttpError } from '../../lib/errors';
import { phaseStatus, PHASE_STATUS_LABELS } from '../../lib/levels';
import { renderMarkdown } from '../../lib/markdown';
import { selectOptionalExercise, type Exercise } from '../../models/exercises';
import { selectSubmissionsForUserExercise } from '../../models/submissions';
import type { User } from '../../models/users';
import { loadSqlBlocks, queryRow } from '../../db/sql';

const sql = loadSqlBlocks(__filename);

/**
 * Seconds the learner still has to wait before submitting this exercise again (front matter
 * `cooldownSeconds`; instructors have none), so one learner cannot fill the grading queue.
 */
async function cooldownRemaining(user: User, exercise: Exercise): Promise<number> {
  const cooldown = Number(exercise.front_matter.cooldownSeconds ?? 0);
  if (user.role === 'instructor' || !Number.isFinite(cooldown) || cooldown <= 0) return 0;
  const { last_at } = await queryRow(
    sql.select_last_graded_submission_at,
    { user_id: user.id, exercise_id: exercise.id },
    z.object({ last_at: z.date().nullable() }),
  );
  if (!last_at) return 0;
  return Math.max(0, Math.ceil(cooldown - (Date.now() - last_at.getTime()) / 1000));
}

async function selectExerciseOr404(id: string): Promise<Exercise> {
  const exercise = await selectOptionalExercise(id);
  if (!exercise) throw new HttpError(404, 'There is no such phase.');
  return exercise;
}

export function phaseRouter(deps: { config: Config; queue: Queue<GradingJobData> }): Router {
  const router = Router();

  router.get('/phases/:id', requireUser, async (req, res) => {
    const user = currentUser(req);
    const exercise = await selectExerciseOr404(req.params.id as string);
    const attempts = await selectSubmissionsForUserExercise(user.id, exercise.id, 50);
    const scored = attempts.filter((attempt) => attempt.status === 'scored' && (attempt.max_score ?? 0) > 0);
    const bestPercent = scored.length
      ? Math.max(...scored.map((attempt) => ((attempt.score ?? 0) / (attempt.max_score ?? 1)) * 100))
      : null;
    const status = phaseStatus(bestPercent, attempts.length, exercise.pass_mark);
    res.render('phase', {
      title: `Phase ${exercise.phase}: ${exercise.title} — Backend Pro`,
      exercise,
      // The page has the title as its heading: a brief opening with the same "# Title" drops it.
      briefHtml: renderMarkdown(exercise.brief_md.replace(/^#\s[^\n]*\n+/, '')),
      attempts,
      bestPercent,
      status,
      statusLabel: PHASE_STATUS_LABELS[status],
      allowedHosts: deps.config.GIT_ALLOWED_HOSTS,
    });
  });

  router.post('/phases/:id/submissions', requireUser, async (req, res) => {
    const user = currentUser(req);
    const exercise = await selectExerciseOr404(req.params.id as string);
    if (!exercise.gradable) throw new HttpError(409, 'This phase has no grader yet: its grader is coming soon.');
    const wait = await cooldownRemaining(user, exercise);
    if (wait > 0) {
      throw new HttpError(429, `You submitted this phase a moment ago. You can submit again in ${wait} s — meanwhile, your last attempt is being graded.`);
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const submission = await createSubmission(
      {
        userId: user.id,
        exerciseId: exercise.id,
        repoUrl: text(body.repo_url),
        ref: text(body.branch) || null,
        subdir: text(body.subdir) || null,
        source: 'web',
      },
      { allowedHosts: deps.config.GIT_ALLOWED_HOSTS, httpHosts: deps.config.GIT_HTTP_HOSTS },
      deps.queue,
    );
    res.redirect(303, `/submissions/${submission.id}`);
  });

  return router;
}
