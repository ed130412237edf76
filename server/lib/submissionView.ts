/**
 * How a submission is shown: its stage timeline, its results with hidden checks redacted, and
 * the JSON state the live page and scripts read. The page, the .json route and the SSE stream
 * all go through here, so a hidden check is redacted the same way everywhere.
 */
import type { ErrorCause, StoredResult, TestResult } from '../../core/models/results';
import type { StageRow, Submission } from '../../core/models/submissions';
import { renderInlineMarkdown, renderMarkdown } from './markdown';
import { isHiddenCheck, redactHiddenChecks } from './hiddenChecks';

export const PIPELINE_STAGES = ['queued', 'cloning', 'installing', 'building', 'probing', 'starting', 'testing'] as const;

export const STAGE_LABELS: Record<string, string> = {
  queued: 'Queued',
  cloning: 'Cloning',
  installing: 'Installing',
  building: 'Building',
  probing: 'Probing',
  starting: 'Starting',
  testing: 'Testing',
  scored: 'Scored',
  error: 'Error',
  result: 'Result',
};

/** `interrupted`: where the platform (not the submission) failed; never shown as the learner's failure. */
export type StepState = 'pending' | 'current' | 'done' | 'failed' | 'interrupted' | 'skipped';

export interface TimelineStep {
  stage: string;
  label: string;
  state: StepState;
  startedAt: Date | null;
  finishedAt: Date | null;
  elapsedMs: number | null;
  detail: string | null;
}

export function isFinished(submission: Pick<Submission, 'status'>): boolean {
  return submission.status === 'scored' || submission.status === 'error';
}

/**
 * The seven steps queued → … → scored|error, from the stage rows the worker wrote. `cause`: whose
 * fault an error is (its result's); a platform error marks its steps interrupted, not failed.
 */
export function buildTimeline(submission: Submission, stages: StageRow[], now = new Date(), cause: ErrorCause | null = null): TimelineStep[] {
  const rows = new Map(stages.map((row) => [row.stage, row]));
  const finished = isFinished(submission);
  const failed: StepState = cause === 'platform' ? 'interrupted' : 'failed';
  const lastStarted = [...PIPELINE_STAGES].reverse().find((stage) => rows.has(stage));
  // Only exercises with probes (e.g. migration revert and re-apply) go through `probing`.
  const pipeline = PIPELINE_STAGES.filter((stage) => stage !== 'probing' || rows.has(stage));
  const steps: TimelineStep[] = pipeline.map((stage) => {
    const row = rows.get(stage);
    let state: StepState;
    if (!row) state = finished ? 'skipped' : 'pending';
    else if (finished && submission.status === 'error' && stage === lastStarted && stage !== 'queued') state = failed;
    else if (row.finished_at || finished) state = 'done';
    else state = 'current';
    const end = row?.finished_at ?? (state === 'current' ? now : finished ? submission.finished_at : null);
    return {
      stage,
      label: STAGE_LABELS[stage],
      state,
      startedAt: row?.started_at ?? null,
      finishedAt: row?.finished_at ?? null,
      elapsedMs: row && end ? Math.max(0, end.getTime() - row.started_at.getTime()) : null,
      detail: row?.detail ?? null,
    };
  });
  // Total time from the first stage the worker recorded (normally queued, at creation).
  const firstStart = stages.reduce<Date | null>((first, row) => (!first || row.started_at < first ? row.started_at : first), null) ?? submission.created_at;
  const finalStage = finished ? submission.status : 'result';
  const finalRow = rows.get(submission.status as StageRow['stage']);
  steps.push({
    stage: finalStage,
    label: STAGE_LABELS[finalStage],
    state: !finished ? 'pending' : submission.status === 'error' ? failed : 'done',
    startedAt: finalRow?.started_at ?? submission.finished_at,
    finishedAt: finalRow?.finished_at ?? submission.finished_at,
    elapsedMs: finished && submission.finished_at ? Math.max(0, submission.finished_at.getTime() - firstStart.getTime()) : null,
    detail: finalRow?.detail ?? null,
  });
  return steps;
}

