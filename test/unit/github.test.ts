/**
 * The pure parts of the GitHub integration: webhook signatures (GitHub's documented test vector),
 * which phases a push touches, repository names, commit status texts, backend-pro.yml and the badge.
 */
import { parseRepoFullName } from '../../server/pages/github/github';
import { renderBadge } from '../../server/pages/badge/badge';
import { changedFiles, touches, type PushPayload } from '../../server/github/pushes';
import { parseRepoConfig } from '../../server/github/repoConfig';
import { signPayload, verifySignature } from '../../server/github/signature';
import { describeStatus } from '../../server/github/statuses';
import type { Submission } from '../../core/models/submissions';

describe('Webhook signatures', () => {
  // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');
  const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  test("When GitHub's test payload is signed, then the signature is the documented one", () => {
    expect(signPayload(secret, body)).toBe(expected);
  });

  test('When the documented signature arrives, then it is accepted with that secret among others', () => {
    expect(verifySignature(['another secret', secret], body, expected)).toBe(true);
  });

  test.each([
    ['a wrong secret', ['wrong'], expected],
    ['no signature', [secret], undefined],
    ['the old SHA-1 header format', [secret], 'sha1=0123456789abcdef0123456789abcdef01234567'],
    ['a truncated signature', [secret], expected.slice(0, -2)],
    ['an upper-cased signature', [secret], expected.toUpperCase()],
    ['no secret configured', [''], expected],
  ])('When a delivery comes with %s, then it is refused', (_case, secrets, header) => {
    expect(verifySignature(secrets, body, header)).toBe(false);
  });

  test('When one byte of the body changes, then the signature no longer matches', () => {
    expect(verifySignature([secret], Buffer.from('Hello, World?'), expected)).toBe(false);
  });
});

describe('Which phases a push touches', () => {
  const push = (changes: Partial<PushPayload>): PushPayload => ({
    ref: 'refs/heads/main',
    after: 'a'.repeat(40),
    repository: { full_name: 'ada/course' },
    ...changes,
  });

  test('When the push lists its commits, then only the folders it changed are graded', () => {
    const files = changedFiles(push({ commits: [{ modified: ['phase-2/src/app.ts'], added: [], removed: [] }, { added: ['README.md'] }] }));
    expect(files).toEqual(['phase-2/src/app.ts', 'README.md']);
    expect(touches(files, 'phase-2')).toBe(true);
    expect(touches(files, 'phase-1')).toBe(false);
    expect(touches(files, 'phase')).toBe(false);
    expect(touches(files, null)).toBe(true);
  });

  test.each([
    ['a new branch', { created: true, commits: [{ modified: ['x'] }] }],
    ['a force push', { forced: true, commits: [{ modified: ['x'] }] }],
    ['no listed commits', { commits: [] }],
    ['20 commits (GitHub lists no more)', { commits: Array.from({ length: 20 }, () => ({ modified: ['x'] })) }],
  ])('When the push is %s, then the changed files are unknown and every tracked phase is graded', (_case, changes) => {
    const files = changedFiles(push(changes));
    expect(files).toBeNull();
    expect(touches(files, 'phase-1')).toBe(true);
  });
});

describe('Repository names on the link form', () => {
  const web = 'https://github.com';
  test.each([
    ['ada/backend-course', 'ada/backend-course'],
    [' https://github.com/Ada/backend.course.git ', 'Ada/backend.course'],
    ['https://github.com/ada/course/', 'ada/course'],
  ])('When the learner writes %j, then the repository is %s', (input, expected) => {
    expect(parseRepoFullName(input, web)).toEqual({ ok: true, value: expected });
  });

  test.each(['', 'ada', 'ada/course/tree/main', 'https://gitlab.com/ada/course', '-ada/course', 'ada/..', 'https://x@github.com/ada/course', 'ada/course?x=1'])(
    'When the learner writes %j, then it is refused with a reason',
    (input) => {
      const parsed = parseRepoFullName(input, web);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/owner\/name/);
    },
  );

  test('When GitHub Enterprise is configured, then its URLs are accepted and github.com ones are not', () => {
    expect(parseRepoFullName('https://git.example.edu/ada/course', 'https://git.example.edu')).toEqual({ ok: true, value: 'ada/course' });
    expect(parseRepoFullName('https://github.com/ada/course', 'https://git.example.edu').ok).toBe(false);
  });
});

