/**
 * Rules for an app that boots but answers the grader's requests from the wrong place: every route
 * under a global prefix, or every mutating request refused for want of a CSRF token. They read what
 * the harness recorded about the requests it sent (graders/harness/requestLog.ts).
 */
import type { HarnessEvidence } from './evidence';
import { APP_CONFIG_DOCS } from './messages';
import { defineRule } from './rule';

interface PrefixMatch {
  /** Where the app answers ('' for no prefix at all). */
  prefix: string;
  /** backend-pro.yml's prefix the requests were sent under ('' when none). */
  configured: string;
  total: number;
  notFound: number;
  example: { method: string; path: string; status: number | null } | null;
}

export const globalPrefix = defineRule<PrefixMatch>({
  id: 'global-prefix',
  cause: 'learner',
  title: 'Your routes are under a global prefix the grader does not know',
  symptom: 'Nearly every check fails with 404, and the same requests under `/api` (or `/api/v1`, `/v1`; or without the prefix backend-pro.yml names) answer.',
  fix: 'Remove the global prefix, or declare the right one in backend-pro.yml: `prefix: /api` (the grader then prepends it to every path).',
  detect: (evidence) => {
    const harness: HarnessEvidence | null = evidence.harness;
    const found = harness?.prefixProbe?.found;
    if (!harness || found === null || found === undefined || evidence.tests.every((test) => test.status === 'passed')) return null;
    const example = harness.prefixProbe?.samples.find((sample) => sample.status !== null && sample.status !== 404) ?? null;
    return { prefix: found, configured: harness.prefix, total: harness.requests.total, notFound: harness.requests.notFound, example };
  },
  message: (match) => (match.configured ? wrongPrefixMessage(match) : missingPrefixMessage(match)),
});

function missingPrefixMessage({ prefix, total, notFound, example }: PrefixMatch): string {
  return (
    `The brief's routes are tested at the paths it gives (e.g. \`GET /users/me\`), but your app answered 404 to ${notFound} of the ${total} requests the checks sent. ` +
    `The same requests under \`${prefix}\` answered` +
    (example ? ` (e.g. \`${example.method} ${prefix}${example.path}\` → ${example.status})` : '') +
    `: your app has a global prefix (NestJS \`app.setGlobalPrefix('${prefix.slice(1)}')\`, Express \`app.use('${prefix}', router)\`).\n\n` +
    `Either remove the prefix, or tell the grader about it: add \`prefix: ${prefix}\` to backend-pro.yml at your app's root, and every request will be sent under it (see ${APP_CONFIG_DOCS}).`
  );
}

/** backend-pro.yml names a prefix, but the app answers without it or under another. */
function wrongPrefixMessage({ prefix, configured, total, notFound, example }: PrefixMatch): string {
  const where = prefix ? `under \`${prefix}\`` : 'without any prefix';
  return (
    `backend-pro.yml sets \`prefix: ${configured}\`, so every request was sent under \`${configured}\`, and your app answered 404 to ${notFound} of the ${total}. ` +
    `The same requests ${where} answered` +
    (example ? ` (e.g. \`${example.method} ${prefix}${example.path}\` → ${example.status})` : '') +
    `.\n\n` +
    (prefix ? `Set \`prefix: ${prefix}\` in backend-pro.yml` : 'Remove the `prefix:` line from backend-pro.yml') +
    `, or change your app so that its routes sit under \`${configured}\` (see ${APP_CONFIG_DOCS}).`
  );
}

/** Nearly every mutating request (at least this share) refused with a CSRF message. */
const CSRF_SHARE = 0.8;

export const csrfRequired = defineRule<{ refused: number; mutating: number; example: { method: string; path: string } | null }>({
  id: 'csrf-required',
  cause: 'learner',
  title: 'Your API requires a CSRF token',
  symptom: 'Every POST/PUT/PATCH/DELETE answers 403 with a CSRF message (`invalid csrf token`, `EBADCSRFTOKEN`…).',
  fix: 'Exempt the API routes from CSRF protection: they authenticate with bearer tokens, not cookies.',
  detect: (evidence) => {
    const requests = evidence.harness?.requests;
    if (!requests || requests.csrfRefused === 0 || requests.csrfRefused < requests.mutating * CSRF_SHARE) return null;
    return { refused: requests.csrfRefused, mutating: requests.mutating, example: requests.csrfExample };
  },
  message: ({ refused, mutating, example }) =>
    `API routes authenticate with a bearer token in the \`Authorization\` header and must not require a CSRF token: a CSRF token protects cookie sessions, which an API client does not have. ` +
    `Your app refused ${refused} of the ${mutating} POST/PUT/PATCH/DELETE requests the checks sent with 403 and a CSRF message` +
    (example ? ` (e.g. \`${example.method} ${example.path}\`)` : '') +
    `.\n\n` +
    `Remove the CSRF middleware (csurf, csrf-csrf, csrf-sync, lusca…) from the API routes, or apply it only to the routes that render HTML forms with a session cookie.`,
});
