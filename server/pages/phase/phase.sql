-- BLOCK select_last_graded_submission_at
-- The learner's latest submission of this exercise that went to grading: input refused at once
-- (stored as an error that never started) does not count towards the cooldown.
SELECT max(created_at) AS last_at
FROM submissions
WHERE user_id = $user_id AND exercise_id = $exercise_id
  AND NOT (status = 'error' AND started_at IS NULL);
