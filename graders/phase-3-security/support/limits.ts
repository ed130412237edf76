/** Driving a client into a rate limit and reading the RateLimit headers. */
import type { HttpExchange } from '../../harness/feedback';
import { header, retryAfterMs, sleep, windowSeconds } from './client';

export interface LimitRun {
  /** Every response, up to and including the first 429. */
  responses: HttpExchange[];
  /** Responses before the first 429. */
  accepted: number;
  limited?: HttpExchange;
  /** When the 429 arrived (Date.now()), for checks that must act within its window. */
  limitedAt?: number;
  /** From sending the first request to the last answer (ms). */
  burstMs: number;
}

/**
 * Sends `send()` until the first 429, at most `limit + 1` times, and measures one fresh window.
 *
 * Two runs at most. The first is redone when it cannot be trusted:
 * - the 429 came early (a window already in use, e.g. by an earlier check, for a limiter that is
 *   not per client): wait out that window (Retry-After + 1 s, capped at the window + 1 s) and count again;
 * - no 429 at all: a limiter shared by everyone may have had a window that started before the
 *   burst and ended in its middle, so the burst was split over two windows. Waiting the window + 1 s
 *   after the last answer ends any window begun before or during the burst (the grader sends
 *   nothing else meanwhile), so the second run starts a fresh one;
 * - the burst took longer than the window (a very busy machine): a per-client window may have
 *   ended in its middle; wait the window + 1 s and count again.
 * The second run is final. Its `burstMs` is kept, so feedback can say the app was too slow.
 */
export async function untilLimited(send: () => Promise<HttpExchange>, limit: number): Promise<LimitRun> {
  let run: LimitRun = { responses: [], accepted: 0, burstMs: 0 };
  const windowMs = windowSeconds() * 1000;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const responses: HttpExchange[] = [];
    const started = Date.now();
    let limitedAt: number | undefined;
    for (let i = 0; i <= limit; i += 1) {
      const res = await send();
      responses.push(res);
      if (res.status === 429) {
        limitedAt = Date.now();
        break;
      }
    }
    const limited = responses.find((r) => r.status === 429);
    const burstMs = Date.now() - started;
    run = { responses, accepted: responses.length - (limited ? 1 : 0), limited, limitedAt, burstMs };
    if (attempt > 0) return run;
    if (limited && run.accepted < limit) await sleep(retryAfterMs(limited));
    else if (!limited || burstMs >= windowMs) await sleep(windowMs + 1000);
    else return run;
  }
  return run;
}

/**
 * Whether a request answered at `answeredAt` surely fell inside the window of a 429 received at
 * `run.limitedAt`. The app says how long that window still runs: Retry-After (whole seconds,
 * rounded up, so the window ends between Retry-After − 1 and Retry-After seconds after the 429).
 * Without a usable Retry-After we cannot tell, and say no.
 */
export function withinLimitedWindow(run: LimitRun, answeredAt: number): boolean {
  if (!run.limited || run.limitedAt === undefined) return false;
  const seconds = Number(header(run.limited, 'retry-after'));
  if (!Number.isFinite(seconds) || seconds < 1) return false;
  return answeredAt - run.limitedAt < (seconds - 1) * 1000;
}

export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  reset?: number;
  /** Which accepted family the values came from, for feedback. */
  family?: string;
  /** Rate-limit headers seen that no accepted family uses (e.g. @nestjs/throttler's `-<name>` suffixes). */
  unknown: string[];
}

/**
 * The accepted header families, read in this order (the brief lists the same):
 * - `RateLimit-Limit` / `-Remaining` / `-Reset`: IETF draft 6 (express-rate-limit `standardHeaders: 'draft-6'`);
 * - `RateLimit: limit=3, remaining=2, reset=10`: draft 7 (`'draft-7'`);
 * - `RateLimit: "name";r=2;t=10` with `RateLimit-Policy: "name";q=3;w=10`: draft 8 (`'draft-8'`);
 * - `X-RateLimit-Limit` / `-Remaining` / `-Reset`: @nestjs/throttler's default names (its `default`
 *   throttler), @fastify/rate-limit's defaults and express-rate-limit's `legacyHeaders`. Their Reset
 *   is seconds until the window ends, or (express-rate-limit's legacy header) the Unix time it ends:
 *   a value above 10^9 is read as the latter.
 */
export function rateLimitHeaders(res: HttpExchange): RateLimitHeaders {
  const num = (value: string | undefined): number | undefined => (value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined);
  const combined = header(res, 'ratelimit') ?? '';
  const policy = header(res, 'ratelimit-policy') ?? '';
  const field = (text: string, name: string): number | undefined => num(new RegExp(`(?:^|[,;\\s])${name}\\s*=\\s*(\\d+)`).exec(text)?.[1]);
  const unknown = Object.keys(res.headers).filter(
    (name) => /ratelimit|retry-after/i.test(name) && !/^(x-)?ratelimit(-limit|-remaining|-reset|-policy)?$|^retry-after$/i.test(name),
  );
  const draft6 = { limit: num(header(res, 'ratelimit-limit')), remaining: num(header(res, 'ratelimit-remaining')), reset: num(header(res, 'ratelimit-reset')) };
  if (draft6.limit !== undefined || draft6.remaining !== undefined) return { ...draft6, family: '`RateLimit-Limit`/`-Remaining`/`-Reset`', unknown };
  if (field(combined, 'limit') !== undefined || field(combined, 'remaining') !== undefined) {
    return {
      limit: field(combined, 'limit'),
      remaining: field(combined, 'remaining'),
      reset: field(combined, 'reset'),
      family: 'the combined `RateLimit` of draft 7',
      unknown,
    };
  }
  if (field(combined, 'r') !== undefined) {
    return {
      limit: field(policy, 'q'),
      remaining: field(combined, 'r'),
      reset: field(combined, 't'),
      family: '`RateLimit` and `RateLimit-Policy` of draft 8',
      unknown,
    };
  }
  const legacy = { limit: num(header(res, 'x-ratelimit-limit')), remaining: num(header(res, 'x-ratelimit-remaining')) };
  if (legacy.limit !== undefined || legacy.remaining !== undefined) {
    let reset = num(header(res, 'x-ratelimit-reset'));
    if (reset !== undefined && reset > 1e9) reset = Math.max(0, Math.floor(reset - Date.now() / 1000));
    return { ...legacy, reset, family: '`X-RateLimit-Limit`/`-Remaining`/`-Reset`', unknown };
  }
  return { unknown };
}
