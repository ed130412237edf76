-- BLOCK upsert_result
INSERT INTO results (submission_id, status, cause, message, score, max_score, execution_time_ms, tests, app_log, warnings, diagnosis)
VALUES ($submission_id, $status, $cause, $message, $score, $max_score, $execution_time_ms, $tests, $app_log, $warnings, $diagnosis)
ON CONFLICT (submission_id) DO UPDATE
SET status = EXCLUDED.status, cause = EXCLUDED.cause, message = EXCLUDED.message, score = EXCLUDED.score, max_score = EXCLUDED.max_score,
    execution_time_ms = EXCLUDED.execution_time_ms, tests = EXCLUDED.tests, app_log = EXCLUDED.app_log,
    warnings = EXCLUDED.warnings, diagnosis = EXCLUDED.diagnosis, updated_at = now();

-- BLOCK select_result
SELECT * FROM results WHERE submission_id = $submission_id;