/** A check as a learner may see it: hidden ones keep only their status, points and hint. */
export interface PresentedCheck {
  hidden: boolean;
  id: string;
  name: string;
  group: string;
  status: TestResult['status'];
  /** Gates the phase: not passed while it fails, whatever the score. */
  required: boolean;
  score: number;
  maxScore: number;
  feedbackHtml: string;
  hintHtml: string;
  /** What the check measured, with its threshold (visible checks only). */
  measurements: NonNullable<TestResult['measurements']>;
  /** Not tested: the id (as the viewer may name it) of the check whose step failed first. */
  needs: string | null;
}

/** One failing step and the checks it kept from testing their own rule. */
export interface BlockedChecks {
  /** The check that tests the step, as the viewer may name it. */
  step: string;
  stepName: string;
  checks: string[];
}

export interface PresentedGroup {
  name: string;
  score: number;
  maxScore: number;
  checks: PresentedCheck[];
}

export interface PresentedResult {
  status: StoredResult['status'];
  /** Whose fault an error is (null on a score). */
  cause: ErrorCause | null;
  message: string | null;
  score: number;
  maxScore: number;
  percent: number | null;
  executionTimeMs: number | null;
  groups: PresentedGroup[];
  passedChecks: number;
  totalChecks: number;
  /** The required checks that failed, as the viewer may name them (hidden ones by placeholder). */
  failedRequired: string[];
  /** Checks not tested because a step they need failed, grouped by that step (said once, on top). */
  blocked: BlockedChecks[];
  warnings: string[];
  appLogTail: string | null;
  /** The one reason of a failure, with the fix (issue 10 §3), shown above everything else. */
  diagnosis: { id: string; cause: 'learner' | 'platform'; title: string; messageHtml: string } | null;
}

/**
 * Checks in order, as `redactHiddenChecks` lets a learner see them (one rule for the CLI and the
 * pages). `reveal` (instructors only): hidden checks keep everything and are only flagged hidden.
 */
export function redactChecks(
  tests: TestResult[],
  options: { reveal?: boolean } = {},
): Array<Omit<PresentedCheck, 'feedbackHtml' | 'hintHtml'> & { output: string; hint: string | null }> {
  const shown = options.reveal ? tests : redactHiddenChecks(tests);
  return shown.map((test, index) => {
    const hidden = isHiddenCheck(tests[index]);
    return {
      hidden,
      id: test.id,
      name: test.name,
      group: test.group,
      status: test.status,
      required: test.required,
      score: test.score,
      maxScore: test.max_score,
      // A redacted check's page shows its status and hint, not the placeholder sentence.
      output: hidden && !options.reveal ? '' : test.output,
      hint: test.hint ?? null,
      measurements: test.measurements ?? [],
      needs: test.needs ?? null,
    };
  });
}

const APP_LOG_TAIL_LINES = 200;
const APP_LOG_TAIL_CHARS = 32 * 1024;

/** The last lines of the learner app's log, capped, for a <details> block. */
export function tailLog(log: string | null): string | null {
  if (!log) return null;
  // A cut between the two halves of a character outside the BMP (an emoji) would leave half of it.
  const tail = log.slice(-APP_LOG_TAIL_CHARS).replace(/^[\uDC00-\uDFFF]/, '');
  const lines = tail.split('\n');
  return lines.slice(-APP_LOG_TAIL_LINES).join('\n');
}

/** `reveal`: the instructor's view, hidden checks whole (issue 11 §3); learners never get it. */
export function presentResult(result: StoredResult, options: { reveal?: boolean } = {}): PresentedResult {
  const checks: PresentedCheck[] = redactChecks(result.tests, options).map(({ output, hint, ...check }) => ({
    ...check,
    feedbackHtml: check.hidden && !options.reveal ? '' : renderMarkdown(output),
    hintHtml: renderMarkdown(hint),
  }));
  const groups = new Map<string, PresentedGroup>();
  for (const check of checks) {
    const group = groups.get(check.group) ?? { name: check.group, score: 0, maxScore: 0, checks: [] };
    group.score += check.score;
    group.maxScore += check.maxScore;
    group.checks.push(check);
    groups.set(check.group, group);
  }
  return {
    status: result.status,
    cause: result.cause,
    message: result.message,
    score: result.score,
    maxScore: result.max_score,
    percent: result.max_score > 0 ? (result.score / result.max_score) * 100 : null,
    executionTimeMs: result.execution_time_ms,
    groups: [...groups.values()],
    passedChecks: checks.filter((check) => check.status === 'passed').length,
    totalChecks: checks.length,
    blocked: groupBlocked(result.tests, checks),
    failedRequired:
      result.status === 'scored'
        ? checks
            .filter((check) => check.required && check.status !== 'passed')
            .map((check) => (check.hidden && !options.reveal ? check.name : `\`${check.id}\``))
        : [],
    warnings: result.warnings.map((warning) => renderInlineMarkdown(warning)),
    appLogTail: tailLog(result.app_log),
    diagnosis: result.diagnosis
      ? { id: result.diagnosis.id, cause: result.diagnosis.cause, title: result.diagnosis.title, messageHtml: renderMarkdown(result.diagnosis.message) }
      : null,
  };
}

