#!/usr/bin/env bash
# Start the assistant: action server (5055, localhost only), Rasa server (5005, REST channel)
# and the clinic chat page (8080), each under supervisord (scripts/supervise.sh), which starts a
# part again when it crashes. Sets up and trains first when needed. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory train
exec scripts/supervise.sh
