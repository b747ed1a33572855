# Sourced by scripts/run_scaled.sh (`make run` runs supervisord instead): start servers, wait
# for them, and stop every one of them on Ctrl-C, on an error, or when one of them exits.
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the assistant..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

wait_for() {  # wait_for NAME URL PID: until the URL answers, or the process dies (4 minutes at most)
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 240); do
    # -k: a check on this machine, whose certificate may be a self-signed one.
    if curl -fsk -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "The $name failed to start; see the messages above." >&2; exit 1; fi
    sleep 1
  done
  echo "The $name did not answer within 4 minutes." >&2; exit 1
}
