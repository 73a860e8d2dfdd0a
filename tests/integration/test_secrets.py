"""No secret in any output: every module and the role through ansible-playbook -vvvv, on success and on
the failure paths of the fault matrix, with distinctive secret values.

The secrets looked for: the client secret, the VB365 password, deliberately wrong ones, an access token
given by the user, and every access and refresh token the emulator issued during the runs. Each is
searched for in stdout, stderr and the registered results written as JSON.
"""

import json

import pytest
import requests
import yaml

from conftest import record_for_reliability
from emulator.control import EmulatorProcess

pytestmark = pytest.mark.secrets

WRONG_SECRET = 'wrong-secret-7f3a91c2e5d84b06'
WRONG_PASSWORD = 'wrong-password-c81d4e2f9a07'
FORGED_TOKEN = 'forged-token-5e0b7d2a6c1f4398'


@pytest.fixture(scope='module')
def sweep_emulator(tmp_path_factory):
    with EmulatorProcess(tmp_path_factory.mktemp('secrets'), '--jobs', 120) as running:
        yield running


def given_token(emulator):
    """A real token obtained beforehand, as a user would pass it in access_token."""
    client = emulator.info['clients']['secret']
    response = requests.post(emulator.info['token_url'], verify=emulator.info['ca_path'], timeout=10,
                             data=dict(grant_type='client_credentials', scope='gsuite.graph.read.all', **client))
    response.raise_for_status()
    return response.json()['access_token']


SECRET_OPTIONS = ('client_secret', 'password', 'access_token')


def hidden(options, secret_vars):
    """The options with each secret moved into a variable, as playbooks keep them (vault, extra vars).

    ansible-core prints the playbook lines around a failing task; a secret written there literally would
    be the playbook's leak, not the collection's."""
    shown = dict(options)
    for key in SECRET_OPTIONS:
        if key in shown:
            name = 'secret_%d' % len(secret_vars)
            secret_vars[name] = shown[key]
            shown[key] = '{{ %s }}' % name
    return shown


def task(name, module, options, **extra):
    return dict(name=name, register=name, ignore_errors=True, **{'backupops.jobs.' + module: options}, **extra)


def gate(role_vars):
    """The role, included so that its enforcement failure is reported but the play goes on."""
    return {'name': 'gate', 'ansible.builtin.include_role': dict(name='backupops.jobs.backup_gate',
                                                                 apply=dict(ignore_errors=True)), 'vars': role_vars}


def play(emulator, tasks, out):
    names = [entry['name'] for entry in tasks if 'register' in entry]
    dump = {'ansible.builtin.copy': dict(
        content='{{ {%s} | to_json }}' % ', '.join("'%s': %s" % (name, name) for name in names), dest=str(out))}
    return [dict(hosts='localhost', gather_facts=False, tasks=tasks + [dump])]


def without_literal_secrets(tasks, secret_vars):
    shown = []
    for entry in tasks:
        entry = dict(entry)
        for key, value in entry.items():
            if key.startswith('backupops.jobs.'):
                entry[key] = hidden(value, secret_vars)
        if 'vars' in entry:
            entry['vars'] = dict((key, hidden(value, secret_vars) if isinstance(value, dict) else value)
                                 for key, value in entry['vars'].items())
        shown.append(entry)
    return shown


def run_and_collect(ansible_run, tmp_path, emulator, tasks, name):
    out = tmp_path / ('%s.json' % name)
    path = tmp_path / ('%s.yml' % name)
    secret_vars = {}
    path.write_text(yaml.safe_dump(play(emulator, without_literal_secrets(tasks, secret_vars), out), sort_keys=False))
    vars_file = tmp_path / ('%s-secrets.json' % name)
    vars_file.write_text(json.dumps(secret_vars))
    run = ansible_run('ansible-playbook', '-vvvv', '-e', '@%s' % vars_file, path)
    assert out.exists(), run.stdout + run.stderr
    return run, json.loads(out.read_text())


def assert_no_secret(test, emulator, texts, extra_secrets):
    secrets = set(extra_secrets) | set(emulator.issued_tokens())
    secrets |= {emulator.info['clients']['secret']['client_secret'], emulator.info['vb365']['password']}
    assert len(secrets) > 6
    leaks = dict((label, sorted(secret for secret in secrets if secret in text)) for label, text in texts.items())
    record_for_reliability(test, secrets=len(secrets), outputs=len(texts),
                           leaks=sum(len(found) for found in leaks.values()))
    assert [label for label, found in leaks.items() if found] == [], "secrets in the output"


