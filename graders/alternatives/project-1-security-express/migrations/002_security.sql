-- Phase 3: accounts created by Google sign-in have no password; Google's stable id is kept.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN google_sub text UNIQUE;

-- Failed logins per email (lower-cased), whether or not an account has that email.
CREATE TABLE login_failures (
  email_key text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  locked_until timestamptz
);
