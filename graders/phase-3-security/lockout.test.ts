import { ensure, expectStatus, fail, measure, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { attemptLogin, isRecord, newUser, registerUser, wrongPassword } from './support/api';
import { header, sleep } from './support/client';

const check = useChecks(checks);

const MAX_FAILURES = 5;
const LOCK_SECONDS = 15 * 60;
/**
 * The least Retry-After accepted on the first 423 after the 5th failure: the lock's 900 s minus a
 * minute of margin. Between the 5th failure and that 423 there is one login (a second or two on a
 * busy host, up to 11 s more when a shared login limiter makes the grader wait out a 429), so a
 * 15-minute lock shows 885 or more; a lock of a few minutes or less shows far below 840.
 */
const FRESH_LOCK_MIN_SECONDS = LOCK_SECONDS - 60;
/** How long `lockout.lasts-15-minutes` waits before it asks again: long enough for a countdown to show. */
const RECHECK_AFTER_MS = 2500;

/** `count` wrong-password logins for `email`, each from a new client IP, each expected to be a 401. */
async function failLogins(email: string, password: string, count: number, already = 0): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    const res = await attemptLogin(email, password);
    expectStatus(res, 401, {
      when: `with a wrong password (failure ${already + i} for this email, each from another IP)`,
      fix: `Failures 1 to ${MAX_FAILURES} answer 401 as in Phase 1; only the attempts after the ${MAX_FAILURES}th ` + 'failure are locked out.',
    });
  }
}

/** Fails unless `res` is the 423 of a locked account, with a sane Retry-After and no tokens. */
function expectLocked(res: HttpExchange, when: string, fix: string): void {
  expectStatus(res, 423, { when, fix });
  const value = header(res, 'retry-after');
  const seconds = Number(value);
  ensure(
    value !== undefined && /^\d+$/.test(value.trim()) && seconds >= 1 && seconds <= LOCK_SECONDS,
    `The 423 has ${value === undefined ? 'no `Retry-After` header' : `\`Retry-After: ${value}\``}; expected whole ` +
      `seconds from 1 to ${LOCK_SECONDS} (what is left of the 15-minute lock).`,
  );
  measure('Retry-After of the lock (s)', seconds, { threshold: `1–${LOCK_SECONDS}` });
  ensure(
    !(isRecord(res.body) && ('accessToken' in res.body || 'refreshToken' in res.body)),
    `The 423 carries tokens; expected none while the account is locked.\n\n${showBody(res)}`,
  );
}

check('lockout.locks-account', async () => {
  const user = newUser('lockout');
  await registerUser(user);
  await failLogins(user.email, wrongPassword(user), MAX_FAILURES);
  const res = await attemptLogin(user.email, user.password);
  measure('failed logins (from as many IPs) before the right password is refused', MAX_FAILURES, {
    threshold: `locked after ${MAX_FAILURES}`,
  });
  expectLocked(
    res,
    `with the **right** password, after ${MAX_FAILURES} failed logins for this email from ${MAX_FAILURES} different IPs`,
    `Count failed logins per account (the email), whatever the IP, and lock the account for 15 minutes after the ` +
      `${MAX_FAILURES}th: answer \`423 Locked\` with Retry-After, even to the right password.`,
  );
});

check('lockout.other-accounts', async () => {
  const victim = newUser('lockedvictim');
  const other = newUser('unlockedother');
  await registerUser(victim);
  await registerUser(other);
  await failLogins(victim.email, wrongPassword(victim), MAX_FAILURES);
  await attemptLogin(victim.email, victim.password);
  const res = await attemptLogin(other.email, other.password);
  expectStatus(res, 200, {
    when: `for another account, right after ${MAX_FAILURES} failed logins on ${show(victim.email)}`,
    fix: 'Lock only the account that was guessed: key the failure count by email, not globally.',
  });
});

check('lockout.reset-on-success', async () => {
  const user = newUser('resetcount');
  await registerUser(user);
  await failLogins(user.email, wrongPassword(user), MAX_FAILURES - 1);
  const success = await attemptLogin(user.email, user.password);
  expectStatus(success, 200, {
    when: `with the right password after ${MAX_FAILURES - 1} failures`,
    fix: `${MAX_FAILURES - 1} failures must not lock the account yet.`,
  });
  await failLogins(user.email, wrongPassword(user), MAX_FAILURES - 1);
  const again = await attemptLogin(user.email, user.password);
  if (again.status === 423) {
    fail(
      `After ${MAX_FAILURES - 1} failures, a successful login, then ${MAX_FAILURES - 1} more failures, the right ` +
        `password answered **423**; expected **200**. A successful login resets the count of failures in a row.`,
    );
  }
  expectStatus(again, 200, {
    when: `with the right password after ${MAX_FAILURES - 1} failures, a success and ${MAX_FAILURES - 1} more failures`,
    fix: 'A successful login resets the count of failures in a row.',
  });
});

