#!/usr/bin/env bash
# Start the same Airflow under CeleryExecutor: Redis (127.0.0.1:6379) as broker, PostgreSQL
# (127.0.0.1:5432, trust auth) as metadata DB and result backend, and the API server,
# scheduler, DAG processor and Celery worker(s) as separate processes in one process group.
# Stop with scripts/airflow_down.sh. Settings: scripts/airflow_env.sh plus the ones below.
# BAOKAN_CELERY_WORKERS=N starts N worker processes (default 1), each as its own Celery node
# with AIRFLOW__CELERY__WORKER_CONCURRENCY slots (default 2): what N machines would run.
set -euo pipefail
export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
source "$(dirname "$0")/airflow_env.sh"
umask 077  # the password file, airflow.db and the logs Airflow creates: owner-only
DB=${BAOKAN_CELERY_DB:-airflow_celery}
PG=postgresql+psycopg://postgres@127.0.0.1:5432/$DB
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=$PG
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=$PG  # psycopg 3 is async too: no asyncpg needed
export AIRFLOW__CELERY__BROKER_URL=${AIRFLOW__CELERY__BROKER_URL:-redis://127.0.0.1:6379/${BAOKAN_REDIS_DB:-5}}
export AIRFLOW__CELERY__RESULT_BACKEND=db+$PG
export AIRFLOW__CELERY__WORKER_CONCURRENCY=${AIRFLOW__CELERY__WORKER_CONCURRENCY:-2}
export BAOKAN_CELERY_WORKERS=${BAOKAN_CELERY_WORKERS:-1}
# A queue of our own, so a shared Redis never hands this worker someone else's tasks.
export AIRFLOW__OPERATORS__DEFAULT_QUEUE=${AIRFLOW__OPERATORS__DEFAULT_QUEUE:-baokan}
mkdir -p "$AIRFLOW_HOME" "$BAOKAN_DATA_DIR"
baokan_private_files
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "airflow: already running (pid $(cat "$PIDFILE"))"
  exit 0
fi
if [ "${BAOKAN_CELERY_RESET:-0}" = 1 ]; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
fi
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB"
airflow db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 \
  || { tail -30 "$AIRFLOW_HOME/migrate.log" >&2; exit 1; }
baokan_pools
log=$AIRFLOW_HOME/celery-stack.log
setsid bash -c '
  airflow api-server >"$AIRFLOW_HOME/api-server.log" 2>&1 &
  airflow scheduler >"$AIRFLOW_HOME/scheduler.log" 2>&1 &
  airflow dag-processor >"$AIRFLOW_HOME/dag-processor.log" 2>&1 &
  if [ "$BAOKAN_CELERY_WORKERS" = 1 ]; then
    airflow celery worker --queues "$AIRFLOW__OPERATORS__DEFAULT_QUEUE" \
      >"$AIRFLOW_HOME/celery-worker.log" 2>&1 &
  else
    # Several nodes on one machine: each needs its own node name and pid file (the default
    # pid file would make the second one exit as "already running").
    for i in $(seq 1 "$BAOKAN_CELERY_WORKERS"); do
      airflow celery worker --queues "$AIRFLOW__OPERATORS__DEFAULT_QUEUE" \
        --celery-hostname "$AIRFLOW__OPERATORS__DEFAULT_QUEUE-$i@%h" \
        --pid "$AIRFLOW_HOME/airflow-worker-$i.pid" \
        >"$AIRFLOW_HOME/celery-worker-$i.log" 2>&1 &
    done
  fi
  wait' >"$log" 2>&1 </dev/null &
echo $! >"$PIDFILE"
url=http://127.0.0.1:$BAOKAN_AIRFLOW_PORT
workers_ready() {  # every worker's log says "ready"
  local logs=("$AIRFLOW_HOME/celery-worker.log") f
  [ "$BAOKAN_CELERY_WORKERS" = 1 ] || logs=("$AIRFLOW_HOME"/celery-worker-*.log)
  [ "$BAOKAN_CELERY_WORKERS" = 1 ] || [ "${#logs[@]}" = "$BAOKAN_CELERY_WORKERS" ] || return 1
  for f in "${logs[@]}"; do grep -q "ready" "$f" 2>/dev/null || return 1; done
}
for _ in $(seq 1 ${BAOKAN_AIRFLOW_WAIT:-240}); do
  if curl -fsS "$url/api/v2/monitor/health" 2>/dev/null | grep -q '"scheduler":{"status":"healthy"' \
     && [ -s "$PASSWORD_FILE" ] && workers_ready; then
    echo "airflow (celery): up on $url (pid $(cat "$PIDFILE"), logs in $AIRFLOW_HOME)"
    baokan_private_files
    echo "airflow: user admin, password in $PASSWORD_FILE"
    exit 0
  fi
  sleep 1
done
echo "airflow (celery): not healthy after ${BAOKAN_AIRFLOW_WAIT:-240}s; logs in $AIRFLOW_HOME" >&2
tail -5 "$AIRFLOW_HOME"/*.log >&2
exit 1
