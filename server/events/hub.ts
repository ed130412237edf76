/**
 * One shared BullMQ QueueEvents listener fanned out to the browsers watching a submission.
 * No browser gets its own Redis connection: the hub keeps a map job id → subscribers, and one
 * timer refreshes queue positions (one Redis read for everybody) while anyone is watching.
 */
import type { Queue, QueueEvents } from 'bullmq';
import type pino from 'pino';
import { ProgressSchema, type GradingJobData, type GradingProgress } from '../../core/queue';

export type HubEvent =
  | { type: 'progress'; progress: GradingProgress }
  | { type: 'position'; position: number | null }
  | { type: 'completed' }
  | { type: 'failed'; reason: string; final: boolean };

interface Subscriber {
  send: (event: HubEvent) => void;
  lastPosition: number | null | undefined;
}

export interface SubmissionEventHubOptions {
  /** How often queue positions are refreshed while someone watches a queued job. */
  positionIntervalMs?: number;
}

export class SubmissionEventHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private positionTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private refreshAgain = false;
  private readonly positionIntervalMs: number;
  private readonly detach: () => void;

  constructor(
    private readonly queueEvents: QueueEvents,
    private readonly queue: Queue<GradingJobData>,
    private readonly logger: pino.Logger,
    options: SubmissionEventHubOptions = {},
  ) {
    this.positionIntervalMs = options.positionIntervalMs ?? 2000;
    const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
      const progress = ProgressSchema.safeParse(data);
      if (progress.success) this.emit(jobId, { type: 'progress', progress: progress.data });
    };
    const onCompleted = ({ jobId }: { jobId: string }) => {
      this.emit(jobId, { type: 'completed' });
      this.refreshPositions();
    };
    const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
      if (!this.subscribers.has(jobId)) return;
      // A failed attempt may be retried: only a job left in the failed set is the end.
      void this.queue
        .getJobState(jobId)
        .then((state) => state === 'failed' || state === 'unknown')
        .catch(() => true)
        .then((final) => this.emit(jobId, { type: 'failed', reason: failedReason, final }));
      this.refreshPositions();
    };
    const onQueueMoved = () => this.refreshPositions();
    const listen = (method: 'on' | 'off') => {
      this.queueEvents[method]('progress', onProgress);
      this.queueEvents[method]('completed', onCompleted);
      this.queueEvents[method]('failed', onFailed);
      this.queueEvents[method]('waiting', onQueueMoved);
      this.queueEvents[method]('active', onQueueMoved);
      this.queueEvents[method]('removed', onQueueMoved);
    };
    listen('on');
    this.detach = () => listen('off');
  }

  /**
   * Calls `send` for every event of the job until the returned function is called.
   * `initialPosition` is what the subscriber was already told, so only changes are pushed.
   */
  subscribe(jobId: string, send: (event: HubEvent) => void, initialPosition?: number | null): () => void {
    const subscriber: Subscriber = { send, lastPosition: initialPosition };
    const set = this.subscribers.get(jobId) ?? new Set<Subscriber>();
    set.add(subscriber);
    this.subscribers.set(jobId, set);
    if (!this.positionTimer) {
      this.positionTimer = setInterval(() => this.refreshPositions(), this.positionIntervalMs);
      this.positionTimer.unref();
    }
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(jobId) === set) this.subscribers.delete(jobId);
      if (this.subscribers.size === 0 && this.positionTimer) {
        clearInterval(this.positionTimer);
        this.positionTimer = undefined;
      }
    };
  }

  /** How many browsers are connected (for tests and metrics). */
  subscriberCount(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  close(): void {
    this.detach();
    if (this.positionTimer) clearInterval(this.positionTimer);
    this.positionTimer = undefined;
    this.subscribers.clear();
  }

  private emit(jobId: string, event: HubEvent): void {
    for (const subscriber of this.subscribers.get(jobId) ?? []) {
      try {
        subscriber.send(event);
      } catch (error) {
        this.logger.warn({ err: error, jobId }, 'submission event subscriber failed');
      }
    }
  }

  /** Reads the wait list once and tells every watcher whose position changed. */
  private refreshPositions(): void {
    if (this.subscribers.size === 0) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    this.readPositions()
      .then((positions) => {
        for (const [jobId, set] of this.subscribers) {
          const position = positions.get(jobId) ?? null;
          for (const subscriber of set) {
            if (subscriber.lastPosition === position) continue;
            subscriber.lastPosition = position;
            subscriber.send({ type: 'position', position });
          }
        }
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not read queue positions'))
      .finally(() => {
        this.refreshing = false;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          this.refreshPositions();
        }
      });
  }

  /** Positions as core/queue.ts queuePosition counts them (1 = next), for every waiting job. */
  private async readPositions(): Promise<Map<string, number>> {
    const waiting = await this.queue.getWaiting(0, -1);
    return new Map(waiting.map((job, index) => [String(job.id), index + 1]));
  }
}
