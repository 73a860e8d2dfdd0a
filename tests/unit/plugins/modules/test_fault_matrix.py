"""The faults real APIs produce, injected by the emulator, through the modules, for AvePoint and VB365 alike.

Each row either survives (retried, renewed, de-duplicated; the listing equals the emulator's own data)
or fails with a message that names the cause, the host or the option - never a traceback, never a hang.
Tests that change the emulator's data run against an emulator of their own.
"""

import time

import pytest

from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)
from emulator.control import EmulatorProcess

pytestmark = pytest.mark.fault


class Target:
    """One module and the listing endpoint a fault is aimed at."""

    def __init__(self, name, module, path, token_path, items, options, connection):
        self.name, self.module, self.path, self.token_path = name, module, path, token_path
        self.items, self.options, self._connection = items, options, connection

    def connection(self, emulator):
        return self._connection(emulator)

    def run(self, run_module, emulator, **options):
        return run_module(self.module, **dict(self.options, **dict(self.connection(emulator), **options)))

    def ids(self, result):
        return [record.get('job_id') or record.get('id') for record in result[self.items]]

    def envelope(self, records):
        """A page of the endpoint's shape, as JSON text."""
        if self.name == 'vb365':
            return '{"offset": 0, "limit": 100, "results": %s}' % records
        return '{"totalCount": 3, "jobs": %s}' % records

    def __repr__(self):
        return self.name


AVEPOINT = Target('avepoint', vm_backup_job_info, '/backup/vm/jobs', '/connect/token', 'jobs',
                  dict(start_time='3d'), lambda emulator: emulator.avepoint_connection())
VB365 = Target('vb365', job_session_info, '/v8/JobSessions', '/v8/token', 'sessions',
               dict(start_time='1d'), lambda emulator: emulator.vb365_connection('v8'))
TARGETS = [AVEPOINT, VB365]


def assert_clean_failure(result, *fragments):
    assert result.failed, result
    assert 'exception' not in result and 'Traceback' not in result['msg']
    for fragment in fragments:
        assert fragment in result['msg'], result['msg']


def listing(target, emulator, run_module):
    result = target.run(run_module, emulator)
    assert not result.failed, result.get('msg')
    emulator.clear()
    return target.ids(result)


@pytest.mark.parametrize('target', TARGETS, ids=repr)
@pytest.mark.parametrize('form', ['seconds', 'http-date', 'absent'])
def test_throttling_429_is_waited_out_and_retried(fresh_emulator, run_module, target, form):
    want = listing(target, fresh_emulator, run_module)
    details = {'seconds': dict(retry_after=1), 'http-date': dict(retry_after=2, retry_after_as_date=True),
               'absent': {}}[form]
    fresh_emulator.fault(target.path, 429, count=1, **details)
    result = target.run(run_module, fresh_emulator)
    assert not result.failed, result.get('msg')
    assert target.ids(result) == want
    gets = [entry['time'] for entry in fresh_emulator.requests(target.path)]
    assert len(gets) >= 2 and gets[1] - gets[0] >= (0.9 if form == 'seconds' else 0.3)
    assert any('answered HTTP 429; retry 1' in warning for warning in result.warnings)


