#!/bin/sh
# simple-git runs this as its git binary: git runs in a session (so a process group) of its own,
# and the whole group (git-remote-http, fetch-pack, index-pack…) ends when git ends or when this
# script is stopped (simple-git sends SIGINT on abort and timeout). An interrupted git otherwise
# leaves its helpers running; one blocked on a server that never answers lives forever
# (measured with git 2.39).
setsid git "$@" &
pid=$!
trap 'kill -KILL -"$pid" 2>/dev/null; exit 130' INT TERM HUP
wait "$pid"
status=$?
kill -KILL -"$pid" 2>/dev/null
exit "$status"
