import type { Request } from 'express';
import type { Config } from '../../core/config';
import type { User } from '../models/users';

/** Instructors are named in config.INSTRUCTORS (GitHub logins, lower-cased); everyone else learns. */
export function roleFor(login: string, config: Config): User['role'] {
  return config.INSTRUCTORS.includes(login.toLowerCase()) ? 'instructor' : 'learner';
}

/** Starts a fresh session for the user: regenerated, so a planted session id is worthless. */
export async function startSession(req: Request, user: User): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error as Error) : resolve())));
  req.session.userId = user.id;
  await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error as Error) : resolve())));
}

export async function endSession(req: Request): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.destroy((error) => (error ? reject(error as Error) : resolve())));
}
