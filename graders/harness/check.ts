/**
 * The authoring API of a hidden suite:
 *
 *   const check = useChecks(checks);           // checks = defineChecks({...}) from ./checks
 *   check('tokens.refresh-rotation', async () => { ... fail('observed …; expected …') ... });
 *
 * `check` is a Jest `test` whose title carries the id, with the check's own time budget, and
 * whose failures are rewritten into learner-facing markdown (plus the requests it sent).
 */
import { closeDb, currentTrace, resetTrace } from './context';
import { type ExerciseChecks, checkTitle } from './checkDefinitions';
import { CheckFailure, cut, decodeFeedback, stripAnsi } from './feedback';
import { appendMeasurements, type Measurement } from './measurements';
import { logRequestsAsHidden } from './requestLog';

export { defineChecks } from './checkDefinitions';
export { CheckFailure, HarnessError, describeRequest, ensure, expectObserved, expectStatus, fail, show, showBody } from './feedback';

/** Budget of a check that declares none; a healthy app needs well under a second per check. */
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 20;

export type CheckBody = () => Promise<void>;

/** Binds `check(id, body)` to an exercise's declared checks; call once per test file. */
export function useChecks<Id extends string>(checks: ExerciseChecks<Id>): (id: Id, body: CheckBody) => void {
  afterAll(closeDb);
  return (id, body) => {
    const definition = checks.byId(id);
    // Thrown while the file is collected: the run reports a grader error, never a wrong score.
    if (!definition) throw new Error(`check id "${id}" is not declared in ${checks.exerciseId}'s checks.ts`);
    const budgetMs = (definition.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS) * 1000;
    test(checkTitle(definition), () => runCheck(definition.id, body, budgetMs, definition.visibility !== 'visible'), budgetMs + 5_000);
  };
}

let recording: Measurement[] | undefined;

/**
 * Records a measurement of the running check (a statement count, a p95, a row count…). It is
 * stored with the check's result, shown to instructors, and printed by `exercises:verify` beside
 * the threshold, so the margin between the reference and the mutants stays visible.
 */
export function measure(name: string, value: number, options: { unit?: string; threshold?: string } = {}): void {
  if (!recording) throw new Error('measure() was called outside a check');
  recording.push({ name, value: Math.round(value * 1000) / 1000, ...options });
}

async function runCheck(id: string, body: CheckBody, budgetMs: number, hidden: boolean): Promise<void> {
  resetTrace();
  // The diagnosis quotes logged requests to the learner: a hidden check's must never be among them.
  logRequestsAsHidden(hidden);
  recording = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CheckFailure(`This check did not finish within ${budgetMs / 1000} s. Your app answers too slowly or not at all.`, 'timeout')),
      budgetMs,
    );
  });
  try {
    await Promise.race([body(), deadline]);
  } catch (error) {
    throw withTrace(error);
  } finally {
    clearTimeout(timer);
    logRequestsAsHidden(false);
    appendMeasurements(id, recording);
    recording = undefined;
  }
}

/** Feedback from any thrown value, followed by the requests this check sent. */
function withTrace(error: unknown): CheckFailure {
  const message = error instanceof Error ? error.message : String(error);
  const decoded = decodeFeedback(message);
  const markdown = decoded
    ? decoded.markdown
    : // A plain `expect` (or a bug): show the matcher's own words, which say expected vs received.
      `The grader's assertion failed:\n\`\`\`\n${cut(stripAnsi(message).trim(), 1500)}\n\`\`\``;
  return new CheckFailure(markdown + traceSection(), decoded?.status ?? 'failed', decoded?.needs);
}

/** Requests listed in a failure's feedback: room for a whole check of most graders within 4 KB. */
const TRACE_MAX = 25;

function traceSection(): string {
  const exchanges = currentTrace();
  if (exchanges.length === 0) return '';
  // The most recent requests, up to what fits a check's output cap; the cut says how many there were.
  const last = exchanges.slice(-TRACE_MAX);
  const lines = last.map((e) => `- \`${e.method} ${e.path}\` → ${e.status}`);
  const skipped = exchanges.length - last.length;
  return `\n\nRequests this check sent${skipped ? ` (the last ${last.length}; ${exchanges.length} in all)` : ''}:\n${skipped ? '- …\n' : ''}${lines.join('\n')}`;
}