def test_success_paths_print_no_secret(sweep_emulator, ansible_run, tmp_path, request):
    emulator = sweep_emulator
    emulator.clear()
    avepoint, certificate = emulator.avepoint_connection(), emulator.avepoint_connection('certificate')
    token = given_token(emulator)
    tasks = [
        task('dynamics', 'dynamics_backup_job_info', dict(avepoint, start_time='2d')),
        task('vm_certificate', 'vm_backup_job_info', dict(certificate, start_time='2d')),
        task('google_given_token', 'google_backup_job_info', dict(
            api_url=avepoint['api_url'], ca_path=avepoint['ca_path'], access_token=token, start_time='2d')),
        task('vb365_v8_logs', 'job_session_info', dict(emulator.vb365_connection('v8'), limit=2,
                                                       include_log_items=True)),
        task('vb365_v5', 'job_session_info', dict(emulator.vb365_connection('v5'), start_time='1d')),
        gate(dict(backup_gate_avepoint=avepoint, backup_gate_vb365=emulator.vb365_connection('v7'),
                  backup_gate_checks=[dict(name='vm', source='vm'),
                                      dict(name='exchange', source='vb365', filters=dict(job_name='Exchange daily'))])),
    ]
    run, results = run_and_collect(ansible_run, tmp_path, emulator, tasks, 'success')
    for name in ('dynamics', 'vm_certificate', 'google_given_token', 'vb365_v8_logs', 'vb365_v5'):
        assert not results[name].get('failed'), results[name]
    assert 'BACKUP GATE PASSED' in run.stdout and 'Traceback' not in run.stdout + run.stderr
    assert_no_secret(request.node.nodeid, emulator, dict(stdout=run.stdout, stderr=run.stderr,
                                                         results=json.dumps(results)), [token])


def test_failure_paths_print_no_secret(sweep_emulator, ansible_run, tmp_path, request):
    emulator = sweep_emulator
    emulator.clear()
    avepoint = emulator.avepoint_connection()
    foreign = emulator.info['http_url']
    emulator.fault('/backup/google/admin/jobs', 503, count=100)
    emulator.fault('/v8/Jobs', 200, content_type='application/json',
                   body='{"results": [{"id": "a", "name": "A"}], "_links": {"next": {"href": "%s/_emulator/tokens"}}}'
                   % foreign)
    emulator.fault('/v7/JobSessions', reset=True)
    emulator.fault('/v6/JobSessions', delay=3)
    emulator.fault('/backup/vm/jobs', expire_tokens=True, after=1)
    emulator.fault('/v8/JobSessions', expire_tokens=True, after=1)
    emulator.fault('/v5/JobSessions', 200, body='<html><body>Service Unavailable</body></html>')
    # Every VB365 listing reads the server's jobs first, so the throttled API is one no other task here reads.
    emulator.fault('/dynamicsbackup/jobs', 429, count=5, retry_after=30)
    tasks = [
        task('wrong_secret', 'vm_backup_job_info', dict(avepoint, client_secret=WRONG_SECRET)),
        task('forged_token', 'vm_backup_job_info', dict(api_url=avepoint['api_url'], ca_path=avepoint['ca_path'],
                                                        access_token=FORGED_TOKEN)),
        task('wrong_password', 'job_session_info', dict(emulator.vb365_connection('v8'), password=WRONG_PASSWORD)),
        task('persistent_503', 'google_backup_job_info', dict(avepoint, retries=1)),
        task('foreign_link', 'job_session_info', dict(emulator.vb365_connection('v8'), job_name='Exchange daily',
                                                      page_size=1)),
        task('reset', 'job_session_info', dict(emulator.vb365_connection('v7'))),
        task('timeout', 'job_session_info', dict(emulator.vb365_connection('v6'), timeout=1, retries=0)),
        task('renewed_mid_paging', 'vm_backup_job_info', dict(avepoint, start_time='10d', page_size=5)),
        task('refreshed_mid_paging', 'job_session_info', dict(emulator.vb365_connection('v8'), page_size=20)),
        task('html_body', 'job_session_info', dict(emulator.vb365_connection('v5'))),
        task('throttled', 'dynamics_backup_job_info', dict(avepoint, retry_max_wait=5)),
        task('missing_scope', 'vm_backup_job_info', dict(avepoint, **emulator.info['clients']['narrow'])),
        gate(dict(backup_gate_avepoint=dict(avepoint, client_secret=WRONG_SECRET),
                  backup_gate_checks=[dict(name='vm', source='vm')])),
    ]
    run, results = run_and_collect(ansible_run, tmp_path, emulator, tasks, 'failure')
    expected_failures = {'wrong_secret': 'refused', 'forged_token': 'access_token', 'wrong_password': 'refused user',
                         'persistent_503': 'HTTP 503', 'foreign_link': 'not followed', 'reset': 'Connection broken',
                         'timeout': 'timeout=1', 'html_body': 'not JSON', 'throttled': 'HTTP 429',
                         'missing_scope': 'platformbackup.readwrite.all'}
    for name, fragment in expected_failures.items():
        assert results[name].get('failed') and fragment in results[name]['msg'], (name, results[name])
    for name in ('renewed_mid_paging', 'refreshed_mid_paging'):
        assert not results[name].get('failed'), results[name]
    assert 'Backup gate blocked the change: vm failed' in run.stdout
    assert 'Traceback' not in run.stdout + run.stderr
    assert_no_secret(request.node.nodeid, emulator, dict(stdout=run.stdout, stderr=run.stderr,
                                                         results=json.dumps(results)),
                     [WRONG_SECRET, WRONG_PASSWORD, FORGED_TOKEN])
