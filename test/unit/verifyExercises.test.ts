/**
 * exercises:verify's pure parts (issue 11 §4): patch headers (mutants and `Fails: none` variants),
 * the command line, and when a FLAKY verdict fails verification.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineChecks } from '../../graders/harness/checkDefinitions';
import { loadExerciseDefinitions } from '../../core/exercises/definition';
import {
  DEFAULT_JOBS,
  UsageError,
  decideFlake,
  flakeLine,
  inOrder,
  parseMutant,
  parseMutantText,
  parseVerifyArgs,
  selectExercises,
  unexpectedChecks,
} from '../../scripts/verify-exercises';

const DIFF = 'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-Fails: x\n+y\n';

describe('parseMutant', () => {
  test('When a header names checks, then it is a mutant expecting exactly those (sorted), whatever the diff below says', () => {
    const mutant = parseMutantText(`Mutant: expiry-ignored\nDescription: exp is ignored.\nFails: tokens.b, tokens.a\n---\n${DIFF}`, '/m/expiry.patch');
    expect(mutant).toEqual({
      name: 'expiry-ignored',
      description: 'exp is ignored.',
      fails: ['tokens.a', 'tokens.b'],
      variant: false,
      patchPath: '/m/expiry.patch',
    });
  });

  test('When a header says "Fails: none", then it is a correct variant that must fail nothing', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bp-variant-')), 'argon2-reordered.patch');
    fs.writeFileSync(file, `Mutant: argon2-reordered\nDescription: argon2 with t= before m=.\nFails: None\n---\n${DIFF}`);
    expect(parseMutant(file)).toMatchObject({ name: 'argon2-reordered', fails: [], variant: true });
  });

  test('When "none" comes with check ids, or Fails is missing or empty, then the header is refused naming the file', () => {
    expect(() => parseMutantText(`Mutant: m\nFails: none, a.b\n---\n${DIFF}`, 'x.patch')).toThrow(/x\.patch: "Fails: none".*cannot also name checks/);
    expect(() => parseMutantText(`Mutant: m\n---\n${DIFF}`, 'x.patch')).toThrow(/x\.patch: the header has no "Fails:"/);
    expect(() => parseMutantText(`Mutant: m\nFails:\nDescription: d\n---\n${DIFF}`, 'x.patch')).toThrow(/no "Fails:"/);
  });

  test('When the header has no Mutant line, then the name is the file name', () => {
    expect(parseMutantText(`Fails: a.b\n${DIFF}`, '/g/mutants/no-name.patch').name).toBe('no-name');
  });
});

describe('parseVerifyArgs', () => {
  test('When nothing is given, then everything is verified once', () => {
    expect(parseVerifyArgs([])).toEqual({ exercises: [], targets: [], repeat: 1, jobs: DEFAULT_JOBS, help: false });
  });

  test('When --exercise and --mutant repeat, then each is kept once; positional ids and --only are aliases', () => {
    expect(
      parseVerifyArgs([
        'phase-1-auth',
        '--exercise',
        'phase-2-data',
        '--exercise',
        'phase-1-auth',
        '--mutant',
        'reference',
        '--mutant',
        'hard-delete',
        '--only',
        'hard-delete',
        '--repeat',
        '3',
        '--jobs',
        '1',
      ]),
    ).toEqual({
      exercises: ['phase-1-auth', 'phase-2-data'],
      targets: ['reference', 'hard-delete'],
      repeat: 3,
      jobs: 1,
      help: false,
    });
    expect(parseVerifyArgs(['--exercise=phase-1-auth', '--only=reference'])).toMatchObject({ exercises: ['phase-1-auth'], targets: ['reference'] });
  });

  test('When --repeat is not a whole number of at least 1, or an option is unknown, then it is a usage error', () => {
    for (const bad of ['0', '-1', '2.5', 'three', '']) expect(() => parseVerifyArgs(['--repeat', bad])).toThrow(UsageError);
    for (const bad of ['0', '1.5', 'all']) expect(() => parseVerifyArgs(['--jobs', bad])).toThrow(/--jobs takes a whole number/);
    expect(() => parseVerifyArgs(['--mutants', 'x'])).toThrow(UsageError);
  });

  test('When an exercise id is unknown or has no grader, then it is a usage error; none selects every gradable one', () => {
    const all = [
      { id: 'a', gradable: true },
      { id: 'b', gradable: false },
      { id: 'c', gradable: true },
    ];
    expect(selectExercises(all, []).map((e) => e.id)).toEqual(['a', 'c']);
    expect(selectExercises(all, ['c', 'a']).map((e) => e.id)).toEqual(['a', 'c']);
    expect(() => selectExercises(all, ['z'])).toThrow(/no exercise "z"/);
    expect(() => selectExercises(all, ['b'])).toThrow(/has no grader/);
  });
});

describe('Gradings side by side (inOrder)', () => {
  test('When later items finish first, then at most `jobs` run at once and the reports still come in item order, each as soon as it can', async () => {
    const delays = [60, 10, 30, 5, 20];
    let running = 0;
    let most = 0;
    const events: string[] = [];
    const results = await inOrder(
      delays,
      2,
      async (ms) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, ms));
        running -= 1;
        events.push(`done ${ms}`);
        return ms * 2;
      },
      (value) => events.push(`report ${value / 2}`),
    );
    expect(results).toEqual([120, 20, 60, 10, 40]);
    expect(most).toBe(2);
    expect(events.filter((event) => event.startsWith('report'))).toEqual(delays.map((ms) => `report ${ms}`));
    // 10 finished long before 60, but is reported only after it.
    expect(events.indexOf('done 10')).toBeLessThan(events.indexOf('done 60'));
    expect(events.indexOf('report 10')).toBeGreaterThan(events.indexOf('report 60'));
  });

  test('When jobs is 1, then the items run one after another', async () => {
    const order: string[] = [];
    await inOrder(
      [1, 2, 3],
      1,
      async (n) => {
        order.push(`start ${n}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${n}`);
      },
      () => undefined,
    );
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });
});

describe('The FLAKY decision', () => {
  const checks = [{ id: 'a.one' }, { id: 'a.two', flaky: 'the window is the wall clock of a shared CI runner' }, { id: 'a.three', flaky: '  ' }];

  test('When the checks that changed are unmarked, then the flake fails verify and the line names them', () => {
    const decision = decideFlake({ firstStatus: 'scored', firstFailed: ['a.one', 'a.two'], declared: ['a.two'], checks });
    expect(decision).toEqual({ allowed: false, checks: [{ id: 'a.one', reason: null }], firstRunError: false });
    expect(flakeLine('phase-x mutant m', decision, '90/100')).toBe(
      'FLAKY (fails verify; not marked flaky: a.one) phase-x mutant m: first run 90/100; second run as declared',
    );
  });

  test('When a declared check passed on the first run, then that check is the one that changed', () => {
    expect(unexpectedChecks([], ['a.two'])).toEqual(['a.two']);
    expect(decideFlake({ firstStatus: 'scored', firstFailed: [], declared: ['a.two'], checks })).toMatchObject({
      allowed: true,
      checks: [{ id: 'a.two', reason: 'the window is the wall clock of a shared CI runner' }],
    });
  });

  test('When every check that changed is marked with a reason, then the flake is allowed and reported with the reason', () => {
    const decision = decideFlake({ firstStatus: 'scored', firstFailed: ['a.two'], declared: [], checks });
    expect(decision.allowed).toBe(true);
    expect(flakeLine('phase-x reference', decision, '95/100')).toBe(
      'FLAKY (allowed: a.two: the window is the wall clock of a shared CI runner) phase-x reference: first run 95/100; second run as declared',
    );
  });

  test('When one changed check is marked and another is not, or the reason is blank, then the flake fails verify', () => {
    expect(decideFlake({ firstStatus: 'scored', firstFailed: ['a.one', 'a.two'], declared: [], checks }).allowed).toBe(false);
    expect(decideFlake({ firstStatus: 'scored', firstFailed: ['a.three'], declared: [], checks }).allowed).toBe(false);
  });

  test('When the first run was a grading error, then no mark excuses it', () => {
    const decision = decideFlake({ firstStatus: 'error', firstFailed: ['a.two'], declared: [], checks });
    expect(decision.allowed).toBe(false);
    expect(flakeLine('p reference', decision, '0/0 (error)')).toContain('the first run was a grading error');
    expect(decideFlake({ firstStatus: 'error', firstFailed: [], declared: [], checks })).toMatchObject({ allowed: false, checks: [] });
  });

  test('When a check is marked flaky without a reason, then defineChecks refuses it', () => {
    expect(() => defineChecks({ exerciseId: 'x', checks: [{ id: 'a.b', name: 'n', group: 'g', points: 1, visibility: 'visible', flaky: ' ' }] })).toThrow(
      /a\.b" is marked flaky without a reason/,
    );
    expect(
      defineChecks({ exerciseId: 'x', checks: [{ id: 'a.b', name: 'n', group: 'g', points: 1, visibility: 'visible', flaky: 'why' }] }).checks[0].flaky,
    ).toBe('why');
  });

  test('When the graders are loaded today, then no check is marked flaky and every patch header parses', () => {
    for (const exercise of loadExerciseDefinitions().filter((e) => e.gradable)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { checks: definitions } = require(path.join(exercise.graderDir, 'checks.ts')) as { checks: { checks: Array<{ id: string; flaky?: string }> } };
      expect(definitions.checks.filter((check) => check.flaky !== undefined).map((check) => check.id)).toEqual([]);
      const mutants = path.join(exercise.graderDir, 'mutants');
      for (const file of fs.existsSync(mutants) ? fs.readdirSync(mutants).filter((f) => f.endsWith('.patch')) : []) {
        const mutant = parseMutant(path.join(mutants, file));
        const ids = new Set(definitions.checks.map((check) => check.id));
        expect(mutant.fails.filter((id) => !ids.has(id))).toEqual([]);
      }
    }
  });
});
