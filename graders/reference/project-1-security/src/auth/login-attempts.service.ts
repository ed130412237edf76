import { HttpException, HttpStatus, Injectable } from '@nestjs/common';

/** Failed logins in a row that lock an account. */
export const MAX_FAILED_LOGINS = 5;
/** How long an account stays locked, and how long a failure is remembered. */
export const LOCKOUT_SECONDS = 15 * 60;

/** A 423 whose Retry-After the error filter sends. */
export class AccountLockedException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed logins: this account is locked for a while', HttpStatus.LOCKED);
  }
}

interface Attempts {
  failures: number;
  /** When the current run of failures is forgotten, or the lock ends (ms since the epoch). */
  expiresAt: number;
}

/**
 * Brute-force protection per account: counted by email (lower-cased), whatever the client's IP
 * and whether the account exists, so a lock reveals nothing about which emails are registered.
 * In memory: a restart forgets the counts (a Redis hash would survive it and be shared).
 */
@Injectable()
export class LoginAttemptsService {
  private readonly attempts = new Map<string, Attempts>();

  /** Throws {@link AccountLockedException} while the account is locked. */
  assertNotLocked(email: string, now = Date.now()): void {
    const entry = this.current(email, now);
    if (entry && entry.failures >= MAX_FAILED_LOGINS) {
      throw new AccountLockedException(Math.max(1, Math.ceil((entry.expiresAt - now) / 1000)));
    }
  }

  recordFailure(email: string, now = Date.now()): void {
    const entry = this.current(email, now) ?? { failures: 0, expiresAt: 0 };
    entry.failures += 1;
    // Failures are remembered for LOCKOUT_SECONDS from the latest; the 5th starts the lock.
    entry.expiresAt = now + LOCKOUT_SECONDS * 1000;
    this.attempts.set(key(email), entry);
  }

  recordSuccess(email: string): void {
    this.attempts.delete(key(email));
  }

  private current(email: string, now: number): Attempts | undefined {
    const entry = this.attempts.get(key(email));
    if (entry && entry.expiresAt <= now) {
      this.attempts.delete(key(email));
      return undefined;
    }
    return entry;
  }
}

const key = (email: string): string => email.trim().toLowerCase();
