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
  authorization?: string;
  /** The form body of a token request, parsed. */
  form: Record<string, string>;
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
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const form = Object.fromEntries(new URLSearchParams(raw));
    this.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, form });
    const json = (status: number, body: unknown) => {
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
      const profile = this.profilesByToken.get((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
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
