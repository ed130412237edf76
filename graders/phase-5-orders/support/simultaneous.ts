/**
 * Requests that reach the app together. `call()` opens a new connection per request, so a burst
 * of them arrives spread over the connection set-ups and a check-then-insert race may never show.
 * Here `n` keep-alive connections are opened first (one cheap GET each), then every request is
 * written at once on them: the app reads them all in the same few event-loop turns.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { appUrl } from '../../harness/context';
import { CheckFailure } from '../../harness/feedback';

export interface RawRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RawAnswer {
  status: number;
  body: unknown;
  text: string;
}

const TIMEOUT_MS = 10_000;

function send(agent: http.Agent, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(appUrl() + request.path);
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: request.method,
        headers: {
          Accept: 'application/json',
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }),
          ...request.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, text });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(TIMEOUT_MS, () =>
      req.destroy(new CheckFailure(`\`${request.method} ${request.path}\` got no answer within ${TIMEOUT_MS / 1000} s: your app seems to hang.`, 'timeout')),
    );
    req.on('error', (error) =>
      reject(
        error instanceof CheckFailure
          ? error
          : new CheckFailure(`Could not reach your app for \`${request.method} ${request.path}\` (${(error as NodeJS.ErrnoException).code ?? error.message}).`),
      ),
    );
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Sends every request at once on connections opened beforehand; answers in the same order. */
export async function sendSimultaneously(requests: RawRequest[]): Promise<RawAnswer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: requests.length });
  try {
    // Warm-up: one connection per request (an unknown order: a cheap 404).
    await Promise.all(requests.map(() => send(agent, { method: 'GET', path: `/orders/${randomUUID()}` })));
    return await Promise.all(requests.map((request) => send(agent, request)));
  } finally {
    agent.destroy();
  }
}
