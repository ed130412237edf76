-- BLOCK select_badge
-- The learner's best score on the exercise, and whether a grading is under way.
SELECT
  e.phase,
  e.pass_mark,
  max(CASE WHEN s.status = 'scored' AND s.max_score > 0 THEN s.score / s.max_score * 100 END)::float AS best_percent,
  max(CASE WHEN s.passed THEN s.score / s.max_score * 100 END)::float AS best_passed_percent,
  bool_or(s.status IN ('queued', 'running')) AS grading
FROM users u
JOIN exercises e ON e.id = $exercise_id
LEFT JOIN submissions s ON s.user_id = u.id AND s.exercise_id = e.id
WHERE u.login = lower($login)
GROUP BY e.phase, e.pass_mark;
