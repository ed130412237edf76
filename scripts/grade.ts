/**
 * npm run -s grade -- <exercise-id> <git-url-or-local-path> [--ref R] [--subdir D] [--json] [--brief] [--instructor]
 *
 * Runs the grading pipeline without the web server. Prints a readable report, or with --json
 * only the results object on stdout. Hidden checks are shown as a learner sees them (a
 * placeholder name, status, points and hint: server/lib/hiddenChecks.ts); --instructor shows
 * their full record (id, name, feedback, measurements). Exits 0 whenever a result was produced,
 * whatever the score; 2 on bad usage; 1 when no result could be produced (infrastructure).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExerciseDefinitionError, findExerciseDefinition } from '../core/exercises/definition';
import { isHiddenCheck, redactHiddenChecks } from '../server/lib/hiddenChecks';
import { describeNotPassed, verdictOf } from '../core/lib/passing';
import { checkRef, checkRepoUrl, checkSubdir } from '../server/lib/submissionInput';
import type { GradeOutcome } from '../worker/gradeSubmission';
import type { Source } from '../worker/stages/fetchSource';
import { gradeLocally, prepareGrading, toResultsFile } from './lib/gradeLocally';

const USAGE = 'usage: npm run -s grade -- <exercise-id> <git-url-or-local-path> [--ref BRANCH] [--subdir DIR] [--json] [--brief] [--instructor]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ref: { type: 'string' },
      subdir: { type: 'string' },
      json: { type: 'boolean', default: false },
      brief: { type: 'boolean', default: false },
      instructor: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [exerciseId, target] = positionals;
  const json = values.json ?? false;
  const instructor = values.instructor ?? false;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  let exercise;
  try {
    exercise = findExerciseDefinition(exerciseId);
  } catch (error) {
    if (error instanceof ExerciseDefinitionError) {
      log(`grade: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const ref = checkRef(values.ref);
  const subdir = checkSubdir(values.subdir);
  for (const check of [ref, subdir]) if (!check.ok) return usageError(check.reason);
  let source: Source;
  if (/^[a-z]+:\/\//i.test(target)) {
    const url = checkRepoUrl(target, { allowedHosts: ['github.com', 'gitlab.com', 'bitbucket.org'], httpHosts: ['127.0.0.1', 'localhost'] });
    if (!url.ok) return usageError(url.reason);
    source = { kind: 'git', url: url.value, ref: ref.ok ? ref.value : null };
  } else {
    const local = path.resolve(target);
    if (!fs.existsSync(local)) return usageError(`${local} does not exist`);
    source = { kind: 'local', path: local, ref: ref.ok ? ref.value : null };
  }

  const images = await prepareGrading(log);
  const started = Date.now();
  const outcome = await gradeLocally(exercise, source, subdir.ok ? subdir.value : null, images, (stage, _at, detail) => {
    log(`[grade] ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${stage}${detail ? ` — ${detail}` : ''}`);
  });
  // The diagnosis (issue 10 §3) rides beside the results file's own fields.
  // Hidden checks as a learner sees them unless --instructor (issue 11 §3).
  // Passed: the pass mark reached and every required check passed (issue 11 §1).
  const verdict = verdictOf(outcome, exercise.passMark);
  if (json) {
    const results = toResultsFile(outcome);
    const shown = instructor ? results : { ...results, tests: redactHiddenChecks(results.tests) };
    const failedRequired = requiredFailures(outcome, instructor);
    process.stdout.write(
      `${JSON.stringify({ ...shown, passed: verdict.passed, failed_required: failedRequired, ...(outcome.diagnosis ? { diagnosis: outcome.diagnosis } : {}) }, null, 2)}\n`,
    );
  } else process.stdout.write(formatReport(exercise.title, outcome, { brief: values.brief ?? false, instructor, passMark: exercise.passMark }));
  return 0;
}

/** The failed required checks as the reader may name them (hidden ones by placeholder for learners). */
function requiredFailures(outcome: GradeOutcome, instructor: boolean): string[] {
  const checks = instructor ? outcome.tests : redactHiddenChecks(outcome.tests);
  return outcome.status === 'scored'
    ? checks.filter((test) => test.required && test.status !== 'passed').map((test) => (isHiddenCheck(test) && !instructor ? test.name : test.id))
    : [];
}

function usageError(reason: string): number {
  process.stderr.write(`grade: ${reason}\n${USAGE}\n`);
  return 2;
}

/** Lines of each failing check's feedback and of the app's log that `--brief` keeps. */
const BRIEF_FEEDBACK_LINES = 12;
const BRIEF_LOG_LINES = 15;
const LOG_LINES = 60;

