-- Issue 10 §3: the one reason most checks failed or grading stopped, with the fix
-- ({ id, cause, title, message } from worker/diagnosis/), shown at the top of the result.
ALTER TABLE results ADD COLUMN diagnosis jsonb;
