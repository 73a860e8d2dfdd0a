#!/usr/bin/env bash
# The main job on the embedded emulator: set up, start the emulator with seeded data, list the recent
# jobs of all three AvePoint sources and print their health, stop the emulator.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
eval "$(scripts/setup.sh)"
state=$ROOT/.build/demo-emulator
trap 'scripts/emulator.sh stop "$state"' EXIT
eval "$(scripts/emulator.sh start "$state")"
echo "demo: emulator listening at $AVEPOINT_API_URL (state in $state)"
ansible-playbook backupops.jobs.recent_jobs "$@"
