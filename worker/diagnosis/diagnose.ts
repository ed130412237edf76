/**
 * One diagnosis instead of twenty red checks: the first rule of DIAGNOSIS_RULES that explains what
 * the pipeline observed, said once at the top of the result with the fix.
 */
import type { Stage } from '../../core/models/submissions';
import { AppConfigError } from '../stages/appConfig';
import type { Diagnosis, DiagnosisEvidence, HarnessEvidence } from './evidence';
import type { DiagnosisRule } from './rule';
import { DIAGNOSIS_RULES } from './rules';

export type { Diagnosis, DiagnosisEvidence };

export function diagnose(evidence: DiagnosisEvidence, rules: readonly DiagnosisRule[] = DIAGNOSIS_RULES): Diagnosis | null {
  for (const rule of rules) {
    const match = rule.detect(evidence);
    if (match !== null && match !== undefined) return { id: rule.id, cause: rule.cause, title: rule.title, message: rule.message(match) };
  }
  return null;
}

/** What gradeSubmission knows when it finishes, as the rules read it. */
export function diagnoseGrading(
  outcome: { status: 'scored' | 'error'; message: string | null; appLog: string | null; tests: DiagnosisEvidence['tests'] },
  observed: { stage: Stage | null; error: unknown; harness: HarnessEvidence | null },
): Diagnosis | null {
  const { error } = observed;
  const details = (error as { details?: { output?: string; appLog?: string } } | null)?.details;
  return diagnose({
    status: outcome.status,
    stage: observed.stage,
    message: outcome.message,
    appLog: outcome.appLog ?? details?.appLog ?? null,
    output: details?.output ?? null,
    tests: outcome.tests,
    harness: observed.harness,
    configProblems: error instanceof AppConfigError ? error.problems : null,
  });
}
