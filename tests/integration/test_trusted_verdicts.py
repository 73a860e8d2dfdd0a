"""The gate counts only real backups of exactly what a check names, and no verdict is never a pass.

Each way a gate was once talked into PASSED, tried through the role as a user runs it, against emulator
tenants whose backups all failed while their restores, exports, deletions and backup copies succeeded,
and against a server that ignores the filters it is sent. Every test first shows, from the emulator's
own data, that the trap is really there (a success that is not a backup of the named object lies inside
the window), so a test that passed for want of a trap would fail instead.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from conftest import COLLECTION_ROOT, ansible_env, write_gate_play
from emulator.control import EmulatorProcess

WINDOW_HOURS = 24
VM_SERVICE_OF_TYPE = {1: 1, 2: 1, 4: 1}  # azure_vm_backup, azure_vm_restore, azure_vm_file_level_export


def connection(emulator, tenant='decoy', version='v8'):
    info = emulator.info
    return dict(backup_gate_avepoint=dict(api_url=info['https_url'], identity_url=info['token_url'],
                                          ca_path=info['ca_path'], client_id=info['tenants'][tenant]['client_id'],
                                          client_secret=info['tenants'][tenant]['client_secret'], retries=0),
                backup_gate_vb365=emulator.vb365_connection(version))


def write_inventory(path, emulator, hosts):
    """hosts: {host: (checks, VB365 version)} -> an inventory of group 'gate', each host with its checks and the
    connection, and a host 'bystander' of group 'others' that the gate is not asked to judge."""
    path.write_text(json.dumps(dict(gate=dict(hosts=dict(
        (host, dict(connection(emulator, version=version), backup_gate_checks=checks))
        for host, (checks, version) in hosts.items())), others=dict(hosts=dict(bystander={})))))
    return path


def moment(text):
    return datetime.fromisoformat(text.replace('Z', '+00:00')) if text else None


def finished_in_window(finish):
    now = datetime.now(timezone.utc)
    return finish is not None and now - timedelta(hours=WINDOW_HOURS) <= moment(finish) <= now


def run_gate(ansible_run, work, inventory_path, *extra):
    play = write_gate_play(work, 'gate')
    run = ansible_run('ansible-playbook', '-i', inventory_path, '-f', '8', play, *extra)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run


def checks_of(work, host):
    return dict((check['name'], check) for check in json.loads((work / ('%s.json' % host)).read_text())['checks'])


@pytest.fixture(scope='module')
def decoy_emulator(tmp_path_factory):
    """Every backup of the last 48 h failed; restores, exports, deletions and backup copies succeeded."""
    with EmulatorProcess(tmp_path_factory.mktemp('decoy-emulator'), '--tenants', 'decoy=failed',
                         '--vb365-shape', 'failed') as running:
        yield running


@pytest.fixture(scope='module')
def ignoring_emulator(tmp_path_factory):
    """A server that ignores the filters it is sent; only the Exchange job's backups failed."""
    with EmulatorProcess(tmp_path_factory.mktemp('ignoring-emulator'), '--tenants', 'decoy=failed',
                         '--vb365-job-shapes', 'Exchange daily=failed',
                         '--ignore-filters', 'organizationId,type,jobType,serviceType,appType,jobId') as running:
        yield running


def successful_decoys(emulator, api, tenant='decoy', backup_types=(1,)):
    type_key = 'type' if api == 'dynamics' else 'jobType'
    success = {'dynamics': 3, 'vm': 2, 'google': 2}[api]
    return [job for job in emulator.jobs(api, tenant=tenant)
            if job[type_key] not in backup_types and job['status'] == success and finished_in_window(job['finishTime'])]


