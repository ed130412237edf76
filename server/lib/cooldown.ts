/**
 * The per-learner cooldown of an exercise (front matter `cooldownSeconds`), the same for web
 * submissions, "grade again" and pushes, so one learner cannot fill the grading queue.
 * Instructors have none.
 */
import type { Exercise } from '../models/exercises';
import { selectCooldownAnchor } from '../../core/models/submissions';
import type { User } from '../models/users';

export function cooldownSecondsOf(exercise: Exercise): number {
  const cooldown = Number(exercise.front_matter.cooldownSeconds ?? 0);
  return Number.isFinite(cooldown) && cooldown > 0 ? cooldown : 0;
}

/** When the learner may next be graded on this exercise (null: now). */
export async function cooldownEndsAt(user: Pick<User, 'id' | 'role'>, exercise: Exercise, now = new Date()): Promise<Date | null> {
  const cooldown = cooldownSecondsOf(exercise);
  if (user.role === 'instructor' || cooldown === 0) return null;
  const anchor = await selectCooldownAnchor(user.id, exercise.id);
  if (!anchor) return null;
  const endsAt = new Date(anchor.getTime() + cooldown * 1000);
  return endsAt > now ? endsAt : null;
}

export function secondsUntil(date: Date | null, now = new Date()): number {
  return date ? Math.max(0, Math.ceil((date.getTime() - now.getTime()) / 1000)) : 0;
}
