import argon2 from 'argon2';

// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password) => argon2.hash(password, OPTIONS);

// Verified against when the email has no account (or no password), so both cases take as long.
const DUMMY = await hashPassword('not-a-real-password-only-for-timing');

/** True when `password` matches `hash`; a missing hash is checked against a dummy and is false. */
export async function verifyPassword(hash, password) {
  const ok = await argon2.verify(hash ?? DUMMY, password).catch(() => false);
  return Boolean(hash) && ok;
}
