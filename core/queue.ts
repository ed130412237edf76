/**
 * The BullMQ queue `grading`: one job per submission (jobId = submission id), the contract
 * between the server (producer), the worker (consumer) and the live page (QueueEvents → SSE).
 */
import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import IORedis, { type Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';

export const GradingJobDataSchema = z.object({ submissionId: z.string().uuid() });
export type GradingJobData = z.infer<typeof GradingJobDataSchema>;

/** What job.updateProgress carries: the stage the submission has just entered. */
export const ProgressSchema = z.object({
  stage: z.enum(['queued', 'cloning', 'installing', 'building', 'probing', 'starting', 'testing', 'scored', 'error']),
  at: z.string(),
  detail: z.string().optional(),
});
export type GradingProgress = z.infer<typeof ProgressSchema>;

/** Producers fail fast (a web request must not hang on a dead Redis); workers wait forever. */
export function createRedisConnection(url: string, role: 'producer' | 'worker'): Redis {
  return new IORedis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
  });
}

export function createGradingQueue(connection: ConnectionOptions, name: string): Queue<GradingJobData> {
  return new Queue<GradingJobData>(name, {
    connection,
    defaultJobOptions: {
      // Infrastructure faults (Docker hiccup, Redis restart) are retried; learner failures are results.
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/**
 * QueueEvents holds a blocking connection of its own: given options (not a client), BullMQ
 * creates that connection and closes it with close(), so nothing is left open.
 */
export function createGradingQueueEvents(redisUrl: string, name: string): QueueEvents {
  return new QueueEvents(name, { connection: redisOptionsFromUrl(redisUrl) });
}

/** ioredis options from a redis:// URL, for the BullMQ objects that own their connection. */
export function redisOptionsFromUrl(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** Queues a submission for grading, after `delayMs` when the learner's cooldown is not over. */
export async function enqueueSubmission(queue: Queue<GradingJobData>, submissionId: string, delayMs = 0): Promise<void> {
  await queue.add('grade', { submissionId }, { jobId: submissionId, ...(delayMs > 0 ? { delay: Math.ceil(delayMs) } : {}) });
}

/**
 * 1-based position among waiting jobs (1 = next to start), or null when the job is no longer
 * waiting. Reads the wait list once; fine for the queue sizes of a course.
 */
export async function queuePosition(queue: Queue<GradingJobData>, submissionId: string): Promise<number | null> {
  // getWaiting lists the next job to start first (measured: a worker takes them in this order).
  const waiting = await queue.getWaiting(0, -1);
  const index = waiting.findIndex((job) => job.id === submissionId);
  return index === -1 ? null : index + 1;
}