@pytest.mark.parametrize('target', TARGETS, ids=repr)
@pytest.mark.parametrize('retry_after', ['1.5', 'abc', '-5'])
def test_an_unreadable_retry_after_falls_back_to_the_own_back_off(fresh_emulator, run_module, target, retry_after):
    want = listing(target, fresh_emulator, run_module)
    fresh_emulator.fault(target.path, 429, count=1, retry_after=retry_after)
    result = target.run(run_module, fresh_emulator)
    assert not result.failed, result.get('msg')
    assert target.ids(result) == want
    assert any('answered HTTP 429; retry 1' in warning for warning in result.warnings)


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_retries_run_out_on_an_unreadable_retry_after_naming_the_status(fresh_emulator, run_module, target):
    fresh_emulator.fault(target.path, 429, count=10, retry_after='abc')
    result = target.run(run_module, fresh_emulator, retries=1)
    assert_clean_failure(result, 'GET %s failed with HTTP 429' % target.path, 'after 2 attempts')


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_a_retry_after_longer_than_retry_max_wait_ends_the_retries_at_once(fresh_emulator, run_module, target):
    fresh_emulator.fault(target.path, 429, count=5, retry_after=30)
    started = time.monotonic()
    result = target.run(run_module, fresh_emulator, retry_max_wait=5)
    assert time.monotonic() - started < 10
    assert_clean_failure(result, 'HTTP 429')
    assert any('retry_max_wait=5' in warning for warning in result.warnings)
    assert len(fresh_emulator.requests(target.path)) == 1


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_backoff_waits_add_up_to_at_most_retry_max_wait(fresh_emulator, run_module, target):
    fresh_emulator.fault(target.path, 503, count=20)
    started = time.monotonic()
    result = target.run(run_module, fresh_emulator, retries=10, retry_max_wait=2)
    assert time.monotonic() - started < 6
    assert_clean_failure(result, 'HTTP 503')
    assert any('would pass retry_max_wait=2 s' in warning for warning in result.warnings)


@pytest.mark.parametrize('target', TARGETS, ids=repr)
@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_a_burst_of_server_errors_is_retried_and_the_listing_completes(fresh_emulator, run_module, target, status):
    want = listing(target, fresh_emulator, run_module)
    fresh_emulator.fault(target.path, status, count=2)
    result = target.run(run_module, fresh_emulator, retries=3)
    assert not result.failed, result.get('msg')
    assert target.ids(result) == want
    assert len([warning for warning in result.warnings if 'answered HTTP %d; retry' % status in warning]) == 2


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_a_persistent_503_fails_with_the_attempts_and_the_last_status(fresh_emulator, run_module, target):
    fresh_emulator.fault(target.path, 503, count=10)
    result = target.run(run_module, fresh_emulator, retries=2)
    assert_clean_failure(result, 'GET %s failed with HTTP 503' % target.path, 'after 3 attempts')


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_connection_refused_names_the_host(emulator, run_module, target):
    closed = dict(api_url='https://127.0.0.1:9', identity_url='https://127.0.0.1:9/connect/token',
                  url='https://127.0.0.1:9')
    options = dict((key, closed.get(key, value)) for key, value in target.connection(emulator).items())
    result = run_module(target.module, retries=0, **options)
    assert_clean_failure(result, 'cannot connect to https://127.0.0.1:9')


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_a_connection_reset_in_the_middle_of_a_body_is_a_clear_error(fresh_emulator, run_module, target):
    fresh_emulator.fault(target.path, reset=True)
    started = time.monotonic()
    result = target.run(run_module, fresh_emulator, timeout=5)
    assert time.monotonic() - started < 5
    host = target.connection(fresh_emulator).get('url') or fresh_emulator.url
    assert_clean_failure(result, 'GET %s' % target.path, host, 'Connection broken')


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_a_server_slower_than_timeout_fails_in_time_naming_the_option(fresh_emulator, run_module, target):
    fresh_emulator.fault(target.path, delay=4)
    started = time.monotonic()
    result = target.run(run_module, fresh_emulator, timeout=1, retries=0)
    assert time.monotonic() - started < 3.5
    assert_clean_failure(result, 'within timeout=1 s', 'raise the timeout option')


