"""backup_gate_info, run in-process against the emulator: one run judges every check of a tenant, the same way
the listing modules and the gate_verdict filter's decision would, and a listing that fails fails only its own check.

(The filter itself is not imported: controller code loaded into this process changes how the in-process module
runs of later tests report warnings.)"""

import json
import re
from datetime import datetime, timezone

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._gate import decide, gate_passed
from ansible_collections.backupops.jobs.plugins.modules import (
    backup_gate_info,
    dynamics_backup_job_info,
    google_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)
from conftest import ANSIBLE_CORE

CHECKS = [
    dict(name='Dynamics', source='dynamics', filters=dict(job_type='backup')),
    dict(name='Azure VMs', source='vm', filters=dict(service_type='azure_virtual_machine')),
    dict(name='Gmail', source='google', filters=dict(app_type='gmail'), max_age_hours=48),
    dict(name='Exchange', source='vb365', filters=dict(job_name='Exchange daily'), accept=['success', 'warning']),
]
LISTINGS = {
    'Dynamics': (dynamics_backup_job_info, dict(job_type='backup')),
    'Azure VMs': (vm_backup_job_info, dict(service_type='azure_virtual_machine')),
    'Gmail': (google_backup_job_info, dict(app_type='gmail')),
    'Exchange': (job_session_info, dict(job_name='Exchange daily', job_type='backup')),
}
TOKEN_PATHS = ('/connect/token', '/v8/token')


def gate(run_module, emulator, checks, **options):
    options = dict(dict(avepoint=emulator.avepoint_connection(), vb365=emulator.vb365_connection()), **options)
    return run_module(backup_gate_info, checks=checks, **options)


def test_one_run_judges_every_check_as_the_listing_modules_and_the_filter_would(fresh_emulator, run_module):
    result = gate(run_module, fresh_emulator, CHECKS)
    assert not result.failed, result.get('msg')
    assert [check['name'] for check in result['checks']] == [check['name'] for check in CHECKS]
    for check, verdict in zip(CHECKS, result['checks']):
        module, options = LISTINGS[check['name']]
        connection = (fresh_emulator.vb365_connection() if check['source'] == 'vb365'
                      else fresh_emulator.avepoint_connection())
        hours = check.get('max_age_hours', 24)
        listing = run_module(module, start_time='%dm' % (hours * 60), **dict(options, **connection))
        expected = decide(listing.get('jobs', listing.get('sessions')), datetime.now(timezone.utc), hours,
                          check.get('accept', ['success']))
        assert verdict['error'] is None
        assert verdict['passed'] is expected['passed'] is True, verdict['reason']
        assert verdict['latest_success']['id'] == expected['latest_success']['id']
        assert verdict['jobs_considered'] == expected['jobs_considered']
        assert 'records' not in verdict
    assert result['passed'] is True is gate_passed(result)


def test_the_checks_of_one_vendor_share_a_token_per_scope(fresh_emulator, run_module):
    checks = [dict(name='Dynamics', source='dynamics'), dict(name='Dynamics again', source='dynamics', max_age_hours=48),
              dict(name='VMs', source='vm'), dict(name='Exchange', source='vb365', filters=dict(job_name='Exchange daily')),
              dict(name='OneDrive', source='vb365', filters=dict(job_name='OneDrive weekly'), max_age_hours=200)]
    result = gate(run_module, fresh_emulator, checks)
    assert not result.failed, result.get('msg')
    paths = [entry['path'] for entry in fresh_emulator.requests()]
    # One token per AvePoint scope (Dynamics and IaaS + PaaS have their own), one VB365 login.
    assert paths.count('/connect/token') == 2
    assert sum(1 for path in paths if path.endswith('/token')) == 3


def test_a_listing_that_fails_fails_its_check_only_and_says_why(fresh_emulator, run_module):
    fresh_emulator.fault('/backup/vm/jobs', 500, count=50)
    result = gate(run_module, fresh_emulator, CHECKS[:2], avepoint=dict(fresh_emulator.avepoint_connection(), retries=0))
    assert not result.failed, result.get('msg')
    dynamics, vm = result['checks']
    assert dynamics['passed'] is True and dynamics['error'] is None
    assert vm['passed'] is False
    assert '500' in vm['error'] and vm['reason'].startswith('could not list the jobs: ')
    assert result['passed'] is False is gate_passed(result)
    # A listing that failed has no age to give, and the check that passed needed no look-back.
    assert vm['lookback'] is None and dynamics['lookback'] is None


