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

# shellcheck source=scripts/processes.sh
source scripts/processes.sh

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
