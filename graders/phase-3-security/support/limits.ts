/** Driving a client into a rate limit and reading the RateLimit headers. */
import type { HttpExchange } from '../../harness/feedback';
import { header, retryAfterMs, sleep } from './client';

export interface LimitRun {
  /** Every response, up to and including the first 429. */
  responses: HttpExchange[];
  /** Responses before the first 429. */
  accepted: number;
  limited?: HttpExchange;
}

/**
 * Sends `send()` until the first 429, at most `limit + 1` times. When a 429 comes early (a window
 * already in use, e.g. by another client of a limiter that is not per client), waits it out once
 * and starts again, so the count measures a fresh window.
 */
export async function untilLimited(send: () => Promise<HttpExchange>, limit: number): Promise<LimitRun> {
  let run: LimitRun = { responses: [], accepted: 0 };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const responses: HttpExchange[] = [];
    for (let i = 0; i <= limit; i += 1) {
      const res = await send();
      responses.push(res);
      if (res.status === 429) break;
    }
    const limited = responses.find((r) => r.status === 429);
    run = { responses, accepted: responses.length - (limited ? 1 : 0), limited };
    if (!limited || run.accepted >= limit || attempt > 0) return run;
    await sleep(retryAfterMs(limited));
  }
  return run;
}

export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  reset?: number;
}

/** `RateLimit-Limit`/`-Remaining`/`-Reset` (draft 6), or the combined `RateLimit: limit=…, remaining=…, reset=…` (draft 7). */
export function rateLimitHeaders(res: HttpExchange): RateLimitHeaders {
  const num = (value: string | undefined): number | undefined =>
    value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
  const combined = header(res, 'ratelimit') ?? '';
  const field = (name: string): string | undefined => new RegExp(`(?:^|[,;\\s])${name}=(\\d+)`).exec(combined)?.[1];
  return {
    limit: num(header(res, 'ratelimit-limit')) ?? num(field('limit')),
    remaining: num(header(res, 'ratelimit-remaining')) ?? num(field('remaining')),
    reset: num(header(res, 'ratelimit-reset')) ?? num(field('reset')),
  };
}
