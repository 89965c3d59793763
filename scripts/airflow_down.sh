#!/usr/bin/env bash
# Stop the Airflow started by airflow_up.sh: SIGTERM to its process group, SIGKILL after 30 s.
set -euo pipefail
source "$(dirname "$0")/airflow_env.sh"
if [ ! -f "$PIDFILE" ]; then
  echo "airflow: not running (no $PIDFILE)"
  exit 0
fi
pid=$(cat "$PIDFILE")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 30); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 -- "-$pid" 2>/dev/null; then
    echo "airflow: still running after 30 s, killing process group $pid" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
fi
rm -f "$PIDFILE"
echo "airflow: stopped"
