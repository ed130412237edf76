/**
 * Coarse burst limits, counted in Redis so that every server process of the platform shares
 * them (express-rate-limit + rate-limit-redis): sign-in per client IP, submitting per signed-in
 * user (instructors exempt; the per-exercise cooldown is a separate, finer rule), GitHub's
 * webhook per client IP, and the /github actions that call GitHub's API per signed-in user. Windows are one minute; limits come from config (RATE_LIMIT_*).
 * Past a limit: 429 with Retry-After and the IETF draft-7 `RateLimit` / `RateLimit-Policy`
 * headers; pages get the error page (HttpError), the webhook JSON.
 *
 * Keys are prefixed with QUEUE_NAME: one Redis serves one platform (or one test run) per queue.
 * A submission that ends as a platform error gives its submit hit back (core/lib/submitLimit.ts,
 * called by the worker): the platform's fault never counts as the learner's attempt.
 * A Redis outage lets requests through (logged): the queue is down then anyway, and signing in
 * must not depend on a counter.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import type pino from 'pino';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Config } from '../../core/config';
import { limiterKey, submitKey, WINDOW_MS } from '../../core/lib/submitLimit';
import { HttpError } from './errors';

export interface RateLimits {
  /** POST /auth/dev, GET /auth/github, GET /auth/github/callback: per client IP. */
  signIn: RequestHandler;
  /** POST /phases/:id/submissions, POST /submissions/:id/regrade: per signed-in user, after requireUser. */
  submit: RequestHandler;
  /** POST /webhooks/github: per client IP, answers JSON. */
  webhook: RequestHandler;
  /** POST /github/config, POST /github/webhook (calls to GitHub's API): per signed-in user, after requireUser. */
  github: RequestHandler;
}

/**
 * rate-limit-redis loads its Lua scripts once, when the limiter is created; a Redis that was
 * unreachable then would leave a rejected promise behind for good. Reload on the next use.
 */
class ReloadingRedisStore extends RedisStore {
  override async increment(key: string) {
    this.incrementScriptSha = (this.incrementScriptSha ?? Promise.reject(new Error('not loaded'))).catch(() => this.loadIncrementScript());
    return super.increment(key);
  }

  override async get(key: string) {
    this.getScriptSha = (this.getScriptSha ?? Promise.reject(new Error('not loaded'))).catch(() => this.loadGetScript());
    return super.get(key);
  }
}

export function createRateLimits(deps: { config: Config; redis: Redis; logger: pino.Logger }): RateLimits {
  const { config, redis } = deps;
  const log = deps.logger.child({ component: 'rate-limit' });
  const store = (name: string) =>
    new ReloadingRedisStore({
      prefix: limiterKey(config.QUEUE_NAME, name, ''),
      sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
    });
  const common = (name: string): Partial<Options> => ({
    windowMs: WINDOW_MS,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    store: store(name),
    logger: {
      error: (error: unknown, message?: string) => log.error({ err: error, limiter: name }, message ?? 'rate limiter error'),
      warn: (error: unknown, message?: string) => log.warn({ err: error, limiter: name }, message ?? 'rate limiter warning'),
    },
  });
  const retryAfter = (res: Response) => Number(res.getHeader('Retry-After')) || Math.ceil(WINDOW_MS / 1000);
  const page = (name: string, message: (seconds: number) => string) => (req: Request, res: Response, next: NextFunction) => {
    log.warn({ limiter: name, path: req.path }, 'rate limit reached');
    next(new HttpError(429, message(retryAfter(res))));
  };

  return {
    signIn: rateLimit({
      ...common('signin'),
      limit: config.RATE_LIMIT_SIGNIN_PER_MINUTE,
      handler: page('signin', (seconds) => `Too many sign-in attempts from your network. Try again in ${seconds} s.`),
    }),
    submit: rateLimit({
      ...common('submit'),
      limit: config.RATE_LIMIT_SUBMIT_PER_MINUTE,
      skip: (req) => !req.currentUser || req.currentUser.role === 'instructor',
      keyGenerator: (req) => submitKey(req.currentUser?.id ?? 'none'),
      handler: page(
        'submit',
        (seconds) =>
          `You have asked for more than ${config.RATE_LIMIT_SUBMIT_PER_MINUTE} gradings in a minute. Try again in ${seconds} s — your earlier submissions are being graded.`,
      ),
    }),
    github: rateLimit({
      ...common('github'),
      limit: config.RATE_LIMIT_GITHUB_PER_MINUTE,
      keyGenerator: (req) => `user:${req.currentUser?.id ?? 'none'}`,
      handler: page(
        'github',
        (seconds) =>
          `You have asked the platform to call GitHub more than ${config.RATE_LIMIT_GITHUB_PER_MINUTE} times in a minute. Try again in ${seconds} s.`,
      ),
    }),
    webhook: rateLimit({
      ...common('webhook'),
      limit: config.RATE_LIMIT_WEBHOOK_PER_MINUTE,
      handler: (_req, res) => {
        log.warn({ limiter: 'webhook' }, 'rate limit reached');
        res.status(429).json({
          error: `Too many deliveries from this address (more than ${config.RATE_LIMIT_WEBHOOK_PER_MINUTE} a minute). GitHub can redeliver it in ${retryAfter(res)} s.`,
        });
      },
    }),
  };
}
