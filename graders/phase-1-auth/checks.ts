/**
 * Phase 1 — Auth + Users Service: every check, its points and who sees what. The ids are
 * stable: mutants (mutants/*.patch) and stored results refer to them. `required: true` gates the phase
 * (exercises/phase-1-auth/README.md, "Required checks"): a failure is a security hole or authentication
 * and authorisation (this phase's headline) missing.
 */
import { defineChecks } from '../harness/checkDefinitions';

export const checks = defineChecks({
  exerciseId: 'phase-1-auth',
  maxScore: 100,
  checks: [
    // Registration — 15
    {
      id: 'registration.creates-user',
      group: 'Registration',
      points: 4,
      visibility: 'visible',
      name: 'POST /auth/register creates a user and answers 201 with it',
    },
    { id: 'registration.duplicate-409', group: 'Registration', points: 3, visibility: 'visible', name: 'Registering an email that exists answers 409' },
    {
      id: 'registration.no-password-in-responses',
      required: true,
      group: 'Registration',
      points: 4,
      visibility: 'visible',
      name: 'No response carries a password or its hash',
    },
    {
      id: 'registration.password-hashed',
      required: true,
      group: 'Registration',
      points: 4,
      visibility: 'visible',
      name: 'Passwords are stored as bcrypt or argon2 hashes, never in plain text',
    },

    // Validation — 29
    { id: 'validation.email', group: 'Validation', points: 4, visibility: 'visible', name: 'An invalid email is a 400' },
    {
      id: 'validation.password-length',
      group: 'Validation',
      points: 4,
      visibility: 'visible',
      name: 'Passwords of 8 to 72 characters are accepted, others are a 400',
    },
    { id: 'validation.missing-fields', group: 'Validation', points: 4, visibility: 'visible', name: 'A missing field is a 400 that names it' },
    {
      id: 'validation.unknown-field-rejected',
      required: true,
      group: 'Validation',
      points: 4,
      visibility: 'hidden',
      name: 'A field the route does not list is a 400 that names it',
      hint:
        'Every body is checked against the fields its route lists: anything else (think of what a ' +
        'curious client might add when registering) is a 400 whose error names that field, and never ' +
        "reaches your database. Refuse unknown keys in each route's schema: in NestJS, ValidationPipe with whitelist and " +
        'forbidNonWhitelisted; with zod, strictObject; with Joi, its default (no .unknown()); with Ajv or a Fastify ' +
        'route schema, additionalProperties: false.',
    },
    { id: 'validation.uuid-param', group: 'Validation', points: 4, visibility: 'visible', name: 'A malformed :id is a 400, an unknown one a 404' },
    {
      id: 'validation.name',
      group: 'Validation',
      points: 3,
      visibility: 'visible',
      name: 'A name that is empty, longer than 100 characters or not a string is a 400 that names it',
    },
    {
      id: 'validation.login-body',
      group: 'Validation',
      points: 3,
      visibility: 'visible',
      name: 'A login body with a missing or ill-typed field is a 400 that names it',
    },
    {
      id: 'validation.role-value',
      group: 'Validation',
      points: 3,
      visibility: 'visible',
      name: 'PATCH /users/:id/role with a role other than user or admin, or none, is a 400 that names it',
    },

    // Tokens — 28
    {
      id: 'tokens.login-returns-pair',
      required: true,
      group: 'Tokens',
      points: 4,
      visibility: 'visible',
      name: 'POST /auth/login answers 200 with an access and a refresh token',
    },
    {
      id: 'tokens.login-wrong-credentials',
      group: 'Tokens',
      points: 3,
      visibility: 'visible',
      name: 'A wrong password and an unknown email both get a 401 with the same message',
    },
    {
      id: 'tokens.access-jwt-claims',
      group: 'Tokens',
      points: 4,
      visibility: 'visible',
      name: 'The access token is an HS256 JWT signed with JWT_SECRET, with sub, role and exp ≤ 1 h',
    },
    {
      id: 'tokens.bad-tokens-rejected',
      required: true,
      group: 'Tokens',
      points: 5,
      visibility: 'hidden',
      name: 'Tampered, expired, unsigned and malformed access tokens are a 401',
      hint:
        'Verify every access token: its signature with JWT_SECRET and the HS256 algorithm only, its ' +
        'expiry, and its shape. Anything that fails is a 401, never a 500 and never a pass. Try the code that ' +
        'checks Bearer tokens (a guard in NestJS, a middleware in Express or Koa, an onRequest or preHandler hook in ' +
        'Fastify) with a token whose payload you edited by hand, one past its exp, and one with alg "none".',
    },
    {
      id: 'tokens.refresh-rotation',
      required: true,
      group: 'Tokens',
      points: 4,
      visibility: 'visible',
      name: 'A refresh token gives a new pair once, and is refused the second time',
    },
    {
      id: 'tokens.refresh-not-access',
      required: true,
      group: 'Tokens',
      points: 4,
      visibility: 'hidden',
      name: 'Refresh and access tokens cannot stand in for each other',
      hint:
        'An access token and a refresh token must never be interchangeable: a refresh token sent as ' +
        'a Bearer token is a 401, and an access token sent to POST /auth/refresh is a 401. Use a ' +
        'different secret (JWT_REFRESH_SECRET) or a claim that says which kind a token is, and check it; an opaque ' +
        '(non-JWT) refresh token looked up in your database can never pass as an access token.',
    },
    {
      id: 'tokens.logout-revokes',
      required: true,
      group: 'Tokens',
      points: 4,
      visibility: 'visible',
      name: 'POST /auth/logout needs a Bearer token; after it, its refresh token is refused',
    },

    // Roles — 17
    {
      id: 'roles.me-requires-token',
      required: true,
      group: 'Roles',
      points: 3,
      visibility: 'visible',
      name: 'GET /users/me needs a token and answers the current user',
    },
    { id: 'roles.admin-401-without-token', required: true, group: 'Roles', points: 3, visibility: 'visible', name: 'Admin routes answer 401 without a token' },
    { id: 'roles.admin-403-for-user', required: true, group: 'Roles', points: 3, visibility: 'visible', name: 'Admin routes answer 403 to a signed-in user' },
    { id: 'roles.admin-lists-users', group: 'Roles', points: 3, visibility: 'visible', name: 'The admin lists users and reads one by id' },
    { id: 'roles.role-change', group: 'Roles', points: 3, visibility: 'visible', name: 'The admin promotes a user, who is an admin from the next login' },
    {
      id: 'roles.role-change-unknown-user',
      group: 'Roles',
      points: 2,
      visibility: 'visible',
      name: 'PATCH /users/:id/role with a well-formed id that matches nobody is a 404',
    },

    // Errors & docs — 11
    { id: 'errors.unified-shape', group: 'Errors & docs', points: 4, visibility: 'visible', name: 'Errors (400, 401, 403, 404, 409) share one JSON shape' },
    { id: 'errors.unknown-route-404', group: 'Errors & docs', points: 2, visibility: 'visible', name: 'Unknown routes answer 404' },
    {
      id: 'errors.500-shape-no-stack',
      group: 'Errors & docs',
      points: 2,
      visibility: 'visible',
      name: 'A 500 has the one error shape and never shows a stack trace',
    },
    {
      id: 'docs.openapi-lists-routes',
      group: 'Errors & docs',
      points: 3,
      visibility: 'visible',
      name: 'GET /docs-json is an OpenAPI 3 document listing every route',
    },
  ],
});
