#!/usr/bin/env bash
# The main job on the embedded emulator: the pre-change backup check, once for a change whose sources
# all have a recent backup (it passes) and once for a change across three tenants, one stale and one
# whose backups failed (it is blocked, and says why); then the HTML report of backup health.
# Sets itself up; stops the emulator at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
eval "$(scripts/setup.sh)"
state=$ROOT/.build/demo-emulator
trap 'scripts/emulator.sh stop "$state"' EXIT
scripts/emulator.sh start "$state" --tenants contoso=fresh,fabrikam=stale,northwind=failed >/dev/null
export BACKUPOPS_EMULATOR=$state ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
check=(ansible-playbook backupops.jobs.pre_change_backup_check -i examples/emulator/inventory.yml
       -e @examples/emulator/checks.yml -e backup_gate_hosts=tenants)

echo "demo: emulator running (state in $state); checks in examples/emulator/checks.yml"
echo
echo "demo: 1. a change on tenant contoso, whose backups are all recent"
"${check[@]}" --limit contoso
echo
echo "demo: 2. a change across contoso, fabrikam (no backup for 36 h) and northwind (backups failing)"
if "${check[@]}"; then
  echo "demo: the gate let a stale and a failing tenant through; that is a bug" >&2
  exit 1
fi
echo
echo "demo: 3. the backup health report of the three tenants"
report=$ROOT/.build/backup-report.html
ansible-playbook backupops.jobs.backup_report -i examples/emulator/inventory.yml -e @examples/emulator/checks.yml \
  -e backup_gate_hosts=tenants -e backup_report_path="$report" >/dev/null
echo
echo "demo: the gate passed tenant contoso and blocked fabrikam and northwind, with the reasons above."
echo "demo: report written to $report (open it in a browser)"
