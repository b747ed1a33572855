#!/usr/bin/env bash
# Start one part of the assistant in the foreground: actions | rasa | web.
# The one place the three commands are written down: supervisord (deploy/supervisord.conf.in,
# started by `make run`) and the systemd units (deploy/systemd/) both run this script, so a
# clinic's server runs exactly what `make run` runs. `exec` hands the process id to the part
# itself, so the supervisor signals (and restarts) the real server, not a shell around it.
# Settings come from the environment (deploy/systemd/backpain.env.example lists them); the
# defaults are `make run`'s.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VENV_BIN:-.venv/bin}
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
# The page's origin, the only one Rasa's CORS allows (config/clinic.yml web_origin).
WEB_ORIGIN=${WEB_ORIGIN:-$($bin/python -m actions.check_config --print web_origin)}
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export PYTHONDONTWRITEBYTECODE=1

case "${1:-}" in
  actions)
    # Localhost only: the action server is reached by the Rasa server, never from outside. In a
    # container the Rasa server is another host: the image sets ACTION_HOST=0.0.0.0 and the
    # container network (nothing publishes the port) keeps it private.
    SANIC_HOST=${ACTION_HOST:-127.0.0.1} exec $bin/rasa run actions --port "$ACTION_PORT" \
      --cors "$WEB_ORIGIN"
    ;;
  rasa)
    args=(--port "$RASA_PORT" --credentials "${CREDENTIALS:-var/credentials.yml}"
      --endpoints "${ENDPOINTS:-endpoints.yml}" --cors "$WEB_ORIGIN")
    # Tests pin a model; otherwise Rasa loads the newest in models/.
    if [ -n "${RASA_MODEL:-}" ]; then args+=(--model "$RASA_MODEL"); fi
    # Rasa's HTTP API only with a token. The token stays in the environment: this script is what
    # the supervisor's config names, so no secret is written into a config file on disk.
    if [ -n "${RASA_API_TOKEN:-}" ]; then args+=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
    exec $bin/rasa run "${args[@]}"
    ;;
  web)
    exec $bin/python scripts/serve_web.py --host "${WEB_HOST:-127.0.0.1}" --port "$WEB_PORT" \
      --rasa-url "http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook"
    ;;
  *)
    echo "usage: scripts/start_part.sh actions|rasa|web" >&2
    exit 2
    ;;
esac
