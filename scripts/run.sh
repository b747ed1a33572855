#!/usr/bin/env bash
# Start the assistant: action server (5055, localhost only), Rasa server (5005, REST channel)
# and the clinic chat page (8080). Sets up and trains first when needed. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
bin=.venv/bin

make --no-print-directory train
mkdir -p var
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
  for _ in $(seq 1 180); do
    if curl -fs -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "The $name failed to start; see the messages above." >&2; exit 1; fi
    sleep 1
  done
  echo "The $name did not answer within 3 minutes." >&2; exit 1
}

# The action server checks the study file and the clinic settings before it starts.
$bin/python -m actions.check_config
SANIC_HOST=127.0.0.1 $bin/rasa run actions --port "$ACTION_PORT" --cors "$($bin/python -m actions.check_config --print web_origin)" &
pids+=($!)
wait_for "action server" "http://127.0.0.1:$ACTION_PORT/health" "${pids[-1]}"

# Only the channels whose secrets are set (credentials.yml -> var/credentials.yml); prints which.
$bin/python scripts/credentials.py
# Rasa's HTTP API (trackers, model, ...) only with a token; without it only the channels answer.
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then
  api_args=(--enable-api --auth-token "$RASA_API_TOKEN")
  echo "Rasa HTTP API: on (every request needs ?token=\$RASA_API_TOKEN)"
else
  echo "Rasa HTTP API: off (set RASA_API_TOKEN to enable it)"
fi
$bin/rasa run --port "$RASA_PORT" --credentials var/credentials.yml --endpoints endpoints.yml \
  --cors "$($bin/python -m actions.check_config --print web_origin)" "${api_args[@]}" &
pids+=($!)
wait_for "Rasa server" "http://127.0.0.1:$RASA_PORT/" "${pids[-1]}"

if [ -f scripts/serve_web.py ]; then
  $bin/python scripts/serve_web.py --port "$WEB_PORT" --rasa-url "http://localhost:$RASA_PORT/webhooks/rest/webhook" &
  pids+=($!)
fi

cat <<MSG

The assistant is running.
  Chat in the browser:   http://localhost:$WEB_PORT
  REST channel:          curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  Terminal chat:         make shell   (in another terminal)
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
