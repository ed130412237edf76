-- Whose fault an error result is: 'learner' (the submission: change it and submit again) or
-- 'platform' (the grading infrastructure, an operator's to fix: no cooldown, no rate-limit hit,
-- commit status `error` "grading infrastructure"). Scored results have none.
ALTER TABLE results ADD COLUMN cause text CHECK (cause IN ('learner', 'platform'));

-- Existing error rows: the platform's own messages said "not your fault"; everything else blamed
-- the submission, as the platform did then.
UPDATE results SET cause = CASE
    WHEN message ~ '^(The grading infrastructure failed|Grader error|Grading was interrupted|The grading queue could not be reached|This exercise cannot be graded right now)'
      THEN 'platform'
    ELSE 'learner'
  END
WHERE status = 'error';

ALTER TABLE results ADD CONSTRAINT results_cause_check_status
  CHECK ((status = 'error') = (cause IS NOT NULL));
