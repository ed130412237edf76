// Fixed-window rate limits per client IP and per route, counted in Redis so that every instance
// of the app shares them. A client's window starts with its first request.
import { config } from './config.js';
import { HttpError } from './errors.js';
import { redis } from './redis.js';

// INCR, and start the window on the first hit; returns [hits, milliseconds left in the window].
redis.defineCommand('rateLimitHit', {
  numberOfKeys: 1,
  lua: `
    local hits = redis.call('INCR', KEYS[1])
    local ttl = redis.call('PTTL', KEYS[1])
    if hits == 1 or ttl < 0 then
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    return { hits, ttl }`,
});

/**
 * A limiter named `name`: `limit` requests per client per window. Sends the IETF draft-8 headers
 * (RateLimit-Policy and RateLimit) on every answer, Retry-After on the 429. The 429 is answered
 * before the body is even parsed, so it does no work.
 */
export function rateLimit(name, limit) {
  const windowMs = config.rateLimitWindowMs;
  const windowSeconds = Math.ceil(windowMs / 1000);
  return async (req, res, next) => {
    let hits;
    let ttl;
    try {
      [hits, ttl] = await redis.rateLimitHit(`rl:${name}:${req.ip}`, windowMs);
    } catch (error) {
      // Redis down: let the request through rather than lock every client out; say so in the log.
      console.error(`rate limit ${name} skipped: ${error.message}`);
      return next();
    }
    const reset = Math.min(windowSeconds, Math.max(0, Math.ceil(ttl / 1000)));
    const remaining = Math.max(0, limit - hits);
    res.setHeader('RateLimit-Policy', `"${name}";q=${limit};w=${windowSeconds}`);
    res.setHeader('RateLimit', `"${name}";r=${remaining};t=${reset}`);
    if (hits <= limit) return next();
    next(new HttpError(429, `Too many requests: at most ${limit} per ${windowSeconds} seconds, try again later`, undefined, {
      'Retry-After': String(Math.max(1, reset)),
    }));
  };
}