check('lockout.unknown-email', async () => {
  const ghost = newUser('nosuchaccount');
  await failLogins(ghost.email, ghost.password, MAX_FAILURES);
  const res = await attemptLogin(ghost.email.toUpperCase(), ghost.password);
  expectLocked(
    res,
    `for an email with no account (sent in capitals), after ${MAX_FAILURES} failed logins for it`,
    'Count failures per email, whether or not an account has it, and compare emails case-insensitively: ' +
      'otherwise which emails can be locked tells an attacker which are registered.',
  );
});

/** The 423's Retry-After as whole seconds, or undefined when it is missing or not a whole number. */
function retryAfterSeconds(res: HttpExchange): number | undefined {
  const value = header(res, 'retry-after')?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

check('lockout.lasts-15-minutes', async () => {
  const user = newUser('lockduration');
  await registerUser(user);
  await failLogins(user.email, wrongPassword(user), MAX_FAILURES);
  const first = await attemptLogin(user.email, user.password);
  const firstAt = Date.now();
  expectStatus(first, 423, {
    when: `with the right password, right after ${MAX_FAILURES} failed logins for this email from ${MAX_FAILURES} IPs (a step this check needs first)`,
    fix: 'Lock the account after the 5th failure first: see lockout.locks-account.',
    needs: 'lockout.locks-account',
  });
  const firstSeconds = retryAfterSeconds(first);
  if (firstSeconds === undefined) {
    const value = header(first, 'retry-after');
    fail(
      `The 423 has ${value === undefined ? 'no `Retry-After` header' : `\`Retry-After: ${value}\``} ` +
        '(a step this check needs first): see lockout.locks-account.',
      { needs: 'lockout.locks-account' },
    );
  }
  measure('Retry-After of the first 423, right after the 5th failure (s)', firstSeconds, {
    threshold: `${FRESH_LOCK_MIN_SECONDS}–${LOCK_SECONDS}`,
  });
  ensure(
    firstSeconds >= FRESH_LOCK_MIN_SECONDS && firstSeconds <= LOCK_SECONDS,
    `Right after the ${MAX_FAILURES}th failed login, the 423 said \`Retry-After: ${firstSeconds}\`` +
      (firstSeconds < FRESH_LOCK_MIN_SECONDS ? ` (the lock ends in ${describeSeconds(firstSeconds)})` : '') +
      `; expected the seconds left of a 15-minute lock that has just begun: from ${FRESH_LOCK_MIN_SECONDS} to ${LOCK_SECONDS}. ` +
      'Lock the account for 15 minutes (900 s) from the 5th failure, and send the seconds left until the lock ends ' +
      '(round up): `Math.ceil((lockedUntil - Date.now()) / 1000)`. ' +
      (firstSeconds < FRESH_LOCK_MIN_SECONDS
        ? "Look for whatever sets the lock's end: a duration shorter than 15 minutes, minutes or milliseconds where " +
          'seconds are meant, or a TTL (Redis `EX`, a cache entry) shorter than 900 s.'
        : 'Never more than 900: the lock lasts 15 minutes.'),
  );

  await sleep(RECHECK_AFTER_MS);
  const again = await attemptLogin(user.email, user.password);
  const elapsed = Math.round((Date.now() - firstAt) / 100) / 10;
  expectStatus(again, 423, {
    when: `with the right password, ${elapsed} s after the first 423 (which said \`Retry-After: ${firstSeconds}\`)`,
    fix:
      'The account stays locked for 15 minutes from the 5th failure, whatever is sent meanwhile: keep the time the ' +
      'lock ends and answer 423 to every login for this email until then.',
  });
  const againSeconds = retryAfterSeconds(again);
  const againHeader = header(again, 'retry-after');
  measure(`Retry-After of a 423 ${RECHECK_AFTER_MS / 1000} s later (s)`, againSeconds ?? -1, { threshold: `1–${firstSeconds}` });
  ensure(
    againSeconds !== undefined && againSeconds >= 1 && againSeconds <= firstSeconds,
    `${elapsed} s after a 423 with \`Retry-After: ${firstSeconds}\`, the next 423 has ` +
      `${againHeader === undefined ? 'no `Retry-After`' : `\`Retry-After: ${againHeader}\``}; ` +
      `expected whole seconds from 1 to ${firstSeconds}: the seconds left of the same lock, which only go down. ` +
      'Compute Retry-After from the time the lock ends: `Math.ceil((lockedUntil - Date.now()) / 1000)`.',
  );
});

/** `75` → `1 min 15 s`, for feedback. */
function describeSeconds(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}
