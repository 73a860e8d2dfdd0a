"""The backup_jobs event source end to end: ansible-rulebook loads it from the installed collection, the
example rulebook's rule runs a playbook for a failed job of the emulator, and the run shuts down cleanly.
PYTHONPATH is empty, as for a user: the plugin finds the collection's module_utils from where it is installed.

The example rulebook is used as shipped, but for one action added to its job_failed rule: shutdown, which
bounds the run (ansible-rulebook's embedded JVM ends the process on a signal, so a signal would not show
whether the source stops cleanly)."""

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
        dest: "%s"
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


def test_a_failed_job_becomes_an_event_a_rule_runs_a_playbook_and_the_run_stops_cleanly(tmp_path):
    with open(RULEBOOK) as handle:
        rulebook = yaml.safe_load(handle)
    [job_failed] = [rule for rule in rulebook[0]['rules'] if rule['condition'] == 'event.backup.type == "job_failed"']
    job_failed['actions'] = [job_failed.pop('action'), dict(shutdown=dict(message='the test saw its event'))]
    (tmp_path / 'rulebook.yml').write_text(yaml.safe_dump(rulebook))
    event_file = tmp_path / 'event.json'
    (tmp_path / 'alert.yml').write_text(ALERT_PLAYBOOK % event_file)
    (tmp_path / 'inventory.yml').write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
    with EmulatorProcess(tmp_path / 'emulator', '--tenants', 'fresh=fresh', '--jobs', 24) as emulator:
        failed = failed_dynamics_jobs(emulator)
        assert len(failed) == 1, 'the seeded data changed: %s' % failed
        info = emulator.info
        avepoint = dict(api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
                        client_id=info['tenants']['fresh']['client_id'],
                        client_secret=info['tenants']['fresh']['client_secret'])
        variables = dict(backup_checks=[dict(name='Dynamics', source='dynamics', filters=dict(job_type='backup'),
                                             accept=['success', 'warning'])],
                         backup_avepoint=avepoint, backup_vb365={}, backup_poll_interval=3600,
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
    event = json.loads(event_file.read_text())
    assert event['backup'] == dict(type='job_failed', check='Dynamics', source='dynamics', job=dict(
        event['backup']['job'], id=failed[0], kind='backup', outcome='failed')), event
    assert 'backupops.jobs.backup_jobs - INFO - stopped' in output
    assert 'Traceback' not in output
    assert avepoint['client_secret'] not in output + event_file.read_text()
    print('ansible-rulebook ran %.1f s' % seconds)
