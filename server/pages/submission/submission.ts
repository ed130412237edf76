/** `/submissions/:id` (page) and `/submissions/:id.json`: one submission, its owner or instructors only. */
import { Router } from 'express';
import type { Queue } from 'bullmq';
import type pino from 'pino';
import type { GradingJobData } from '../../queue';
import { currentUser, requireUser } from '../../auth/middleware';
import { DISTINCTION_PERCENT } from '../../lib/levels';
import { readQueuePosition, selectViewableSubmission } from '../../lib/submissionAccess';
import { buildTimeline, isFinished, presentResult, submissionJson } from '../../lib/submissionView';
import { selectOptionalExercise } from '../../models/exercises';
import { selectOptionalResult } from '../../models/results';
import { selectStages } from '../../models/submissions';
import { selectOptionalUserById } from '../../models/users';

export function submissionRouter(deps: { queue: Queue<GradingJobData>; logger: pino.Logger }): Router {
  const router = Router();

  // Before /submissions/:id, which would otherwise take "<id>.json" as the id.
  router.get('/submissions/:id.json', requireUser, async (req, res) => {
    const submission = await selectViewableSubmission(req.params.id as string, currentUser(req));
    const [stages, result, position] = await Promise.all([
      selectStages(submission.id),
      selectOptionalResult(submission.id),
      readQueuePosition(deps.queue, submission, deps.logger),
    ]);
    res.set('Cache-Control', 'no-store').json(submissionJson(submission, stages, result, position));
  });

  router.get('/submissions/:id', requireUser, async (req, res) => {
    const viewer = currentUser(req);
    const submission = await selectViewableSubmission(req.params.id as string, viewer);
    const [exercise, stages, result, position, owner] = await Promise.all([
      selectOptionalExercise(submission.exercise_id),
      selectStages(submission.id),
      selectOptionalResult(submission.id),
      readQueuePosition(deps.queue, submission, deps.logger),
      submission.user_id === viewer.id ? Promise.resolve(viewer) : selectOptionalUserById(submission.user_id),
    ]);
    const presented = result ? presentResult(result) : null;
    const passMark = exercise?.pass_mark ?? 80;
    res.set('Cache-Control', 'no-store').render('submission', {
      title: `Submission for ${exercise ? `phase ${exercise.phase}` : submission.exercise_id} — Backend Pro`,
      submission,
      exercise,
      owner,
      isOwner: submission.user_id === viewer.id,
      timeline: buildTimeline(submission, stages),
      finished: isFinished(submission),
      position,
      result: presented,
      passMark,
      passed: presented?.status === 'scored' && presented.percent !== null && presented.percent >= passMark,
      distinction: presented?.status === 'scored' && presented.percent !== null && presented.percent >= passMark && presented.percent >= DISTINCTION_PERCENT,
      errorMessage: submission.status === 'error' ? (submission.error_message ?? result?.message ?? 'Grading failed.') : null,
    });
  });

  return router;
}
