-- BLOCK select_cohort_progress
-- One row per learner and exercise: attempts, best score and the latest submission.
SELECT
  u.id AS user_id,
  e.id AS exercise_id,
  count(s.id)::int AS attempts,
  max(CASE WHEN s.status = 'scored' AND s.max_score > 0 THEN s.score / s.max_score * 100 END)::float AS best_percent,
  max(CASE WHEN s.passed THEN s.score / s.max_score * 100 END)::float AS best_passed_percent,
  max(s.created_at) AS last_submitted_at,
  (array_agg(s.id ORDER BY s.created_at DESC) FILTER (WHERE s.id IS NOT NULL))[1]::text AS latest_submission_id,
  (array_agg(s.status ORDER BY s.created_at DESC) FILTER (WHERE s.id IS NOT NULL))[1] AS latest_status
FROM users u
CROSS JOIN exercises e
LEFT JOIN submissions s ON s.user_id = u.id AND s.exercise_id = e.id
WHERE u.role = 'learner'
GROUP BY u.id, e.id;

-- BLOCK select_learners
SELECT u.id, u.login, u.name, u.avatar_url, u.created_at, u.last_seen_at,
       (SELECT max(s.created_at) FROM submissions s WHERE s.user_id = u.id) AS last_submitted_at,
       (SELECT count(*) FROM submissions s WHERE s.user_id = u.id)::int AS submission_count
FROM users u
WHERE u.role = 'learner'
ORDER BY last_submitted_at DESC NULLS LAST, u.login;

-- BLOCK select_recent_submissions
SELECT s.id, s.exercise_id, s.status, s.score, s.max_score, s.commit_sha, s.created_at, s.error_message,
       u.login, e.phase
FROM submissions s
JOIN users u ON u.id = s.user_id
JOIN exercises e ON e.id = s.exercise_id
ORDER BY s.created_at DESC
LIMIT $limit;
