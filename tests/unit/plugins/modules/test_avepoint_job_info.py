"""The three AvePoint job-info modules, run in-process against the emulator.

Expected jobs come from the emulator's own data, filtered here by the documented rule (a job belongs to
a window when it started inside it), so a module that misses or repeats a job on any page fails.
"""

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import identity_of
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_url
from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    google_backup_job_info,
    vm_backup_job_info,
)

MODULES = {'dynamics': dynamics_backup_job_info, 'vm': vm_backup_job_info, 'google': google_backup_job_info}
PATHS = {'dynamics': '/dynamicsbackup/jobs', 'vm': '/backup/vm/jobs', 'google': '/backup/google/admin/jobs'}


def started(job):
    return datetime.fromisoformat(job['startTime'].replace('Z', '+00:00'))


def expected_ids(emulator, api, days, keep=lambda job: True):
    since = datetime.now(timezone.utc) - timedelta(days=days)
    return [job['jobId'] for job in emulator.jobs(api) if started(job) >= since and keep(job)]


FILTERS = {
    'dynamics': (dict(job_type='backup'), lambda job: job['type'] == 1),
    'vm': (dict(), lambda job: True),
    'google': (dict(), lambda job: job['dataSource'] == 1),
}


@pytest.mark.parametrize('auth', ['secret', 'certificate'])
@pytest.mark.parametrize('api', sorted(MODULES))
def test_lists_every_job_of_the_window_across_pages(fresh_emulator, run_module, api, auth):
    options, keep = FILTERS[api]
    result = run_module(MODULES[api], start_time='5d', page_size=9, **dict(options, **fresh_emulator.avepoint_connection(auth)))
    assert not result.failed, result.get('msg')
    want = expected_ids(fresh_emulator, api, 5, keep)
    assert len(want) > 30
    assert [job['job_id'] for job in result['jobs']] == want
    if api != 'google':
        assert result['total_count'] == len(want)
    assert result['summary']['count'] == len(want)
    assert sum(result['summary']['by_outcome'].values()) == len(want)
    requests = fresh_emulator.requests()
    assert [entry['path'] for entry in requests].count('/connect/token') == 1
    assert len([entry for entry in requests if entry['path'] == PATHS[api]]) >= len(want) // 9
    if auth == 'certificate':
        token_form = requests[0]['form']
        assert 'client_secret' not in token_form
        assert token_form['client_assertion_type'] == ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer']


def test_summary_reports_the_newest_success(fresh_emulator, run_module):
    result = run_module(vm_backup_job_info, start_time='2d', **fresh_emulator.avepoint_connection())
    successes = [job for job in result['jobs'] if job['outcome'] == 'success']
    newest = max(successes, key=lambda job: job['finish_time'])
    assert result['summary']['latest_success']['job_id'] == newest['job_id']
    assert 0 < result['summary']['hours_since_success'] < 2
    assert result['summary']['latest']['job_id'] == result['jobs'][0]['job_id']


def test_filters_are_sent_as_the_api_names_them(fresh_emulator, run_module):
    connection = fresh_emulator.avepoint_connection()
    run_module(dynamics_backup_job_info, job_type='restore', status='finished',
               organization_id='0F8FAD5B-D9CB-469F-A165-70867728950E', start_time='2026-01-01T00:00:00Z',
               finish_time='2026-01-02', **connection)
    run_module(vm_backup_job_info, service_type='entra_id', job_type=128, search_text='nightly', **connection)
    run_module(google_backup_job_info, data_source='recenter', app_type='drive', job_type='backup',
               job_status='finished_with_exception', **connection)
    dynamics, vm, google = [entry['query'] for entry in fresh_emulator.requests() if entry['method'] == 'GET']
    assert dynamics == dict(type=['2'], status=['3'], organizationId=['0f8fad5b-d9cb-469f-a165-70867728950e'],
                            startTime=['2026-01-01T00:00:00Z'], finishTime=['2026-01-02T00:00:00Z'],
                            pageIndex=['1'], pageSize=['100'])
    assert vm == dict(searchText=['nightly'], serviceType=['2'], jobType=['128'], pageNumber=['0'], pageSize=['100'])
    # The vendor's table says jobStatus and its sample says status: both are sent.
    assert google == dict(dataSource=['2'], appType=['2'], jobType=['1'], jobStatus=['7'], status=['7'],
                          pageIndex=['0'], pageSize=['100'])


