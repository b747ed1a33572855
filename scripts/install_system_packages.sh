#!/usr/bin/env bash
# Debian packages beyond Python: supervisor, which `make run` runs the assistant under (it starts
# a crashed part again); chromium for the web page's browser test; PostgreSQL and Redis for the
# scale-out tests; nginx in front of the scaled-out Rasa servers.
# Run as root (CI does, through .ci/run). Installs only what is missing.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v curl >/dev/null 2>&1 || needed+=(curl)
# supervisord and supervisorctl (scripts/supervise.sh, and the tests that kill its parts).
command -v supervisord >/dev/null 2>&1 || needed+=(supervisor)
# PostgreSQL and Redis for the scale-out tests (tests/services.py starts throw-away servers).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || needed+=(postgresql)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
# nginx in front of the Rasa servers (make run-scaled, tests/e2e/test_nginx_scale_out.py); it
# runs as a child of those, not as the system service the package also installs.
command -v nginx >/dev/null 2>&1 || needed+=(nginx)
if [ ${#needed[@]} -gt 0 ]; then
  echo "installing Debian packages: ${needed[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
