#!/usr/bin/env bash
# Start the assistant scaled out: nginx (WEB_PORT, 8080) in front of RASA_SERVERS Rasa servers
# (5005, 5006, ... on 127.0.0.1) sharing one PostgreSQL (conversations) and one Redis
# (conversation locks), and one action server (5055). nginx serves the chat page and the charts
# and balances messages over the Rasa servers (deploy/nginx/); the page and Slack talk to nginx
# only. With TLS_CERT and TLS_KEY set, nginx speaks HTTPS on WEB_PORT.
# PostgreSQL and Redis must already be running; settings come from DB_* and REDIS_* (see
# docs/scaling.md). Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
RASA_SERVERS=${RASA_SERVERS:-2}
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
bin=.venv/bin
endpoints=var/endpoints.scaled.yml

case "$RASA_SERVERS" in ''|*[!0-9]*|0) echo "RASA_SERVERS must be a whole number of at least 1" >&2; exit 2;; esac
if ! command -v nginx >/dev/null 2>&1; then
  echo "nginx is not installed: run scripts/install_system_packages.sh as root (Debian's nginx)." >&2
  exit 1
fi
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
  # 127.0.0.1: only nginx reaches the Rasa servers.
  $bin/rasa run --interface 127.0.0.1 --port "$port" --credentials var/credentials.yml --endpoints "$endpoints" \
    --cors "$web_origin" "${api_args[@]}" > "var/rasa-$port.log" 2>&1 &
  pids+=($!)
  ports+=("$port")
done
for ((i = 0; i < RASA_SERVERS; i++)); do
  wait_for "Rasa server on port ${ports[$i]} (log: var/rasa-${ports[$i]}.log)" \
    "http://127.0.0.1:${ports[$i]}/" "${pids[$((i + 1))]}"
done

# nginx in the foreground as a child of this script: its pid file, logs and temporary files are
# in var/nginx, so no system nginx service is involved.
upstreams=()
for port in "${ports[@]}"; do upstreams+=(--upstream "127.0.0.1:$port"); done
tls_args=()
scheme=http
if [ -n "${TLS_CERT:-}" ]; then tls_args=(--tls-cert "$TLS_CERT" --tls-key "${TLS_KEY:?TLS_KEY is needed with TLS_CERT}"); scheme=https; fi
PYTHONPATH=$PWD $bin/python scripts/nginx_config.py --run-dir var/nginx --port "$WEB_PORT" \
  --host "${WEB_HOST:-127.0.0.1}" "${upstreams[@]}" "${tls_args[@]}" >/dev/null
nginx -p var/nginx -c "$PWD/var/nginx/nginx.conf" &
pids+=($!)
wait_for "nginx (log: var/nginx/nginx-error.log)" "$scheme://127.0.0.1:$WEB_PORT/config.json" \
  "${pids[-1]}"

cat <<MSG

The assistant is running scaled out: nginx on $scheme://localhost:$WEB_PORT in front of
$RASA_SERVERS Rasa servers on ports ${ports[*]} (logs in var/rasa-<port>.log, nginx's in
var/nginx/), conversations in PostgreSQL, locks in Redis.
  Chat in the browser:  $scheme://localhost:$WEB_PORT
  REST channel:         curl -s localhost:$WEB_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
