#!/usr/bin/env bash
# ansible-test on a copy of the collection at .build/ansible-test/ansible_collections/backupops/jobs
# (ansible-test needs that path), offline and with the venv's Python:
#   scripts/ansible-test.sh sanity [options]    every sanity test
#   scripts/ansible-test.sh units [options]     tests/unit, each test in a forked process
# ansible-test fetches a pip bootstrap script from a host this machine may not reach, so a stand-in
# that bootstraps pip with ensurepip is put in its cache first. Needs the environment of scripts/setup.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COPY=$ROOT/.build/ansible-test/ansible_collections/backupops/jobs
command=${1:?sanity or units}
shift

pip_version=$(python - <<'PY'
import inspect, re
from ansible_test._internal import python_requirements
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(python_requirements.get_venv_packages)).group(1))
PY
)
cache=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
if [ ! -s "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  cat >"$cache" <<'PY'
# Offline stand-in for pip's get-pip.py, written by backupops.jobs scripts/ansible-test.sh.
import subprocess
import sys

arguments = [argument for argument in sys.argv[1:] if argument not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + arguments)
PY
fi

rm -rf "$COPY"
mkdir -p "$COPY"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$COPY")
cd "$COPY"
git init -q && git add -A
python_version=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
exec ansible-test "$command" --local --python "$python_version" --color no "$@"
