/**
 * `GET /submissions/:id/events`: Server-Sent Events for one submission (owner or instructors).
 * On connect: the current state from the database (the worker writes every stage there, so a
 * reconnecting browser catches up from it). Then: progress from BullMQ, queue positions while
 * queued, and at the end the final state and an `end` event, after which the stream closes.
 */
import { Router, type Response } from 'express';
import type { Queue } from 'bullmq';
import type pino from 'pino';
import type { GradingJobData } from '../../core/queue';
import { currentUser, requireUser } from '../auth/middleware';
import { readQueuePosition, selectViewableSubmission } from '../lib/submissionAccess';
import { isFinished, submissionState, type SubmissionState } from '../lib/submissionView';
import { selectOptionalSubmission, selectStages } from '../../core/models/submissions';
import type { HubEvent, SubmissionEventHub } from './hub';

export interface SubmissionEventsOptions {
  heartbeatMs?: number;
}

export function submissionEventsRouter(
  deps: { queue: Queue<GradingJobData>; hub: SubmissionEventHub; logger: pino.Logger },
  options: SubmissionEventsOptions = {},
): Router {
  const router = Router();
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  async function readState(id: string): Promise<SubmissionState | null> {
    const submission = await selectOptionalSubmission(id);
    if (!submission) return null;
    const [stages, position] = await Promise.all([selectStages(id), readQueuePosition(deps.queue, submission, deps.logger)]);
    return submissionState(submission, stages, position);
  }

  router.get('/submissions/:id/events', requireUser, async (req, res: Response) => {
    const submission = await selectViewableSubmission(req.params.id as string, currentUser(req));
    const id = submission.id;

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) must not buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();

    let closed = false;
    let ready = false;
    const pending: HubEvent[] = [];
    const send = (event: string, data: unknown) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // Subscribe before reading the state, so nothing that happens in between is lost.
    const unsubscribe = deps.hub.subscribe(id, (event) => (ready ? void handle(event) : pending.push(event)));
    const heartbeat = setInterval(() => {
      if (!closed) res.write(': heartbeat\n\n');
    }, heartbeatMs);
    const cleanUp = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
    };
    const finish = (state: SubmissionState | null) => {
      send('end', { status: state?.status ?? 'error' });
      cleanUp();
      res.end();
    };
    req.on('close', cleanUp);
    res.on('error', cleanUp);

    async function handle(event: HubEvent): Promise<void> {
      if (closed) return;
      try {
        if (event.type === 'progress') send('progress', event.progress);
        else if (event.type === 'position') send('position', { position: event.position });
        else if (event.type === 'completed' || (event.type === 'failed' && event.final)) {
          const state = await readState(id);
          if (state) send('state', state);
          finish(state);
        } else if (event.type === 'failed') {
          const state = await readState(id);
          if (state) send('state', { ...state, retrying: event.reason });
        }
      } catch (error) {
        deps.logger.warn({ err: error, submissionId: id }, 'could not push a submission event');
      }
    }

    // The reconnection delay the browser uses if the stream drops.
    res.write('retry: 3000\n\n');
    const state = await readState(id);
    if (!state || isFinished(state)) {
      if (state) send('state', state);
      finish(state);
      return;
    }
    send('state', state);
    ready = true;
    for (const event of pending.splice(0)) await handle(event);
  });

  return router;
}
