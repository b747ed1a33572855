#!/usr/bin/env bash
# Create .venv with a Python that Rasa 3.6 supports and install the locked dependencies.
# Does nothing when .venv already holds exactly what requirements.in and requirements.lock ask for.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
stamp="$venv/.installed"
lock_files="requirements.in pyproject.toml"
[ -f requirements.lock ] && lock_files="$lock_files requirements.lock"
# shellcheck disable=SC2086
want=$(cat $lock_files | sha256sum | cut -c1-16)

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

python=$(scripts/find_python.sh)
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)'; then
  echo "setup: creating $venv with $python"
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
echo "setup: installing dependencies (first time takes a minute or two)"
# setuptools pinned: it builds the editable install below, and Rasa 3.6 still imports its
# pkg_resources, which later setuptools releases drop.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<25" wheel "setuptools==70.3.0"
if [ -f requirements.lock ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.in -c requirements.lock
else
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.in
fi
# The project itself, editable, so that scripts and tests import its packages (pyproject.toml).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
echo "$want" > "$stamp"
echo "setup: done ($("$venv/bin/rasa" --version 2>/dev/null | grep -m1 'Rasa Version' | tr -s ' '))"