@pytest.fixture(scope='module')
def decoy_verdicts(decoy_emulator, tmp_path_factory):
    google_decoy = successful_decoys(decoy_emulator, 'google')[0]
    app_types = {1: 'gmail', 2: 'drive', 4: 'calendar', 64: 'shared_drives'}
    work = tmp_path_factory.mktemp('decoy-gate')
    hosts = {
        'kinds': ([dict(name='azure vms', source='vm', filters=dict(service_type='azure_virtual_machine')),
                   dict(name='workspace app', source='google', filters=dict(app_type=app_types[google_decoy['appType']])),
                   dict(name='every vb365 job', source='vb365')], 'v8'),
        'v6_vb365': ([dict(name='every vb365 job', source='vb365')], 'v6'),
        'v5_vb365': ([dict(name='every vb365 job', source='vb365')], 'v5'),
    }
    run_gate(ansible_run_for(tmp_path_factory), work, write_inventory(work / 'inventory.json', decoy_emulator, hosts))
    return dict((host, checks_of(work, host)) for host in hosts)


def ansible_run_for(_tmp_path_factory):
    """The ansible_run fixture is function-scoped; module fixtures run ansible-playbook the same way."""
    def run(command, *args):
        return subprocess.run([os.path.join(os.path.dirname(sys.executable), command)] + [str(arg) for arg in args],
                              env=ansible_env(), cwd=COLLECTION_ROOT, capture_output=True, text=True, timeout=300,
                              check=False)
    return run


def test_successful_restores_exports_and_deletions_are_not_backups(decoy_emulator, decoy_verdicts):
    vm_decoys = [job for job in successful_decoys(decoy_emulator, 'vm', backup_types=(1, 128, 1024, 20009, 20016))
                 if job['jobType'] in VM_SERVICE_OF_TYPE or job['jobType'] == 30003]
    assert vm_decoys, 'the emulator should hold successful non-backup jobs of the Azure VM service in the window'
    check = decoy_verdicts['kinds']['azure vms']
    assert not check['passed'] and check['latest_success'] is None, check
    assert check['reason'].startswith('last '), check['reason']


def test_a_successful_workspace_restore_is_not_a_backup(decoy_emulator, decoy_verdicts):
    assert successful_decoys(decoy_emulator, 'google')
    check = decoy_verdicts['kinds']['workspace app']
    assert not check['passed'] and check['latest_success'] is None, check


@pytest.mark.parametrize('host', ['kinds', 'v6_vb365', 'v5_vb365'])
def test_a_successful_backup_copy_session_is_not_a_backup(decoy_emulator, decoy_verdicts, host):
    truth = decoy_emulator.vb365()
    copy_ids = set(job['id'] for job in truth['copy_jobs'])
    copies = [session for session in truth['sessions'] if session['jobId'] in copy_ids
              and session['status'] == 'Success' and finished_in_window(session['endTime'])]
    assert copies, 'the emulator should hold successful backup copy sessions in the window'
    check = decoy_verdicts[host]['every vb365 job']
    assert not check['passed'] and check['latest_success'] is None, check
    assert check['reason'].startswith('every backup job of the VB365 server: last '), check['reason']


@pytest.fixture(scope='module')
def ignored_filter_run(ignoring_emulator, tmp_path_factory):
    work = tmp_path_factory.mktemp('ignoring-gate')
    hosts = {
        'exchange_v8': ([dict(name='exchange', source='vb365', filters=dict(job_name='Exchange daily'))], 'v8'),
        'exchange_v6': ([dict(name='exchange', source='vb365', filters=dict(job_name='Exchange daily'))], 'v6'),
        'dynamics': ([dict(name='dynamics', source='dynamics', filters=dict(job_type='backup'))], 'v8'),
        'vm': ([dict(name='vm', source='vm', filters=dict(job_type='azure_vm_backup'))], 'v8'),
    }
    run = run_gate(ansible_run_for(tmp_path_factory), work,
                   write_inventory(work / 'inventory.json', ignoring_emulator, hosts))
    return run, dict((host, checks_of(work, host)) for host in hosts)


