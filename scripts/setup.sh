#!/usr/bin/env bash
# Prepare this machine for the demo and the tests, from nothing: a virtual environment with a maintained
# ansible-core and every test tool, and the collection visible to Ansible as backupops.jobs.
# Safe to run again: it reinstalls only when a requirements file changed.
# Prints the environment to source: eval "$(scripts/setup.sh)".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${BACKUPOPS_VENV:-$ROOT/.venv}
BUILD=$ROOT/.build
COLLECTIONS=$BUILD/collections

say() { echo "setup: $*" >&2; }

version_ok() {  # ansible-core 2.20+ needs a controller Python of 3.12 or newer
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null
}

pick_python() {
  local candidate
  for candidate in python3.14 python3.13 python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && version_ok "$(command -v "$candidate")"; then
      command -v "$candidate"; return
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in $(find "$(pyenv root)/versions" -mindepth 1 -maxdepth 1 -name '3.*' 2>/dev/null | sort -V -r); do
      if [ -x "$candidate/bin/python3" ] && version_ok "$candidate/bin/python3"; then
        echo "$candidate/bin/python3"; return
      fi
    done
  fi
  say "no Python 3.12 or newer found; using python3, which gets an older ansible-core"
  command -v python3
}

stamp() {
  cat "$ROOT/requirements.txt" "$ROOT/test-requirements.txt" | sha256sum | cut -c1-16
}

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.backupops-stamp" 2>/dev/null)" != "$(stamp)" ]; then
  PYTHON=$(pick_python)
  say "creating $VENV with $("$PYTHON" --version 2>&1)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  pip_quiet() { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 | grep -v "^WARNING: Location" >&2 || true; }
  pip_quiet --upgrade pip
  pip_quiet \
    -r "$ROOT/requirements.txt" -r "$ROOT/test-requirements.txt"
  "$VENV/bin/python" -c "import ansible, flask, pytest, requests, cryptography" || { say "installing the requirements failed"; exit 1; }
  stamp > "$VENV/.backupops-stamp"
fi

# Ansible finds collections under ansible_collections/<namespace>/<name>; the repo root is the collection.
mkdir -p "$COLLECTIONS/ansible_collections/backupops"
ln -sfn "$ROOT" "$COLLECTIONS/ansible_collections/backupops/jobs"

cat <<ENV
export PATH="$VENV/bin:\$PATH"
export VIRTUAL_ENV="$VENV"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export PYTHONPATH="$COLLECTIONS:$ROOT/tests\${PYTHONPATH:+:\$PYTHONPATH}"
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_NOCOLOR=1
ENV
