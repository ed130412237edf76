/** `/submissions/:id` (page) and `/submissions/:id.json`: one submission, its owner or instructors only. */
import { Router, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type pino from 'pino';
import type { Config } from '../../../core/config';
import type { GradingJobData } from '../../../core/queue';
import { cooldownEndsAt, secondsUntil } from '../../lib/cooldown';
import { createSubmission, repoUrlPolicy } from '../../lib/createSubmission';
import { HttpError } from '../../lib/errors';
import { currentUser, requireUser } from '../../auth/middleware';
import { DISTINCTION_PERCENT } from '../../lib/levels';
import { renderInlineMarkdown } from '../../lib/markdown';
import { describeNotPassed } from '../../../core/lib/passing';
import { readQueuePosition, selectViewableSubmission } from '../../lib/submissionAccess';
import { buildTimeline, isFinished, presentResult, submissionJson } from '../../lib/submissionView';
import { selectOptionalExercise } from '../../models/exercises';
import { selectOptionalResult } from '../../../core/models/results';
import { selectStages } from '../../../core/models/submissions';
import { selectOptionalUserById } from '../../models/users';

export function submissionRouter(deps: { config: Config; queue: Queue<GradingJobData>; logger: pino.Logger; rateLimit: RequestHandler }): Router {
  const router = Router();

  // Before /submissions/:id, which would otherwise take "<id>.json" as the id.
  router.get('/submissions/:id.json', requireUser, async (req, res) => {
    const submission = await selectViewableSubmission(req.params.id as string, currentUser(req));
    const [stages, result, position] = await Promise.all([
      selectStages(submission.id),
      selectOptionalResult(submission.id),
      readQueuePosition(deps.queue, submission, deps.logger),
    ]);
    // Hidden checks are whole for instructors only (issue 11 §3): the owner sees placeholders.
    const reveal = currentUser(req).role === 'instructor';
    res.set('Cache-Control', 'no-store').json(submissionJson(submission, stages, result, position, { reveal }));
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
    const presented = result ? presentResult(result, { reveal: viewer.role === 'instructor' }) : null;
    const passMark = exercise?.pass_mark ?? 80;
    const passed = presented?.status === 'scored' && submission.passed === true;
    res.set('Cache-Control', 'no-store').render('submission', {
      title: `Submission for ${exercise ? `phase ${exercise.phase}` : submission.exercise_id} — Backend Pro`,
      submission,
      exercise,
      owner,
      isOwner: submission.user_id === viewer.id,
      timeline: buildTimeline(submission, stages, new Date(), result?.cause ?? null),
      finished: isFinished(submission),
      position,
      result: presented,
      passMark,
      passed,
      distinction: passed && presented.percent !== null && presented.percent >= DISTINCTION_PERCENT,
      notPassedReasonHtml:
        presented?.status === 'scored' && !passed
          ? renderInlineMarkdown(
              describeNotPassed({ score: presented.score, maxScore: presented.maxScore, passMark, failedRequired: presented.failedRequired }, (label) => label),
            )
          : null,
      errorMessage: submission.status === 'error' ? (submission.error_message ?? result?.message ?? 'Grading failed.') : null,
      waitingUntil: submission.status === 'queued' && submission.not_before && submission.not_before > new Date() ? submission.not_before : null,
      cooldownSeconds: exercise && isFinished(submission) ? secondsUntil(await cooldownEndsAt({ id: submission.user_id, role: viewer.role }, exercise)) : 0,
    });
  });

  // "Grade again": the same repository, branch, folder and commit, as a new submission of the
  // owner, under the same cooldown as any submission (instructors, who may regrade anyone's, have none).
  router.post('/submissions/:id/regrade', requireUser, deps.rateLimit, async (req, res) => {
    const viewer = currentUser(req);
    const submission = await selectViewableSubmission(req.params.id as string, viewer);
    const exercise = await selectOptionalExercise(submission.exercise_id);
    if (!exercise?.gradable) throw new HttpError(409, 'This phase has no grader right now.');
    if (!isFinished(submission)) throw new HttpError(409, 'This submission is still being graded.');
    const wait = secondsUntil(await cooldownEndsAt({ id: submission.user_id, role: viewer.role }, exercise));
    if (wait > 0) throw new HttpError(429, `You graded this phase a moment ago. You can grade it again in ${wait} s.`);
    const regrade = await createSubmission(
      {
        userId: submission.user_id,
        exerciseId: submission.exercise_id,
        repoUrl: submission.repo_url,
        ref: submission.ref,
        subdir: submission.subdir,
        source: 'regrade',
        commitSha: submission.commit_sha,
        linkId: submission.link_id,
      },
      repoUrlPolicy(deps.config),
      deps.queue,
    );
    res.redirect(303, `/submissions/${regrade.id}`);
  });

  return router;
}
