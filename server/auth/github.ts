/**
 * Sign-in with GitHub (passport-github2), enabled only when GITHUB_CLIENT_ID and
 * GITHUB_CLIENT_SECRET are set. Passport only runs the OAuth dance; the session is ours.
 */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { Passport } from 'passport';
import { Strategy as GitHubStrategy, type Profile, type StrategyOptions } from 'passport-github2';
import type { Config } from '../../core/config';
import { HttpError } from '../lib/errors';
import { upsertGitHubUser, type User } from '../models/users';
import { roleFor, startSession } from './signIn';

export function isGitHubEnabled(config: Config): boolean {
  return Boolean(config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET);
}

export function githubRouter(config: Config, signInLimit: RequestHandler): Router {
  const router = Router();
  if (!isGitHubEnabled(config)) return router;

  const authenticator = new Passport();
  const options = {
    clientID: config.GITHUB_CLIENT_ID ?? '',
    clientSecret: config.GITHUB_CLIENT_SECRET ?? '',
    callbackURL: config.GITHUB_CALLBACK_URL ?? `${config.BASE_URL}/auth/github/callback`,
    authorizationURL: `${config.GITHUB_WEB_URL}/login/oauth/authorize`,
    tokenURL: `${config.GITHUB_WEB_URL}/login/oauth/access_token`,
    userProfileURL: `${config.GITHUB_API_URL}/user`,
    // Public profile only: the platform never acts on GitHub with the learner's token.
    scope: [],
    userAgent: 'backend-pro',
    // A random state kept in the session: the OAuth callback cannot be forged from another site.
    state: true,
  } as unknown as StrategyOptions;
  authenticator.use(
    new GitHubStrategy(options, (_accessToken: string, _refreshToken: string, profile: Profile, done: (error: unknown, user?: User) => void) => {
      const login = profile.username?.toLowerCase();
      if (!login || !profile.id) return done(new HttpError(502, 'GitHub did not return a login name.'));
      upsertGitHubUser({
        login,
        name: profile.displayName || null,
        avatarUrl: safeAvatarUrl(profile.photos?.[0]?.value),
        githubId: String(profile.id),
        role: roleFor(login, config),
      }).then(
        (user) => done(null, user),
        (error: unknown) => done(error),
      );
    }),
  );

  // passport's authenticate() is typed `any`.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
  router.get('/auth/github', signInLimit, authenticator.authenticate('github', { session: false }));
  router.get('/auth/github/callback', signInLimit, (req: Request, res: Response, next: NextFunction) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call -- passport's authenticate() is typed `any`
    authenticator.authenticate('github', { session: false }, (error: unknown, user: User | false) => {
      if (error) return next(error);
      if (!user) return next(new HttpError(401, 'GitHub sign-in was cancelled or failed. Try again.'));
      startSession(req, user).then(() => res.redirect(303, '/'), next);
    })(req, res, next);
  });
  return router;
}

/** Only https avatar URLs are kept (the CSP allows GitHub's avatar host; anything else is dropped). */
function safeAvatarUrl(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}
