#!/usr/bin/env bash
# Print the path of a Python 3.8-3.10 interpreter (what Rasa 3.6 supports), or explain
# what to install and exit 1. Looks at $PYTHON, then python3.10/3.9/3.8 on PATH, then
# every interpreter pyenv has installed (pyenv's shims only answer for the active version).
set -u
ok() { "$1" -c 'import sys, venv; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for v in 3.10 3.9 3.8; do
  command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
done
pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for v in 3.10 3.9 3.8; do
  for p in $(ls -d "$pyenv_root"/versions/"$v".*/bin/python"$v" 2>/dev/null | sort -rV); do candidates+=("$p"); done
done
for c in "${candidates[@]}"; do
  if ok "$c"; then
    # Resolve pyenv shims to the real interpreter so the venv does not depend on the shim.
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.8, 3.9 or 3.10 was found, and Rasa 3.6 needs one of them.
Install one, for example:
  pyenv install 3.10.13          (then run this again; pyenv versions need not be active)
  apt-get install python3.10 python3.10-venv     (where your distribution has it)
or point PYTHON at an interpreter:  make PYTHON=/path/to/python3.10 test
MSG
exit 1
