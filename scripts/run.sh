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
# shellcheck source=scripts/processes.sh
source scripts/processes.sh

# The study file, the clinic settings and the safety patterns are checked before anything starts.
$bin/python -m actions.check_config
web_origin=$($bin/python -m actions.check_config --print web_origin)
echo "Safety contacts (emergency number, crisis line, same-day advice) are for: $($bin/python -m actions.check_config --print contacts_country). Edit config/clinic.yml for another country."
SANIC_HOST=127.0.0.1 $bin/rasa run actions --port "$ACTION_PORT" --cors "$web_origin" &
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
  --cors "$web_origin" "${api_args[@]}" &
pids+=($!)
wait_for "Rasa server" "http://127.0.0.1:$RASA_PORT/" "${pids[-1]}"

$bin/python scripts/serve_web.py --port "$WEB_PORT" --rasa-url "http://localhost:$RASA_PORT/webhooks/rest/webhook" &
pids+=($!)

cat <<MSG

The assistant is running.
  Chat in the browser:   http://localhost:$WEB_PORT
  REST channel:          curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  Terminal chat:         make shell   (in another terminal)
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
