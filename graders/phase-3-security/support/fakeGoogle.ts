/**
 * A fake Google on the pod's loopback: the token and userinfo endpoints the app is configured
 * with (GOOGLE_TOKEN_URL, GOOGLE_USERINFO_URL). It records every request, so a check can tell
 * whether the app called Google at all. Nothing ever reaches the real Google.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exerciseEnv } from '../../harness/context';
import { HarnessError } from '../../harness/feedback';

export interface GoogleProfile {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  given_name: string;
  family_name: string;
  picture: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters (`access_token` of a userinfo request, for one). */
  query: Record<string, string>;
  authorization?: string;
  /** The form body of a token request, parsed. */
  form: Record<string, string>;
  /** What the fake answered. */
  status?: number;
}

/**
 * Where a userinfo request carried the access token. Google accepts it as an
 * `Authorization: Bearer` header or as an `access_token` query parameter (RFC 6750 §2.1 and §2.3):
 * passport-google-oauth20 with its defaults sends the query parameter, a hand-written `fetch`
 * usually the header. The fake accepts both, and nothing else.
 */
export function userinfoToken(request: Pick<RecordedRequest, 'authorization' | 'query'>): { token?: string; how: string } {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? '')?.[1];
  if (bearer) return { token: bearer, how: 'an `Authorization: Bearer` header' };
  const query = request.query.access_token;
  if (query) return { token: query, how: 'an `access_token` query parameter' };
  if (request.authorization) {
    return { how: `an \`Authorization\` header that is not \`Bearer <token>\` (${JSON.stringify(request.authorization.slice(0, 40))})` };
  }
  return { how: 'no access token (neither an `Authorization: Bearer` header nor an `access_token` query parameter)' };
}

/** One line a learner can read: `GET /userinfo?access_token=… → 200, the token as …`. */
export function describeGoogleRequest(request: RecordedRequest): string {
  const query = Object.keys(request.query).length
    ? `?${Object.entries(request.query)
        .map(([name, value]) => `${name}=${name === 'access_token' || name === 'code' ? `${value.slice(0, 12)}…` : value}`)
        .join('&')}`
    : '';
  return `\`${request.method} ${request.path}${query}\` (answered ${request.status ?? '?'})`;
}

export class FakeGoogle {
  readonly requests: RecordedRequest[] = [];
  private readonly profilesByCode = new Map<string, GoogleProfile>();
  private readonly profilesByToken = new Map<string, GoogleProfile>();
  private server?: Server;

  /** A code Google would send back for this profile. */
  issueCode(profile: GoogleProfile): string {
    const code = `4/0-fake-${randomUUID()}`;
    this.profilesByCode.set(code, profile);
    return code;
  }

  async start(): Promise<void> {
    const token = new URL(exerciseEnv('GOOGLE_TOKEN_URL'));
    const userinfo = new URL(exerciseEnv('GOOGLE_USERINFO_URL'));
    if (token.host !== userinfo.host || !['127.0.0.1', 'localhost'].includes(token.hostname)) {
      throw new HarnessError('GOOGLE_TOKEN_URL and GOOGLE_USERINFO_URL must share one loopback host:port');
    }
    this.server = createServer((req, res) => void this.handle(req, res, token.pathname, userinfo.pathname));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (error) => reject(new HarnessError(`The fake Google could not listen: ${error.message}`)));
      this.server!.listen(Number(token.port), token.hostname, resolve);
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, tokenPath: string, userinfoPath: string): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const form = Object.fromEntries(new URLSearchParams(raw));
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      form,
    };
    this.requests.push(recorded);
    const json = (status: number, body: unknown) => {
      recorded.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && path === tokenPath) {
      const profile = this.profilesByCode.get(form.code ?? '');
      if (!profile || form.grant_type !== 'authorization_code') return json(400, { error: 'invalid_grant' });
      this.profilesByCode.delete(form.code ?? '');
      const accessToken = `ya29.fake-${randomUUID()}`;
      this.profilesByToken.set(accessToken, profile);
      const idToken = [{ alg: 'none' }, { sub: profile.sub, email: profile.email }, '']
        .map((part) => (typeof part === 'string' ? part : Buffer.from(JSON.stringify(part)).toString('base64url')))
        .join('.');
      return json(200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer', scope: 'openid email profile', id_token: idToken });
    }
    if (req.method === 'GET' && path === userinfoPath) {
      const { token } = userinfoToken(recorded);
      const profile = token ? this.profilesByToken.get(token) : undefined;
      return profile ? json(200, profile) : json(401, { error: 'invalid_token' });
    }
    json(404, { error: 'not_found' });
  }
}

/** A Google account nobody used yet. */
export function googleProfile(label: string): GoogleProfile {
  const unique = randomUUID().replace(/-/g, '').slice(0, 12);
  return {
    sub: String(BigInt(`0x${unique}`)),
    email: `${label}.${unique}@gmail.example`,
    email_verified: true,
    name: `Google ${label}`,
    given_name: 'Google',
    family_name: label,
    picture: 'https://lh3.googleusercontent.com/a/fake',
  };
}
