#!/usr/bin/env bash
# Every test of the collection, from nothing: set-up, ansible-test units (tests/unit: module_utils and
# the modules run in-process against the emulator, which the tests start themselves), pytest
# (tests/integration: ansible-playbook, the role, packaging, secrets), the molecule scenarios of the
# backup_gate role (extensions/molecule; the default scenario starts and stops the emulator),
# ansible-lint, and ansible-test sanity.
# Exits non-zero if any part fails; prints a line per part at the end.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
eval "$(scripts/setup.sh)" || { echo "test: set-up failed" >&2; exit 1; }
# Logs (CI) read better without colour codes.
[ -t 1 ] || export NO_COLOR=1 PY_COLORS=0

results=()
run_part() {
  local name=$1; shift
  echo "=== $name: $*"
  local started=$SECONDS
  if "$@"; then
    results+=("PASS  $name ($((SECONDS - started)) s)")
  else
    results+=("FAIL  $name ($((SECONDS - started)) s)")
  fi
}

run_part units scripts/ansible-test.sh units
run_part integration python -m pytest -p no:cacheprovider -n 2 tests/integration
run_part molecule molecule test --all
run_part ansible-lint ansible-lint --offline --profile production
if command -v shellcheck >/dev/null 2>&1; then
  run_part sanity scripts/ansible-test.sh sanity
else
  run_part sanity scripts/ansible-test.sh sanity --skip-test shellcheck
  results+=("NOTE  shellcheck is not installed, so its sanity test was skipped (Debian: apt-get install shellcheck)")
fi

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
! printf '%s\n' "${results[@]}" | grep -q '^FAIL'
