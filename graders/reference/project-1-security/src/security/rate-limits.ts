import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { errorBody } from '../common/http-error.filter';

export interface RouteRateLimit {
  method: string;
  path: string;
  limiter: RequestHandler;
}

/** Requests one client (IP) may send to each route per window. */
export const RATE_LIMITS = { login: 5, register: 3 } as const;

/**
 * One limiter per route, each with its own counters keyed by the client's IP (req.ip, which
 * `trust proxy` makes the address our proxy saw). In memory: one instance is enough here; a
 * RedisStore (rate-limit-redis) would share the counters between instances.
 */
export function authRateLimits(windowSeconds: number): RouteRateLimit[] {
  const limiter = (limit: number): RequestHandler =>
    rateLimit({
      windowMs: windowSeconds * 1000,
      limit,
      // RateLimit-Limit / -Remaining / -Reset on every response, Retry-After on a 429.
      standardHeaders: 'draft-6',
      legacyHeaders: false,
      handler: (req: Request, res: Response) => {
        res.status(429).json(errorBody(429, 'Too many requests, try again later', req));
      },
    });
  return [
    { method: 'POST', path: '/auth/login', limiter: limiter(RATE_LIMITS.login) },
    { method: 'POST', path: '/auth/register', limiter: limiter(RATE_LIMITS.register) },
  ];
}
