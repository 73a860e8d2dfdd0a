"""The backup_gate role's refresh, through ansible-playbook against the emulator: a check with ``refresh: true`` that
fails only because its newest success is too old gets a backup (job_session) and is judged again.

Every test has a VB365 tenant of its own, since a backup taken makes its tenant fresh; the plans and faults of the
start route apply to every server of the emulator, so a test that sets them clears them after it.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from emulator.control import EmulatorProcess

TENANTS = ('refreshed=stale,check_mode=stale,start_failed=stale,start_refused=stale,failed=failed,'
           'timed_out=stale,mixed=stale')
EXCHANGE = dict(name='Exchange', source='vb365', filters=dict(job_name='Exchange daily'), refresh=True)
TAKEN = re.compile(r'backup taken before judging \(session ([0-9a-f-]{36}), success\); newest success is [\d.]+ h old')


@pytest.fixture(scope='module')
def emulator(tmp_path_factory):
    with EmulatorProcess(tmp_path_factory.mktemp('refresh-emulator'), '--tenants', TENANTS, '--vb365-shape', 'stale',
                         '--vb365-start-seconds', '2') as running:
        yield running


@pytest.fixture
def clean(emulator):
    """The emulator as it started: no faults, no plans of starts, an empty request log."""
    emulator.clear()
    yield emulator
    emulator.clear()


def gate(ansible_run, emulator, tmp_path, tenant, checks, *extra, env=None):
    """ansible-playbook running the backup_gate role for ``tenant`` (its own VB365 server) with ``checks``, its files
    for CI in ``tmp_path``; (the run, the JUnit and the Markdown written)."""
    variables = dict(backup_gate_checks=checks, backup_gate_vb365=emulator.vb365_connection(tenant=tenant),
                     backup_gate_junit_path=str(tmp_path / 'gate.xml'),
                     backup_gate_markdown_path=str(tmp_path / 'gate.md'),
                     backup_gate_prometheus_path=str(tmp_path / 'gate.prom'))
    inventory = tmp_path / 'inventory.json'
    inventory.write_text(json.dumps(dict(tenants=dict(hosts={tenant: variables}))))
    play = tmp_path / 'gate.yml'
    play.write_text(PLAY % tmp_path)
    return ansible_run('ansible-playbook', '-i', inventory, play, *extra, env=env, as_read=env is not None)


PLAY = '''
- hosts: tenants
  gather_facts: false
  tasks:
    - block:
        - ansible.builtin.include_role:
            name: backupops.jobs.backup_gate
      always:
        - ansible.builtin.copy:
            content: "{{ backup_gate_result | to_json }}"
            dest: "%s/{{ inventory_hostname }}.json"
          delegate_to: localhost
          check_mode: false
'''


def result_of(tmp_path, tenant):
    return json.loads((tmp_path / ('%s.json' % tenant)).read_text())


def starts(emulator):
    return [entry for entry in emulator.requests() if entry['method'] == 'POST' and entry['path'].endswith('/start')]


def test_a_stale_check_with_refresh_passes_after_the_backup_it_took(clean, ansible_run, tmp_path):
    run = gate(ansible_run, clean, tmp_path, 'refreshed', [EXCHANGE])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    [start] = starts(clean)
    result = result_of(tmp_path, 'refreshed')
    [check] = result['checks']
    assert result['passed'] is True and check['passed'] is True, check
    taken = TAKEN.match(check['reason'])
    assert taken, check['reason']
    session = taken.group(1)
    assert check['refreshed']['session_id'] == session and check['refreshed']['outcome'] == 'success'
    assert check['refreshed']['started'] is True and check['refreshed']['failed'] is False
    assert check['refreshed']['end_time'] == check['latest_success']['finish_time'], check['refreshed']
    assert check['latest_success']['id'] == session and check['hours_since_success'] < 0.1
    assert start['path'].startswith('/v8/Jobs/')
    # The role's table, the JUnit and the Markdown say a backup was taken, and its session.
    assert re.search(r'ok +Exchange +vb365 +backup taken before judging \(session %s, success\)' % session,
                     run.stdout), run.stdout[-3000:]
    junit = ET.parse(str(tmp_path / 'gate.xml')).getroot()
    [case] = junit.iter('testcase')
    assert case.get('name') == 'Exchange' and case.find('failure') is None
    assert 'backup taken before judging (session %s' % session in ET.tostring(junit, encoding='unicode')
    # Markdown escapes the parentheses of a reason.
    assert 'backup taken before judging (session %s, success)' % session in (tmp_path / 'gate.md').read_text().replace('\\', '')


def test_check_mode_starts_nothing_and_the_gate_blocks(clean, ansible_run, tmp_path):
    run = gate(ansible_run, clean, tmp_path, 'check_mode', [EXCHANGE], '--check')
    assert run.returncode == 2, run.stdout[-4000:] + run.stderr[-2000:]
    assert starts(clean) == []
    [check] = result_of(tmp_path, 'check_mode')['checks']
    assert check['passed'] is False and check['refreshable'] is True and 'refreshed' not in check, check
    assert check['reason'].startswith('no backup job in the last 24 h; newest success is 3'), check['reason']
    assert 'Backup gate blocked the change: Exchange failed' in run.stdout


def test_a_check_whose_backups_failed_is_not_refreshed(clean, ansible_run, tmp_path):
    run = gate(ansible_run, clean, tmp_path, 'failed', [EXCHANGE])
    assert run.returncode == 2, run.stdout[-4000:] + run.stderr[-2000:]
    assert starts(clean) == []
    [check] = result_of(tmp_path, 'failed')['checks']
    assert check['passed'] is False and check['refreshable'] is False and 'refreshed' not in check, check
    assert re.match(r'last \d+ jobs failed( \([^)]*\))?; newest success is', check['reason']), check['reason']


def test_a_backup_that_ends_failed_shows_in_the_reason_and_blocks(clean, ansible_run, tmp_path):
    clean.plan_starts(plans=[dict(status='Failed', errors=['Mailbox database is offline'])])
    run = gate(ansible_run, clean, tmp_path, 'start_failed', [EXCHANGE])
    assert run.returncode == 2, run.stdout[-4000:] + run.stderr[-2000:]
    assert len(starts(clean)) == 1
    [check] = result_of(tmp_path, 'start_failed')['checks']
    assert check['passed'] is False and check['refreshed']['outcome'] == 'failed', check
    # fail_on_failure: false: the session ended, as the judgement after it says.
    assert check['refreshed']['failed'] is False and check['refreshed']['started'] is True, check
    assert re.match(r'backup taken before judging \(session [0-9a-f-]{36}, failed\); ', check['reason']), check['reason']
    assert 'Backup gate blocked the change: Exchange failed' in run.stdout


def test_a_start_the_server_refuses_shows_in_the_reason_and_blocks(clean, ansible_run, tmp_path):
    job = next(job for job in clean.vb365(tenant='start_refused')['jobs'] if job['name'] == 'Exchange daily')
    clean.fault('/v8/Jobs/%s/start' % job['id'], 403, count=5, content_type='application/json',
                body=json.dumps(dict(message='Access denied to the job', errorCode='AccessDenied')))
    run = gate(ansible_run, clean, tmp_path, 'start_refused', [EXCHANGE])
    assert run.returncode == 2, run.stdout[-4000:] + run.stderr[-2000:]
    [check] = result_of(tmp_path, 'start_refused')['checks']
    assert check['passed'] is False and check['refreshed']['started'] is False, check
    assert check['refreshed']['failed'] is True and check['refreshed']['session_id'] is None, check
    assert check['reason'].startswith('no backup could be taken ('), check['reason']
    assert 'Access denied to the job' in check['reason'] and 'newest success is 3' in check['reason'], check['reason']


def test_a_backup_that_does_not_end_within_refresh_timeout_blocks(clean, ansible_run, tmp_path):
    """The role waits refresh_timeout seconds, not job_session's default hour, and the reason says the backup did
    not end."""
    clean.plan_starts(seconds=120)
    run = gate(ansible_run, clean, tmp_path, 'timed_out', [dict(EXCHANGE, refresh_timeout=3)])
    assert run.returncode == 2, run.stdout[-4000:] + run.stderr[-2000:]
    [check] = result_of(tmp_path, 'timed_out')['checks']
    assert check['passed'] is False and check['refreshed']['failed'] is True, check
    assert check['refreshed']['outcome'] == 'running', check
    assert re.match(r'backup started before judging has not ended within refresh_timeout \(session [0-9a-f-]{36}, '
                    r'running; it goes on in VB365\); no backup job in the last 24 h', check['reason']), check['reason']


def test_only_the_checks_that_ask_are_refreshed_and_a_pipeline_log_says_so(clean, ansible_run, tmp_path):
    """Through the gate callback, as a pipeline's log shows it: the backup taken, the refreshed check passing, the
    stale one without refresh blocking."""
    checks = [EXCHANGE, dict(name='SharePoint', source='vb365', filters=dict(job_name='SharePoint daily'))]
    run = gate(ansible_run, clean, tmp_path, 'mixed', checks, env=dict(ANSIBLE_STDOUT_CALLBACK='backupops.jobs.gate'))
    out = run.stdout
    assert run.returncode == 2, out[-4000:]
    [start] = starts(clean)
    exchange = next(job for job in clean.vb365(tenant='mixed')['jobs'] if job['name'] == 'Exchange daily')
    assert start['path'] == '/v8/Jobs/%s/start' % exchange['id']
    lines = out.splitlines()
    assert ('mixed: changed: backupops.jobs.backup_gate : Take a backup for each check that asks for one and is only '
            'too old') in lines, out
    assert any(re.match(r' +ok +Exchange +vb365 +backup taken before judging \(session [0-9a-f-]{36}, success\); '
                        r'newest success is 0.0 h old', line) for line in lines), out
    assert any(re.match(r' +FAIL +SharePoint +vb365 +no backup job in the last 24 h; newest success is 3', line)
               for line in lines), out
    assert 'mixed: Backup gate blocked the change: SharePoint failed' in lines
    assert lines[-1] == 'BACKUP GATE BLOCKED: mixed blocked', out
