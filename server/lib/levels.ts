/**
 * The course roadmap's self-assessment, computed from graded phases: phases passed 0–3
 * Junior, 4–6 Mid-level, 7–8 Strong Mid, "9–10 Senior-Ready". The roadmap has 8 phases, so
 * Senior-Ready here means all 8 passed with distinction (≥ 90 % each).
 */

export const ROADMAP_PHASE_COUNT = 8;
export const DISTINCTION_PERCENT = 90;
export const DEFAULT_PASS_MARK = 80;

/** The course roadmap's phase titles, for phases whose exercise is not written yet. */
export const ROADMAP_PHASES: ReadonlyArray<{ phase: number; title: string; summary: string }> = [
  { phase: 1, title: 'Backend Foundations', summary: 'Auth + Users service: JWT and refresh tokens, RBAC, validation, one error shape, OpenAPI.' },
  { phase: 2, title: 'Databases & Data Layer', summary: 'Cursor pagination, filtering and sorting, soft delete, indexes, no N+1 queries.' },
  { phase: 3, title: 'Security & Auth', summary: 'OAuth2, brute-force protection, rate limiting, security headers, input sanitization.' },
  { phase: 4, title: 'Cloud & Deployment', summary: 'Multi-stage Docker builds, environments per stage, CI/CD, health and readiness.' },
  { phase: 5, title: 'Scalability & Performance', summary: 'Order/Payment service: Redis caching, background jobs, idempotency, a state machine.' },
  { phase: 6, title: 'System Design', summary: 'Chat, booking, notifications, URL shortener, rate limiter: designs and their trade-offs.' },
  { phase: 7, title: 'Testing & Observability', summary: 'Unit, integration and E2E tests, structured logs, metrics, health checks.' },
  { phase: 8, title: 'Job Ready', summary: 'Polished repositories, documentation, benchmarks and a portfolio that gets interviews.' },
];

export type PhaseStatus = 'not-started' | 'in-progress' | 'passed' | 'distinction';

export const PHASE_STATUS_LABELS: Record<PhaseStatus, string> = {
  'not-started': 'Not started',
  'in-progress': 'In progress',
  passed: 'Passed',
  distinction: 'Passed with distinction',
};

/**
 * A learner's status on one exercise from their best passing score and attempts. A submission
 * passes when it reaches the pass mark and every required check passed (core/lib/passing.ts):
 * `bestPassedPercent` is the best percentage among those, null when none passed — a 95 % with a
 * failed required check is still "in progress".
 */
export function phaseStatus(bestPassedPercent: number | null, attempts: number): PhaseStatus {
  if (bestPassedPercent !== null) return bestPassedPercent >= DISTINCTION_PERCENT ? 'distinction' : 'passed';
  return attempts > 0 ? 'in-progress' : 'not-started';
}

export type LevelName = 'Junior' | 'Mid-level' | 'Strong Mid' | 'Senior-Ready';

export interface Level {
  name: LevelName;
  phasesPassed: number;
  phasesWithDistinction: number;
  /** What the next level asks for, in a sentence; null at the top. */
  next: string | null;
}

/** The roadmap's level from the status of each of its phases (one status per phase). */
export function computeLevel(statuses: PhaseStatus[]): Level {
  const phasesPassed = statuses.filter((status) => status === 'passed' || status === 'distinction').length;
  const phasesWithDistinction = statuses.filter((status) => status === 'distinction').length;
  const plural = (count: number) => `${count} more phase${count === 1 ? '' : 's'}`;
  if (phasesWithDistinction >= ROADMAP_PHASE_COUNT) {
    return { name: 'Senior-Ready', phasesPassed, phasesWithDistinction, next: null };
  }
  if (phasesPassed >= 7) {
    return {
      name: 'Strong Mid',
      phasesPassed,
      phasesWithDistinction,
      next: `Senior-Ready: all ${ROADMAP_PHASE_COUNT} phases with distinction (≥ ${DISTINCTION_PERCENT}%) — ${plural(ROADMAP_PHASE_COUNT - phasesWithDistinction)} to go.`,
    };
  }
  if (phasesPassed >= 4) {
    return { name: 'Mid-level', phasesPassed, phasesWithDistinction, next: `Strong Mid: pass ${plural(7 - phasesPassed)}.` };
  }
  return { name: 'Junior', phasesPassed, phasesWithDistinction, next: `Mid-level: pass ${plural(4 - phasesPassed)}.` };
}

/** A phase with several exercises counts once: passed when all pass, distinction when all do. */
export function combinePhaseStatuses(statuses: PhaseStatus[]): PhaseStatus {
  if (statuses.length === 0) return 'not-started';
  if (statuses.every((status) => status === 'distinction')) return 'distinction';
  if (statuses.every((status) => status === 'passed' || status === 'distinction')) return 'passed';
  return statuses.some((status) => status !== 'not-started') ? 'in-progress' : 'not-started';
}
