-- Required checks (issue 11 §1): a submission passes its phase only when its score reaches the
-- exercise's pass mark AND every required check passed. `passed` is decided once, when the
-- result is stored (null until then, false for errors); `failed_required` names the required
-- checks that did not pass, so pages and the commit status can say why a high score did not pass.
ALTER TABLE submissions ADD COLUMN passed boolean;
ALTER TABLE submissions ADD COLUMN failed_required text[] NOT NULL DEFAULT '{}';

-- Earlier results had no required checks: the pass mark alone decided, as it did then.
UPDATE submissions s
SET passed = (s.status = 'scored' AND s.max_score > 0 AND s.score / s.max_score * 100 >= e.pass_mark)
FROM exercises e
WHERE e.id = s.exercise_id AND s.status IN ('scored', 'error');

CREATE INDEX submissions_user_exercise_passed ON submissions (user_id, exercise_id) WHERE passed;