@pytest.mark.parametrize('host', ['exchange_v8', 'exchange_v6'])
def test_a_server_that_ignores_the_job_filter_cannot_pass_another_jobs_sessions(ignoring_emulator, ignored_filter_run,
                                                                                host):
    truth = ignoring_emulator.vb365()
    exchange = next(job['id'] for job in truth['jobs'] if job['name'] == 'Exchange daily')
    others = [session for session in truth['sessions'] if session['jobId'] != exchange
              and session['status'] == 'Success' and finished_in_window(session['endTime'])]
    assert others, 'the other jobs should have successful sessions in the window'
    run, verdicts = ignored_filter_run
    check = verdicts[host]['exchange']
    assert not check['passed'] and check['latest_success'] is None, check
    # The warning quotes the check's own words, the job's name, beside the ID it was resolved to.
    assert 'sessions that do not match job_name=Exchange daily (sent as jobId=%s)' % exchange in run.stderr


# The warning quotes the filter as the check wrote it, not the code sent for it.
@pytest.mark.parametrize('host, source_filter', [('dynamics', 'job_type=backup (sent as type=1)'),
                                                 ('vm', 'job_type=azure_vm_backup (sent as jobType=1)')])
def test_a_server_that_ignores_the_job_type_filter_cannot_pass_a_restore(ignoring_emulator, ignored_filter_run, host,
                                                                         source_filter):
    assert successful_decoys(ignoring_emulator, host, backup_types=(1,))
    run, verdicts = ignored_filter_run
    check = verdicts[host][host]
    assert not check['passed'] and check['latest_success'] is None, check
    assert 'that do not match %s' % source_filter in run.stderr


EMPTY_FILTERS = {
    'null_organization': (dict(source='dynamics', filters=dict(organization_id=None)),
                          'check c: filter organization_id is empty (None)'),
    'empty_job_name': (dict(source='vb365', filters=dict(job_name='')), "check c: filter job_name is empty ('')"),
    'null_job_name': (dict(source='vb365', filters=dict(job_name=None)), 'check c: filter job_name is empty (None)'),
    'restore_job_type': (dict(source='vm', filters=dict(job_type='azure_vm_restore')),
                         "check c: job_type 'azure_vm_restore' is a job of kind restore, not a backup"),
    'deletion_job_type': (dict(source='google', filters=dict(job_type='delete')),
                          "check c: job_type 'delete' is a job of kind deletion, not a backup"),
}


@pytest.fixture(scope='module')
def refusals(decoy_emulator, tmp_path_factory):
    """One run, a host per refused check: {host: its failure message}."""
    work = tmp_path_factory.mktemp('refusals')
    hosts = dict((host, ([dict(check, name='c')], 'v8')) for host, (check, _said) in EMPTY_FILTERS.items())
    inventory_path = write_inventory(work / 'inventory.json', decoy_emulator, hosts)
    run = ansible_run_for(tmp_path_factory)('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i',
                                            inventory_path, '-e', 'backup_gate_hosts=gate', '-f', '8')
    assert run.returncode != 0
    said = dict((host, '') for host in EMPTY_FILTERS)
    for line in run.stdout.splitlines():
        if line.startswith('fatal: ['):
            host = line[len('fatal: ['):line.index(']')]
            said[host] += line
    return run, said


@pytest.mark.parametrize('host', sorted(EMPTY_FILTERS))
def test_an_empty_filter_or_a_non_backup_job_type_is_refused_before_any_request(decoy_emulator, refusals, host):
    _run, said = refusals
    assert EMPTY_FILTERS[host][1] in said[host], said[host]
    assert 'Traceback' not in said[host]


def test_no_request_was_made_for_a_refused_check(decoy_emulator, refusals):
    # The decoy emulator's log holds the requests of every test of this module so far; none carries the
    # refused checks' tell-tale queries (an organizationId or a restore job type).
    assert not any(entry['query'].get('jobType') == ['2'] or 'organizationId' in entry['query']
                   for entry in decoy_emulator.requests())


