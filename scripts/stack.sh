#!/usr/bin/env bash
# `make stack`: the production processes of compose.yaml, without containers, against the machine's PostgreSQL and
# NATS. Settings come from the environment as in production; the defaults below suit a development machine.
# Ctrl+C (or SIGTERM) stops every process.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
export MOTCUA_STORE=postgres
export POSTGRES_HOST=${POSTGRES_HOST:-127.0.0.1} POSTGRES_PORT=${POSTGRES_PORT:-5432} POSTGRES_DBNAME=${POSTGRES_DBNAME:-test}
export POSTGRES_USER=${POSTGRES_USER:-postgres} POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-}
export POSTGRES_SCHEMA=${POSTGRES_SCHEMA:-stack} MOTCUA_READ_SCHEMA=${MOTCUA_READ_SCHEMA:-stack_read}
export MOTCUA_DATA_DIR=${MOTCUA_DATA_DIR:-var/stack}
export MOTCUA_SECRET_KEY=${MOTCUA_SECRET_KEY:-stack-development-secret-key-0123456789}
export MOTCUA_DATA_KEY=${MOTCUA_DATA_KEY:-ZGV2ZWxvcG1lbnQtZGF0YS1rZXktMzItYnl0ZXMhISE=}  # development only
export MOTCUA_EVENT_MAC_KEY=${MOTCUA_EVENT_MAC_KEY:-development-event-mac-key}  # development only
export MOTCUA_PROJECTIONS=external MOTCUA_NOTIFICATIONS=external MOTCUA_BUS=nats
API_PORTS=${STACK_API_PORTS:-"8000 8001"}
mkdir -p "$MOTCUA_DATA_DIR"
PGPASSWORD=$POSTGRES_PASSWORD psql -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$POSTGRES_DBNAME" \
  -c "CREATE SCHEMA IF NOT EXISTS \"$POSTGRES_SCHEMA\"" >/dev/null

pids=()
start() {  # name, command...
  local name=$1; shift
  "$@" > >(sed -u "s/^/[$name] /") 2>&1 &
  pids+=($!)
}
stop() {
  trap - INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 40); do  # up to 20 s to finish what they are doing, then no more waiting
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM

healthy() { (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /health HTTP/1.0\r\n\r\n' >&3 && grep -q '"ok"' <&3) 2>/dev/null; }
first=1
for port in $API_PORTS; do
  # The first replica creates the development PKI and the demo data; the others start once it answers,
  # so no two processes write those files at the same time.
  start "api:$port" env MOTCUA_API_PORT="$port" MOTCUA_DEMO=$first "$PY" -m api
  if [ $first -eq 1 ]; then
    for _ in $(seq 1 240); do healthy "$port" && break; sleep 0.5; done
    healthy "$port" || { echo "stack: the first API did not start" >&2; stop; exit 1; }
  fi
  first=0
done
start projections "$PY" -m projections run --poll 0.2
# The console SMS of this development stack keeps its texts (OTP codes) for the first API's demo page, never the log.
start notifications env MOTCUA_DEMO=1 "$PY" -m infrastructure.notifications run --poll 1
start scheduler "$PY" -m infrastructure.scheduler run
start devices "$PY" -m infrastructure.device_consumer
[ -f "${MOTCUA_AUDIT_KEY_FILE:-${MOTCUA_DATA_DIR:-var}/audit/checkpoint-key.pem}" ] || "$PY" -m infrastructure.audit keygen  # development: a first key, once
start chainer "$PY" -m infrastructure.audit chain --follow
echo "stack: API on ports $API_PORTS (the first also runs the demo kiosk Q6-01 over NATS, screen on :8100), schemas $POSTGRES_SCHEMA / $MOTCUA_READ_SCHEMA; Ctrl+C stops everything"
wait
