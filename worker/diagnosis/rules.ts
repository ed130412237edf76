/**
 * The diagnosis rules, in the order they are tried: the first that matches explains the result.
 * Configuration problems come first (they explain everything after them), then boot failures, then
 * what the harness saw over HTTP. To add a rule: write it with defineRule (detector + message), add
 * it here, give it unit tests (test/unit/diagnosis.test.ts) and run `npm run docs:failures`.
 */
import { configInvalid, databaseUnreachable, missingVariable, podServiceDown, portNotRead, redisUnreachable } from './bootRules';
import { csrfRequired, globalPrefix } from './httpRules';
import type { DiagnosisRule } from './rule';

export const DIAGNOSIS_RULES: readonly DiagnosisRule[] = [
  configInvalid,
  missingVariable,
  podServiceDown,
  databaseUnreachable,
  redisUnreachable,
  portNotRead,
  globalPrefix,
  csrfRequired,
];
