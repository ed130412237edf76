-- BLOCK insert_submission
INSERT INTO submissions (user_id, exercise_id, repo_url, ref, subdir, source, commit_sha, link_id, not_before)
VALUES ($user_id, $exercise_id, $repo_url, $ref, $subdir, $source, $commit_sha, $link_id, $not_before)
RETURNING *;

-- BLOCK update_pending_webhook_submission
-- A push while an earlier push of the same phase still waits (cooldown or queue): that one
-- grades the newest commit instead, so pushes are never dropped and never pile up.
WITH pending AS (
  SELECT id, commit_sha AS previous_sha FROM submissions
  WHERE user_id = $user_id AND exercise_id = $exercise_id AND source = 'webhook' AND status = 'queued'
  ORDER BY created_at DESC
  LIMIT 1
  FOR UPDATE
)
UPDATE submissions s
SET commit_sha = $commit_sha, ref = $ref, subdir = $subdir, repo_url = $repo_url
FROM pending
WHERE s.id = pending.id AND s.status = 'queued'
RETURNING s.*, pending.previous_sha;

-- BLOCK claim_submission
-- The worker takes a submission: from here on a push no longer changes the commit it grades.
UPDATE submissions
SET status = 'running', started_at = COALESCE(started_at, now())
WHERE id = $id AND status IN ('queued', 'running')
RETURNING *;

-- BLOCK select_cooldown_anchor
-- When the learner's latest grading of this exercise started or will start. Input refused at
-- once (stored as an error that never started) and platform errors (not the learner's attempt)
-- do not count.
SELECT max(GREATEST(s.created_at, COALESCE(s.not_before, s.created_at))) AS last_at
FROM submissions s
LEFT JOIN results r ON r.submission_id = s.id
WHERE s.user_id = $user_id AND s.exercise_id = $exercise_id
  AND NOT (s.status = 'error' AND s.started_at IS NULL)
  AND NOT (s.status = 'error' AND r.cause = 'platform');

-- BLOCK update_submission_github_status
UPDATE submissions SET github_status = $github_status WHERE id = $id;

-- BLOCK select_submission
SELECT * FROM submissions WHERE id = $id;

-- BLOCK select_submissions_for_user_exercise
SELECT s.*, r.cause FROM submissions s
LEFT JOIN results r ON r.submission_id = s.id
WHERE s.user_id = $user_id AND s.exercise_id = $exercise_id
ORDER BY s.created_at DESC
LIMIT $limit;

-- BLOCK select_progress_for_user
-- Best score, attempts and latest status per exercise for one learner.
SELECT
  e.id AS exercise_id,
  count(s.id)::int AS attempts,
  max(CASE WHEN s.status = 'scored' AND s.max_score > 0 THEN s.score / s.max_score * 100 END)::float AS best_percent,
  max(CASE WHEN s.passed THEN s.score / s.max_score * 100 END)::float AS best_passed_percent,
  -- Why the best score did not pass, when it did not: its failed required checks.
  (array_agg(array_to_string(s.failed_required, ' ') ORDER BY s.score / NULLIF(s.max_score, 0) DESC NULLS LAST, s.created_at DESC)
     FILTER (WHERE s.status = 'scored'))[1] AS best_failed_required,
  (array_agg(s.status ORDER BY s.created_at DESC))[1] AS latest_status,
  (array_agg(s.id ORDER BY s.created_at DESC))[1] AS latest_submission_id
FROM exercises e
LEFT JOIN submissions s ON s.exercise_id = e.id AND s.user_id = $user_id
GROUP BY e.id;

-- BLOCK start_stage
INSERT INTO submission_stages (submission_id, stage, started_at, detail)
VALUES ($id, $stage, $at, $detail)
ON CONFLICT (submission_id, stage) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = NULL, detail = EXCLUDED.detail;

-- BLOCK finish_stage
UPDATE submission_stages SET finished_at = $at, detail = COALESCE($detail, detail)
WHERE submission_id = $id AND stage = $stage;

-- BLOCK update_stage_detail
UPDATE submission_stages SET detail = $detail WHERE submission_id = $id AND stage = $stage;

-- BLOCK update_submission_running
UPDATE submissions
SET status = 'running', stage = $stage, started_at = COALESCE(started_at, now())
WHERE id = $id AND status IN ('queued', 'running');

-- BLOCK update_submission_commit
UPDATE submissions SET commit_sha = $commit_sha WHERE id = $id;

-- BLOCK update_submission_finished
-- `passed`: the pass mark reached and no required check failed (core/lib/passing.ts says the same).
UPDATE submissions s
SET status = $status, stage = $status, score = $score, max_score = $max_score,
    error_message = $error_message, finished_at = now(), failed_required = $failed_required::text[],
    passed = ($status = 'scored' AND $max_score::numeric > 0 AND cardinality($failed_required::text[]) = 0
              AND $score::numeric / $max_score::numeric * 100 >= e.pass_mark)
FROM exercises e
WHERE s.id = $id AND e.id = s.exercise_id;

-- BLOCK select_stages
SELECT * FROM submission_stages WHERE submission_id = $id ORDER BY started_at, stage;