describe('Commit status texts', () => {
  const base = {
    status: 'scored',
    score: 42,
    max_score: 50,
    not_before: null,
    error_message: null,
    passed: true,
    failed_required: [],
  } as unknown as Submission;
  const exercise = { phase: 5, pass_mark: 80 };

  test('When a score reaches the pass mark, then the commit succeeds with the points', () => {
    expect(describeStatus(base, exercise, new Date(), null, [])).toEqual({ state: 'success', description: 'Phase 5: 42/50 — passed (pass mark 80%)' });
  });

  test('When a score is below the pass mark, then the commit fails with the points', () => {
    expect(describeStatus({ ...base, score: 39.5, passed: false }, exercise, new Date(), null, [])).toEqual({
      state: 'failure',
      description: 'Phase 5: 39.5/50 — below the pass mark of 80%',
    });
  });

  test('When a score reaches the pass mark but a required check failed, then the commit fails and names it', () => {
    const blocked = { ...base, score: 48, passed: false, failed_required: ['idempotency.concurrent-duplicates', 'payments.one-per-order'] };
    expect(describeStatus(blocked, exercise, new Date(), null, blocked.failed_required)).toEqual({
      state: 'failure',
      description: 'Phase 5: 48/50 — not passed: required check idempotency.concurrent-duplicates (+1 more) failed',
    });
    // A hidden required check is named by its placeholder, as the learner sees it.
    expect(describeStatus(blocked, exercise, new Date(), null, ['Hidden check 2']).description).toBe(
      'Phase 5: 48/50 — not passed: required check Hidden check 2 failed',
    );
  });

  test('When grading could not happen, then the commit is an error with the reason', () => {
    const status = describeStatus({ ...base, status: 'error', error_message: 'The branch "main" does not exist.' }, exercise, new Date(), null, []);
    expect(status.state).toBe('error');
    expect(status.description).toContain('does not exist');
  });

  test('When the platform failed, then the commit is an error that blames the grading infrastructure, not the code', () => {
    const status = describeStatus(
      { ...base, status: 'error', error_message: 'The grader crashed: the grader wrote no results.json. (tried 3 times)' },
      exercise,
      new Date(),
      'platform',
      [],
    );
    expect(status.state).toBe('error');
    expect(status.description).toContain('grading infrastructure');
    expect(status.description.length).toBeLessThanOrEqual(140);
  });

  test('When a push waits for the cooldown, then the pending status says when grading starts', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const status = describeStatus({ ...base, status: 'queued', not_before: new Date('2026-11-27T10:01:30Z') }, exercise, now, null, []);
    expect(status).toEqual({ state: 'pending', description: 'Phase 5: queued, grading starts at 10:01 UTC (cooldown)' });
  });
});

describe('backend-pro.yml', () => {
  const exercises = [
    { id: 'phase-1-auth', phase: 1 },
    { id: 'phase-2-data', phase: 2 },
    { id: 'phase-5-orders', phase: 5 },
  ];

  test('When a phase gives no branch or folder, then it is tracked on the default branch, whole repository, in phase order', () => {
    const text = 'phases:\n  phase-5-orders: { branch: orders, folder: ./services/orders/ }\n  phase-2-data: { folder: data }\n  phase-1-auth:\n';
    expect(parseRepoConfig(text, exercises, 'trunk')).toEqual({
      ok: true,
      phases: [
        { exerciseId: 'phase-1-auth', branch: 'trunk', subdir: null },
        { exerciseId: 'phase-2-data', branch: 'trunk', subdir: 'data' },
        { exerciseId: 'phase-5-orders', branch: 'orders', subdir: 'services/orders' },
      ],
    });
  });

  test('When the file also maps environment names for the grader (env:), then that part is left to the grader', () => {
    expect(parseRepoConfig('env:\n  TYPEORM_URL: DATABASE_URL\nphases:\n  phase-1-auth: {}\n', exercises, 'main')).toEqual({
      ok: true,
      phases: [{ exerciseId: 'phase-1-auth', branch: 'main', subdir: null }],
    });
  });

  test('When "phases" is an empty mapping, then no phase is tracked', () => {
    expect(parseRepoConfig('phases: {}\n', exercises, 'main')).toEqual({ ok: true, phases: [] });
  });

  test('When several things are wrong, then each is named with its line', () => {
    const text = 'phases:\n  phase-1-auth:\n    branch: a..b\n    folder: /abs\n  phase-2-data: { brnch: x, color: red }\n';
    expect(parseRepoConfig(text, exercises, 'main')).toEqual({
      ok: false,
      errors: [
        'line 3, phases.phase-1-auth.branch: "a..b" is not a valid branch name.',
        'line 4, phases.phase-1-auth.folder: "/abs" is not a valid folder inside the repository.',
        'line 5, phases.phase-2-data.brnch: unknown key "brnch" (and 1 more): a phase takes only "branch" and "folder"',
      ],
    });
  });

  test('When tabs indent the file, then the YAML error names the line', () => {
    expect(parseRepoConfig('phases:\n\tphase-1-auth: {}\n', exercises, 'main')).toEqual({ ok: false, errors: ['line 2: Tabs are not allowed as indentation'] });
  });
});

test('When a badge is drawn, then its texts are escaped and its width follows them', () => {
  const svg = renderBadge('Backend Pro · Phase 1', '<b>92%</b> passed', '#2f9e44');
  expect(svg).toContain('&lt;b&gt;92%&lt;/b&gt; passed');
  expect(svg).not.toContain('<b>');
  const short = Number(/width="(\d+)"/.exec(renderBadge('a', 'b', '#000'))![1]);
  const long = Number(/width="(\d+)"/.exec(svg)![1]);
  expect(long).toBeGreaterThan(short);
});
