/** The shape of a diagnosis rule: a detector over the evidence and the message of its match. */
import type { Cause, DiagnosisEvidence } from './evidence';

export interface DiagnosisRule<Match = unknown> {
  /** Stable id, stored with the result (e.g. `global-prefix`). */
  id: string;
  cause: Cause;
  /** One line, shown as the heading of the diagnosis. */
  title: string;
  /** What the learner sees when this happens (the README's "common failures" table). */
  symptom: string;
  /** The fix in one sentence (the same table). */
  fix: string;
  /** The match (what the message needs), or null when this rule does not explain the evidence. */
  detect(evidence: DiagnosisEvidence): Match | null;
  message(match: Match): string;
}

/** Keeps a rule's match type between its detector and its message, and erases it for the table. */
export function defineRule<Match>(rule: DiagnosisRule<Match>): DiagnosisRule {
  return rule;
}
