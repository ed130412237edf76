import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig, GoogleConfig } from '../config';
import { UsersService } from '../users/users.service';
import { TokenPairResponse } from './dto/token-pair.response';
import { hashPassword } from './passwords';
import { TokensService } from './tokens.service';

const AUTHORIZATION_ENDPOINT = 'https://accounts.google.com/o/oauth2/v2/auth';
/** How long the browser has to come back from Google. */
export const STATE_TTL_SECONDS = 10 * 60;
const GOOGLE_TIMEOUT_MS = 5_000;

interface GoogleProfile {
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
}

/**
 * "Login with Google", authorization-code flow. The `state` is random, bound to the browser by
 * an HttpOnly cookie, remembered here until used once, and checked before Google is ever called.
 */
@Injectable()
export class GoogleOAuthService {
  private readonly google: GoogleConfig;
  /** Issued states not used yet, with their expiry (ms since the epoch). */
  private readonly pendingStates = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {
    this.google = config.security.google;
  }

  /** A new state and the URL of Google's consent page carrying it. */
  startAuthorization(): { state: string; url: string } {
    const state = randomBytes(24).toString('base64url');
    this.forgetExpiredStates();
    this.pendingStates.set(state, Date.now() + STATE_TTL_SECONDS * 1000);
    const url = new URL(AUTHORIZATION_ENDPOINT);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.google.clientId,
      redirect_uri: this.google.callbackUrl,
      scope: 'openid email profile',
      state,
    }).toString();
    return { state, url: url.toString() };
  }

  /**
   * Validates the callback's `state` against the browser's cookie (and uses it up), then
   * exchanges the code and signs the Google account in.
   */
  async finishAuthorization(query: {
    code?: string;
    state?: string;
    error?: string;
    cookieState?: string;
  }): Promise<TokenPairResponse> {
    if (!this.consumeState(query.state, query.cookieState)) {
      throw new UnauthorizedException('Invalid or missing OAuth state');
    }
    if (query.error || !query.code) throw new UnauthorizedException('Google sign-in was not completed');
    const accessToken = await this.exchangeCode(query.code);
    const profile = await this.fetchProfile(accessToken);
    if (profile.email_verified !== true || typeof profile.email !== 'string') {
      throw new UnauthorizedException('The Google account has no verified email');
    }
    const user =
      (await this.users.selectOptionalUserByEmail(profile.email)) ??
      (await this.users.insertUser({
        email: profile.email,
        name: plainName(profile.name, profile.email),
        // No password can match this: the account signs in through Google until it sets one.
        passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
      }));
    return this.tokens.issueTokenPair(user);
  }

  private consumeState(state: string | undefined, cookieState: string | undefined): boolean {
    if (!state || !cookieState) return false;
    const a = Buffer.from(state);
    const b = Buffer.from(cookieState);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
    const expiresAt = this.pendingStates.get(state);
    this.pendingStates.delete(state);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  private forgetExpiredStates(): void {
    const now = Date.now();
    for (const [state, expiresAt] of this.pendingStates) if (expiresAt <= now) this.pendingStates.delete(state);
  }

  private async exchangeCode(code: string): Promise<string> {
    const response = await fetch(this.google.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.google.callbackUrl,
        client_id: this.google.clientId,
        client_secret: this.google.clientSecret,
      }),
      signal: AbortSignal.timeout(GOOGLE_TIMEOUT_MS),
    }).catch(() => undefined);
    const body = response?.ok ? ((await response.json().catch(() => ({}))) as { access_token?: unknown }) : {};
    if (typeof body.access_token !== 'string') throw new UnauthorizedException('Google refused the authorization code');
    return body.access_token;
  }

  private async fetchProfile(accessToken: string): Promise<GoogleProfile> {
    const response = await fetch(this.google.userinfoUrl, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(GOOGLE_TIMEOUT_MS),
    }).catch(() => undefined);
    if (!response?.ok) throw new UnauthorizedException('Could not read the Google profile');
    return (await response.json().catch(() => ({}))) as GoogleProfile;
  }
}

/** Google's display name as plain text (no markup), or the email's local part. */
function plainName(name: unknown, email: string): string {
  const text = typeof name === 'string' ? name.replace(/[<>]/g, '').trim().slice(0, 100) : '';
  return text || email.split('@')[0] || 'Google user';
}