def test_a_stale_window_says_how_old_the_newest_success_is(fresh_emulator, run_module):
    # Jobs of the emulator's fresh tenant finish every few hours: a 1-minute window holds none.
    result = gate(run_module, fresh_emulator, [dict(name='VMs', source='vm', max_age_hours=0.02)])
    verdict = result['checks'][0]
    assert verdict['passed'] is False
    assert verdict['reason'].startswith('every IaaS + PaaS backup job of the tenant: no backup job in the last 0.02 h; '
                                        'newest success is ')
    # The same age as data, for the reports' "hours since" and the metrics: the look-back's newest accepted job.
    lookback = verdict['lookback']
    assert lookback['hours'] == 168 and lookback['success']['outcome'] == 'success'
    assert verdict['reason'].endswith('newest success is %s h old' % lookback['hours_since_success'])
    finished = datetime.fromisoformat(lookback['success']['finish_time'].replace('Z', '+00:00'))
    checked = datetime.fromisoformat(result['checked_at'].replace('Z', '+00:00'))
    assert abs((checked - finished).total_seconds() / 3600 - lookback['hours_since_success']) < 0.1
    assert verdict['latest_success'] is None and verdict['hours_since_success'] is None
    assert 0 < verdict['seconds'] < 60


def test_a_check_with_no_accepted_job_in_its_look_back_says_so(fresh_emulator, run_module):
    result = gate(run_module, fresh_emulator, [dict(name='VMs', source='vm', filters=dict(search_text='no-such-job'))])
    verdict = result['checks'][0]
    assert verdict['passed'] is False and verdict['reason'] == 'no backup job in the last 24 h'
    assert verdict['lookback'] == dict(hours=168, success=None, hours_since_success=None)


def test_no_checks_is_no_pass(fresh_emulator, run_module):
    result = gate(run_module, fresh_emulator, [])
    assert not result.failed
    assert result['passed'] is False is gate_passed(result) and result['checks'] == []
    assert fresh_emulator.requests() == []


def test_history_days_returns_the_records_and_their_summary(fresh_emulator, run_module):
    result = gate(run_module, fresh_emulator, CHECKS[:1], history_days=3)
    verdict = result['checks'][0]
    assert verdict['passed'] is True
    assert verdict['summary']['count'] == len(verdict['records']) > 0
    assert {record['kind'] for record in verdict['records']} == {'backup'}


@pytest.mark.parametrize('checks, words', [
    ([dict(name='x', source='sharepoint')], ["check x: source 'sharepoint' is not one of dynamics, vm, google, vb365, vb365_item"]),
    ([dict(source='vm')], ['check 1 has no name']),
    ([dict(name='x', source='vm', filters=dict(job_type='azure_vm_restore'))], ['check x', 'not a backup']),
    ([dict(name='x', source='vb365', filters=dict(job_name=''))], ['check x', 'filter job_name is empty']),
])
def test_bad_checks_are_refused_before_any_request(fresh_emulator, run_module, checks, words):
    result = gate(run_module, fresh_emulator, checks)
    assert result.failed
    for word in words:
        assert word in result['msg']
    assert fresh_emulator.requests() == []


def test_bad_connection_options_name_the_vendor_and_the_option(fresh_emulator, run_module):
    result = run_module(backup_gate_info, checks=CHECKS[3:], vb365=dict(url=fresh_emulator.vb365_connection()['url']))
    assert result.failed
    assert result['msg'].startswith('vb365: no credentials: give username')
    result = run_module(backup_gate_info, checks=CHECKS[3:], vb365=dict(fresh_emulator.vb365_connection(), timeout=0))
    assert result.failed and 'timeout' in result['msg']


def test_no_secret_or_token_in_the_result(fresh_emulator, run_module):
    fresh_emulator.fault('/v8/Jobs', 500, count=50, body='{"message": "%s"}' % fresh_emulator.vb365_connection()['password'])
    result = gate(run_module, fresh_emulator, CHECKS)
    text = str(result)
    secrets = [fresh_emulator.avepoint_connection()['client_secret'], fresh_emulator.vb365_connection()['password']]
    secrets += [token for token in fresh_emulator.issued_tokens() if token]
    assert secrets and not [secret for secret in secrets if secret in text]


def test_unknown_connection_options_are_refused_naming_the_vendor(fresh_emulator, run_module):
    connection = dict(fresh_emulator.avepoint_connection(), client_secert='x')
    result = run_module(backup_gate_info, checks=CHECKS[:1], avepoint=connection)
    assert result.failed
    assert result['msg'].startswith('avepoint: ') and 'client_secert' in result['msg']
    assert fresh_emulator.requests() == []


def test_connections_come_from_the_environment_and_their_secrets_stay_hidden(fresh_emulator, run_module, monkeypatch):
    connection = fresh_emulator.avepoint_connection()
    monkeypatch.setenv('AVEPOINT_CLIENT_SECRET', connection.pop('client_secret'))
    secret = fresh_emulator.avepoint_connection()['client_secret']
    fresh_emulator.fault('/connect/token', 400, count=5, body='{"error": "invalid_client", "echo": "%s"}' % secret)
    result = run_module(backup_gate_info, checks=CHECKS[:1], avepoint=dict(connection, retries=0))
    assert not result.failed
    assert result['checks'][0]['error'] and secret not in str(result)
    fresh_emulator.clear()
    result = run_module(backup_gate_info, checks=CHECKS[:1], avepoint=connection)
    assert result['passed'] is True, result['checks'][0]['reason']


