#!/usr/bin/env bash
# Start Airflow standalone (scheduler, DAG processor, triggerer, API server on 127.0.0.1) in
# the background with this project's DAGs; wait until the API answers. Stop: airflow_down.sh.
set -euo pipefail
source "$(dirname "$0")/airflow_env.sh"
umask 077  # the password file, airflow.db and the logs Airflow creates: owner-only
mkdir -p "$AIRFLOW_HOME" "$BAOKAN_DATA_DIR"
baokan_private_files
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "airflow: already running (pid $(cat "$PIDFILE")) on http://127.0.0.1:$BAOKAN_AIRFLOW_PORT"
  exit 0
fi
# The metadata DB first, so the DuckDB load pool exists before the scheduler sees any task.
airflow db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 \
  || { tail -30 "$AIRFLOW_HOME/migrate.log" >&2; exit 1; }
baokan_pools
# Own process group, so airflow_down.sh stops every component and nothing else.
setsid airflow standalone >"$AIRFLOW_HOME/standalone.log" 2>&1 </dev/null &
echo $! >"$PIDFILE"
url=http://127.0.0.1:$BAOKAN_AIRFLOW_PORT
for _ in $(seq 1 ${BAOKAN_AIRFLOW_WAIT:-180}); do
  if curl -fsS "$url/api/v2/monitor/health" 2>/dev/null | grep -q '"scheduler":{"status":"healthy"' \
     && [ -s "$PASSWORD_FILE" ]; then
    echo "airflow: up on $url (pid $(cat "$PIDFILE"), log $AIRFLOW_HOME/standalone.log)"
    baokan_private_files
    echo "airflow: user admin, password in $PASSWORD_FILE"
    exit 0
  fi
  if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "airflow: standalone exited; last lines of $AIRFLOW_HOME/standalone.log:" >&2
    tail -30 "$AIRFLOW_HOME/standalone.log" >&2
    exit 1
  fi
  sleep 1
done
echo "airflow: $url not healthy after ${BAOKAN_AIRFLOW_WAIT:-180}s; see $AIRFLOW_HOME/standalone.log" >&2
exit 1
