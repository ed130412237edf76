import { ensure, expectStatus, fail, measure, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { attemptLogin, isRecord, newUser, registerUser, wrongPassword } from './support/api';
import { header } from './support/client';

const check = useChecks(checks);

const MAX_FAILURES = 5;
const LOCK_SECONDS = 15 * 60;

/** `count` wrong-password logins for `email`, each from a new client IP, each expected to be a 401. */
async function failLogins(email: string, password: string, count: number, already = 0): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    const res = await attemptLogin(email, password);
    expectStatus(res, 401, {
      when: `with a wrong password (failure ${already + i} for this email, each from another IP)`,
      fix:
        `Failures 1 to ${MAX_FAILURES} answer 401 as in Phase 1; only the attempts after the ${MAX_FAILURES}th ` +
        'failure are locked out.',
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
