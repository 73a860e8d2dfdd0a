#!/usr/bin/env bash
# The tests on the oldest ansible-core meta/runtime.yml claims, in its own environment (scripts/setup.sh
# --oldest: ansible-core 2.17 with the lower bounds of requirements.txt): the unit tests (tests/unit, with
# pytest) and the gate's playbook tests (tests/integration/test_backup_gate.py: passing, blocked and
# no-verdict runs through the gate callback, the enforced gate and the report, against the emulator), and
# that the environment is its lock (tests/integration/test_version_matrix.py).
# The newest ansible-core is tested by the other parts of scripts/test.sh.
# Exits 3, having run nothing, when the machine has no Python 3.10 to 3.12 for that ansible-core.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
environment=$(scripts/setup.sh --oldest) || exit $?
eval "$environment"
python -c 'from ansible.release import __version__; print("oldest-ansible: ansible-core", __version__)'
exec python -m pytest -p no:cacheprovider tests/unit tests/integration/test_backup_gate.py \
  tests/integration/test_version_matrix.py
