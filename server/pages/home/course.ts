/**
 * The course as a learner sees it: the roadmap's 8 phases, each with its exercise(s) and the
 * learner's progress, and the level those phases add up to.
 */
import type { Exercise } from '../../models/exercises';
import type { Progress } from '../../../core/models/submissions';
import { combinePhaseStatuses, computeLevel, phaseStatus, ROADMAP_PHASE_COUNT, ROADMAP_PHASES, type Level, type PhaseStatus } from '../../lib/levels';

export interface ExerciseCard {
  id: string;
  title: string;
  summary: string;
  gradable: boolean;
  passMark: number;
  bestPercent: number | null;
  /** The required checks the best-scoring submission failed (why a high score did not pass). */
  failedRequired: string[];
  attempts: number;
  status: PhaseStatus;
  /** True while the latest attempt is queued or running. */
  grading: boolean;
  latestSubmissionId: string | null;
}

export interface PhaseCard {
  phase: number;
  title: string;
  summary: string;
  exercises: ExerciseCard[];
  status: PhaseStatus;
}

export interface Course {
  phases: PhaseCard[];
  level: Level;
  phaseCount: number;
}

export function buildCourse(exercises: Exercise[], progress: Progress[]): Course {
  const progressById = new Map(progress.map((row) => [row.exercise_id, row]));
  const phaseNumbers = new Set<number>(ROADMAP_PHASES.map((phase) => phase.phase));
  for (const exercise of exercises) phaseNumbers.add(exercise.phase);

  const phases = [...phaseNumbers]
    .sort((a, b) => a - b)
    .map((phase): PhaseCard => {
      const roadmap = ROADMAP_PHASES.find((entry) => entry.phase === phase);
      const cards = exercises
        .filter((exercise) => exercise.phase === phase)
        .map((exercise): ExerciseCard => {
          const row = progressById.get(exercise.id);
          const attempts = row?.attempts ?? 0;
          const bestPercent = row?.best_percent ?? null;
          return {
            id: exercise.id,
            title: exercise.title,
            summary: exercise.summary,
            gradable: exercise.gradable,
            passMark: exercise.pass_mark,
            bestPercent,
            failedRequired: row?.best_passed_percent === null ? (row?.best_failed_required ?? []) : [],
            attempts,
            status: phaseStatus(row?.best_passed_percent ?? null, attempts),
            grading: row?.latest_status === 'queued' || row?.latest_status === 'running',
            latestSubmissionId: row?.latest_submission_id ?? null,
          };
        });
      return {
        phase,
        title: cards.length === 1 ? cards[0].title : (roadmap?.title ?? `Phase ${phase}`),
        summary: cards.length === 1 ? cards[0].summary : (roadmap?.summary ?? ''),
        exercises: cards,
        status: combinePhaseStatuses(cards.map((card) => card.status)),
      };
    });

  const roadmapStatuses = phases.filter((phase) => phase.phase <= ROADMAP_PHASE_COUNT).map((phase) => phase.status);
  return { phases, level: computeLevel(roadmapStatuses), phaseCount: ROADMAP_PHASE_COUNT };
}
