/**
 * Each diagnosis rule on its own: a detector that recognises what real apps print or answer, and
 * stays silent on the near misses; the harness's request summary and prefix search; backend-pro.yml's
 * one-line problems.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probePrefixes, summariseRequests, type LoggedRequest } from '../../graders/harness/requestLog';
import { diagnose, diagnoseGrading, type DiagnosisEvidence } from '../../worker/diagnosis/diagnose';
import { configInvalid, databaseUnreachable, missingVariable, podServiceDown, portNotRead, redisUnreachable } from '../../worker/diagnosis/bootRules';
import { csrfRequired, globalPrefix } from '../../worker/diagnosis/httpRules';
import { formatReport } from '../../scripts/grade';
import { parseRepoConfig } from '../../server/github/repoConfig';
import { renderFailuresTable, withFailuresTable } from '../../worker/diagnosis/failuresTable';
import { DIAGNOSIS_RULES } from '../../worker/diagnosis/rules';
import { AppConfigError, checkEnvTargets, parseAppConfig, readAppConfig } from '../../worker/stages/appConfig';
import { platformVariableNames } from '../../worker/stages/platformEnv';
import type { HarnessEvidence } from '../../worker/stages/collect';

const failedChecks = [
  { id: 'a', status: 'failed' as const },
  { id: 'b', status: 'failed' as const },
  { id: 'c', status: 'passed' as const },
];

function evidence(overrides: Partial<DiagnosisEvidence> = {}): DiagnosisEvidence {
  return { status: 'error', stage: 'starting', message: null, appLog: null, output: null, tests: [], harness: null, configProblems: null, ...overrides };
}

function harness(requests: Partial<HarnessEvidence['requests']>, found: string | null = null): HarnessEvidence {
  return {
    version: 1,
    prefix: '',
    requests: { total: 10, notFound: 0, mutating: 0, csrfRefused: 0, csrfExample: null, ...requests },
    prefixProbe: found === null ? null : { found, tried: ['/api'], samples: [{ method: 'GET', path: '/users/me', status: 401 }] },
  };
}

describe('missing-env-variable', () => {
  test.each([
    ['Joi through @nestjs/config', 'Error: Config validation error: "MAIL_API_KEY" is required. "STRIPE_KEY" is required', ['MAIL_API_KEY', 'STRIPE_KEY']],
    [
      'envalid',
      '================================\n Missing environment variables:\n    MAIL_API_KEY: undefined\n================================',
      ['MAIL_API_KEY'],
    ],
    ['a hand-written check', 'Error: Missing required env var MAIL_API_KEY', ['MAIL_API_KEY']],
    ['a hand-written check (other words)', 'Error: Environment variable "SENDGRID_KEY" is missing', ['SENDGRID_KEY']],
    ['a reference to an unset name', 'Error: MAIL_API_KEY is not defined', ['MAIL_API_KEY']],
    ['zod 4', '✖ Invalid input: expected string, received undefined\n  → at MAIL_API_KEY', ['MAIL_API_KEY']],
    [
      'zod 3',
      '[\n  {\n    "code": "invalid_type",\n    "expected": "string",\n    "received": "undefined",\n    "path": [\n      "MAIL_API_KEY"\n    ],\n    "message": "Required"\n  }\n]',
      ['MAIL_API_KEY'],
    ],
  ])('When the app exits with %s, then the missing names are found and the literal setting is offered', (_kind, log, names) => {
    const match = missingVariable.detect(evidence({ appLog: log })) as { names: string[] } | null;
    expect(match?.names).toEqual(names);
    const message = missingVariable.message(match);
    expect(message).toContain(`\`${names[0]}\``);
    expect(message).toContain(`env: { ${names[0]}: { value: "dummy" } }`);
    expect(message).toContain('`DATABASE_URL`');
    expect(message).toContain('`REDIS_HOST`');
    expect(message).not.toContain('NODE_OPTIONS');
  });

  test('When the app failed for another reason, or a scored run mentions a constant, then it stays silent', () => {
    expect(missingVariable.detect(evidence({ appLog: 'TypeError: Cannot read properties of undefined (reading "port")' }))).toBeNull();
    expect(missingVariable.detect(evidence({ status: 'scored', stage: 'testing', appLog: 'MAIL_API_KEY is not defined' }))).toBeNull();
    expect(missingVariable.detect(evidence({ stage: 'installing', output: 'npm ERR! "NODE_AUTH_TOKEN" is required' }))).toBeNull();
  });
});

describe('database-connection', () => {
  test.each([
    ['wrong credentials', 'error: password authentication failed for user "postgres"'],
    ['a database of its own', 'error: database "shop" does not exist'],
    ['localhost resolving to ::1', 'Error: connect ECONNREFUSED ::1:5432'],
    ['a docker-compose host', 'Error: getaddrinfo ENOTFOUND postgres'],
    ['a docker-compose host named db', 'Error: getaddrinfo EAI_AGAIN db'],
  ])("When the app fails with %s, then the pod's PostgreSQL variables are named", (_kind, log) => {
    const match = databaseUnreachable.detect(evidence({ appLog: `[Nest] starting\n${log}\n    at Socket.emit` }));
    expect(match).toEqual({ line: log });
    const message = databaseUnreachable.message(match);
    expect(message).toContain('127.0.0.1:5432');
    expect(message).toContain('`DATABASE_URL`, `DB_HOST`');
    expect(message).toContain('`PGPASSWORD`');
    expect(message).not.toContain('`REDIS_URL`');
  });

  test('When the log is about another host or the checks mostly passed, then it stays silent', () => {
    expect(databaseUnreachable.detect(evidence({ appLog: 'Error: getaddrinfo ENOTFOUND api.sendgrid.com' }))).toBeNull();
    expect(databaseUnreachable.detect(evidence({ appLog: 'Error: connect ECONNREFUSED 127.0.0.1:6379' }))).toBeNull();
    const mostlyPassed = [
      { id: 'a', status: 'passed' as const },
      { id: 'b', status: 'passed' as const },
      { id: 'c', status: 'failed' as const },
    ];
    expect(
      databaseUnreachable.detect(evidence({ status: 'scored', stage: 'testing', tests: mostlyPassed, appLog: 'password authentication failed for user "x"' })),
    ).toBeNull();
  });
});

describe('redis-connection', () => {
  test.each([
    ['localhost resolving to ::1', 'Error: connect ECONNREFUSED ::1:6379'],
    ['a docker-compose host', '[ioredis] Unhandled error event: Error: getaddrinfo ENOTFOUND redis'],
    ['a password', 'ReplyError: WRONGPASS invalid username-password pair or user is disabled.'],
  ])("When the app fails with %s, then the pod's Redis variables are named", (_kind, log) => {
    const match = redisUnreachable.detect(evidence({ appLog: log }));
    expect(match).not.toBeNull();
    const message = redisUnreachable.message(match);
    expect(message).toContain('`REDIS_URL`, `REDIS_HOST`, `REDIS_PORT`');
    expect(message).not.toContain('`DATABASE_URL`');
  });

  test('When the log names PostgreSQL, then the Redis rule stays silent', () => {
    expect(redisUnreachable.detect(evidence({ appLog: 'Error: connect ECONNREFUSED 127.0.0.1:5432' }))).toBeNull();
  });
});

describe('port-not-read', () => {
  const timedOut = 'Your app did not listen on PORT 3000 within 60 s. Read the port from `process.env.PORT` and listen on 0.0.0.0 or 127.0.0.1.';
  test.each([
    ['Express', 'Server listening on port 8080', '8080'],
    ['a URL', 'Server running at http://localhost:4000/', '4000'],
    ['NestJS', '[Nest] 1  - LOG [NestApplication] Nest application successfully started\nApplication is running on: http://[::]:5000', '5000'],
  ])('When the app announced another port (%s), then the message names it and PORT', (_kind, log, port) => {
    const match = portNotRead.detect(evidence({ message: timedOut, appLog: log }));
    expect(match).toMatchObject({ port });
    expect(portNotRead.message(match)).toContain(`process.env.PORT ?? ${port}`);
  });

  test('When the log names PORT itself or nothing, or the app did listen, then it stays silent', () => {
    expect(portNotRead.detect(evidence({ message: timedOut, appLog: 'listening on 3000' }))).toBeNull();
    expect(portNotRead.detect(evidence({ message: timedOut, appLog: 'connecting to the database…' }))).toBeNull();
    expect(portNotRead.detect(evidence({ status: 'scored', stage: 'testing', message: null, appLog: 'listening on port 8080' }))).toBeNull();
  });
});

describe('pod-service-down', () => {
  test("When the app was refused at the very address the pod's PostgreSQL listens on, then the platform is to blame", () => {
    const diagnosis = diagnose(evidence({ appLog: 'Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect' }));
    expect(diagnosis).toMatchObject({ id: 'pod-service-down', cause: 'platform' });
    expect(diagnosis?.message).toContain('PostgreSQL had stopped: a fault of the grading platform');
    expect(podServiceDown.detect(evidence({ appLog: 'Error: connect ECONNREFUSED 127.0.0.1:6379' }))).toMatchObject({ service: 'Redis' });
  });

  test("When the app was refused elsewhere (::1, another port), then it is the learner's connection rule", () => {
    expect(podServiceDown.detect(evidence({ appLog: 'Error: connect ECONNREFUSED ::1:5432' }))).toBeNull();
    expect(podServiceDown.detect(evidence({ appLog: 'Error: connect ECONNREFUSED 127.0.0.1:5433' }))).toBeNull();
    expect(diagnose(evidence({ appLog: 'Error: connect ECONNREFUSED ::1:5432' }))?.id).toBe('database-connection');
  });
});

describe('global-prefix', () => {
  test('When the harness found a prefix the app answers under and checks failed, then the setting is given', () => {
    const match = globalPrefix.detect(evidence({ status: 'scored', stage: 'testing', tests: failedChecks, harness: harness({ notFound: 9 }, '/api/v1') }));
    expect(match).toMatchObject({ prefix: '/api/v1', total: 10, notFound: 9 });
    const message = globalPrefix.message(match);
    expect(message).toContain('404 to 9 of the 10 requests');
    expect(message).toContain('`GET /api/v1/users/me` → 401');
    expect(message).toContain("app.setGlobalPrefix('api/v1')");
    expect(message).toContain('`prefix: /api/v1`');
  });

  test('When backend-pro.yml names a prefix the app does not use, then the message says which one it answers under, or none', () => {
    const wrong = { ...harness({ notFound: 9 }, '/api/v1'), prefix: '/api' };
    const message = globalPrefix.message(globalPrefix.detect(evidence({ status: 'scored', tests: failedChecks, harness: wrong })));
    expect(message).toContain('backend-pro.yml sets `prefix: /api`');
    expect(message).toContain('Set `prefix: /api/v1` in backend-pro.yml');
    const none = { ...harness({ notFound: 9 }, ''), prefix: '/api' };
    const noneMessage = globalPrefix.message(globalPrefix.detect(evidence({ status: 'scored', tests: failedChecks, harness: none })));
    expect(noneMessage).toContain('The same requests without any prefix answered');
    expect(noneMessage).toContain('Remove the `prefix:` line');
  });

  test('When no prefix answered, or every check passed, then it stays silent', () => {
    expect(globalPrefix.detect(evidence({ status: 'scored', tests: failedChecks, harness: harness({ notFound: 10 }) }))).toBeNull();
    const passed = failedChecks.map((check) => ({ ...check, status: 'passed' as const }));
    expect(globalPrefix.detect(evidence({ status: 'scored', tests: passed, harness: harness({ notFound: 1 }, '/api') }))).toBeNull();
  });
});

describe('csrf-required', () => {
  test('When every mutating request was refused with a CSRF message, then API routes are said to need none', () => {
    const match = csrfRequired.detect(
      evidence({
        status: 'scored',
        tests: failedChecks,
        harness: harness({ mutating: 5, csrfRefused: 5, csrfExample: { method: 'POST', path: '/auth/register' } }),
      }),
    );
    const message = csrfRequired.message(match);
    expect(message).toContain('must not require a CSRF token');
    expect(message).toContain('refused 5 of the 5');
    expect(message).toContain('`POST /auth/register`');
  });

  test('When only some mutating requests were refused, or none spoke of CSRF, then it stays silent', () => {
    expect(csrfRequired.detect(evidence({ status: 'scored', harness: harness({ mutating: 10, csrfRefused: 2 }) }))).toBeNull();
    expect(csrfRequired.detect(evidence({ status: 'scored', harness: harness({ mutating: 10, csrfRefused: 0 }) }))).toBeNull();
    expect(csrfRequired.detect(evidence({ status: 'scored', harness: null }))).toBeNull();
  });
});

describe('backend-pro-yml-invalid and backend-pro.yml itself', () => {
  test('When backend-pro.yml is valid, then names, literals and the prefix are read', () => {
    const parsed = parseAppConfig(
      'env:\n  TYPEORM_URL: DATABASE_URL\n  MAIL_API_KEY: { value: dummy }\n  RETRIES: { value: 3 }\nprefix: /api/v1/\nphases: { phase-1-auth: { branch: main } }\n',
    );
    expect(parsed).toEqual({
      ok: true,
      config: { envMap: { TYPEORM_URL: 'DATABASE_URL' }, envValues: { MAIL_API_KEY: 'dummy', RETRIES: '3' }, prefix: '/api/v1' },
    });
    expect(parseAppConfig('')).toEqual({ ok: true, config: { envMap: {}, envValues: {}, prefix: null } });
  });

  test.each([
    ['env: [A, B]\n', 'env: must be a mapping of your variable names'],
    ['env:\n  1BAD: DATABASE_URL\n', 'env."1BAD": is not an environment variable name'],
    ['env:\n  X: "$(cat /etc/passwd)"\n', 'env.X: must be a platform variable name like DATABASE_URL, or { value: "…" }'],
    ['env:\n  X: { value: a, other: b }\n', 'env.X: must be a platform variable name like DATABASE_URL, or { value: "…" }'],
    ['env:\n  JWT_SECRET: { value: mine }\n', "env.JWT_SECRET: is the platform's own variable"],
    ['env:\n  X: { value: "a\\u0000b" }\n', 'env.X.value: must be one line of text without control characters'],
    ['prefix: /api/../admin\n', 'prefix: must be the path'],
    ['prefix: 42\n', 'prefix: must be the path'],
    ['mode: fast\n', 'mode: is not a setting of backend-pro.yml'],
    ['- a\n- b\n', 'the top level must be a mapping'],
    ['env: {\n', 'the file is not valid YAML'],
  ])('When backend-pro.yml is %j, then the problem is one line naming its key', (text, problem) => {
    const parsed = parseAppConfig(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].startsWith(problem)).toBe(true);
  });

  test('When env maps to a variable, then it must be one the platform or the exercise gives', () => {
    const parsed = parseAppConfig('env:\n  GOOGLE_ID: GOOGLE_CLIENT_ID\n  TYPEORM_URL: DATABSE_URL\n  DB: DATABASE_URL\n');
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(() => checkEnvTargets(parsed.config, { GOOGLE_CLIENT_ID: 'x' })).toThrow(
      /^backend-pro.yml does not match[^\n]*\n- env.TYPEORM_URL: must be a platform variable name like DATABASE_URL, or \{ value: "…" \} \("DATABSE_URL" is not a variable the platform gives\)\n\n/,
    );
    expect(() => checkEnvTargets(parsed.config, {})).toThrow(/env.GOOGLE_ID: [^\n]*\n- env.TYPEORM_URL/);
    const fine = parseAppConfig('env:\n  GOOGLE_ID: GOOGLE_CLIENT_ID\n');
    if (!fine.ok) throw new Error(fine.problems.join('\n'));
    expect(() => checkEnvTargets(fine.config, { GOOGLE_CLIENT_ID: 'x' })).not.toThrow();
  });

  test("When the repository link reads the same file, then the grader's keys (env literals, prefix) are accepted and left to the grader", () => {
    const text = 'env:\n  TYPEORM_URL: DATABASE_URL\n  MAIL_API_KEY: { value: dummy }\nprefix: /api\nphases:\n  phase-1-auth: {}\n';
    expect(parseAppConfig(text).ok).toBe(true);
    expect(parseRepoConfig(text, [{ id: 'phase-1-auth', phase: 1 }], 'main')).toEqual({
      ok: true,
      phases: [{ exerciseId: 'phase-1-auth', branch: 'main', subdir: null }],
    });
  });

  test('When grading stopped on backend-pro.yml, then the diagnosis lists its problems and the schema page', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-config-'));
    fs.writeFileSync(path.join(dir, 'backend-pro.yml'), 'prefix: api\n');
    let error: unknown;
    try {
      readAppConfig(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppConfigError);
    const diagnosis = diagnoseGrading(
      { status: 'error', message: (error as Error).message, appLog: null, tests: [] },
      { stage: 'cloning', error, harness: null },
    );
    expect(diagnosis).toMatchObject({ id: configInvalid.id, cause: 'learner', title: 'backend-pro.yml does not validate' });
    expect(diagnosis?.message).toContain('- prefix: must be the path');
    expect(diagnosis?.message).toContain('docs/backend-pro-yml.md');
  });
});

describe('The rule table', () => {
  test('When several rules could match, then the first in the table explains the result, and nothing matches a clean run', () => {
    const both = evidence({ appLog: 'Config validation error: "MAIL_API_KEY" is required\nError: connect ECONNREFUSED 127.0.0.1:5432' });
    expect(diagnose(both)?.id).toBe('missing-env-variable');
    expect(diagnose(evidence({ status: 'scored', stage: 'testing', tests: [{ id: 'a', status: 'passed' }], harness: harness({}) }))).toBeNull();
  });

  test('When the README is read, then its "Common failures" table is the one the rules generate (npm run docs:failures)', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withFailuresTable(readme)).toBe(readme);
    for (const rule of DIAGNOSIS_RULES) expect(renderFailuresTable()).toContain(`\`${rule.id}\``);
  });

  test('When docs/backend-pro-yml.md lists the platform variables, then it lists exactly those the pod gives', () => {
    const docs = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'backend-pro-yml.md'), 'utf8');
    const section = docs.slice(docs.indexOf('The platform\n  gives every app'), docs.indexOf('(the list is'));
    const listed = [...section.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]).sort();
    expect(listed).toEqual(
      platformVariableNames()
        .filter((name) => !['HOME', 'NODE_OPTIONS', 'npm_config_update_notifier'].includes(name))
        .sort(),
    );
  });

  test('When rules are listed, then ids are unique and each has a title, a symptom and a fix', () => {
    const ids = DIAGNOSIS_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of DIAGNOSIS_RULES) expect([rule.title, rule.symptom, rule.fix].every((text) => text.length > 10)).toBe(true);
  });
});

describe("The harness's request summary and prefix search", () => {
  const log: LoggedRequest[] = [
    { method: 'POST', path: '/auth/register', status: 404, csrf: false },
    { method: 'POST', path: '/auth/login', status: 404, csrf: false },
    { method: 'GET', path: '/users/me', status: 404, csrf: false },
    { method: 'GET', path: '/users/12', status: 404, csrf: false },
    { method: 'GET', path: '/users/13', status: 404, csrf: false },
    { method: 'DELETE', path: '/users/12', status: 403, csrf: true },
  ];

  test('When requests were logged, then mutating ones and CSRF refusals are counted', () => {
    expect(summariseRequests(log)).toEqual({ total: 6, notFound: 5, mutating: 3, csrfRefused: 1, csrfExample: { method: 'DELETE', path: '/users/12' } });
  });

  test('When the app answers under /api/v1 only, then that prefix is found after /api, re-sending distinct requests', async () => {
    const sent: string[] = [];
    const probe = await probePrefixes('http://app', log, async (method, url) => {
      sent.push(`${method} ${url}`);
      return url.startsWith('http://app/api/v1/') ? 401 : 404;
    });
    expect(probe.found).toBe('/api/v1');
    expect(probe.tried).toEqual(['/api', '/api/v1']);
    // /users/12 and /users/13 are one route: re-sent once.
    expect(sent.filter((line) => line.includes('/api/v1/'))).toEqual([
      'POST http://app/api/v1/auth/register',
      'POST http://app/api/v1/auth/login',
      'GET http://app/api/v1/users/me',
      'GET http://app/api/v1/users/12',
    ]);
  });

  test("When candidates include no prefix at all, then an app answering at the bare paths is found as ''", async () => {
    const probe = await probePrefixes('http://app', log, async (_method, url) => (url.startsWith('http://app/api') ? 404 : 200), ['', '/api/v1']);
    expect(probe).toMatchObject({ found: '', tried: [''] });
  });

  test('When a hidden check sent some of the requests, then they are counted but never quoted (CSRF example, prefix samples)', async () => {
    const secret: LoggedRequest[] = [
      { method: 'DELETE', path: '/admin/secret-route', status: 403, csrf: true, hidden: true },
      { method: 'GET', path: '/hidden/probe', status: 404, csrf: false, hidden: true },
      ...log,
    ];
    const summary = summariseRequests(secret);
    expect(summary).toMatchObject({ total: 8, notFound: 6, csrfRefused: 2, csrfExample: { method: 'DELETE', path: '/users/12' } });
    const probe = await probePrefixes('http://app', secret, async (_method, url) => (url.startsWith('http://app/api/') ? 200 : 404));
    expect(probe.samples.map((sample) => sample.path)).toEqual(['/auth/register', '/auth/login', '/users/me', '/users/12']);
    // Only hidden refusals: no example at all rather than a hidden one.
    expect(summariseRequests([secret[0]]).csrfExample).toBeNull();
  });

  test('When no prefix answers, then none is found and every candidate was tried', async () => {
    const probe = await probePrefixes('http://app', log, async () => 404);
    expect(probe.found).toBeNull();
    expect(probe.tried).toEqual(['/api', '/api/v1', '/v1', '/api/v2', '/v2']);
  });
});

describe('The CLI report', () => {
  test('When an outcome has a diagnosis, then the report says it once, before the error and the checks', () => {
    const report = formatReport('Fixture', {
      status: 'error',
      cause: 'learner',
      message: 'Your app exited (code 1) before listening on PORT 3000.',
      score: 0,
      maxScore: 0,
      executionTimeMs: 10,
      tests: [],
      appLog: null,
      warnings: [],
      commitSha: null,
      stages: [],
      diagnosis: {
        id: 'missing-env-variable',
        cause: 'learner',
        title: 'Your app requires an environment variable the grader does not set',
        message: 'Give it a value:\n`env: { MAIL_API_KEY: { value: "dummy" } }`',
      },
    });
    expect(report).toContain(
      'DIAGNOSIS (learner): Your app requires an environment variable the grader does not set\n  Give it a value:\n  `env: { MAIL_API_KEY',
    );
    expect(report.indexOf('DIAGNOSIS')).toBeLessThan(report.indexOf('ERROR ('));
    expect(report.split('DIAGNOSIS')).toHaveLength(2);
  });

  test('When a check failed with long feedback and the app logged a lot, then the report shows it all, and --brief cuts both saying how much there was', () => {
    const feedback = ['Expected 201.', '', 'Requests this check sent:', ...Array.from({ length: 20 }, (_, i) => `- \`POST /items/${i}\` → 403`)].join('\n');
    const outcome = {
      status: 'scored' as const,
      cause: null,
      message: null,
      score: 0,
      maxScore: 3,
      executionTimeMs: 10,
      tests: [
        {
          id: 'items.create',
          name: 'POST /items',
          group: 'Items',
          score: 0,
          max_score: 3,
          status: 'failed' as const,
          visibility: 'visible' as const,
          required: false,
          output: feedback,
        },
      ],
      appLog: Array.from({ length: 100 }, (_, i) => `log line ${i}`).join('\n'),
      warnings: [],
      commitSha: null,
      stages: [],
    };
    const full = formatReport('Fixture', outcome);
    expect(full).toContain('`POST /items/19` → 403');
    expect(full).toContain("The app's log (the last 60 lines; 100 in all):");
    expect(full).toContain('  | log line 99');
    expect(full).not.toContain('  | log line 39\n');
    const brief = formatReport('Fixture', outcome, { brief: true });
    expect(brief).not.toContain('`POST /items/19`');
    expect(brief).toContain('… (23 lines in all; without --brief for everything)');
    expect(brief).toContain("The app's log (the last 15 lines; 100 in all):");
  });
});
