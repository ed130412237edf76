/**
 * Phase 3 — Security: every check, its points and who sees what. The ids are stable: mutants
 * (mutants/*.patch) and stored results refer to them.
 */
import { defineChecks } from '../harness/checkDefinitions';

export const checks = defineChecks({
  exerciseId: 'phase-3-security',
  maxScore: 100,
  // required: a failure is a security hole or the phase's headline skill missing (rate limiting,
  // brute-force lockout, secrets, CORS, stored XSS, a Google sign-in of an unverified email); the brief
  // lists the same ids.
  checks: [
    // Rate limiting — 26
    {
      id: 'rate-limit.login-limit',
      required: true,
      group: 'Rate limiting',
      points: 5,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'POST /auth/login: 5 requests per client per window, the 6th is a 429 with Retry-After',
    },
    {
      id: 'rate-limit.register-limit',
      required: true,
      group: 'Rate limiting',
      points: 4,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'POST /auth/register: 3 requests per client per window, the 4th is a 429 that creates nobody',
    },
    {
      id: 'rate-limit.headers',
      group: 'Rate limiting',
      points: 4,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'Limited responses tell the client its limit, what remains and when the window resets (IETF RateLimit or X-RateLimit headers)',
    },
    {
      id: 'rate-limit.per-client',
      required: true,
      group: 'Rate limiting',
      points: 4,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'A client that used up its login limit does not limit another client',
    },
    {
      id: 'rate-limit.per-endpoint',
      group: 'Rate limiting',
      points: 3,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'A client that used up its login limit can still register',
    },
    {
      id: 'rate-limit.forwarded-for',
      required: true,
      group: 'Rate limiting',
      points: 3,
      visibility: 'hidden',
      timeoutSeconds: 40,
      name: 'Forged X-Forwarded-For prefixes do not give a client a new limit',
      hint:
        'Trust exactly one proxy hop (`app.set("trust proxy", 1)`): the client is the right-most address ' +
        'of X-Forwarded-For, the one your proxy wrote. Whatever a client writes to its left must not change ' +
        'which counter its requests use. `trust proxy: true` takes the left-most address, which anyone can forge.',
    },
    {
      id: 'rate-limit.window-resets',
      group: 'Rate limiting',
      points: 3,
      visibility: 'visible',
      timeoutSeconds: 45,
      name: 'After Retry-After seconds the limited client is served again',
    },

    // Brute force — 19
    {
      id: 'lockout.locks-account',
      required: true,
      group: 'Brute force',
      points: 6,
      visibility: 'visible',
      timeoutSeconds: 60,
      name: 'After 5 failed logins from 5 IPs, the right password gets a 423 with Retry-After',
    },
    {
      id: 'lockout.other-accounts',
      group: 'Brute force',
      points: 3,
      visibility: 'visible',
      timeoutSeconds: 60,
      name: 'Failed logins on one account do not lock another',
    },
    {
      id: 'lockout.reset-on-success',
      group: 'Brute force',
      points: 4,
      visibility: 'visible',
      timeoutSeconds: 60,
      name: 'A successful login resets the count of failures',
    },
    {
      id: 'lockout.unknown-email',
      group: 'Brute force',
      points: 3,
      visibility: 'hidden',
      timeoutSeconds: 60,
      name: 'An email with no account is locked the same way',
      hint:
        'Count failures per email, whether or not an account has it: otherwise an attacker tells ' +
        'registered emails apart by which ones ever answer 423. Compare emails case-insensitively.',
    },
    {
      id: 'lockout.lasts-15-minutes',
      group: 'Brute force',
      points: 3,
      visibility: 'visible',
      timeoutSeconds: 60,
      name: 'The lock lasts 15 minutes: Retry-After counts down from about 900 s, and the account is still locked seconds later',
    },

    // Headers & HTTPS — 16
    {
      id: 'headers.security-headers',
      group: 'Headers & HTTPS',
      points: 5,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'CSP, HSTS, X-Content-Type-Options and X-Frame-Options on 200, 401, 404 and 429 responses',
    },
    { id: 'headers.no-powered-by', group: 'Headers & HTTPS', points: 3, visibility: 'visible', name: 'No response carries X-Powered-By' },
    {
      id: 'https.redirect-get',
      group: 'Headers & HTTPS',
      points: 4,
      visibility: 'visible',
      name: 'A GET over plain HTTP is redirected to the same URL on https',
    },
    {
      id: 'https.post-refused',
      group: 'Headers & HTTPS',
      points: 4,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'A POST over plain HTTP is refused and changes nothing',
    },

    // CORS — 10
    { id: 'cors.allowed-origin', group: 'CORS', points: 5, visibility: 'visible', name: 'CORS_ORIGIN is allowed with credentials, preflight included' },
    {
      id: 'cors.other-origins',
      required: true,
      group: 'CORS',
      points: 5,
      visibility: 'visible',
      name: 'Other origins, look-alikes included, get no Access-Control-Allow-Origin',
    },

    // Input & passwords — 9
    {
      id: 'input.markup-neutralised',
      required: true,
      group: 'Input & passwords',
      points: 4,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'A name with markup is refused or stored without it, never given back',
    },
    {
      id: 'input.plain-text-unchanged',
      group: 'Input & passwords',
      points: 2,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'Plain text with quotes and ampersands is stored and returned as sent',
    },
    {
      id: 'passwords.strong-hash',
      group: 'Input & passwords',
      points: 3,
      visibility: 'visible',
      timeoutSeconds: 40,
      name: 'Passwords are stored as bcrypt (cost ≥ 10) or argon2id (m ≥ 19456, t ≥ 2), never in plain text',
    },

    // Login with Google — 15
    {
      id: 'google.authorize-redirect',
      group: 'Login with Google',
      points: 3,
      visibility: 'visible',
      name: 'GET /auth/google redirects to Google with client_id, redirect_uri, scope and a fresh state',
    },
    {
      id: 'google.state-checked',
      group: 'Login with Google',
      points: 5,
      visibility: 'visible',
      name: 'A callback with a missing, wrong or cookie-less state, or a bare code, is refused without calling Google',
    },
    {
      id: 'google.callback-signs-in',
      group: 'Login with Google',
      points: 4,
      visibility: 'visible',
      name: 'A callback with the right state exchanges the code and signs the Google user in',
    },
    {
      id: 'google.unverified-email-refused',
      required: true,
      group: 'Login with Google',
      points: 3,
      visibility: 'visible',
      name: 'A Google profile with email_verified false is refused (401/403, no tokens), even for the email of an existing account',
    },

    // Secrets — 5
    {
      id: 'secrets.none-committed',
      required: true,
      group: 'Secrets',
      points: 5,
      visibility: 'visible',
      name: 'The repository holds no .env file, private key or cloud key',
    },
  ],
});
