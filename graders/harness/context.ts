/**
 * What a check can reach: the learner's app over HTTP, its database as superuser, and the
 * environment the worker passed. The environment is read once, lazily, with zod: a missing
 * variable is a grader fault (HarnessError), never a learner's.
 */
import { existsSync, readFileSync } from 'node:fs';
import supertest from 'supertest';
import { z } from 'zod';
import { CheckFailure, HarnessError, type HttpExchange } from './feedback';
import { logRequest, pathPrefix } from './requestLog';

export { db, closeDb, listTextColumns, findTextInColumns, selectRowsMatching } from './database';
export { countStatements, type StatementCount } from './statementCounter';

/** An empty variable counts as unset (workers often pass `NAME=`). */
const optionalString = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

const EnvSchema = z.object({
  APP_URL: z.url(),
  DATABASE_ADMIN_URL: optionalString,
  APP_DATABASE_URL: optionalString,
  REDIS_URL: optionalString,
});

export type GraderEnv = z.infer<typeof EnvSchema>;

let parsedEnv: GraderEnv | undefined;

export function graderEnv(): GraderEnv {
  if (parsedEnv) return parsedEnv;
  const result = EnvSchema.safeParse(process.env);
  if (!result.success) {
    throw new HarnessError(`The grader's environment is incomplete: ${z.prettifyError(result.error)}`);
  }
  parsedEnv = result.data;
  return parsedEnv;
}

/** An environment variable the exercise gives the app (JWT_SECRET, ADMIN_EMAIL…). */
export function exerciseEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new HarnessError(`The grader needs the exercise variable \`${name}\`, which is not set.`);
  return value;
}

/** Base URL of the learner's app, without a trailing slash, with backend-pro.yml's `prefix:` (e.g. /api/v1) when set. */
export function appUrl(): string {
  return graderEnv().APP_URL.replace(/\/+$/, '') + pathPrefix();
}

/** A supertest agent on the app, for checks that need more than {@link call}. */
export function appAgent(): ReturnType<typeof supertest> {
  return supertest(appUrl());
}

// ---------------------------------------------------------------------------------------------
// The trace of the current check: every exchange, so failure feedback can list what was sent.

let trace: HttpExchange[] = [];

/** Starts a new trace (check.ts calls it before each check). */
export function resetTrace(): void {
  trace = [];
}

export function currentTrace(): readonly HttpExchange[] {
  return trace;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

/** How long one request may take before the check reports the app as hanging. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends one request to the app and returns what came back, whatever the status. Network
 * failures become learner-facing feedback (the app crashed or hangs).
 */
export async function call(method: HttpMethod, path: string, options: CallOptions = {}): Promise<HttpExchange> {
  const agent = appAgent();
  const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let request = agent[verb](path).timeout({ response: REQUEST_TIMEOUT_MS, deadline: REQUEST_TIMEOUT_MS + 2_000 });
  request = request.set('Accept', 'application/json');
  if (options.token !== undefined) request = request.set('Authorization', `Bearer ${options.token}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) request = request.set(name, value);
  if (options.body !== undefined) request = request.send(options.body as object);

  let response: supertest.Response;
  try {
    response = await request;
  } catch (error) {
    throw networkFailure(method, path, error);
  }
  const exchange: HttpExchange = {
    method,
    path,
    status: response.status,
    headers: response.headers,
    body: parseBody(response),
    text: response.text ?? '',
  };
  trace.push(exchange);
  logRequest(method, path, exchange.status, exchange.text);
  return exchange;
}

function parseBody(response: supertest.Response): unknown {
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('json')) return response.body as unknown;
  if (!response.text) return undefined;
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    return undefined;
  }
}

function networkFailure(method: string, path: string, error: unknown): Error {
  const err = error as { code?: string; timeout?: number; message?: string; status?: number };
  // superagent rejects some statuses only when no response object was built; keep such errors as is.
  if (err.status) return error as Error;
  const request = `\`${method} ${path}\``;
  if (err.timeout || err.code === 'ECONNABORTED' || err.code === 'ETIME') {
    return new CheckFailure(
      `${request} got no answer within ${REQUEST_TIMEOUT_MS / 1000} s. Your app seems to hang on this ` +
        `request: look for a promise that is never resolved or a database call that waits.`,
      'timeout',
    );
  }
  return new CheckFailure(
    `Could not reach your app for ${request} (${err.code ?? err.message ?? 'network error'}). ` +
      `Does it listen on PORT? If it did, it stopped or crashed: look at its logs.`,
  );
}

export interface ProbeOutcome {
  name: string;
  exitCode: number | null;
  timedOut: boolean;
  /** The tail of the probe's output. */
  output: string;
  durationMs: number;
  /** Tables of the app database's public schema right after the probe. */
  tables: string[];
}

/**
 * The outcome of one of the exercise's probes (front matter `probes:`), which the worker ran with
 * the learner's code before the app started. Throws a HarnessError when it is not there.
 */
export function probeResult(name: string): ProbeOutcome {
  const file = process.env.PROBES_PATH;
  if (!file || !existsSync(file)) throw new HarnessError(`no probe results (PROBES_PATH=${file ?? ''})`);
  const probes = JSON.parse(readFileSync(file, 'utf8')) as ProbeOutcome[];
  const probe = probes.find((candidate) => candidate.name === name);
  if (!probe) throw new HarnessError(`probe "${name}" did not run: is it in the exercise's front matter?`);
  return probe;
}
