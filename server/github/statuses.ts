/**
 * Commit statuses for submissions made by a push: pending while queued and while grading, then
 * success (passed: the pass mark reached and every required check passed), failure (below it, or a
 * required check failed — named) or error (could not be graded), with
 * the score in the description and a link to the submission page. An error of the platform says
 * "grading infrastructure" and that the learner is not to blame. Reporting never fails a job:
 * a GitHub outage is logged and the grade is kept.
 */
import type { Logger } from 'pino';
import type { Config } from '../../core/config';
import { formatPoints } from '../../core/lib/format';
import { reachesPassMark } from '../../core/lib/passing';
import { selectOptionalExercise, type Exercise } from '../models/exercises';
import { selectOptionalLinkById } from '../models/links';
import { selectOptionalResult, type ErrorCause } from '../../core/models/results';
import { selectOptionalSubmission, updateSubmissionGitHubStatus, type Submission } from '../../core/models/submissions';
import { GitHubApi, type CommitState } from './api';
import { redactChecks } from '../lib/submissionView';

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface StatusReporter {
  /** Reports the submission's current state on its commit (no-op for submissions not made by a push). */
  report(submissionId: string, override?: { state: CommitState; description: string; sha?: string }): Promise<void>;
}

/**
 * `cause`: whose fault an `error` submission is (its result's cause). `failedRequired`: the
 * failed required checks as the learner may see them (hidden ones by placeholder), never the raw
 * ids stored on the submission (those name hidden checks).
 */
export function describeStatus(
  submission: Submission,
  exercise: Pick<Exercise, 'phase' | 'pass_mark'>,
  now = new Date(),
  cause: ErrorCause | null = null,
  failedRequired: readonly string[],
): { state: CommitState; description: string } {
  const phase = `Phase ${exercise.phase}`;
  switch (submission.status) {
    case 'queued':
      if (submission.not_before && submission.not_before > now) {
        return { state: 'pending', description: `${phase}: queued, grading starts at ${submission.not_before.toISOString().slice(11, 16)} UTC (cooldown)` };
      }
      return { state: 'pending', description: `${phase}: queued for grading` };
    case 'running':
      return { state: 'pending', description: `${phase}: grading…` };
    case 'scored': {
      const score = submission.score ?? 0;
      const max = submission.max_score ?? 0;
      const points = `${formatPoints(score)}/${formatPoints(max)}`;
      if (submission.passed) return { state: 'success', description: `${phase}: ${points} — passed (pass mark ${exercise.pass_mark}%)` };
      if (reachesPassMark(score, max, exercise.pass_mark) && failedRequired.length) {
        // GitHub keeps 140 characters: the first failed required check, and how many more.
        const more = failedRequired.length > 1 ? ` (+${failedRequired.length - 1} more)` : '';
        return { state: 'failure', description: truncate(`${phase}: ${points} — not passed: required check ${failedRequired[0]}${more} failed`, 140) };
      }
      return { state: 'failure', description: `${phase}: ${points} — below the pass mark of ${exercise.pass_mark}%` };
    }
    case 'error':
      // GitHub keeps 140 characters: the infrastructure's own message is on the submission page.
      if (cause === 'platform')
        return { state: 'error', description: `${phase}: not graded — the grading infrastructure failed, not your code. Push again later.` };
      return { state: 'error', description: `${phase}: not graded — ${(submission.error_message ?? 'see the submission page').replace(/\s+/g, ' ')}` };
  }
}

export function statusContext(exerciseId: string): string {
  return `backend-pro/${exerciseId}`;
}

export function createStatusReporter(config: Config, logger: Logger, api = GitHubApi.fromConfig(config)): StatusReporter {
  const log = logger.child({ component: 'github-status' });
  return {
    async report(submissionId, override) {
      if (!api) return;
      try {
        // The web server and the worker both report, each the state it reads. A report that
        // reaches GitHub late could overwrite a newer one, so the reporter reads the state again
        // after posting and posts again when it changed meanwhile: the last word is the latest state.
        let posted: string | null = null;
        for (let round = 0; round < 3; round += 1) {
          const submission = await selectOptionalSubmission(submissionId);
          if (!submission?.link_id || !submission.commit_sha) return;
          const [link, exercise] = await Promise.all([selectOptionalLinkById(submission.link_id), selectOptionalExercise(submission.exercise_id)]);
          if (!link || !exercise) return;
          const needsResult = submission.status === 'error' || submission.failed_required.length > 0;
          const result = needsResult ? await selectOptionalResult(submission.id) : null;
          const failedRequired = result
            ? redactChecks(result.tests)
                .filter((check) => check.required && check.status !== 'passed')
                .map((check) => (check.hidden ? check.name : check.id))
            : [];
          const status = override ?? describeStatus(submission, exercise, new Date(), result?.cause ?? null, failedRequired);
          const key = `${status.state}|${status.description}`;
          if (key === posted) return;
          await api.createCommitStatus(link.repo_full_name, override?.sha ?? submission.commit_sha, {
            ...status,
            targetUrl: `${config.BASE_URL}/submissions/${submission.id}`,
            context: statusContext(exercise.id),
          });
          if (override) return;
          await updateSubmissionGitHubStatus(submission.id, status.state);
          posted = key;
        }
      } catch (error) {
        log.warn({ err: error, submissionId }, 'could not report the commit status to GitHub');
      }
    },
  };
}
