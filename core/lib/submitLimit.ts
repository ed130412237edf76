/**
 * The submit limiter's Redis keys, shared by the web server (which counts hits, with
 * express-rate-limit + rate-limit-redis: server/lib/rateLimits.ts) and the grading worker (which
 * gives a hit back when a submission ends as a platform error: the platform's fault never counts
 * as the learner's attempt).
 */
import type { Redis } from 'ioredis';

export const WINDOW_MS = 60_000;

/** Where rate-limit-redis counts a limiter's key (its prefix + express-rate-limit's key). */
export function limiterKey(queueName: string, limiter: string, key: string): string {
  return `rl:${queueName}:${limiter}:${key}`;
}

/** The submit limiter's key of a learner (its keyGenerator). */
export function submitKey(userId: number | string): string {
  return `user:${userId}`;
}

/**
 * Takes one hit off a counter, only when its fixed window (rate-limit-redis sets the expiry at the
 * window's first hit and never moves it) is the one that counted the hit: a window that began
 * after the hit (PTTL above ARGV[1]) or an empty counter is left alone. Atomic in Redis.
 */
const REFUND_SCRIPT = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 or ttl > tonumber(ARGV[1]) then return -1 end
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits == nil or hits <= 0 then return -1 end
return redis.call('DECR', KEYS[1])`;

/**
 * Gives back the submit-limit hit a learner's request made at `hitAt`, when that request's window
 * still counts it (true when a hit was given back). Used when the submission it created ended as
 * a platform error. Redis errors propagate (the caller logs them: a refund is a courtesy).
 */
export async function refundSubmitHit(redis: Redis, queueName: string, userId: number, hitAt: Date, now = new Date()): Promise<boolean> {
  // The window that counted the hit expires at most WINDOW_MS after it.
  const latestExpiryMs = hitAt.getTime() + WINDOW_MS - now.getTime();
  if (latestExpiryMs <= 0) return false;
  const left = await redis.eval(REFUND_SCRIPT, 1, limiterKey(queueName, 'submit', submitKey(userId)), String(latestExpiryMs));
  return Number(left) >= 0;
}
