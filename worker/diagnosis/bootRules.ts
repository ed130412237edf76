/**
 * Rules for an app that exits or never listens because of its configuration: backend-pro.yml that
 * does not validate, a required variable the pod does not set, PostgreSQL or Redis looked for at
 * the wrong place or with the wrong credentials. They read the error, the failed step's output and
 * the app's log.
 */
import { bootText, broadlyFailed, type DiagnosisEvidence } from './evidence';
import { APP_CONFIG_DOCS, DATABASE_VARIABLES, lineMatching, listOf, platformVariables, REDIS_VARIABLES } from './messages';
import { defineRule } from './rule';

export const configInvalid = defineRule<readonly string[]>({
  id: 'backend-pro-yml-invalid',
  cause: 'learner',
  title: 'backend-pro.yml does not validate',
  symptom: 'The result says backend-pro.yml does not match its schema; nothing was installed or run.',
  fix: `Fix the keys it names (each line gives the key path), as documented in ${APP_CONFIG_DOCS}, or remove the file.`,
  detect: (evidence) => (evidence.configProblems && evidence.configProblems.length > 0 ? evidence.configProblems : null),
  message: (problems) =>
    `backend-pro.yml, at your app's root, must follow its documented schema (${APP_CONFIG_DOCS}); the grader stopped before installing because it does not:\n\n` +
    problems.map((problem) => `- ${problem}`).join('\n') +
    `\n\nFix each key named above, or delete the file if you do not need its settings.`,
});

/** Names of variables a boot-time validator said were missing (Joi, envalid, zod, hand-written checks). */
const MISSING_VARIABLE_PATTERNS: RegExp[] = [
  // Joi through @nestjs/config: Config validation error: "MAIL_API_KEY" is required
  /"([A-Z][A-Z0-9_]*)" is required/g,
  // envalid: Missing environment variables:\n    MAIL_API_KEY: undefined
  /Missing environment variables?:?\s*\n?\s*([A-Z][A-Z0-9_]*)/g,
  // hand-written: Missing required env var MAIL_API_KEY / Environment variable MAIL_API_KEY is missing
  /Missing required env(?:ironment)?(?: var(?:iable)?)?s?:?\s*["'`]?([A-Z][A-Z0-9_]*)/gi,
  /Environment variable ["'`]?([A-Z][A-Z0-9_]*)["'`]? is (?:missing|required|not set|not defined)/gi,
  /\b([A-Z][A-Z0-9]*_[A-Z0-9_]+) (?:is not defined|is not set|must be set|is missing)/g,
  // zod 4: ✖ Invalid input: expected string, received undefined\n  → at MAIL_API_KEY
  /received undefined\s*\n\s*→ at ([A-Z][A-Z0-9_]*)/g,
  // zod 3: "path": ["MAIL_API_KEY"], … "message": "Required"
  /"path":\s*\[\s*"([A-Z][A-Z0-9_]*)"\s*\][^}]*"message":\s*"Required"/g,
  /"message":\s*"Required"[^}]*"path":\s*\[\s*"([A-Z][A-Z0-9_]*)"\s*\]/g,
];

