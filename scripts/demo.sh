#!/usr/bin/env bash
# The main job on the embedded emulator: the pre-change backup check, once for a change whose sources
# all have a recent backup (it passes) and once for a change across three tenants, one stale and one
# whose backups failed (it is blocked, and says why); then the HTML report of backup health, a per-item gate, and a
# gate that takes a backup before judging (refresh).
# Sets itself up; stops the emulator at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
eval "$(scripts/setup.sh)"
state=$ROOT/.build/demo-emulator
trap 'scripts/emulator.sh stop "$state"' EXIT
# --owner-pid: the emulator ends with this script even when it is killed before its trap can run.
scripts/emulator.sh start "$state" --owner-pid $$ --tenants contoso=fresh,fabrikam=stale,northwind=failed >/dev/null
# ansible-core 2.21 with cryptography 51 warns "DSA is deprecated" at every start, from its own SSH-agent code; it
# is nothing the demo's reader can act on, so only that warning is left out (a later entry of the list wins).
export PYTHONWARNINGS="${PYTHONWARNINGS:+$PYTHONWARNINGS,}ignore:DSA is deprecated"
# The collection's stdout callback prints the gate's verdicts rather than every task (README: Playbooks).
export BACKUPOPS_EMULATOR=$state ANSIBLE_STDOUT_CALLBACK=backupops.jobs.gate
check=(ansible-playbook backupops.jobs.pre_change_backup_check -i examples/emulator/inventory.yml
       -e @examples/emulator/checks.yml -e backup_gate_hosts=tenants)

echo "demo: emulator running (state in $state); checks in examples/emulator/checks.yml:"
echo "demo:   Dynamics 365, IaaS + PaaS, Gmail (warnings accepted) and Exchange Online (VB365), each within 24 h."
echo "demo: three tenants, each with its own AvePoint data and its own VB365 server (examples/emulator/inventory.yml):"
echo "demo:   contoso    healthy: a backup every 2 h on every source, the newest 30 min ago"
echo "demo:   fabrikam   stale: no job of any kind for 36 h, older ones succeeded"
echo "demo:   northwind  failing: every backup of the last 48 h failed, VB365 included"
echo
echo "demo: 1. a change on tenant contoso, whose backups are all recent"
"${check[@]}" --limit contoso
echo
echo "demo: 2. a change across all three tenants"
status=0
out=$state/blocked-run.txt
"${check[@]}" >"$out" 2>&1 || status=$?
cat "$out"
if [ "$status" != 2 ]; then
  echo "demo: the gate should have blocked a stale and a failing tenant (exit code 2), not exited $status" >&2
  exit 1
fi
verdict=$(grep '^BACKUP GATE ' "$out" | tail -n 1)
echo "demo: exit code 2: the change must not start"
echo
echo "demo: 3. the backup health report of the three tenants"
report=$ROOT/.build/backup-report.html
ansible-playbook backupops.jobs.backup_report -i examples/emulator/inventory.yml -e @examples/emulator/checks.yml \
  -e backup_gate_hosts=tenants -e backup_report_path="$report"
echo
echo "demo: 4. offboarding two leavers on contoso (examples/emulator/offboarding.yml): each one's mailbox and OneDrive"
echo "demo:    must be backed up within 24 h - a per-item check (source vb365_item), not a per-job one"
items_status=0
ansible-playbook backupops.jobs.pre_change_backup_check -i examples/emulator/inventory.yml \
  -e @examples/emulator/offboarding.yml -e backup_gate_hosts=tenants --limit contoso || items_status=$?
if [ "$items_status" != 2 ]; then
  echo "demo: the gate should have blocked Alex Wilber's offboarding (his OneDrive is stale), not exited $items_status" >&2
  exit 1
fi
echo "demo: exit code 2: Alex Wilber's account must not be removed yet"
echo
echo "demo: 5. a change on fabrikam, taking a backup first (examples/emulator/take_a_backup.yml): its Exchange job last"
echo "demo:    succeeded 36 h ago, so the gate starts it (job_session), waits for it, and judges again"
ansible-playbook backupops.jobs.pre_change_backup_check -i examples/emulator/inventory.yml \
  -e @examples/emulator/take_a_backup.yml -e backup_gate_hosts=tenants --limit fabrikam
echo
echo "demo: open the report in a browser: $report"
# The demo ends on its verdict, the gate's closing line of the change across all three tenants.
echo "demo: the change across all three tenants: $verdict (exit code $status)"
