#!/usr/bin/env bash
# Run the assistant's three parts (action server, Rasa server, chat page) under supervisord, in
# the foreground: a part that crashes is started again, Ctrl-C stops all three.
# scripts/run.sh (`make run`) trains first and then runs this; tests run it directly on their
# own ports and folder. Settings (environment):
#   RASA_PORT (5005) ACTION_PORT (5055) WEB_PORT (8080)  ports
#   RUN_DIR (var)  supervisord's config, socket and pid file; logs in $RUN_DIR/log
#   ENDPOINTS (endpoints.yml)  RASA_API_TOKEN (unset: no HTTP API)  RASA_MODEL (newest in models/)
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_PORT=${RASA_PORT:-5005}
export ACTION_PORT=${ACTION_PORT:-5055}
export WEB_PORT=${WEB_PORT:-8080}
RUN_DIR=$(realpath -m "${RUN_DIR:-var}")
LOG_DIR=$RUN_DIR/log
bin=.venv/bin

if ! command -v supervisord >/dev/null 2>&1; then
  echo "supervisord is not installed: run scripts/install_system_packages.sh as root" \
    "(Debian's supervisor package)." >&2
  exit 1
fi
# var/ holds the default tracker store (endpoints.yml: var/tracker.db) whatever RUN_DIR is.
mkdir -p var "$RUN_DIR" "$LOG_DIR"
if [ -S "$RUN_DIR/supervisor.sock" ] && supervisorctl -c "$RUN_DIR/supervisord.conf" pid >/dev/null 2>&1; then
  echo "The assistant is already running from $RUN_DIR (make status; Ctrl-C in its terminal stops it)." >&2
  exit 1
fi

# The study file, the clinic settings and the safety patterns are checked before anything starts:
# a broken file is reported once here, not by a part restarting ten times.
$bin/python -m actions.check_config
export WEB_ORIGIN=${WEB_ORIGIN:-$($bin/python -m actions.check_config --print web_origin)}
echo "Safety contacts (emergency number, crisis line, same-day advice) are for: $($bin/python -m actions.check_config --print contacts_country). Edit config/clinic.yml for another country."
# Only the channels whose secrets are set (credentials.yml -> credentials file); prints which.
export CREDENTIALS=${CREDENTIALS:-$RUN_DIR/credentials.yml}
$bin/python scripts/credentials.py --output "$CREDENTIALS"
if [ -n "${RASA_API_TOKEN:-}" ]; then
  echo "Rasa HTTP API: on (every request needs ?token=\$RASA_API_TOKEN)"
else
  echo "Rasa HTTP API: off (set RASA_API_TOKEN to enable it)"
fi

# endpoints.yml names the action server on port 5055; with another ACTION_PORT the Rasa server
# gets a copy that names that port (an ENDPOINTS file given is used as it is).
if [ -z "${ENDPOINTS:-}" ]; then
  export ENDPOINTS=endpoints.yml
  if [ "$ACTION_PORT" != 5055 ]; then
    export ENDPOINTS=$RUN_DIR/endpoints.yml
    $bin/python - endpoints.yml "$ENDPOINTS" "http://127.0.0.1:$ACTION_PORT/webhook" <<'PY'
import sys, yaml
endpoints = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
endpoints["action_endpoint"] = {"url": sys.argv[3]}
open(sys.argv[2], "w", encoding="utf-8").write(yaml.safe_dump(endpoints, sort_keys=False))
PY
  fi
fi

# The config from its template; the token and other secrets stay in the environment.
PROJECT_ROOT=$PWD RUN_DIR=$RUN_DIR LOG_DIR=$LOG_DIR $bin/python - deploy/supervisord.conf.in \
  "$RUN_DIR/supervisord.conf" <<'PY'
import os, string, sys
template = string.Template(open(sys.argv[1], encoding="utf-8").read())
names = {name: os.environ[name] for name in ("PROJECT_ROOT", "RUN_DIR", "LOG_DIR")}
open(sys.argv[2], "w", encoding="utf-8").write(template.substitute(names))
PY

cat <<MSG

The assistant is starting under supervisord (the Rasa server needs about a minute to load).
  Chat in the browser:   http://localhost:$WEB_PORT
  REST channel:          curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  Is every part up?      make status        Logs: $LOG_DIR/
A part that stops is started again. Press Ctrl-C to stop everything.
MSG
exec supervisord -n -c "$RUN_DIR/supervisord.conf"
