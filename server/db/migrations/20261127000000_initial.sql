-- Platform schema: people, the exercises loaded from exercises/, submissions and their results.
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  login       text NOT NULL UNIQUE,
  name        text,
  avatar_url  text,
  github_id   text UNIQUE,
  role        text NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'instructor')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE exercises (
  id           text PRIMARY KEY,
  phase        integer NOT NULL,
  title        text NOT NULL,
  summary      text NOT NULL DEFAULT '',
  points       integer NOT NULL,
  pass_mark    integer NOT NULL,
  gradable     boolean NOT NULL,
  brief_md     text NOT NULL,
  front_matter jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE submissions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       bigint NOT NULL REFERENCES users(id),
  exercise_id   text NOT NULL REFERENCES exercises(id),
  repo_url      text NOT NULL,
  ref           text,
  subdir        text,
  source        text NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'webhook', 'cli')),
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'scored', 'error')),
  stage         text NOT NULL DEFAULT 'queued',
  commit_sha    text,
  error_message text,
  score         numeric,
  max_score     numeric,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX submissions_user_exercise_idx ON submissions (user_id, exercise_id, created_at DESC);
CREATE INDEX submissions_status_idx ON submissions (status) WHERE status IN ('queued', 'running');

-- One row per stage a submission went through, so the slow stage is visible.
CREATE TABLE submission_stages (
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  stage         text NOT NULL CHECK (stage IN ('queued', 'cloning', 'installing', 'building', 'starting', 'testing', 'scored', 'error')),
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  detail        text,
  PRIMARY KEY (submission_id, stage)
);

-- The validated results.json of a submission; upserted by submission id so a retry never duplicates.
CREATE TABLE results (
  submission_id     uuid PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
  status            text NOT NULL CHECK (status IN ('scored', 'error')),
  message           text,
  score             numeric NOT NULL DEFAULT 0,
  max_score         numeric NOT NULL DEFAULT 0,
  execution_time_ms integer,
  tests             jsonb NOT NULL DEFAULT '[]',
  app_log           text,
  warnings          jsonb NOT NULL DEFAULT '[]',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
