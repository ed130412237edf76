/**
 * The steps most checks start with (register, log in, log in as the admin). Each one fails with
 * feedback that says it was a prerequisite, so a learner sees the first thing that broke.
 */
import { randomUUID } from 'node:crypto';
import { call, exerciseEnv } from '../../harness/context';
import { ensure, expectStatus, showBody, type HttpExchange } from '../../harness/feedback';

export interface NewUser {
  email: string;
  password: string;
  name: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A user nobody registered yet: unique email, a valid password of 20 characters. */
export function newUser(label: string): NewUser {
  const unique = randomUUID().replace(/-/g, '').slice(0, 12);
  return {
    email: `${label}.${unique}@example.com`,
    password: `Pw-${unique}-x9Z!`,
    name: `Grader ${label}`,
  };
}

/** Registers `user` (201 expected) and returns its id. */
export async function registerUser(user: NewUser): Promise<{ id: string; response: HttpExchange }> {
  const response = await call('POST', '/auth/register', { body: user });
  expectStatus(response, 201, {
    when: 'with a valid new user (a step this check needs first)',
    fix: 'Registration must work before this check can go on: see the check registration.creates-user.',
    needs: 'registration.creates-user',
  });
  const id = isRecord(response.body) ? response.body.id : undefined;
  ensure(
    typeof id === 'string' && id.length > 0,
    `\`POST /auth/register\` answered 201 without the new user's \`id\` (a step this check needs first).\n\n${showBody(response)}`,
    { needs: 'registration.creates-user' },
  );
  return { id, response };
}

/** Logs in (200 expected) and returns the token pair. */
export async function login(email: string, password: string, who = 'a registered user'): Promise<TokenPair> {
  const response = await call('POST', '/auth/login', { body: { email, password } });
  expectStatus(response, 200, {
    when: `with the right credentials of ${who} (a step this check needs first)`,
    fix:
      who === 'the admin'
        ? 'On start, make sure the account ADMIN_EMAIL exists with the password ADMIN_PASSWORD and the role `admin`.'
        : 'Login must work before this check can go on: see the check tokens.login-returns-pair.',
    // The admin's login is this phase's own setup, tested by no single check: no `needs`.
    ...(who === 'the admin' ? {} : { needs: 'tokens.login-returns-pair' }),
  });
  const body = isRecord(response.body) ? response.body : {};
  ensure(
    typeof body.accessToken === 'string' && typeof body.refreshToken === 'string',
    `\`POST /auth/login\` answered 200 without \`accessToken\` and \`refreshToken\` strings (a step this check needs first).\n\n${showBody(response)}`,
    { needs: 'tokens.login-returns-pair' },
  );
  return { accessToken: body.accessToken, refreshToken: body.refreshToken };
}

/** A fresh user, registered and logged in. */
export async function signedInUser(label: string): Promise<{ user: NewUser; id: string; tokens: TokenPair }> {
  const user = newUser(label);
  const { id } = await registerUser(user);
  const tokens = await login(user.email, user.password);
  return { user, id, tokens };
}

/** Tokens of the admin account the app creates from ADMIN_EMAIL / ADMIN_PASSWORD. */
export async function adminTokens(): Promise<TokenPair> {
  return login(exerciseEnv('ADMIN_EMAIL'), exerciseEnv('ADMIN_PASSWORD'), 'the admin');
}

/** A well-formed UUID that matches nobody. */
export const unknownUuid = (): string => randomUUID();
