/**
 * `POST /webhooks/github`: GitHub's push deliveries. Signed with HMAC SHA-256 over the raw body
 * (the link's own secret or GITHUB_WEBHOOK_SECRET); every delivery id is recorded once, so a
 * redelivery creates nothing. The clone URL always comes from the stored link, never from the
 * payload. A push to the default branch that changes backend-pro.yml re-reads it (through the API,
 * at the pushed commit) before deciding what to grade. Answers at once: grading is queued, commit
 * statuses are reported in the background.
 */
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../../core/config';
import { shortSha } from '../../core/lib/format';
import { forgetDelivery, recordDelivery, selectOptionalLinkByRepo, updateDeliveryOutcome } from '../models/links';
import type { GradingJobData } from '../../core/queue';
import { GitHubApi } from './api';
import { gradePush, PushPayloadSchema } from './pushes';
import { applyPushedConfig } from './repoConfig';
import { verifySignature } from './signature';
import type { StatusReporter } from './statuses';

const REPO_FULL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;

export function webhookRouter(deps: {
  config: Config;
  queue: Queue<GradingJobData>;
  logger: Logger;
  statuses: StatusReporter;
  /** Per client IP, before the body is read; answers 429 in JSON. */
  rateLimit: RequestHandler;
}): Router {
  const { config, logger } = deps;
  const log = logger.child({ component: 'webhook' });
  const router = Router();
  // Two reads at most (default branch, backend-pro.yml) must fit in the 10 s GitHub waits for us.
  const reader = GitHubApi.forReading(config, 4_000);

  router.post(
    '/webhooks/github',
    deps.rateLimit,
    express.raw({ type: () => true, limit: `${config.WEBHOOK_MAX_KB}kb` }),
    async (req: Request, res: Response) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const event = req.get('x-github-event') ?? '';
      const delivery = req.get('x-github-delivery') ?? '';
      if (!/^[a-z_]{1,50}$/.test(event) || !DELIVERY_ID.test(delivery)) {
        res.status(400).json({ error: 'X-GitHub-Event and X-GitHub-Delivery headers are required: is this a GitHub webhook?' });
        return;
      }
      let payload: unknown = null;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        // Checked after the signature: an unsigned caller learns nothing.
      }
      const fullName = (payload as { repository?: { full_name?: unknown } } | null)?.repository?.full_name;
      const repo = typeof fullName === 'string' && REPO_FULL_NAME.test(fullName) ? fullName : null;
      const link = repo ? await selectOptionalLinkByRepo(repo) : null;
      const secrets = [link?.webhook_secret, config.GITHUB_WEBHOOK_SECRET].filter((secret): secret is string => Boolean(secret));
      if (!verifySignature(secrets, body, req.get('x-hub-signature-256'))) {
        log.warn({ delivery, event, repo }, 'webhook refused: bad or missing signature');
        res.status(401).json({ error: 'The X-Hub-Signature-256 signature is missing or does not match: check the webhook secret.' });
        return;
      }
      if (payload === null || typeof payload !== 'object') {
        res.status(400).json({ error: 'The payload is not JSON: set the webhook content type to application/json.' });
        return;
      }
      if (event === 'ping') {
        res.status(200).json({ ok: true, message: repo && link ? `Linked to ${link.repo_full_name}: pushes will be graded.` : 'pong' });
        return;
      }
      if (!(await recordDelivery(delivery, event, repo))) {
        log.info({ delivery, event, repo }, 'webhook redelivery ignored');
        res.status(200).json({ ignored: 'This delivery was already received; nothing new was created.' });
        return;
      }
      const done = async (status: number, outcome: string, extra: Record<string, unknown> = {}) => {
        await updateDeliveryOutcome(delivery, outcome);
        res.status(status).json({ ...extra, outcome });
      };
      if (event !== 'push') return void (await done(202, `ignored: "${event}" events are not graded (only push)`));
      if (!link) {
        log.info({ delivery, repo }, 'webhook ignored: repository not linked to any learner');
        return void (await done(202, `ignored: ${repo ?? 'this repository'} is not linked to any learner`));
      }
      const push = PushPayloadSchema.safeParse(payload);
      if (!push.success) return void (await done(400, 'refused: the push payload is missing ref, after or repository'));

      let decision;
      let configNote: string | null;
      try {
        // Before grading: a push that changes backend-pro.yml is graded with the map it brings.
        configNote = await applyPushedConfig(push.data, link, reader);
        decision = await gradePush(push.data, link, deps);
      } catch (error) {
        await forgetDelivery(delivery).catch(() => undefined);
        throw error;
      }
      // The note comes first: the record is cut at 500 characters.
      const withNote = (outcome: string) => (configNote ? `${configNote}; ${outcome}` : outcome);
      if (decision.kind === 'ignored') {
        log.info({ delivery, repo, reason: decision.reason, configNote }, 'push ignored');
        return void (await done(202, withNote(`ignored: ${decision.reason}`)));
      }
      const parts = decision.grades.map(({ submission, mode }) => `${submission.exercise_id} ${describeMode(mode)} (${submission.id})`);
      const outcome = withNote([...parts, ...decision.skipped.map((skip) => `skipped ${skip}`)].join('; ') || 'nothing to grade');
      log.info({ delivery, repo, outcome }, 'push received');
      await done(202, outcome, { submissions: decision.grades.map(({ submission }) => submission.id) });

      // After answering: GitHub waits at most 10 s for us.
      for (const grade of decision.grades) {
        if (grade.replacedSha && grade.replacedSha !== grade.submission.commit_sha) {
          await deps.statuses.report(grade.submission.id, {
            state: 'error',
            sha: grade.replacedSha,
            description: `Not graded: a newer push (${shortSha(grade.submission.commit_sha)}) is graded instead`,
          });
        }
        await deps.statuses.report(grade.submission.id);
      }
    },
  );

  // Errors of this route are answered in JSON (GitHub shows the body in its delivery log).
  router.use('/webhooks', (error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large') {
      res.status(413).json({ error: `The payload is larger than ${config.WEBHOOK_MAX_KB} KB.` });
      return;
    }
    log.error({ err: error }, 'webhook failed');
    res.status(error.status && error.status < 500 ? error.status : 500).json({ error: 'The webhook could not be processed; GitHub can redeliver it.' });
  });
  return router;
}

function describeMode(mode: 'queued' | 'waiting-cooldown' | 'replaced-pending'): string {
  return mode === 'queued' ? 'queued' : mode === 'waiting-cooldown' ? 'queued after the cooldown' : 'pending grade moved to this commit';
}
