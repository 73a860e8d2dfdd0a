#!/usr/bin/env bash
# Every test of the collection, from nothing: set-up, pytest (unit, module and integration tests against
# the emulator, which the tests start themselves), the molecule scenarios of the backup_gate role
# (extensions/molecule; the default scenario starts and stops the emulator), ansible-lint, and
# ansible-test sanity.
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

run_part pytest python -m pytest -p no:cacheprovider tests/unit tests/integration
run_part molecule molecule test --all
run_part ansible-lint ansible-lint --offline --profile production
if command -v shellcheck >/dev/null 2>&1; then
  run_part sanity scripts/sanity.sh
else
  run_part sanity scripts/sanity.sh --skip-test shellcheck
  results+=("NOTE  shellcheck is not installed, so its sanity test was skipped (Debian: apt-get install shellcheck)")
fi

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
! printf '%s\n' "${results[@]}" | grep -q '^FAIL'
