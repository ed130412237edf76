/**
 * The grader plays the TLS-terminating proxy in front of the app: every request carries
 * `X-Forwarded-For` (the client's address) and `X-Forwarded-Proto` (https unless a check says
 * otherwise). A `Client` is one such address, so one check can act as many clients.
 */
import { randomInt } from 'node:crypto';
import { call, exerciseEnv, type CallOptions, type HttpMethod } from '../../harness/context';
import { HarnessError, type HttpExchange } from '../../harness/feedback';

/** The documentation ranges 198.51.100.0/24 and 203.0.113.0/24, handed out in turn. */
const ADDRESSES = [...Array.from({ length: 254 }, (_, i) => `198.51.100.${i + 1}`), ...Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`)];
// A random start, then in turn: no address comes back within one run (~150 are used).
let next = randomInt(ADDRESSES.length);

export interface SendOptions extends CallOptions {
  /** `X-Forwarded-Proto`; `https` by default. */
  proto?: 'http' | 'https';
  /** The whole `X-Forwarded-For` value, when a check forges a prefix. */
  forwardedFor?: string;
}

export class Client {
  readonly ip: string;

  constructor() {
    this.ip = ADDRESSES[next % ADDRESSES.length];
    next += 1;
  }

  send(method: HttpMethod, path: string, options: SendOptions = {}): Promise<HttpExchange> {
    const { proto = 'https', forwardedFor = this.ip, headers, ...rest } = options;
    return call(method, path, {
      ...rest,
      headers: { 'X-Forwarded-For': forwardedFor, 'X-Forwarded-Proto': proto, ...headers },
    });
  }

  /**
   * Like {@link send}, but a 429 is waited out once (Retry-After + 1 s): for checks that need a
   * request to go through and are not about rate limits.
   */
  async sendPatiently(method: HttpMethod, path: string, options: SendOptions = {}): Promise<HttpExchange> {
    const first = await this.send(method, path, options);
    if (first.status !== 429) return first;
    await sleep(retryAfterMs(first));
    return this.send(method, path, options);
  }
}

/** A request from a client nobody used yet. */
export function fromNewClient(method: HttpMethod, path: string, options: SendOptions = {}): Promise<HttpExchange> {
  return new Client().sendPatiently(method, path, options);
}

/** RATE_LIMIT_WINDOW_SECONDS, which the exercise gives the app and the grader. */
export function windowSeconds(): number {
  const value = Number(exerciseEnv('RATE_LIMIT_WINDOW_SECONDS'));
  if (!Number.isInteger(value) || value < 1) throw new HarnessError('RATE_LIMIT_WINDOW_SECONDS must be a whole number');
  return value;
}

/** A header's value as one string (first of several), or undefined. */
export function header(res: HttpExchange, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** How long to wait before retrying after a 429: Retry-After + 1 s, capped at the window + 1 s. */
export function retryAfterMs(res: HttpExchange): number {
  const seconds = Number(header(res, 'retry-after'));
  const cap = windowSeconds();
  const wait = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, cap) : cap;
  return (wait + 1) * 1000;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
