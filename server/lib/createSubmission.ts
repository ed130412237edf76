/**
 * The one way a submission is created (web form, CLI, later webhooks): validate, insert, and
 * either enqueue it or, when the input is unusable, store it at once as an explained error.
 */
import type { Queue } from 'bullmq';
import type { Config } from '../../core/config';
import { enqueueSubmission, type GradingJobData } from '../../core/queue';
import { insertSubmission, type Submission } from '../../core/models/submissions';
import { markQueued, refuseQueued } from '../../core/submissionLifecycle';
import { checkRef, checkRepoUrl, checkSubdir, type RepoUrlPolicy } from './submissionInput';
import { cleanText } from '../../core/lib/text';

/** What a submission is made of, before validation: the same fields as the row it becomes. */
export type SubmissionRequest = Parameters<typeof insertSubmission>[0];

/** Which repository URLs this platform clones, from its configuration. */
export function repoUrlPolicy(config: Config): RepoUrlPolicy {
  return { allowedHosts: config.GIT_ALLOWED_HOSTS, httpHosts: config.GIT_HTTP_HOSTS };
}

export async function createSubmission(request: SubmissionRequest, policy: RepoUrlPolicy, queue: Queue<GradingJobData>): Promise<Submission> {
  const url = checkRepoUrl(request.repoUrl, policy);
  const ref = checkRef(request.ref);
  const subdir = checkSubdir(request.subdir);
  const submission = await insertSubmission({
    userId: request.userId,
    exerciseId: request.exerciseId,
    // A refused value is kept (cleaned) so the learner sees what they sent beside the reason.
    repoUrl: url.ok ? url.value : cleanText(request.repoUrl.trim().slice(0, 500)),
    ref: ref.ok ? ref.value : cleanText((request.ref ?? '').slice(0, 200)),
    subdir: subdir.ok ? subdir.value : cleanText((request.subdir ?? '').slice(0, 200)),
    source: request.source,
    commitSha: request.commitSha ?? null,
    linkId: request.linkId ?? null,
    notBefore: request.notBefore ?? null,
  });
  const now = new Date();
  await markQueued(submission.id, now);
  const problem = [url, ref, subdir].find((check) => !check.ok);
  if (problem && !problem.ok) {
    // Reasons quote the refused value, which may hold bytes PostgreSQL refuses (NUL).
    const reason = cleanText(problem.reason);
    await refuseQueued(submission.id, now, reason, 'learner');
    return { ...submission, status: 'error', stage: 'error', error_message: reason };
  }
  try {
    await enqueueSubmission(queue, submission.id, request.notBefore ? request.notBefore.getTime() - Date.now() : 0);
  } catch {
    // Redis is away: the row must not wait forever for a job that does not exist.
    const reason = 'The grading queue could not be reached, so this submission was not graded. This is not your fault: please submit again in a minute.';
    await refuseQueued(submission.id, now, reason, 'platform');
    return { ...submission, status: 'error', stage: 'error', error_message: reason };
  }
  return submission;
}
