import type { Queue } from 'bullmq';
import type pino from 'pino';
import { queuePosition, type GradingJobData } from '../../core/queue';
import { selectOptionalSubmission, type Submission } from '../../core/models/submissions';
import type { User } from '../models/users';
import { HttpError } from './errors';

/**
 * A submission its viewer may see: their own, or any for an instructor. Anything else is a 404,
 * not a 403, so ids of other people's submissions cannot be probed.
 */
export async function selectViewableSubmission(id: string, viewer: User): Promise<Submission> {
  const submission = await selectOptionalSubmission(id);
  if (!submission || (submission.user_id !== viewer.id && viewer.role !== 'instructor')) {
    throw new HttpError(404, 'There is no such submission, or it is not yours.');
  }
  return submission;
}

/** The queue position of a queued submission; null when not waiting or when Redis is away. */
export async function readQueuePosition(queue: Queue<GradingJobData>, submission: Submission, logger: pino.Logger): Promise<number | null> {
  if (submission.status !== 'queued') return null;
  try {
    return await queuePosition(queue, submission.id);
  } catch (error) {
    logger.warn({ err: error, submissionId: submission.id }, 'could not read the queue position');
    return null;
  }
}
