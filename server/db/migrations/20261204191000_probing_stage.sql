-- Issue 10 §4: an exercise's probes (e.g. revert every migration, then apply them again) run as a
-- stage of their own, `probing`, between building and starting.
ALTER TABLE submission_stages DROP CONSTRAINT submission_stages_stage_check;
ALTER TABLE submission_stages ADD CONSTRAINT submission_stages_stage_check
  CHECK (stage IN ('queued', 'cloning', 'installing', 'building', 'probing', 'starting', 'testing', 'scored', 'error'));