@pytest.mark.parametrize('target', TARGETS, ids=repr)
@pytest.mark.parametrize('body, content_type, fragments', [
    ('<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html', ['not JSON', '<html><body><h1>502 Bad']),
    ('{"jobs": [{"jobId": "DCIB2026', 'application/json', ['not JSON', '{"jobs": [{"jobId": "DCIB2026']),
    ('', 'application/json', ['not JSON', '(empty)']),
], ids=['html', 'truncated', 'empty'])
def test_a_body_that_is_not_json_is_quoted_not_parsed(
        fresh_emulator, run_module, target, body, content_type, fragments):
    fresh_emulator.fault(target.path, 200, body=body, content_type=content_type)
    assert_clean_failure(target.run(run_module, fresh_emulator), 'GET %s' % target.path, *fragments)


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_json_of_the_wrong_shape_names_what_is_missing(fresh_emulator, run_module, target):
    fresh_emulator.fault(target.path, 200, body='{"items": [], "count": 0}', content_type='application/json')
    list_key = 'results' if target is VB365 else 'jobs'
    assert_clean_failure(target.run(run_module, fresh_emulator), 'without a %s list (keys: count, items)' % list_key)


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_a_total_sent_as_a_string_is_read_leniently(fresh_emulator, run_module, target):
    records = ('[{"%s": "a", "status": %s, "startTime": "2026-11-24T01:00:00Z"}, {"%s": "b", "status": %s}]'
               % (('id', '"Success"', 'id', '"Success"') if target is VB365 else ('jobId', 2, 'jobId', 2)))
    body = target.envelope(records).replace('"totalCount": 3', '"totalCount": "2"')
    if target is VB365:
        body = body.replace('{"offset"', '{"totalCount": "2", "offset"')
    fresh_emulator.fault(target.path, 200, body=body, content_type='application/json')
    result = target.run(run_module, fresh_emulator, start_time=None)
    assert not result.failed, result.get('msg')
    assert sorted(target.ids(result)) == ['a', 'b']


@pytest.mark.parametrize('target', TARGETS, ids=repr)
def test_a_paging_link_naming_another_origin_never_chooses_the_host(fresh_emulator, run_module, target):
    foreign = fresh_emulator.info['http_url']
    if target is VB365:
        link = '%s/v8/JobSessions?offset=2&limit=2' % foreign
        body = ('{"offset": 0, "limit": 2, "results": [{"id": "s1"}, {"id": "s2"}], "_links": {"next": {"href": "%s"}}}'
                % link)
    else:
        body = '{"totalCount": 5, "jobs": [{"jobId": "j1"}, {"jobId": "j2"}], "nextLink": "%s%s"}' % (foreign, target.path)
    fresh_emulator.fault(target.path, 200, body=body, content_type='application/json')
    result = target.run(run_module, fresh_emulator, page_size=2, max_concurrency=1, start_time=None)
    assert 'exception' not in result
    assert [entry for entry in fresh_emulator.requests() if entry['scheme'] == 'http'] == []
    if target is VB365:  # the link's path and query, asked of the url option's origin
        assert not result.failed, result['msg']
        assert {'s1', 's2'} <= set(target.ids(result)) and len(target.ids(result)) > 2
        assert fresh_emulator.requests(target.path)[1]['query'] == dict(offset=['2'], limit=['2'])
    else:  # AvePoint's nextLink is a skip token at most, sent to api_url, which does not know it
        assert_clean_failure(result, 'skiptoken is not valid')


@pytest.mark.parametrize('href', ['/admin/config?page=2', '/v8/../token?x=1', '/v8/%2e%2e/token', 'https://evil.example/x'])
def test_a_paging_link_that_leaves_the_api_path_is_refused_and_nothing_is_sent(fresh_emulator, run_module, href):
    body = ('{"offset": 0, "limit": 2, "results": [{"id": "s1"}, {"id": "s2"}], "_links": {"next": {"href": "%s"}}}'
            % href)
    fresh_emulator.fault(VB365.path, 200, body=body, content_type='application/json')
    result = VB365.run(run_module, fresh_emulator, page_size=2, max_concurrency=1, start_time=None)
    assert_clean_failure(result, 'next-page link outside /v8/ of the url option', 'not followed')
    # The server's jobs are read before the listing of sessions starts (they tell a session's kind); after the
    # refused link, nothing.
    assert [entry['path'] for entry in fresh_emulator.requests('/v8/')
            if entry['method'] == 'GET' and entry['path'] != '/v8/Jobs'] == [VB365.path]
    assert fresh_emulator.requests('/admin') == []