export const missingVariable = defineRule<{ names: string[]; line: string }>({
  id: 'missing-env-variable',
  cause: 'learner',
  title: 'Your app requires an environment variable the grader does not set',
  symptom: 'The app exits at boot with "Config validation error: "X" is required", "Missing required env var X" or a zod/envalid message.',
  fix: 'Read the platform\'s variables (DATABASE_URL, DB_*, REDIS_URL, JWT_SECRET…), map your names to them in backend-pro.yml `env:`, or give third-party keys a dummy `{ value: "…" }`.',
  detect: (evidence) => {
    if (evidence.status !== 'error' || !['starting', 'building', 'testing'].includes(evidence.stage ?? '')) return null;
    const text = bootText(evidence);
    const names = new Set<string>();
    for (const pattern of MISSING_VARIABLE_PATTERNS) for (const match of text.matchAll(pattern)) names.add(match[1]);
    if (names.size === 0) return null;
    const first = [...names][0];
    return { names: [...names], line: lineMatching(text, new RegExp(first)) };
  },
  message: ({ names, line }) => {
    const shown = names.map((name) => `\`${name}\``);
    const example = names[0];
    return (
      `Your app is started with the environment the grader gives it, and nothing else: ${platformVariables()}, and the exercise's own variables. ` +
      `It stopped at boot because it requires ${listOf(shown, 5)}, which ${names.length > 1 ? 'are' : 'is'} not among them` +
      (line ? `:\n\n\`\`\`\n${line}\n\`\`\`\n\n` : '.\n\n') +
      `If \`${example}\` is one of the values above under another name, map it in backend-pro.yml at your app's root, e.g. \`env: { ${example}: DATABASE_URL }\`. ` +
      `If it is a third-party key your app only needs in order to start (a mail or payment API key), give it a dummy value: \`env: { ${example}: { value: "dummy" } }\`. ` +
      `See ${APP_CONFIG_DOCS}.`
    );
  },
});

/**
 * The pod's own PostgreSQL and Redis listen on 127.0.0.1 before the app starts: a refusal at exactly
 * that address means a service of the pod stopped, which is the platform's fault, not the app's.
 */
const POD_SERVICE_REFUSED = /ECONNREFUSED 127\.0\.0\.1:(5432|6379)\b/;

export const podServiceDown = defineRule<{ service: string; line: string }>({
  id: 'pod-service-down',
  cause: 'platform',
  title: "The grader's own database stopped during grading",
  symptom: "The app could not connect to 127.0.0.1:5432 (PostgreSQL) or 127.0.0.1:6379 (Redis), where the pod's services listen.",
  fix: "Nothing in your code: submit again later. Operators: look at the services container of the job in the worker's log.",
  detect: (evidence) => {
    if (!broadlyFailed(evidence)) return null;
    const text = bootText(evidence);
    const match = POD_SERVICE_REFUSED.exec(text);
    return match ? { service: match[1] === '5432' ? 'PostgreSQL' : 'Redis', line: lineMatching(text, POD_SERVICE_REFUSED) } : null;
  },
  message: ({ service, line }) =>
    `The grader starts ${service} inside the pod, at the address your app was given, before your app; your app connected to that address and was refused:\n\n\`\`\`\n${line}\n\`\`\`\n\n` +
    `So ${service} had stopped: a fault of the grading platform, not of your code. Submit again later; if it happens again, tell your instructor.`,
});

/** The first line of the boot text that one of `patterns` recognises, when the grading failed broadly. */
function failureLine(evidence: DiagnosisEvidence, patterns: readonly RegExp[]): { line: string } | null {
  if (!broadlyFailed(evidence)) return null;
  const text = bootText(evidence);
  const pattern = patterns.find((candidate) => candidate.test(text));
  return pattern ? { line: lineMatching(text, pattern) } : null;
}

const DATABASE_FAILURES: RegExp[] = [
  /password authentication failed for user "?[^"\s]+"?/,
  /database "?[^"\s]+"? does not exist/,
  /role "?[^"\s]+"? does not exist/,
  /ECONNREFUSED\s+(?:127\.0\.0\.1|::1|localhost|0\.0\.0\.0|[\d.]+|[\da-f:]+):(?:5432|5433|3306)\b/,
  /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (?:postgres|postgresql|db|database|pg|pgdb|mysql)\b/,
  /connect ECONNREFUSED [^\n]*:5432/,
];

