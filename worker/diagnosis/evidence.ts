/**
 * What a diagnosis rule reads: what the pipeline observed about one grading, in one object, so
 * that a rule is a pure function of it and its tests need no pipeline.
 */
import type { Stage } from '../../core/models/submissions';
import type { HarnessEvidence } from '../stages/collect';

export type { HarnessEvidence };

export interface CheckOutcome {
  id: string;
  status: 'passed' | 'failed' | 'error' | 'timeout';
}

export interface DiagnosisEvidence {
  status: 'scored' | 'error';
  /** The stage grading stopped in (an error) or ended in ('testing' for a score); null before any. */
  stage: Stage | null;
  /** The error message of a failed stage, or the results' message. */
  message: string | null;
  /** What the app printed (boot included). */
  appLog: string | null;
  /** Output of the failed step (install, build, migration), when it kept one. */
  output: string | null;
  tests: readonly CheckOutcome[];
  /** What the harness recorded about the requests it sent (scored results). */
  harness: HarnessEvidence | null;
  /** backend-pro.yml's problems, one line each, when it did not validate. */
  configProblems: readonly string[] | null;
}

/** Who must act on a diagnosis: the learner (their code or settings) or the platform's operator. */
export type Cause = 'learner' | 'platform';

/** The one reason said at the top of a result, with the fix. */
export interface Diagnosis {
  id: string;
  cause: Cause;
  title: string;
  /** Markdown: the contract first, then what was observed, then the fix. */
  message: string;
}

/** Everything the app and the failed step printed, and the error: what boot-time rules search. */
export function bootText(evidence: DiagnosisEvidence): string {
  return [evidence.message, evidence.output, evidence.appLog].filter(Boolean).join('\n');
}

/** Whether the grading went wrong broadly enough that one reason may explain it. */
export function broadlyFailed(evidence: DiagnosisEvidence): boolean {
  if (evidence.status === 'error') return true;
  const failed = evidence.tests.filter((test) => test.status !== 'passed').length;
  return evidence.tests.length > 0 && failed * 2 >= evidence.tests.length;
}