def test_the_401_of_a_token_at_the_token_endpoint_names_the_client_and_scope_not_the_secret(
        fresh_emulator, run_module):
    fresh_emulator.fault('/connect/token', 401, body='{"error": "invalid_client"}', content_type='application/json')
    connection = fresh_emulator.avepoint_connection()
    result = run_module(vm_backup_job_info, **connection)
    assert_clean_failure(result, connection['client_id'], 'platformbackup.readwrite.all', 'invalid_client')
    assert connection['client_secret'] not in result['msg']


def test_the_refusal_of_a_vb365_login_names_the_user_not_the_password(fresh_emulator, run_module):
    connection = fresh_emulator.vb365_connection('v7')
    result = run_module(job_session_info, **dict(connection, password='not-the-password-4711'))
    assert_clean_failure(result, 'refused user %s' % connection['username'])
    assert 'not-the-password-4711' not in str(result)


@pytest.fixture
def own_emulator(tmp_path):
    """An emulator whose data the test may change."""
    with EmulatorProcess(tmp_path, '--jobs', 300, '--interval-hours', 1) as running:
        yield running


@pytest.mark.parametrize('max_concurrency', [1, 4])
def test_a_token_that_expires_in_the_middle_of_paging_is_renewed_once(own_emulator, run_module, max_concurrency):
    want = [job['jobId'] for job in own_emulator.jobs('dynamics') if job['type'] == 1]
    own_emulator.fault('/dynamicsbackup/jobs', expire_tokens=True, after=3)
    result = run_module(dynamics_backup_job_info, start_time='30d', page_size=10, max_concurrency=max_concurrency,
                        **own_emulator.avepoint_connection())
    assert not result.failed, result.get('msg')
    assert [job['job_id'] for job in result['jobs']] == want
    assert len(own_emulator.requests('/connect/token')) == 2


def test_a_vb365_token_that_expires_in_the_middle_of_paging_is_refreshed_once(own_emulator, run_module):
    own_emulator.fault('/v6/JobSessions', expire_tokens=True, after=2)
    result = run_module(job_session_info, page_size=50, max_concurrency=4, **own_emulator.vb365_connection('v6'))
    assert not result.failed, result.get('msg')
    assert sorted(session['id'] for session in result['sessions']) == sorted(
        session['id'] for session in own_emulator.vb365()['sessions'])
    grants = [entry['form']['grant_type'][0] for entry in own_emulator.requests('/v6/token')]
    assert grants == ['password', 'refresh_token']


@pytest.mark.parametrize('max_concurrency', [1, 4])
def test_jobs_arriving_during_a_listing_shift_the_pages_but_none_is_lost_or_repeated(own_emulator, run_module,
                                                                                     max_concurrency):
    before = [job['jobId'] for job in own_emulator.jobs('dynamics') if job['type'] == 1]
    own_emulator.fault('/dynamicsbackup/jobs', arrive=4, tenant='contoso', api='dynamics', after=1)
    result = run_module(dynamics_backup_job_info, start_time='30d', page_size=10, max_concurrency=max_concurrency,
                        **own_emulator.avepoint_connection())
    assert not result.failed, result.get('msg')
    ids = [job['job_id'] for job in result['jobs']]
    assert len(ids) == len(set(ids))
    assert set(before) <= set(ids)


def test_jobs_vanishing_during_a_listing_are_reported_as_a_shortfall(own_emulator, run_module):
    own_emulator.fault('/backup/vm/jobs', vanish=5, tenant='contoso', api='vm', after=1)
    result = run_module(vm_backup_job_info, start_time='30d', page_size=10, **own_emulator.avepoint_connection())
    assert not result.failed, result.get('msg')
    assert any('reported 300 jobs in total, then 295 during the listing' in warning for warning in result.warnings)
