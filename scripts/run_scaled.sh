#!/usr/bin/env bash
# Start the assistant scaled out: one action server (5055) and RASA_SERVERS Rasa servers
# (5005, 5006, ...) sharing one PostgreSQL (conversations) and one Redis (conversation locks).
# PostgreSQL and Redis must already be running; settings come from DB_* and REDIS_* (see
# docs/scaling.md). Put any HTTP load balancer in front of the Rasa servers: every server can
# take any message of any conversation. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
RASA_SERVERS=${RASA_SERVERS:-2}
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
bin=.venv/bin
endpoints=var/endpoints.scaled.yml

case "$RASA_SERVERS" in ''|*[!0-9]*|0) echo "RASA_SERVERS must be a whole number of at least 1" >&2; exit 2;; esac
make --no-print-directory train
mkdir -p var
# Writes the endpoints file from DB_*/REDIS_* and checks both services answer before any start.
$bin/python scripts/scaled_endpoints.py --output "$endpoints" --check

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the assistant..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

wait_for() {  # wait_for NAME URL PID: until the URL answers, or the process dies
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 240); do
    if curl -fs -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "The $name failed to start; see the messages above." >&2; exit 1; fi
    sleep 1
  done
  echo "The $name did not answer within 4 minutes." >&2; exit 1
}

$bin/python -m actions.check_config
web_origin=$($bin/python -m actions.check_config --print web_origin)
SANIC_HOST=127.0.0.1 $bin/rasa run actions --port "$ACTION_PORT" --cors "$web_origin" &
pids+=($!)
wait_for "action server" "http://127.0.0.1:$ACTION_PORT/health" "${pids[-1]}"

$bin/python scripts/credentials.py
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
ports=()
for ((i = 0; i < RASA_SERVERS; i++)); do
  port=$((RASA_PORT + i))
  $bin/rasa run --port "$port" --credentials var/credentials.yml --endpoints "$endpoints" \
    --cors "$web_origin" "${api_args[@]}" > "var/rasa-$port.log" 2>&1 &
  pids+=($!)
  ports+=("$port")
done
for ((i = 0; i < RASA_SERVERS; i++)); do
  wait_for "Rasa server on port ${ports[$i]} (log: var/rasa-${ports[$i]}.log)" \
    "http://127.0.0.1:${ports[$i]}/" "${pids[$((i + 1))]}"
done

cat <<MSG

The assistant is running scaled out: $RASA_SERVERS Rasa servers on ports ${ports[*]}
(logs in var/rasa-<port>.log), conversations in PostgreSQL, locks in Redis.
  Try:  curl -s localhost:${ports[0]}/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
