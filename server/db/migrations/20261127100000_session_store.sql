-- Sessions of the web server (connect-pg-simple's own schema). Created here, never by the store,
-- so the server's database role needs no CREATE privilege and tests build it like everything else.
CREATE TABLE session (
  sid    varchar NOT NULL COLLATE "default" PRIMARY KEY,
  sess   json NOT NULL,
  expire timestamp(6) NOT NULL
);
CREATE INDEX session_expire_idx ON session (expire);