@pytest.mark.parametrize('api_url, token_url', [
    ('https://graph-gov.avepointonlineservices.com', 'https://identity-gov.avepointonlineservices.com/connect/token'),
    ('https://GRAPH-AOS2.avepointonlineservices.com/', 'https://identity-aos2.avepointonlineservices.com/connect/token'),
    ('https://graphusgovapi.online15.net', 'https://identity.online15.net/connect/token'),
    ('https://graph-ne.avepointonlineservices.com', 'https://identity.avepointonlineservices.com/connect/token'),
])
def test_api_url_of_a_known_environment_takes_its_identity_service(api_url, token_url):
    assert identity_of(check_url('api_url', api_url, None)) == token_url


def test_api_url_on_another_host_warns_which_identity_service_it_uses(fresh_emulator, run_module):
    connection = dict(fresh_emulator.avepoint_connection(), access_token='given-token')
    del connection['identity_url']
    result = run_module(vm_backup_job_info, **connection)
    assert any('is not the Graph API of a known AvePoint environment, so its token is requested from the commercial '
               'identity service https://identity.avepointonlineservices.com/connect/token' in warning
               for warning in result.warnings), result.warnings


def test_dynamics_window_defaults_to_the_last_seven_days(fresh_emulator, run_module):
    result = run_module(dynamics_backup_job_info, **fresh_emulator.avepoint_connection())
    query = fresh_emulator.requests('/dynamicsbackup')[0]['query']
    start = datetime.fromisoformat(query['startTime'][0].replace('Z', '+00:00'))
    finish = datetime.fromisoformat(query['finishTime'][0].replace('Z', '+00:00'))
    assert timedelta(days=7) <= finish - start <= timedelta(days=7, seconds=2)
    assert abs((datetime.now(timezone.utc) - finish).total_seconds()) < 30
    assert [job['job_id'] for job in result['jobs']] == expected_ids(
        fresh_emulator, 'dynamics', 7, lambda job: job['type'] == 1)


def test_access_token_skips_the_token_call(fresh_emulator, run_module):
    import requests
    info = fresh_emulator.info
    token = requests.post(info['token_url'], verify=info['ca_path'], timeout=10, data=dict(
        grant_type='client_credentials', scope='gsuite.graph.read.all', **info['clients']['secret'])).json()
    fresh_emulator.clear()
    result = run_module(google_backup_job_info, api_url=fresh_emulator.url, ca_path=info['ca_path'],
                        access_token=token['access_token'], start_time='1d')
    assert not result.failed and result['jobs']
    assert [entry['path'] for entry in fresh_emulator.requests()] == ['/backup/google/admin/jobs']


def test_token_expiring_mid_run_is_fetched_again(fresh_emulator, run_module):
    fresh_emulator.fault('/dynamicsbackup/jobs', 401, count=1)
    result = run_module(dynamics_backup_job_info, start_time='3d', **fresh_emulator.avepoint_connection())
    assert not result.failed, result.get('msg')
    paths = [entry['path'] for entry in fresh_emulator.requests()]
    assert paths[:4] == ['/connect/token', '/dynamicsbackup/jobs', '/connect/token', '/dynamicsbackup/jobs']


def test_check_mode_returns_the_same_jobs(fresh_emulator, run_module):
    connection = fresh_emulator.avepoint_connection()
    normal = run_module(vm_backup_job_info, start_time='1d', **connection)
    checked = run_module(vm_backup_job_info, start_time='1d', _ansible_check_mode=True, **connection)
    assert checked['changed'] is False
    assert [job['job_id'] for job in checked['jobs']] == [job['job_id'] for job in normal['jobs']]


def test_no_secret_or_fetched_token_in_the_result(fresh_emulator, run_module):
    connection = fresh_emulator.avepoint_connection()
    result = run_module(vm_backup_job_info, start_time='1d', **connection)
    issued = [entry for entry in fresh_emulator.requests() if entry['path'] == '/backup/vm/jobs'][0]
    token = issued['headers']['Authorization'].split(' ', 1)[1]
    text = repr(result)
    assert connection['client_secret'] not in text and token not in text
