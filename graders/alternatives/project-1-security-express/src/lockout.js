// Per-account brute-force protection, in PostgreSQL: 5 failed logins in a row for one email,
// from any IPs, lock that email for 15 minutes. Emails without an account are counted the same way.
import { pool } from './db.js';

const MAX_FAILURES = 5;
const LOCK_MINUTES = 15;
const key = (email) => email.trim().toLowerCase();

/** Seconds the email stays locked (0: not locked). */
export async function lockedFor(email) {
  const { rows } = await pool.query(
    'SELECT ceil(extract(epoch FROM locked_until - now()))::int AS seconds FROM login_failures WHERE email_key = $1 AND locked_until > now()',
    [key(email)],
  );
  return rows[0] ? Math.min(LOCK_MINUTES * 60, Math.max(1, rows[0].seconds)) : 0;
}

/** Counts one failure, atomically; the 5th in a row starts the lock and resets the count. */
export async function recordFailure(email) {
  await pool.query(
    `INSERT INTO login_failures AS f (email_key, failures) VALUES ($1, 1)
     ON CONFLICT (email_key) DO UPDATE SET
       failures = CASE WHEN f.failures + 1 >= $2 THEN 0 ELSE f.failures + 1 END,
       locked_until = CASE WHEN f.failures + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE f.locked_until END`,
    [key(email), MAX_FAILURES, LOCK_MINUTES],
  );
}

export async function recordSuccess(email) {
  await pool.query('DELETE FROM login_failures WHERE email_key = $1', [key(email)]);
}
