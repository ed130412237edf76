/** `/phases/:id`: the brief, the submit form and the learner's attempts; POST submits. */
import { Router, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type { Config } from '../../../core/config';
import type { GradingJobData } from '../../../core/queue';
import { currentUser, requireUser } from '../../auth/middleware';
import { createSubmission, repoUrlPolicy } from '../../lib/createSubmission';
import { HttpError } from '../../lib/errors';
import { phaseStatus, PHASE_STATUS_LABELS } from '../../lib/levels';
import { renderMarkdown } from '../../lib/markdown';
import { selectOptionalExercise, type Exercise } from '../../models/exercises';
import { selectSubmissionsForUserExercise } from '../../../core/models/submissions';
import { cooldownEndsAt, secondsUntil } from '../../lib/cooldown';

async function selectExerciseOr404(id: string): Promise<Exercise> {
  const exercise = await selectOptionalExercise(id);
  if (!exercise) throw new HttpError(404, 'There is no such phase.');
  return exercise;
}

/** `rateLimit`: the per-learner burst limit on submitting (after requireUser, which it keys on). */
export function phaseRouter(deps: { config: Config; queue: Queue<GradingJobData>; rateLimit: RequestHandler }): Router {
  const router = Router();

  router.get('/phases/:id', requireUser, async (req, res) => {
    const user = currentUser(req);
    const exercise = await selectExerciseOr404(req.params.id as string);
    const attempts = await selectSubmissionsForUserExercise(user.id, exercise.id, 50);
    const percent = (attempt: (typeof attempts)[number]) => ((attempt.score ?? 0) / (attempt.max_score ?? 1)) * 100;
    const scored = attempts.filter((attempt) => attempt.status === 'scored' && (attempt.max_score ?? 0) > 0);
    const best = scored.reduce<(typeof scored)[number] | null>((top, attempt) => (!top || percent(attempt) > percent(top) ? attempt : top), null);
    const passedPercents = scored.filter((attempt) => attempt.passed).map(percent);
    const bestPassedPercent = passedPercents.length ? Math.max(...passedPercents) : null;
    const status = phaseStatus(bestPassedPercent, attempts.length);
    res.render('phase', {
      title: `Phase ${exercise.phase}: ${exercise.title} — Backend Pro`,
      exercise,
      // The page has the title as its heading: a brief opening with the same "# Title" drops it.
      briefHtml: renderMarkdown(exercise.brief_md.replace(/^#\s[^\n]*\n+/, '')),
      attempts,
      bestPercent: best ? percent(best) : null,
      // A best score that reached the pass mark but failed a required check: the page says so.
      blockedBest: bestPassedPercent === null && best && best.failed_required.length ? best : null,
      status,
      statusLabel: PHASE_STATUS_LABELS[status],
      allowedHosts: deps.config.GIT_ALLOWED_HOSTS,
      cooldownSeconds: exercise.gradable ? secondsUntil(await cooldownEndsAt(user, exercise)) : 0,
    });
  });

  router.post('/phases/:id/submissions', requireUser, deps.rateLimit, async (req, res) => {
    const user = currentUser(req);
    const exercise = await selectExerciseOr404(req.params.id as string);
    if (!exercise.gradable) throw new HttpError(409, 'This phase has no grader yet: its grader is coming soon.');
    const wait = secondsUntil(await cooldownEndsAt(user, exercise));
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
      repoUrlPolicy(deps.config),
      deps.queue,
    );
    res.redirect(303, `/submissions/${submission.id}`);
  });

  return router;
}