def gate_playbook(ansible_run, emulator, tmp_path, *extra, checks=None):
    hosts = {'tenant_a': (checks or [dict(name='vm', source='vm')], 'v8')}
    inventory_path = write_inventory(tmp_path / 'inventory.json', emulator, hosts)
    return ansible_run('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i', inventory_path, *extra)


@pytest.mark.parametrize('extra, said', [
    (('-e', 'backup_gate_hosts=tenats'), "the backup gate host pattern 'tenats' matches no inventory host"),
    (('-e', 'backup_gate_hosts=gate', '--limit', 'bystander'), "--limit bystander leaves none of the 1 hosts of 'gate'"),
    (('-e', 'backup_gate_hosts=gate', '--skip-tags', 'backup_gate'),
     'the backup gate cannot be skipped: --skip-tags backup_gate would skip it'),
    (('-e', 'backup_gate_hosts=gate', '--skip-tags', 'always'),
     'the backup gate cannot be skipped: --skip-tags always would skip it'),
])
def test_no_verdict_is_never_a_pass(decoy_emulator, ansible_run, tmp_path, extra, said):
    run = gate_playbook(ansible_run, decoy_emulator, tmp_path, *extra)
    assert run.returncode != 0, run.stdout[-2000:]
    assert said in run.stdout + run.stderr, run.stdout[-2000:] + run.stderr[-2000:]
    assert 'BACKUP GATE PASSED' not in run.stdout


def test_tags_that_select_other_tasks_still_run_the_gate(decoy_emulator, ansible_run, tmp_path):
    run = gate_playbook(ansible_run, decoy_emulator, tmp_path, '-e', 'backup_gate_hosts=gate', '--tags', 'unrelated')
    assert run.returncode == 2, run.stdout[-2000:]
    assert 'BACKUP GATE BLOCKED' in run.stdout and 'Backup gate blocked the change: vm failed' in run.stdout
    assert re.search(r'FAIL +vm +vm +every IaaS \+ PaaS backup job of the tenant: last \d+ job', run.stdout), run.stdout[-2000:]


def test_a_failed_listing_with_jobs_in_it_never_passes(ansible_run, tmp_path):
    finished = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
    good_job = dict(job_id='j1', kind='backup', outcome='success', start_time=finished, finish_time=finished)
    results = [dict(failed=True, msg='HTTP 503', jobs=[good_job]), dict(skipped=True, jobs=[good_job]),
               dict(changed=False)]
    play = tmp_path / 'verdict.yml'
    play.write_text(textwrap.dedent('''
        - hosts: localhost
          gather_facts: false
          tasks:
            - ansible.builtin.copy:
                content: "{{ results | map('backupops.jobs.gate_verdict', 24) | list | to_json }}"
                dest: %s/verdicts.json
              vars:
                results: %s
        ''' % (tmp_path, json.dumps(results))))
    run = ansible_run('ansible-playbook', play)
    assert run.returncode == 0, run.stdout[-2000:]
    verdicts = json.loads((tmp_path / 'verdicts.json').read_text())
    assert [verdict['passed'] for verdict in verdicts] == [False, False, False]
    assert [verdict['reason'] for verdict in verdicts] == [
        'could not list the jobs: HTTP 503', 'could not list the jobs: the listing was skipped (a condition was false)',
        'could not list the jobs: the result holds no jobs or sessions, so it is no listing']


