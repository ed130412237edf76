#!/bin/bash
# PostgreSQL + Redis for one grading pod. Contract with the worker (docker/README.md):
#   user postgres (uid 999), read-only root, tmpfs on /tmp and /run/postgresql, no network but loopback.
#   env POSTGRES_SUPERUSER_PASSWORD (required), APP_DB_PASSWORD (required), APP_DB_USER (app), APP_DB_NAME (app).
#   PostgreSQL on 127.0.0.1:5432 (scram), Redis on 127.0.0.1:6379; /tmp/ready once both accept connections.
set -euo pipefail
started_ms=$(date +%s%3N)
say() { echo "[services] $*"; }
fail() { echo "[services] error: $*" >&2; exit 1; }

: "${POSTGRES_SUPERUSER_PASSWORD:?POSTGRES_SUPERUSER_PASSWORD must be set}"
: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set}"
APP_DB_USER=${APP_DB_USER:-app}
APP_DB_NAME=${APP_DB_NAME:-app}
PGDATA=${PGDATA:-/tmp/postgres}
[ "$APP_DB_USER" != postgres ] || fail "APP_DB_USER must not be the superuser"
[ -w /tmp ] || fail "/tmp must be a writable tmpfs"
[ -w /run/postgresql ] || fail "/run/postgresql must be a writable tmpfs"
rm -f /tmp/ready

postgres_pid=
redis_pid=
stop_all() {
  [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null || true
  # SIGINT = PostgreSQL's fast shutdown.
  [ -n "$postgres_pid" ] && kill -INT "$postgres_pid" 2>/dev/null || true
  wait || true
}
trap 'stop_all; exit 0' TERM INT

# Redis first: it is up in milliseconds, while PostgreSQL starts. No persistence at all.
redis-server --bind 127.0.0.1 --port 6379 --protected-mode yes --save '' --appendonly no \
  --dir /tmp --daemonize no --logfile '' --loglevel warning &
redis_pid=$!

# The cluster was made at build time (same binaries, C.UTF-8, UTF8); copying it into the tmpfs is
# much faster than initdb. Its roles have no password yet, so nothing can log in over TCP until
# the passwords below are set through the unix socket (peer authentication, this OS user only).
cp -a /usr/share/backendpro/pgtemplate "$PGDATA"
chmod 0700 "$PGDATA"
postgres -D "$PGDATA" &
postgres_pid=$!

for _ in $(seq 1 300); do
  pg_isready -q -h /run/postgresql -p 5432 && break
  kill -0 "$postgres_pid" 2>/dev/null || fail "PostgreSQL exited during start"
  sleep 0.05
done
pg_isready -q -h /run/postgresql -p 5432 || fail "PostgreSQL did not start within 15 s"

psql -X -q -v ON_ERROR_STOP=1 -h /run/postgresql -U postgres -d postgres \
  -v su_pw="$POSTGRES_SUPERUSER_PASSWORD" -v app_user="$APP_DB_USER" -v app_pw="$APP_DB_PASSWORD" -v app_db="$APP_DB_NAME" <<'SQL'
ALTER ROLE postgres PASSWORD :'su_pw';
CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_pw';
CREATE DATABASE :"app_db" OWNER :"app_user";
SQL
psql -X -q -v ON_ERROR_STOP=1 -h /run/postgresql -U postgres -d "$APP_DB_NAME" -v app_user="$APP_DB_USER" <<'SQL'
ALTER SCHEMA public OWNER TO :"app_user";
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
SQL

for _ in $(seq 1 100); do
  [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] && break
  kill -0 "$redis_pid" 2>/dev/null || fail "Redis exited during start"
  sleep 0.05
done
[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] || fail "Redis did not answer within 5 s"
pg_isready -q -h 127.0.0.1 -p 5432 || fail "PostgreSQL does not accept TCP connections on 127.0.0.1:5432"

touch /tmp/ready
say "ready in $(( $(date +%s%3N) - started_ms )) ms: postgres 127.0.0.1:5432 (database $APP_DB_NAME, role $APP_DB_USER), redis 127.0.0.1:6379"

# Whichever server stops first ends the container (and the other with it).
set +e
wait -n
status=$?
say "a server exited ($status); stopping"
stop_all
exit "$status"
