/**
 * Feedback a learner reads: what the app answered, what the contract expects, what to do next.
 * Checks throw {@link CheckFailure}; its message carries the markdown between markers that survive
 * Jest's formatting, so the reporter (another module registry, maybe another process) can recover it.
 */

export type FailureStatus = 'failed' | 'timeout' | 'error';

const OPEN = /\[\[feedback:(failed|timeout|error)(?:\|needs=([a-z0-9-]+\.[a-z0-9-]+))?\]\]\n/;
const CLOSE = '\n[[/feedback]]';

/**
 * A check that found the learner's app wrong; `markdown` is shown as is. `needs`: the check could
 * not test its own rule because a step it needs first failed (registering, logging in…); the id
 * is the check that tests that step, so the results can say "fix that first" once instead of
 * repeating the same failure in every dependent check (issue 11 §2c).
 */
export class CheckFailure extends Error {
  constructor(
    readonly markdown: string,
    readonly status: FailureStatus = 'failed',
    readonly needs?: string,
  ) {
    super(encodeFeedback(status, markdown, needs));
    this.name = 'CheckFailure';
  }
}

/** A fault of the grader or its services, not of the learner's app (the check scores `error`). */
export class HarnessError extends CheckFailure {
  constructor(markdown: string) {
    super(markdown, 'error');
    this.name = 'HarnessError';
  }
}

export function encodeFeedback(status: FailureStatus, markdown: string, needs?: string): string {
  return `[[feedback:${status}${needs ? `|needs=${needs}` : ''}]]\n${markdown}${CLOSE}`;
}

/** Finds feedback written by {@link encodeFeedback} inside any text (a Jest failure message). */
export function decodeFeedback(text: string): { status: FailureStatus; markdown: string; needs?: string } | undefined {
  const open = OPEN.exec(text);
  if (!open) return undefined;
  const start = open.index + open[0].length;
  const end = text.indexOf(CLOSE, start);
  const markdown = text.slice(start, end === -1 ? undefined : end);
  return open[2] ? { status: open[1] as FailureStatus, markdown, needs: open[2] } : { status: open[1] as FailureStatus, markdown };
}

/**
 * Stops the check with this markdown as its feedback. `options.needs`: the failure is a step this
 * check needs first, tested by that check (see {@link CheckFailure}).
 */
export function fail(markdown: string, options: { needs?: string } = {}): never {
  throw new CheckFailure(markdown, 'failed', options.needs);
}

/** `fail(markdown)` unless the condition holds. */
export function ensure(condition: unknown, markdown: string, options: { needs?: string } = {}): asserts condition {
  if (!condition) fail(markdown, options);
}

/**
 * Fails unless `observed` equals `expected` (deep, by JSON), with feedback like:
 * "The access token's `role` is `"admin"`; expected `"user"`. Put the user's role in the token."
 */
export function expectObserved(what: string, observed: unknown, expected: unknown, fix: string): void {
  if (JSON.stringify(observed) === JSON.stringify(expected)) return;
  fail(`${what} is ${show(observed)}; expected ${show(expected)}. ${fix}`);
}

/** What a check saw of one HTTP exchange with the app. */
export interface HttpExchange {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the app answered JSON, else undefined. */
  body: unknown;
  text: string;
}

/**
 * Fails unless the app answered one of the expected statuses, with feedback like:
 * "`POST /auth/refresh` with a refresh token already used answered **200**; expected **401**. Mark…"
 */
export function expectStatus(res: HttpExchange, expected: number | readonly number[], feedback: { when?: string; fix: string; needs?: string }): void {
  const allowed = typeof expected === 'number' ? [expected] : expected;
  if (allowed.includes(res.status)) return;
  fail(
    `${describeRequest(res, feedback.when)} answered **${res.status}**; expected **${allowed.join('** or **')}**. ` + `${feedback.fix}\n\n${showBody(res)}`,
    { needs: feedback.needs },
  );
}

/** "`POST /auth/login` with a wrong password" */
export function describeRequest(res: Pick<HttpExchange, 'method' | 'path'>, when?: string): string {
  return `\`${res.method} ${res.path}\`${when ? ` ${when}` : ''}`;
}

/** The response body as a short fenced block, for "observed" parts of feedback. */
export function showBody(res: Pick<HttpExchange, 'body' | 'text'>, maxChars = 600): string {
  const raw = res.body !== undefined ? JSON.stringify(res.body, null, 2) : res.text;
  if (!raw) return 'Response body: *(empty)*';
  const language = res.body !== undefined ? 'json' : '';
  return `Response body:\n\`\`\`${language}\n${cut(raw, maxChars)}\n\`\`\``;
}

/** Inline rendering of a value for feedback: `"abc"`, `42`, `{"a":1}`. */
export function show(value: unknown, maxChars = 200): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return `\`${cut(text ?? String(value), maxChars).replace(/`/g, "'")}\``;
}

export function cut(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… (cut)`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Caps text at `maxBytes` of UTF-8 without splitting a character. */
export function capBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const marker = '\n\n… (feedback cut)';
  let end = Math.max(0, maxBytes - Buffer.byteLength(marker));
  let slice = text.slice(0, end);
  while (Buffer.byteLength(slice) > maxBytes - Buffer.byteLength(marker)) slice = text.slice(0, --end);
  return slice + marker;
}