export const databaseUnreachable = defineRule<{ line: string }>({
  id: 'database-connection',
  cause: 'learner',
  title: 'Your app does not reach PostgreSQL with the address and credentials the grader gives it',
  symptom: 'The app exits or fails with ECONNREFUSED :5432, "password authentication failed", "database … does not exist" or ENOTFOUND postgres/db.',
  fix: 'Connect with DATABASE_URL (or DB_HOST/DB_PORT/DB_USERNAME/DB_PASSWORD/DB_NAME, POSTGRES_*, PG*), never a hard-coded localhost, docker-compose host or password.',
  detect: (evidence) => failureLine(evidence, DATABASE_FAILURES),
  message: ({ line }) =>
    `The grader runs PostgreSQL inside the pod, at 127.0.0.1:5432, and gives your app its address, database and credentials in ${platformVariables(DATABASE_VARIABLES)}. ` +
    `Your app tried another address or other credentials (a hard-coded \`localhost\`, a docker-compose host such as \`postgres\` or \`db\`, or its own user and password):\n\n\`\`\`\n${line}\n\`\`\`\n\n` +
    `Read the connection from the environment, e.g. TypeORM \`url: process.env.DATABASE_URL\` or Prisma \`url = env("DATABASE_URL")\`. ` +
    `If your code reads other names, map them to these in backend-pro.yml at your app's root, e.g. \`env: { TYPEORM_HOST: DB_HOST, TYPEORM_PASSWORD: DB_PASSWORD }\` (see ${APP_CONFIG_DOCS}).`,
});

const REDIS_FAILURES: RegExp[] = [
  /ECONNREFUSED\s+[^\s]*:6379\b/,
  /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (?:redis|cache|redis-server|valkey)\b/,
  /\b(?:NOAUTH|WRONGPASS)\b[^\n]*/,
];

export const redisUnreachable = defineRule<{ line: string }>({
  id: 'redis-connection',
  cause: 'learner',
  title: 'Your app does not reach Redis at the address the grader gives it',
  symptom: 'The app exits or fails with ECONNREFUSED :6379, ENOTFOUND redis, NOAUTH or WRONGPASS.',
  fix: 'Connect with REDIS_URL (or REDIS_HOST/REDIS_PORT), without a password, never a hard-coded docker-compose host.',
  detect: (evidence) => failureLine(evidence, REDIS_FAILURES),
  message: ({ line }) =>
    `The grader runs Redis inside the pod, at 127.0.0.1:6379 with no password, and gives your app its address in ${platformVariables(REDIS_VARIABLES)}. ` +
    `Your app tried another address or a password:\n\n\`\`\`\n${line}\n\`\`\`\n\n` +
    `Read the connection from the environment, e.g. \`new Redis(process.env.REDIS_URL)\`. If your code reads other names, map them in backend-pro.yml at your app's root, e.g. \`env: { CACHE_URL: REDIS_URL }\` (see ${APP_CONFIG_DOCS}).`,
});

/** "listening on port 8080", "Server running at http://localhost:8080", "started on :8080". */
const ANNOUNCED_PORT =
  /\b(?:listen(?:ing)?|running|started|start|server|ready|up)\b[^\n]*?(?:port\s*[:=]?\s*|localhost:|127\.0\.0\.1:|0\.0\.0\.0:|\[::\]:|\s:)(\d{2,5})\b/i;

export const portNotRead = defineRule<{ port: string; line: string }>({
  id: 'port-not-read',
  cause: 'learner',
  title: 'Your app listens on a port of its own instead of PORT',
  symptom: 'The result says the app did not listen on PORT 3000, and its log says it listens on another port (e.g. 8080).',
  fix: 'Listen on `process.env.PORT` (NestJS: `await app.listen(process.env.PORT ?? 3000)`).',
  detect: (evidence) => {
    if (evidence.status !== 'error' || !/did not listen on PORT (\d+)/.test(evidence.message ?? '')) return null;
    const expected = /did not listen on PORT (\d+)/.exec(evidence.message ?? '')?.[1];
    const text = evidence.appLog ?? '';
    const match = ANNOUNCED_PORT.exec(text);
    if (!match || match[1] === expected) return null;
    return { port: match[1], line: lineMatching(text, ANNOUNCED_PORT) };
  },
  message: ({ port, line }) =>
    `The grader gives your app the port to listen on in the \`PORT\` variable (3000 here) and waits for it there. Your app announced another port:\n\n\`\`\`\n${line}\n\`\`\`\n\n` +
    `Read the port from the environment: \`app.listen(process.env.PORT ?? ${port})\` (NestJS: \`await app.listen(process.env.PORT ?? ${port})\`), and listen on all interfaces or 127.0.0.1.`,
});
