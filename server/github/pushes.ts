/**
 * What a push to a linked repository grades: each phase tracked on the pushed branch (skipping a
 * phase whose subdirectory the push did not touch, when GitHub listed every changed file), at the
 * pushed head commit, through the same cooldown as the web form. A push during the cooldown, or
 * while an earlier push still waits, becomes one pending grade of the newest commit.
 */
import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { Config } from '../../core/config';
import { withAdvisoryLock } from '../../core/db/sql';
import { cooldownEndsAt } from '../lib/cooldown';
import { createSubmission, repoUrlPolicy } from '../lib/createSubmission';
import { selectOptionalExercise } from '../models/exercises';
import { selectLinkPhases, type Link, type LinkPhase } from '../models/links';
import { updatePendingWebhookSubmission, type Submission } from '../../core/models/submissions';
import { selectOptionalUserById } from '../models/users';
import type { GradingJobData } from '../../core/queue';

const NULL_SHA = /^0{40}$/;
export const COMMIT_SHA = /^[0-9a-f]{40}$/;
/** GitHub lists at most 20 commits in a push payload; past that the changed files are unknown. */
const LISTED_COMMITS_MAX = 20;

export const PushPayloadSchema = z.object({
  ref: z.string(),
  after: z.string(),
  deleted: z.boolean().optional(),
  created: z.boolean().optional(),
  forced: z.boolean().optional(),
  commits: z
    .array(
      z.object({
        added: z.array(z.string()).optional(),
        removed: z.array(z.string()).optional(),
        modified: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  repository: z.object({ full_name: z.string() }),
});
export type PushPayload = z.infer<typeof PushPayloadSchema>;

export type PushDecision =
  | { kind: 'ignored'; reason: string }
  | {
      kind: 'graded';
      grades: { exerciseId: string; submission: Submission; mode: 'queued' | 'waiting-cooldown' | 'replaced-pending'; replacedSha: string | null }[];
      skipped: string[];
    };

/** The files a push changed, or null when GitHub's list may be incomplete. */
export function changedFiles(push: PushPayload): string[] | null {
  const commits = push.commits ?? [];
  if (push.created || push.forced || commits.length === 0 || commits.length >= LISTED_COMMITS_MAX) return null;
  return commits.flatMap((commit) => [...(commit.added ?? []), ...(commit.removed ?? []), ...(commit.modified ?? [])]);
}

export function touches(files: string[] | null, subdir: string | null): boolean {
  if (files === null || !subdir) return true;
  return files.some((file) => file === subdir || file.startsWith(`${subdir}/`));
}

export async function gradePush(push: PushPayload, link: Link, deps: { config: Config; queue: Queue<GradingJobData> }): Promise<PushDecision> {
  if (push.deleted || NULL_SHA.test(push.after)) return { kind: 'ignored', reason: 'the branch was deleted' };
  if (!push.ref.startsWith('refs/heads/')) {
    return {
      kind: 'ignored',
      reason: push.ref.startsWith('refs/tags/') ? `tag push (${push.ref.slice(10)}) — only branches are graded` : `not a branch: ${push.ref}`,
    };
  }
  if (!COMMIT_SHA.test(push.after)) return { kind: 'ignored', reason: 'the push names no valid head commit' };
  const branch = push.ref.slice('refs/heads/'.length);
  const tracked = (await selectLinkPhases(link.id)).filter((phase) => phase.branch === branch);
  if (tracked.length === 0) return { kind: 'ignored', reason: `branch "${branch}" is not tracked by any phase` };
  const user = await selectOptionalUserById(link.user_id);
  if (!user) return { kind: 'ignored', reason: 'the linked learner no longer exists' };

  const files = changedFiles(push);
  const grades: Extract<PushDecision, { kind: 'graded' }>['grades'] = [];
  const skipped: string[] = [];
  for (const phase of tracked) {
    if (!touches(files, phase.subdir)) {
      skipped.push(`Phase ${phase.phase}: nothing changed under ${phase.subdir}/`);
      continue;
    }
    const exercise = await selectOptionalExercise(phase.exercise_id);
    if (!exercise?.gradable) {
      skipped.push(`Phase ${phase.phase}: no grader yet`);
      continue;
    }
    grades.push(await scheduleGrade(user, exercise, link, phase, push.after, deps));
  }
  return { kind: 'graded', grades, skipped };
}

async function scheduleGrade(
  user: NonNullable<Awaited<ReturnType<typeof selectOptionalUserById>>>,
  exercise: NonNullable<Awaited<ReturnType<typeof selectOptionalExercise>>>,
  link: Link,
  phase: LinkPhase,
  sha: string,
  deps: { config: Config; queue: Queue<GradingJobData> },
) {
  const repoUrl = `${deps.config.GITHUB_WEB_URL}/${link.repo_full_name}.git`;
  // Two pushes of one learner's phase at once must not both create a submission.
  return withAdvisoryLock(`push:${user.id}:${exercise.id}`, async () => {
    const replaced = await updatePendingWebhookSubmission({
      userId: user.id,
      exerciseId: exercise.id,
      repoUrl,
      ref: phase.branch,
      subdir: phase.subdir,
      commitSha: sha,
    });
    if (replaced) {
      const { previous_sha: previousSha, ...submission } = replaced;
      return { exerciseId: exercise.id, submission, mode: 'replaced-pending' as const, replacedSha: previousSha };
    }
    const notBefore = await cooldownEndsAt(user, exercise);
    const submission = await createSubmission(
      {
        userId: user.id,
        exerciseId: exercise.id,
        repoUrl,
        ref: phase.branch,
        subdir: phase.subdir,
        source: 'webhook',
        commitSha: sha,
        linkId: link.id,
        notBefore,
      },
      repoUrlPolicy(deps.config),
      deps.queue,
    );
    return { exerciseId: exercise.id, submission, mode: notBefore ? ('waiting-cooldown' as const) : ('queued' as const), replacedSha: null };
  });
}
