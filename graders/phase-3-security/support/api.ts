/**
 * Steps many checks start with (register, log in). Each fails with feedback that says it was a
 * prerequisite, so a learner sees the first thing that broke. Each goes through a client nobody
 * used yet and waits out one 429, so rate limits never fail a check that is not about them.
 */
import { randomUUID } from 'node:crypto';
import { ensure, expectStatus, showBody, type HttpExchange } from '../../harness/feedback';
import { Client, fromNewClient } from './client';

export interface NewUser {
  email: string;
  password: string;
  name: string;
}

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The checks that test the steps other checks need first (`needs:`, graders/harness/feedback.ts):
 * the first three registrations of `rate-limit.register-limit` must answer 201, the first five
 * logins of `rate-limit.login-limit` 200, as in Phase 1.
 */
export const REGISTER_STEP = 'rate-limit.register-limit';
export const LOGIN_STEP = 'rate-limit.login-limit';

/** A user nobody registered yet: unique email, a valid password of 20 characters. */
export function newUser(label: string, name = `Grader ${label}`): NewUser {
  const unique = randomUUID().replace(/-/g, '').slice(0, 12);
  return { email: `${label}.${unique}@example.com`, password: `Pw-${unique}-x9Z!`, name };
}

/** Registers `user` (201 expected) and returns its id. */
export async function registerUser(user: NewUser, client?: Client): Promise<{ id: string; response: HttpExchange }> {
  const response = client ? await client.send('POST', '/auth/register', { body: user }) : await fromNewClient('POST', '/auth/register', { body: user });
  expectStatus(response, 201, {
    when: 'with a valid new user (a step this check needs first)',
    fix: 'Registration must keep working as in Phase 1 before this check can go on.',
    needs: REGISTER_STEP,
  });
  const id = isRecord(response.body) ? response.body.id : undefined;
  ensure(
    typeof id === 'string' && id.length > 0,
    `\`POST /auth/register\` answered 201 without the new user's \`id\` (a step this check needs first).\n\n${showBody(response)}`,
    { needs: REGISTER_STEP },
  );
  return { id, response };
}

/** A login from a client nobody used yet, whatever it answers. */
export function attemptLogin(email: string, password: string): Promise<HttpExchange> {
  return fromNewClient('POST', '/auth/login', { body: { email, password } });
}

/** Logs in (200 expected) and returns the access token. */
export async function loginForToken(email: string, password: string, client?: Client): Promise<string> {
  const response = client ? await client.send('POST', '/auth/login', { body: { email, password } }) : await attemptLogin(email, password);
  expectStatus(response, 200, {
    when: 'with the right credentials (a step this check needs first)',
    fix: 'Login must keep working as in Phase 1 before this check can go on.',
    needs: LOGIN_STEP,
  });
  const token = isRecord(response.body) ? response.body.accessToken : undefined;
  ensure(
    typeof token === 'string',
    `\`POST /auth/login\` answered 200 without an \`accessToken\` string (a step this check needs first).\n\n${showBody(response)}`,
    { needs: LOGIN_STEP },
  );
  return token;
}

/** A wrong password for `user`, of valid length. */
export const wrongPassword = (user: NewUser): string => `${user.password}-wrong`;
