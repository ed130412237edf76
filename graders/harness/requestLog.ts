/**
 * What the harness observed about the requests it sent, for the worker's diagnosis (one reason said
 * once instead of twenty red checks). Every `call()` appends one line to a JSON-lines file (Jest runs
 * each suite file in its own module registry, so a file is the channel they share, as for
 * measurements). After the suite, run.js summarises the file and, when nearly every request answered
 * 404, re-sends a few of them under common global prefixes (`/api`, `/api/v1`…) to find the one the
 * app answers. The summary goes to evidence.json beside results.json.
 */
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request as the log keeps it: no bodies, only whether the answer spoke of CSRF. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  csrf: boolean;
  /** Sent by a hidden check: counted, never quoted to the learner. */
  hidden?: boolean;
}

export interface PrefixProbe {
  /** The prefix under which the re-sent requests answered ('' for none at all), or null when none did. */
  found: string | null;
  tried: string[];
  /** The re-sent requests and what each answered under `found` (or under the last prefix tried). */
  samples: Array<{ method: string; path: string; status: number | null }>;
}

export interface HarnessEvidence {
  version: 1;
  /** backend-pro.yml's prefix the requests were sent under ('' when none). */
  prefix: string;
  requests: {
    total: number;
    notFound: number;
    mutating: number;
    /** Mutating requests answered 403 whose answer mentions CSRF/XSRF. */
    csrfRefused: number;
    /** One such answer, for the message. */
    csrfExample: { method: string; path: string } | null;
  };
  prefixProbe: PrefixProbe | null;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CSRF_WORDS = /csrf|xsrf|forgery/i;
/** The log stops growing past this size: the summary needs proportions, not every request. */
const LOG_MAX_BYTES = 2 * 1024 * 1024;
export const CANDIDATE_PREFIXES = ['/api', '/api/v1', '/v1', '/api/v2', '/v2'];
/** At least this many requests, nearly all 404, before prefixes are tried. */
const MIN_REQUESTS = 3;
const NOT_FOUND_SHARE = 0.8;
const SAMPLES = 4;

export function requestLogPath(): string {
  return process.env.BACKEND_PRO_REQUESTS || join(tmpdir(), 'backend-pro-requests.jsonl');
}

/** The path prefix of backend-pro.yml, '' when none. */
export function pathPrefix(): string {
  return (process.env.APP_PATH_PREFIX ?? '').replace(/\/+$/, '');
}

let hiddenSender = false;

/** Set by the running check (check.ts): whether the requests it sends come from a hidden check. */
export function logRequestsAsHidden(hidden: boolean): void {
  hiddenSender = hidden;
}

/** Records one exchange; never throws (a full /tmp must not fail a check). */
export function logRequest(method: string, path: string, status: number, text: string): void {
  const file = requestLogPath();
  try {
    if (existsSync(file) && statSync(file).size > LOG_MAX_BYTES) return;
    const entry: LoggedRequest = {
      method,
      path: path.slice(0, 300),
      status,
      csrf: status === 403 && CSRF_WORDS.test(text.slice(0, 4096)),
      ...(hiddenSender ? { hidden: true } : {}),
    };
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
  } catch {
    // Evidence is a courtesy; the check's own outcome is what counts.
  }
}

export function readRequestLog(file = requestLogPath()): LoggedRequest[] {
  if (!existsSync(file)) return [];
  const entries: LoggedRequest[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as LoggedRequest);
    } catch {
      // A torn last line.
    }
  }
  return entries;
}

export function summariseRequests(entries: readonly LoggedRequest[]): HarnessEvidence['requests'] {
  const mutating = entries.filter((entry) => MUTATING.has(entry.method));
  const refused = mutating.filter((entry) => entry.csrf);
  // Counts take every request; the example quoted to the learner comes from a visible check only.
  const example = refused.find((entry) => !entry.hidden);
  return {
    total: entries.length,
    notFound: entries.filter((entry) => entry.status === 404).length,
    mutating: mutating.length,
    csrfRefused: refused.length,
    csrfExample: example ? { method: example.method, path: example.path } : null,
  };
}

/** Whether nearly every request answered 404, so that a global prefix is worth looking for. */
export function mostlyNotFound(summary: HarnessEvidence['requests']): boolean {
  return summary.total >= MIN_REQUESTS && summary.notFound / summary.total >= NOT_FOUND_SHARE;
}

export type Send = (method: string, url: string) => Promise<number | null>;

/** Sends one request without a body; null when the app did not answer within a few seconds. */
export const sendBare: Send = async (method, url) => {
  try {
    const response = await fetch(url, { method, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(3_000), redirect: 'manual' });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch {
    return null;
  }
};

/**
 * Re-sends a few distinct requests that answered 404 under each candidate prefix; the first prefix
 * under which most of them answer something else is the app's.
 */
export async function probePrefixes(
  baseUrl: string,
  entries: readonly LoggedRequest[],
  send: Send = sendBare,
  candidates: readonly string[] = CANDIDATE_PREFIXES,
): Promise<PrefixProbe> {
  const seen = new Set<string>();
  const picked: LoggedRequest[] = [];
  for (const entry of entries) {
    const key = `${entry.method} ${entry.path.split('?')[0].replace(/\/[0-9a-f-]{8,}|\/\d+/gi, '/:id')}`;
    // The samples are quoted to the learner: never a request a hidden check sent.
    if (entry.status !== 404 || entry.hidden || seen.has(key)) continue;
    seen.add(key);
    picked.push(entry);
    if (picked.length === SAMPLES) break;
  }
  const tried: string[] = [];
  let samples: PrefixProbe['samples'] = [];
  for (const prefix of candidates) {
    tried.push(prefix);
    samples = [];
    for (const entry of picked) samples.push({ method: entry.method, path: entry.path, status: await send(entry.method, `${baseUrl}${prefix}${entry.path}`) });
    const answered = samples.filter((sample) => sample.status !== null && sample.status !== 404).length;
    if (answered > 0 && answered * 2 >= samples.length) return { found: prefix, tried, samples };
  }
  return { found: null, tried, samples };
}

/** Everything evidence.json holds, from the log of this run. */
export async function gatherEvidence(baseUrl: string | undefined, send: Send = sendBare): Promise<HarnessEvidence> {
  const entries = readRequestLog();
  const requests = summariseRequests(entries);
  const prefix = pathPrefix();
  // With a prefix set in backend-pro.yml, the app may answer without it, or under another one.
  const candidates = prefix ? ['', ...CANDIDATE_PREFIXES].filter((candidate) => candidate !== prefix) : CANDIDATE_PREFIXES;
  const prefixProbe = baseUrl && mostlyNotFound(requests) ? await probePrefixes(baseUrl.replace(/\/+$/, ''), entries, send, candidates) : null;
  return { version: 1, prefix, requests, prefixProbe };
}