def test_the_checks_of_one_vb365_server_read_its_jobs_once(fresh_emulator, run_module):
    checks = [dict(name='Exchange', source='vb365', filters=dict(job_name='Exchange daily')),
              dict(name='OneDrive', source='vb365', filters=dict(job_name='OneDrive weekly'), max_age_hours=200),
              dict(name='All backups', source='vb365', max_age_hours=0.02)]
    result = gate(run_module, fresh_emulator, checks)
    assert not result.failed, result.get('msg')
    assert [entry['path'] for entry in fresh_emulator.requests()].count('/v8/Jobs') == 1


def test_connection_secrets_are_in_neither_the_log_nor_the_invocation_and_the_rest_stays_readable(
        fresh_emulator, run_module, monkeypatch):
    # Ansible logs a module's arguments (syslog, journal) and returns them as the invocation; the connections are
    # dicts, and a VB365 one whose vendor no check reads is never validated at all.
    from ansible.module_utils.basic import AnsibleModule
    logged = []
    monkeypatch.setattr(AnsibleModule, 'log', lambda self, msg, log_args=None: logged.append(msg))
    avepoint, vb365 = fresh_emulator.avepoint_connection(), fresh_emulator.vb365_connection()
    # ansible-core 2.19+ returns the invocation only when asked; 2.17 and 2.18 always do, and refuse the option.
    ask = dict(_ansible_inject_invocation=True) if ANSIBLE_CORE >= (2, 19) else {}
    result = run_module(backup_gate_info, checks=CHECKS[:1], avepoint=dict(avepoint, timeout=30), vb365=vb365, **ask)
    assert result['passed'] is True, result['checks'][0]['reason']
    shown = '\n'.join(logged) + json.dumps(result)
    assert logged and avepoint['client_secret'] not in shown and vb365['password'] not in shown
    shown_avepoint = result['invocation']['module_args']['avepoint']
    assert (shown_avepoint['api_url'], shown_avepoint['timeout']) == (avepoint['api_url'], 30)


@pytest.mark.parametrize('filters', ['absent', None, {}])
def test_a_check_without_filters_covers_every_backup_job_of_its_source_and_says_so(fresh_emulator, run_module, filters):
    check = dict(name='all VMs', source='vm') if filters == 'absent' else dict(name='all VMs', source='vm', filters=filters)
    result = gate(run_module, fresh_emulator, [check, dict(name='all mail', source='vb365', filters={})])
    vm, mail = result['checks']
    listing = run_module(vm_backup_job_info, start_time='24h', **fresh_emulator.avepoint_connection())
    backups = [job for job in listing['jobs'] if job['kind'] == 'backup']
    assert vm['passed'] is True and vm['jobs_considered'] == len(backups) > 0
    assert re.match(r'every IaaS \+ PaaS backup job of the tenant: newest success is [\d.]+ h old \(\d+ accepted in '
                    r'the last 24 h\)$', vm['reason']), vm['reason']
    assert mail['reason'].startswith('every backup job of the VB365 server: newest success is ')
    # What a filter picks is named by the check, so its reason does not claim to cover everything.
    [filtered] = gate(run_module, fresh_emulator, [dict(check, filters=dict(service_type='azure_virtual_machine'))])['checks']
    assert filtered['reason'].startswith('newest success is ')


@pytest.mark.parametrize('value', ['', '  ', None])
def test_a_filter_without_a_value_is_refused_naming_the_check_and_the_field(fresh_emulator, run_module, value):
    result = gate(run_module, fresh_emulator, [dict(name='VMs', source='vm', filters=dict(service_type=value))])
    assert result.failed
    assert result['msg'].startswith('check VMs: filter service_type is empty (%r)' % value), result['msg']
    assert fresh_emulator.requests() == []


def test_connection_values_that_are_no_secret_stay_readable_in_the_verdict(fresh_emulator, run_module):
    """The connection dicts are no_log as a whole, but only what the vendor's spec calls secret is a secret: the
    URL and a retries of 0 must not be withheld from the reason and the figures."""
    connection = dict(fresh_emulator.avepoint_connection(), api_url='https://127.0.0.1:9', retries=0)
    result = gate(run_module, fresh_emulator, CHECKS[:1], avepoint=connection)
    [check] = result['checks']
    assert check['jobs_considered'] == 0 and check['passed'] is False
    assert 'cannot connect to https://127.0.0.1:9' in check['reason'], check['reason']
