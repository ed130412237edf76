/**
 * Sign-in and sign-out. Dev sign-in by name exists outside production only (in production the
 * route is not mounted: 404); GitHub sign-in lives in github.ts.
 */
import { Router, type RequestHandler } from 'express';
import type { Config } from '../../core/config';
import { upsertUser } from '../models/users';
import { SESSION_COOKIE } from './session';
import { endSession, roleFor, startSession } from './signIn';
import { githubRouter } from './github';

/** GitHub's own rule for logins: letters, digits and single dashes, at most 39 characters. */
export const LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export function isDevSignInEnabled(config: Config): boolean {
  return config.NODE_ENV !== 'production';
}

/** `signInLimit` counts every sign-in attempt per client IP (the dev form and both GitHub steps). */
export function authRouter(config: Config, signInLimit: RequestHandler): Router {
  const router = Router();

  if (isDevSignInEnabled(config)) {
    router.post('/auth/dev', signInLimit, async (req, res) => {
      const sent = (req.body as { login?: unknown } | undefined)?.login;
      const login = (typeof sent === 'string' ? sent : '').trim();
      if (!LOGIN_PATTERN.test(login)) {
        res.status(400).render('landing', {
          title: 'Sign in — Backend Pro',
          signInError: 'Enter a login name: letters, digits and single dashes, up to 39 characters.',
          loginValue: login.slice(0, 39),
        });
        return;
      }
      const user = await upsertUser({ login: login.toLowerCase(), name: login, role: roleFor(login, config) });
      await startSession(req, user);
      res.redirect(303, '/');
    });
  }

  router.use(githubRouter(config, signInLimit));

  router.post('/auth/signout', async (req, res) => {
    await endSession(req);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: config.NODE_ENV === 'production' });
    res.redirect(303, '/');
  });

  return router;
}
