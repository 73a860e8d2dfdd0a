#!/usr/bin/env bash
# Refresh the locks of the test environments (make lock): for each, a throwaway environment from the newest
# releases its requirement files allow, frozen into its lock:
#   test-constraints.txt          scripts/setup.sh: requirements.txt + test-requirements.txt
#   test-constraints-oldest.txt   scripts/setup.sh --oldest: test-requirements-oldest.txt + the lower bounds
#                                 of requirements.txt
#   test-constraints-importer.txt scripts/setup.sh --importer: test-requirements-importer.txt
# Run it when a requirements file changes, or to move the tools to newer releases; commit the locks once
# make test passes with them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

lock() {
  local option=$1 lock=$2 venv=$work/venv
  [ -z "$option" ] || venv=$venv-${option#--}
  BACKUPOPS_VENV=$work/venv BACKUPOPS_UNLOCKED=1 "$ROOT/scripts/setup.sh" "$option" >/dev/null
  {
    echo "# Written by make lock (scripts/lock.sh) on $("$venv/bin/python" --version 2>&1): every package of the"
    echo "# environment of scripts/setup.sh${option:+ $option}, pinned. Do not edit; run make lock to refresh it."
    "$venv/bin/python" -m pip freeze --all --disable-pip-version-check
  } > "$lock.new"
  mv "$lock.new" "$lock"
  echo "lock: wrote $lock ($(grep -c '==' "$lock") packages)" >&2
}

lock "" "$ROOT/test-constraints.txt"
lock --oldest "$ROOT/test-constraints-oldest.txt"
lock --importer "$ROOT/test-constraints-importer.txt"
