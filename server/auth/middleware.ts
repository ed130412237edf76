/**
 * Who is asking: the signed-in user is read from the session on every request and exposed as
 * `req.currentUser` and `res.locals.user` (for views). Guards throw HttpError like any handler.
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../lib/errors';
import { selectOptionalUserById, type User } from '../models/users';

// Inside `namespace Express`, `User` means passport's Express.User: name ours differently there.
type SignedInUser = User;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user, when there is one (set by loadCurrentUser). */
      currentUser?: SignedInUser;
    }
  }
}

export async function loadCurrentUser(req: Request, res: Response, next: NextFunction): Promise<void> {
  res.locals.user = null;
  const userId = req.session?.userId;
  if (userId) {
    const user = await selectOptionalUserById(userId);
    if (user) {
      req.currentUser = user;
      res.locals.user = user;
    } else {
      // The user row is gone (e.g. a reset database): forget the stale session.
      delete req.session.userId;
    }
  }
  next();
}

/** Signed-in users only. A browser asking for a page is sent to the sign-in page instead. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.currentUser) return next();
  if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html' && !req.path.endsWith('.json')) {
    res.redirect(303, '/');
    return;
  }
  throw new HttpError(401, 'Sign in to continue.');
}

export function requireInstructor(req: Request, res: Response, next: NextFunction): void {
  requireUser(req, res, () => {
    if (req.currentUser?.role !== 'instructor') throw new HttpError(403, 'This page is for instructors.');
    next();
  });
}

/** The signed-in user of a route behind requireUser. */
export function currentUser(req: Request): User {
  if (!req.currentUser) throw new HttpError(401, 'Sign in to continue.');
  return req.currentUser;
}
