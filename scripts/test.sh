#!/usr/bin/env bash
# Every test of the collection, from nothing: set-up, ansible-test units (tests/unit: module_utils and
# the modules run in-process against the emulator, which the tests start themselves), pytest
# (tests/integration: ansible-playbook, the role, packaging, secrets), the molecule scenarios of the
# backup_gate role (extensions/molecule; the default scenario starts and stops the emulator),
# ansible-lint, the documentation as antsibull-docs builds it (scripts/docs.sh), galaxy-importer on the built
# tarball (scripts/galaxy-importer.sh, in an environment of its own), and ansible-test sanity; then the unit
# tests and the gate's playbook tests again on the oldest ansible-core the collection claims, in an environment
# of its own (scripts/test-oldest.sh).
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
run_part docs scripts/docs.sh check
run_part galaxy-importer scripts/galaxy-importer.sh
if command -v shellcheck >/dev/null 2>&1; then
  run_part sanity scripts/ansible-test.sh sanity
else
  run_part sanity scripts/ansible-test.sh sanity --skip-test shellcheck
  results+=("NOTE  shellcheck is not installed, so its sanity test was skipped (Debian: apt-get install shellcheck)")
fi

echo "=== oldest-ansible: scripts/test-oldest.sh"
started=$SECONDS
scripts/test-oldest.sh
case $? in
0) results+=("PASS  oldest-ansible ($((SECONDS - started)) s)") ;;
3)
  # CI sets BACKUPOPS_REQUIRE_OLDEST: there the oldest ansible-core must be tested.
  if [ -n "${BACKUPOPS_REQUIRE_OLDEST:-}" ]; then
    results+=("FAIL  oldest-ansible: no Python 3.10 to 3.12 for ansible-core 2.17")
  else
    results+=("NOTE  oldest-ansible did not run: no Python 3.10 to 3.12 (on PATH or in pyenv) for ansible-core 2.17, so the oldest supported ansible-core was not tested")
  fi ;;
*) results+=("FAIL  oldest-ansible ($((SECONDS - started)) s)") ;;
esac

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
! printf '%s\n' "${results[@]}" | grep -q '^FAIL'