/**
 * Checks that could not test their rule because a step they need failed, grouped by the check
 * that tests that step. `tests` and `checks` are the same list, stored and as the viewer sees it
 * (hidden checks by placeholder), so the step is named the way this viewer may name it.
 */
function groupBlocked(tests: TestResult[], checks: PresentedCheck[]): BlockedChecks[] {
  const groups = new Map<string, BlockedChecks>();
  tests.forEach((test, index) => {
    if (!test.needs || test.status === 'passed') return;
    const stepIndex = tests.findIndex((other) => other.id === test.needs);
    const step = stepIndex >= 0 ? checks[stepIndex] : undefined;
    // Check ids have a dot; a placeholder ("Hidden check 2", id hidden-2) is named by its name.
    const label = step ? (step.id.includes('.') ? step.id : step.name) : test.needs;
    const group = groups.get(label) ?? { step: label, stepName: step?.name ?? label, checks: [] };
    group.checks.push(checks[index].name);
    groups.set(label, group);
  });
  return [...groups.values()];
}

/** What the live page needs to draw the timeline: sent on connect and after the job ends. */
export interface SubmissionState {
  id: string;
  status: Submission['status'];
  stage: string;
  position: number | null;
  stages: Array<{ stage: string; started_at: string; finished_at: string | null; detail: string | null }>;
  error_message: string | null;
  now: string;
}

export function submissionState(submission: Submission, stages: StageRow[], position: number | null): SubmissionState {
  return {
    id: submission.id,
    status: submission.status,
    stage: submission.stage,
    position,
    stages: stages.map((row) => ({
      stage: row.stage,
      started_at: row.started_at.toISOString(),
      finished_at: row.finished_at?.toISOString() ?? null,
      detail: row.detail,
    })),
    error_message: submission.error_message,
    now: new Date().toISOString(),
  };
}

/** GET /submissions/:id.json: the submission, its stages and its results, hidden checks redacted. */
export function submissionJson(
  submission: Submission,
  stages: StageRow[],
  result: StoredResult | null,
  position: number | null,
  options: { reveal?: boolean } = {},
) {
  return {
    submission: {
      id: submission.id,
      exercise_id: submission.exercise_id,
      user_id: submission.user_id,
      repo_url: submission.repo_url,
      ref: submission.ref,
      subdir: submission.subdir,
      source: submission.source,
      status: submission.status,
      stage: submission.stage,
      commit_sha: submission.commit_sha,
      error_message: submission.error_message,
      score: submission.score,
      max_score: submission.max_score,
      passed: submission.passed,
      created_at: submission.created_at.toISOString(),
      started_at: submission.started_at?.toISOString() ?? null,
      finished_at: submission.finished_at?.toISOString() ?? null,
    },
    position,
    stages: submissionState(submission, stages, position).stages,
    results: result && {
      status: result.status,
      /** The pass mark reached and every required check passed (null while not graded). */
      passed: submission.passed,
      cause: result.cause,
      message: result.message,
      score: result.score,
      max_score: result.max_score,
      execution_time_ms: result.execution_time_ms,
      warnings: result.warnings,
      app_log_tail: tailLog(result.app_log),
      tests: redactChecks(result.tests, options).map((check) => ({
        id: check.id,
        name: check.name,
        group: check.group,
        status: check.status,
        required: check.required,
        score: check.score,
        max_score: check.maxScore,
        visibility: check.hidden ? 'hidden' : 'visible',
        output: check.hidden && !options.reveal ? undefined : check.output,
        hint: check.hint ?? undefined,
        ...(options.reveal && check.measurements.length ? { measurements: check.measurements } : {}),
      })),
    },
  };
}
