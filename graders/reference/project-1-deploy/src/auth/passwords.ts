import * as bcrypt from 'bcrypt';

const BCRYPT_COST = 10;

/** Hashes a password with bcrypt; the salt is part of the hash. */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/** Whether `password` matches a hash made by {@link hashPassword}. */
export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return bcrypt.compare(password, passwordHash);
}

/**
 * A hash of no one's password, compared against when the email is unknown so that
 * a login takes as long for an unknown email as for a wrong password.
 */
export const UNKNOWN_USER_HASH = bcrypt.hashSync('no-such-user-password', BCRYPT_COST);