/**
 * The readable report: stages, the diagnosis, each check with its whole feedback (the requests it
 * sent included) and the tail of the app's log; `brief` cuts feedback and log short. Hidden checks
 * are redacted as a learner sees them (placeholder name, status, points, hint) unless `instructor`.
 */
export function formatReport(title: string, outcome: GradeOutcome, options: { brief?: boolean; instructor?: boolean; passMark?: number } = {}): string {
  const checks = options.instructor ? outcome.tests : redactHiddenChecks(outcome.tests);
  const lines: string[] = [];
  lines.push('', `${title}${outcome.commitSha ? ` @ ${outcome.commitSha.slice(0, 10)}` : ''}`, '');
  lines.push('Stages:');
  for (const stage of outcome.stages) {
    const seconds = stage.finishedAt ? ((stage.finishedAt.getTime() - stage.startedAt.getTime()) / 1000).toFixed(1) : '—';
    lines.push(`  ${stage.stage.padEnd(11)} ${seconds.padStart(6)} s${stage.detail && stage.stage !== 'error' ? `  ${stage.detail}` : ''}`);
  }
  lines.push('');
  // One reason for most failures, said once before anything else (worker/diagnosis/).
  if (outcome.diagnosis)
    lines.push(`DIAGNOSIS (${outcome.diagnosis.cause}): ${outcome.diagnosis.title}`, ...outcome.diagnosis.message.split('\n').map((line) => `  ${line}`), '');
  if (outcome.status === 'error') {
    const whose = outcome.cause === 'platform' ? 'the grading platform failed, not the submission' : 'the submission must change';
    lines.push(`ERROR (cause: ${outcome.cause}: ${whose}): ${outcome.message}`, '');
  }
  const groups = new Map<string, typeof outcome.tests>();
  for (const test of checks) groups.set(test.group, [...(groups.get(test.group) ?? []), test]);
  for (const [group, tests] of groups) {
    const got = tests.reduce((sum, test) => sum + test.score, 0);
    const max = tests.reduce((sum, test) => sum + test.max_score, 0);
    lines.push(`${group}  ${got}/${max}`);
    for (const test of tests) {
      const mark = test.status === 'passed' ? 'PASS' : test.status.toUpperCase();
      // A redacted check has no id worth printing: its placeholder name says it all.
      const title = isHiddenCheck(test) ? (options.instructor ? `${test.id} — ${test.name} (hidden)` : `${test.name} (hidden)`) : `${test.id} — ${test.name}`;
      lines.push(`  ${mark.padEnd(7)} ${`${test.score}/${test.max_score}`.padStart(5)}  ${title}`);
      if (test.status !== 'passed' && test.output) {
        const feedback = test.output.trim().split('\n');
        const shown = options.brief ? feedback.slice(0, BRIEF_FEEDBACK_LINES) : feedback;
        lines.push(...shown.map((line) => `           ${line}`));
        if (shown.length < feedback.length) lines.push(`           … (${feedback.length} lines in all; without --brief for everything)`);
      }
      // What each check measured beside its bound: instructors only (a redacted check has none).
      if (options.instructor) {
        for (const m of test.measurements ?? [])
          lines.push(`           ~ ${m.name} = ${m.value}${m.unit ? ` ${m.unit}` : ''}${m.threshold ? `  (threshold ${m.threshold})` : ''}`);
      }
    }
    lines.push('');
  }
  for (const warning of outcome.warnings) lines.push(`warning: ${warning}`);
  if (outcome.appLog?.trim()) {
    const log = outcome.appLog.trimEnd().split('\n');
    const tail = log.slice(-(options.brief ? BRIEF_LOG_LINES : LOG_LINES));
    lines.push(
      '',
      `The app's log${tail.length < log.length ? ` (the last ${tail.length} lines; ${log.length} in all)` : ''}:`,
      ...tail.map((line) => `  | ${line}`),
      '',
    );
  }
  lines.push(`Total: ${outcome.score}/${outcome.maxScore}  (${outcome.status}${outcome.cause ? `, cause ${outcome.cause}` : ''})`);
  if (options.passMark !== undefined && outcome.status === 'scored') {
    const verdict = verdictOf(outcome, options.passMark);
    const failed = requiredFailures(outcome, options.instructor ?? false);
    lines.push(
      verdict.passed
        ? `PASSED (pass mark ${options.passMark}%, every required check passed)`
        : `${describeNotPassed({ score: outcome.score, maxScore: outcome.maxScore, passMark: options.passMark, failedRequired: failed }, (label) => label)}`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`grade: could not produce a result: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
