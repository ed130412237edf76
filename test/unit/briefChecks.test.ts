/**
 * Each brief's "What is graded" against its grader's checks.ts (issue 12 §4): the checks' number,
 * points per group and in all, each check's points and visibility where the table gives them, and
 * the "Required checks" list (scripts/lib/briefChecks.ts).
 */
import path from 'node:path';
import { type CheckDefinition, loadChecks } from '../../graders/harness/checkDefinitions';
import { loadExerciseDefinitions } from '../../core/exercises/definition';
import { compareBriefWithChecks, readBriefGrading } from '../../scripts/lib/briefChecks';

const BRIEF = `# Phase 9 — Demo

## The HTTP contract

\`things.create\` is named here, outside the graded section.

## What is graded

3 checks worth 10 points, in two groups. One check is hidden.

| group | points | what it covers |
| --- | --- | --- |
| **Things** | 6 | creating one (4), reading it (2, hidden) |
| **Errors** | 4 | the error shape |

### Required checks

A check is required when … Here:

- \`things.create\` — a thing is created (the \`errors.shape\` check is not required).
- \`things.read\`: a thing is read.
`;

const check = (id: string, group: string, points: number, extra: Partial<CheckDefinition> = {}): CheckDefinition => ({
  id,
  name: id,
  group,
  points,
  visibility: 'visible',
  ...extra,
});
const CHECKS = [
  check('things.create', 'Things', 4, { required: true }),
  check('things.read', 'Things', 2, { required: true, visibility: 'hidden', hint: 'h' }),
  check('errors.shape', 'Errors', 4),
];

describe('readBriefGrading', () => {
  test('When a brief is read, then its count, total, groups, per-check points and required ids come out', () => {
    expect(readBriefGrading(BRIEF)).toEqual({
      checkCount: 3,
      approximate: false,
      totalPoints: 10,
      groupCount: 2,
      groups: [
        {
          name: 'Things',
          points: 6,
          checks: [
            { points: 4, hidden: false },
            { points: 2, hidden: true },
          ],
        },
        { name: 'Errors', points: 4, checks: null },
      ],
      required: ['things.create', 'things.read'],
    });
  });
});

describe('compareBriefWithChecks', () => {
  test('When the brief and checks.ts agree, then there is no problem', () => {
    expect(compareBriefWithChecks(BRIEF, 10, CHECKS)).toEqual([]);
  });

  test('When points, visibility, groups or required flags disagree, then each is said', () => {
    const drifted = [
      check('things.create', 'Things', 3, { required: true }),
      check('things.read', 'Things', 2),
      check('errors.shape', 'Errors', 5, { required: true }),
    ];
    expect(compareBriefWithChecks(BRIEF, 10, drifted)).toEqual([
      'group "Things": the table says 6 points, its checks add up to 5',
      'group "Things": the table gives its checks as (4 | 2, hidden), checks.ts as (3 | 2): things.create, things.read',
      'group "Errors": the table says 4 points, its checks add up to 5',
      '"Required checks" lists checks that are not required in checks.ts: things.read',
      'checks.ts requires checks "Required checks" does not list: errors.shape',
    ]);
  });

  test('When the brief counts "about" N checks or another total, or names an unknown check, then it is a problem', () => {
    const brief = BRIEF.replace('3 checks worth 10 points', 'About 5 checks worth 12 points').replace('`things.read`:', '`things.gone`:');
    expect(compareBriefWithChecks(brief, 10, CHECKS)).toEqual([
      'the brief says about 5 checks, checks.ts declares 3',
      "the brief says 12 points, checks.ts's add up to 10",
      '"Required checks" names checks checks.ts does not declare: things.gone',
      'checks.ts requires checks "Required checks" does not list: things.read',
    ]);
  });
});

describe('every gradable exercise', () => {
  const exercises = loadExerciseDefinitions().filter((exercise) => exercise.gradable);

  test('When exercises are loaded, then the five graded phases are checked', () => {
    expect(exercises.map((exercise) => exercise.id)).toEqual(['phase-1-auth', 'phase-2-data', 'phase-3-security', 'phase-4-deploy', 'phase-5-orders']);
  });

  test.each(exercises.map((exercise) => [exercise.id, exercise] as const))("When %s's brief is read beside its checks.ts, then they agree", (_id, exercise) => {
    expect(compareBriefWithChecks(exercise.briefMarkdown, exercise.points, loadChecks(path.join(exercise.graderDir, 'checks.ts')))).toEqual([]);
  });
});
