#!/usr/bin/env bash
# Prepare this machine for the demo and the tests, from nothing: a virtual environment with a maintained
# ansible-core and every test tool, and the collection visible to Ansible as backupops.jobs.
#   scripts/setup.sh            the main environment: the newest ansible-core, on the newest Python 3.12+
#   scripts/setup.sh --oldest   the oldest ansible-core meta/runtime.yml claims (test-requirements-oldest.txt),
#                               with the lower bounds of requirements.txt, on a Python 3.10 to 3.12; in
#                               $BACKUPOPS_VENV-oldest. Exits 3 when the machine has no such Python.
#   scripts/setup.sh --importer galaxy-importer alone (test-requirements-importer.txt), in $BACKUPOPS_VENV-importer:
#                               its pins (attrs<24 among them) conflict with the main environment's tools.
# Every version comes from the environment's lock (test-constraints.txt, -oldest.txt, -importer.txt), so a
# commit installs the same tools next month; `make lock` refreshes the locks from the newest releases.
# Safe to run again: it reinstalls only when a requirements file or a lock changed.
# Prints the environment to source: eval "$(scripts/setup.sh)".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${BACKUPOPS_VENV:-$ROOT/.venv}
BUILD=$ROOT/.build
COLLECTIONS=$BUILD/collections

say() { echo "setup: $*" >&2; }

case "${1:-}" in
"")
  # ansible-core 2.20+ needs a controller Python of 3.12 or newer.
  PYTHONS="3.14 3.13 3.12"
  TEST_REQUIREMENTS=$ROOT/test-requirements.txt
  LOCK=$ROOT/test-constraints.txt ;;
--oldest)
  # ansible-core 2.17 runs on a controller Python of 3.10 to 3.12.
  PYTHONS="3.12 3.11 3.10"
  VENV=$VENV-oldest
  TEST_REQUIREMENTS=$ROOT/test-requirements-oldest.txt
  LOCK=$ROOT/test-constraints-oldest.txt ;;
--importer)
  PYTHONS="3.14 3.13 3.12"
  VENV=$VENV-importer
  TEST_REQUIREMENTS=$ROOT/test-requirements-importer.txt
  LOCK=$ROOT/test-constraints-importer.txt ;;
*) echo "usage: $0 [--oldest | --importer]" >&2; exit 2 ;;
esac
# scripts/lock.sh sets this to build an environment from the newest releases, to freeze into a lock.
UNLOCKED=${BACKUPOPS_UNLOCKED:-}

in_range() {
  local version
  version=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
  case " $PYTHONS " in *" $version "*) return 0 ;; esac
  return 1
}

# Newest version first; for each, the one on PATH, then pyenv's (a pyenv shim for a version it lacks fails).
pick_python() {
  local minor candidate
  for minor in $PYTHONS; do
    if command -v "python$minor" >/dev/null 2>&1 && in_range "$(command -v "python$minor")"; then
      command -v "python$minor"; return
    fi
    if command -v pyenv >/dev/null 2>&1; then
      for candidate in $(find "$(pyenv root)/versions" -mindepth 1 -maxdepth 1 -name "$minor.*" 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/bin/python3" ] && in_range "$candidate/bin/python3"; then
          echo "$candidate/bin/python3"; return
        fi
      done
    fi
  done
  if command -v python3 >/dev/null 2>&1 && in_range "$(command -v python3)"; then
    command -v python3; return
  fi
  if [ "${1:-}" != --oldest ]; then
    say "no Python 3.12 or newer found; using python3, which gets an older ansible-core"
    command -v python3; return
  fi
  return 1
}

# The oldest environment tests the modules' own requirements at the lower bounds users may have.
lower_bounds() {
  sed -E -e '/^[[:space:]]*(#|$)/d' -e 's/>=([^,;[:space:]]+).*/==\1/' "$ROOT/requirements.txt"
}

stamp() {
  { echo "${1:-} ${UNLOCKED}"; cat "$ROOT/requirements.txt" "$TEST_REQUIREMENTS"; [ -n "$UNLOCKED" ] || cat "$LOCK"; } \
    | sha256sum | cut -c1-16
}

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.backupops-stamp" 2>/dev/null)" != "$(stamp "${1:-}")" ]; then
  if ! PYTHON=$(pick_python "${1:-}"); then
    say "no Python ${PYTHONS// /, } found (on PATH or in pyenv) for the oldest supported ansible-core"
    exit 3
  fi
  [ -n "$UNLOCKED" ] || [ -s "$LOCK" ] || { say "$LOCK is missing; make lock writes it"; exit 1; }
  say "creating $VENV with $("$PYTHON" --version 2>&1)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  requirements=(-r "$TEST_REQUIREMENTS")
  imports="ansible, flask, pytest, requests, cryptography"
  case "${1:-}" in
  --oldest)
    lower_bounds > "$VENV/requirements-lower-bounds.txt"
    requirements+=(-r "$VENV/requirements-lower-bounds.txt") ;;
  # The importer lints and packages the collection without running its code: none of requirements.txt.
  --importer) imports="ansible, galaxy_importer" ;;
  *) requirements+=(-r "$ROOT/requirements.txt") ;;
  esac
  constraints=()
  [ -n "$UNLOCKED" ] || constraints=(-c "$LOCK")
  pip_quiet() {
    { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1; } \
      | { grep -v "^WARNING: Location" || true; } >&2
  }
  if ! pip_quiet --upgrade "${constraints[@]}" pip || ! pip_quiet "${constraints[@]}" "${requirements[@]}" \
      || ! "$VENV/bin/python" -c "import $imports"; then
    say "installing the requirements failed${constraints[*]:+ (with the versions pinned in $LOCK; if a requirements file changed, make lock refreshes it)}"
    exit 1
  fi
  stamp "${1:-}" > "$VENV/.backupops-stamp"
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
# Molecule keeps its state under ~/.ansible/tmp in a folder named after the checkout's base name: two checkouts
# named alike (CI's clones) would share it, and one's scenarios would run on the other's emulator.
export MOLECULE_EPHEMERAL_DIRECTORY="$BUILD/molecule-state"
ENV
