"""The backup_jobs event source end to end: ansible-rulebook loads it from the installed collection, the
example rulebook runs its playbook once for two polls whose token is refused (throttled) and once for a failed job
of the emulator, logs the retry of a broken connection once, and the run shuts down cleanly. PYTHONPATH is empty,
as for a user: the plugin finds the collection's module_utils from where it is installed.

The example rulebook is used as shipped, but for one action added to its job_failed rule: shutdown, which
bounds the run (ansible-rulebook's embedded JVM ends the process on a signal, so a signal would not show
whether the source stops cleanly); and for report_existing, as the emulator's failed job ended before the start."""

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from conftest import COLLECTION_ROOT, ansible_env
from emulator.control import EmulatorProcess

RULEBOOK = os.path.join(COLLECTION_ROOT, 'extensions', 'eda', 'rulebooks', 'backup_alerts.yml')
ALERT_PLAYBOOK = '''
- name: Write the event the rule saw
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the event
      ansible.builtin.copy:
        content: "{{ ansible_eda.event | to_json }}"
        dest: "%s/{{ ansible_eda.event.meta.uuid }}.json"
        mode: "0600"
'''
# The Dynamics jobs of the emulator's fresh tenant: a success at the top, and one failed backup job in the last
# day (seed 'backupops'), so the check passes and the failed job is the only event a rule acts on.
DYNAMICS_BACKUP, DYNAMICS_FAILED = 1, 4

pytestmark = pytest.mark.skipif(shutil.which('java') is None,
                                reason='ansible-rulebook needs a Java 17 runtime (Debian: openjdk-17-jre-headless), '
                                       'and java is not on PATH')


def failed_dynamics_jobs(emulator):
    since = datetime.now(timezone.utc) - timedelta(hours=24)
    return [job['jobId'] for job in emulator.jobs('dynamics', tenant='fresh')
            if job['type'] == DYNAMICS_BACKUP and job['status'] == DYNAMICS_FAILED
            and datetime.fromisoformat(job['finishTime'].replace('Z', '+00:00')) >= since]


def test_refused_credentials_and_a_failed_job_each_run_the_alert_playbook_once_and_the_run_stops_cleanly(tmp_path):
    with open(RULEBOOK) as handle:
        rulebook = yaml.safe_load(handle)
    [job_failed] = [rule for rule in rulebook[0]['rules'] if rule['condition'] == 'event.backup.type == "job_failed"']
    job_failed['actions'] = [job_failed.pop('action'), dict(shutdown=dict(message='the test saw its event'))]
    rulebook[0]['sources'][0]['backupops.jobs.backup_jobs']['report_existing'] = True
    (tmp_path / 'rulebook.yml').write_text(yaml.safe_dump(rulebook))
    events = tmp_path / 'events'
    events.mkdir()
    (tmp_path / 'alert.yml').write_text(ALERT_PLAYBOOK % events)
    (tmp_path / 'inventory.yml').write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
    with EmulatorProcess(tmp_path / 'emulator', '--tenants', 'fresh=fresh', '--jobs', 24) as emulator:
        failed = failed_dynamics_jobs(emulator)
        assert len(failed) == 1, 'the seeded data changed: %s' % failed
        # Two polls whose token is refused, then a listing whose first answer is too late and is retried.
        emulator.fault('/connect/token', 401, count=2)
        emulator.fault('/dynamicsbackup/jobs', delay=2.5, count=1)
        info = emulator.info
        avepoint = dict(api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
                        client_id=info['tenants']['fresh']['client_id'],
                        client_secret=info['tenants']['fresh']['client_secret'], timeout=1)
        variables = dict(backup_checks=[dict(name='Dynamics', source='dynamics', filters=dict(job_type='backup'),
                                             accept=['success', 'warning'])],
                         backup_avepoint=avepoint, backup_vb365={}, backup_poll_interval=1,
                         backup_alert_playbook=str(tmp_path / 'alert.yml'))
        (tmp_path / 'vars.yml').write_text(json.dumps(variables))
        started = datetime.now()
        run = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-rulebook'), '-r', 'rulebook.yml',
                              '-i', 'inventory.yml', '--vars', 'vars.yml', '-v'],
                             env=ansible_env(dict(PYTHONPATH='')), cwd=str(tmp_path), capture_output=True, text=True,
                             timeout=180,
                             check=False)
        seconds = (datetime.now() - started).total_seconds()
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-5000:]
    seen = sorted((json.loads(path.read_text())['backup'] for path in events.iterdir()),
                  key=lambda event: event['type'])
    assert [event['type'] for event in seen] == ['job_failed', 'source_error'], seen
    assert seen[0] == dict(type='job_failed', check='Dynamics', source='dynamics', job=dict(
        seen[0]['job'], id=failed[0], kind='backup', outcome='failed')), seen
    assert seen[1]['check'] == 'Dynamics' and 'HTTP 401' in seen[1]['message'], seen
    retries = [line for line in output.splitlines() if 'retr' in line.lower()]
    assert len(retries) == 1, retries
    assert 'backupops.jobs.backup_jobs - INFO - stopped' in output
    assert 'Traceback' not in output
    assert avepoint['client_secret'] not in output + ''.join(path.read_text() for path in events.iterdir())
    print('ansible-rulebook ran %.1f s' % seconds)