def test_a_running_session_that_carries_the_dotnet_minimum_date_is_not_finished(tmp_path, ansible_run):
    with EmulatorProcess(tmp_path / 'emulator', '--tenants', 'decoy=fresh', '--vb365-shape', 'running') as running:
        checks = [dict(name='exchange', source='vb365', filters=dict(job_name='Exchange daily'))]
        inventory_path = write_inventory(tmp_path / 'inventory.json', running, {'tenant_a': (checks, 'v6')})
        run = ansible_run('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i', inventory_path,
                          '-e', 'backup_gate_hosts=gate')
        newest = max((session for session in running.vb365()['sessions']), key=lambda session: session['creationTime'])
    assert newest['status'] == 'Running' and newest['endTime'] is None
    assert run.returncode == 2 and 'Traceback' not in run.stdout + run.stderr
    assert re.search(r'FAIL +exchange +vb365 +job still running', run.stdout), run.stdout[-2000:]
    assert 'Backup gate blocked the change: exchange failed' in run.stdout


def test_a_server_that_ignores_the_organization_filter_returns_no_other_organization(ignoring_emulator, ansible_run):
    organization = '0f8fad5b-d9cb-469f-a165-70867728950e'
    truth = ignoring_emulator.jobs('dynamics', tenant='decoy')
    assert set(job['organizationId'] for job in truth) > {organization}, 'the tenant should have other organizations'
    info = ignoring_emulator.info
    args = dict(api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
                client_id=info['tenants']['decoy']['client_id'], client_secret=info['tenants']['decoy']['client_secret'],
                organization_id=organization, start_time='2d')
    run = ansible_run('ansible', 'localhost', '-m', 'backupops.jobs.dynamics_backup_job_info', '-a', json.dumps(args),
                      env=dict(ANSIBLE_CALLBACK_RESULT_FORMAT='json'))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(run.stdout.split(' => ', 1)[1])
    assert result['jobs'] and all(job['organization_id'] == organization for job in result['jobs'])
    assert all(job['kind'] == 'backup' for job in result['jobs'])
    assert 'that do not match organization_id=%s (sent as organizationId=%s)' % (organization, organization) in run.stderr


@pytest.mark.parametrize('extra, said', [
    (('--skip-tags', 'tagged'), 'the backup gate cannot be skipped: --skip-tags tagged would skip it'),
    (('--start-at-task', 'nonexistent'), 'the backup gate cannot start at a task (--start-at-task nonexistent)'),
    (('-e', 'backup_gate_hours=1000'), 'extra vars backup_gate_hours would replace the backup gate'),
    (('-e', '{"backup_gate_result": {"passed": true}}'), 'extra vars backup_gate_result would replace'),
])
def test_what_would_skip_or_replace_the_gate_is_refused(decoy_emulator, ansible_run, tmp_path, extra, said):
    run = gate_playbook(ansible_run, decoy_emulator, tmp_path, '-e', 'backup_gate_hosts=gate', *extra)
    assert run.returncode != 0, run.stdout[-2000:]
    assert said in run.stdout + run.stderr, run.stdout[-2000:] + run.stderr[-2000:]
    assert 'BACKUP GATE PASSED' not in run.stdout


def test_extra_vars_that_replace_the_gates_state_are_refused_by_the_role_too(decoy_emulator, ansible_run, tmp_path):
    hosts = {'tenant_a': ([dict(name='vm', source='vm')], 'v8')}
    inventory_path = write_inventory(tmp_path / 'inventory.json', decoy_emulator, hosts)
    play = write_gate_play(tmp_path, 'gate')
    run = ansible_run('ansible-playbook', '-i', inventory_path, play, '-e', '{"backup_gate_filters": {}}')
    assert run.returncode != 0 and 'extra vars backup_gate_filters would replace' in run.stdout, run.stdout[-2000:]


@pytest.mark.parametrize('enforce', ['y', 'Y', 't', ' true', 'yes'])
def test_only_an_explicit_false_turns_enforcement_off(decoy_emulator, ansible_run, tmp_path, enforce):
    run = gate_playbook(ansible_run, decoy_emulator, tmp_path, '-e', 'backup_gate_hosts=gate',
                        '-e', json.dumps(dict(backup_gate_enforce=enforce)))
    assert run.returncode != 0 and 'BACKUP GATE BLOCKED' in run.stdout, run.stdout[-2000:]
