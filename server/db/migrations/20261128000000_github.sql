-- GitHub: a learner links one repository; each phase is tracked on a branch (and optionally a
-- subdirectory); pushes arrive as webhook deliveries, recorded once by GitHub's delivery id.
CREATE TABLE repo_links (
  id             bigserial PRIMARY KEY,
  user_id        bigint NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  -- owner/name as GitHub spells it; matched case-insensitively (GitHub names are).
  repo_full_name text NOT NULL,
  webhook_secret text NOT NULL,
  -- Set when the platform created the webhook itself through the API.
  github_hook_id bigint,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
-- One learner per repository: a push must name exactly one learner to grade.
CREATE UNIQUE INDEX repo_links_repo_idx ON repo_links (lower(repo_full_name));

CREATE TABLE repo_link_phases (
  link_id     bigint NOT NULL REFERENCES repo_links(id) ON DELETE CASCADE,
  exercise_id text NOT NULL REFERENCES exercises(id),
  branch      text NOT NULL,
  subdir      text,
  PRIMARY KEY (link_id, exercise_id)
);

CREATE TABLE webhook_deliveries (
  delivery_id text PRIMARY KEY,
  event       text NOT NULL,
  repo        text,
  outcome     text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- A webhook submission names the commit to grade (the pushed head), and may wait for the
-- learner's cooldown: not_before is when it may start. github_status_at records the last
-- commit status reported, so a retry of the report is visible.
ALTER TABLE submissions
  ADD COLUMN link_id bigint REFERENCES repo_links(id) ON DELETE SET NULL,
  ADD COLUMN not_before timestamptz,
  ADD COLUMN github_status text;

-- "Grade again" on a submission page makes a submission of its own.
ALTER TABLE submissions DROP CONSTRAINT submissions_source_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_source_check CHECK (source IN ('web', 'webhook', 'cli', 'regrade'));
