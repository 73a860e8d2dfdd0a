"""job_session_info against the emulator's VB365 REST API, every version from v5 to v8.

Expected sessions come from the emulator's own data, so a module that misses a page, keeps a session
twice, filters wrongly or orders wrongly fails.
"""

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from ansible_collections.backupops.jobs.plugins.modules import job_session_info
from emulator.control import EmulatorProcess

VERSIONS = ('v5', 'v6', 'v7', 'v8')


def moment(text):
    """The emulator writes UTC with 'Z' and .NET's seven fraction digits; Python reads six."""
    return datetime.fromisoformat(text.rstrip('Z')[:26]).replace(tzinfo=timezone.utc) if text else None


def reference_time(session):
    return moment(session['endTime']) or moment(session['creationTime'])


def expected(emulator, hours=None, keep=lambda session: True):
    since = datetime.now(timezone.utc) - timedelta(hours=hours) if hours else None
    sessions = [session for session in emulator.vb365()['sessions']
                if keep(session) and (since is None or reference_time(session) >= since)]
    return [session['id'] for session in sorted(sessions, key=reference_time, reverse=True)]


def token_forms(emulator, version):
    return [entry['form'] for entry in emulator.requests('/%s/token' % version) if entry['path'].endswith('/token')]


@pytest.mark.parametrize('version', VERSIONS)
def test_recent_sessions_of_all_jobs_across_pages_newest_first(fresh_emulator, run_module, version):
    result = run_module(job_session_info, start_time='30h', page_size=7, **fresh_emulator.vb365_connection(version))
    assert not result.failed, result.get('msg')
    want = expected(fresh_emulator, 30)
    assert len(want) > 30
    assert [session['id'] for session in result['sessions']] == want
    assert result['summary']['count'] == len(want)
    newest_success = max((session for session in result['sessions'] if session['outcome'] == 'success'),
                         key=lambda session: session['end_time'])
    assert result['summary']['latest_success']['id'] == newest_success['id']
    # Only v6 and later take the window; v5 lists everything, and the module filters.
    listing = fresh_emulator.requests('/%s/JobSessions' % version)
    assert len(listing) >= (len(want) // 7 if version != 'v5' else 3 * 240 // 7)
    assert ('endTimeLowerBound' in listing[0]['query']) == (version != 'v5')


@pytest.mark.parametrize('version', VERSIONS)
def test_sessions_of_one_job_by_name_with_the_route_of_the_version(fresh_emulator, run_module, version):
    data = fresh_emulator.vb365()
    job = [job for job in data['jobs'] if job['name'] == 'SharePoint daily'][0]
    result = run_module(job_session_info, job_name='sharepoint DAILY', start_time='2d',
                        **fresh_emulator.vb365_connection(version))
    assert not result.failed, result.get('msg')
    assert [session['id'] for session in result['sessions']] == expected(
        fresh_emulator, 48, lambda session: session['jobId'] == job['id'])
    assert all(session['job_id'] == job['id'] for session in result['sessions'])
    paths = [entry['path'] for entry in fresh_emulator.requests('/%s/' % version)]
    if version in ('v5', 'v6'):
        assert '/%s/Jobs/%s/JobSessions' % (version, job['id']) in paths
    else:
        listing = fresh_emulator.requests('/%s/JobSessions' % version)
        assert listing[0]['query']['jobId'] == [job['id']]


@pytest.mark.parametrize('version', VERSIONS)
def test_status_and_window_filters_give_the_same_answer_on_every_version(fresh_emulator, run_module, version):
    upper = (datetime.now(timezone.utc) - timedelta(hours=12)).strftime('%Y-%m-%dT%H:%M:%SZ')
    result = run_module(job_session_info, status=['failed', 'Warning'], start_time='4d', end_time=upper,
                        **fresh_emulator.vb365_connection(version))
    assert not result.failed, result.get('msg')
    cut = moment(upper)
    want = expected(fresh_emulator, 96, lambda session: session['status'] in ('Failed', 'Warning')
                    and reference_time(session) <= cut)
    assert want and [session['id'] for session in result['sessions']] == want
    assert set(session['outcome'] for session in result['sessions']) <= {'failed', 'warning'}


def test_v8_sends_one_status_to_the_server_spelled_succeeded(fresh_emulator, run_module):
    result = run_module(job_session_info, status=['success'], start_time='1d', end_time='1h',
                        **fresh_emulator.vb365_connection('v8'))
    assert not result.failed and result['sessions']
    query = fresh_emulator.requests('/v8/JobSessions')[0]['query']
    assert query['status'] == ['Succeeded'] and 'endTimeLowerBound' in query and 'endTimeUpperBound' in query
    assert all(session['status'] == 'Success' for session in result['sessions'])


def test_limit_keeps_the_newest_and_says_so(fresh_emulator, run_module):
    result = run_module(job_session_info, limit=3, **fresh_emulator.vb365_connection())
    assert [session['id'] for session in result['sessions']] == expected(fresh_emulator)[:3]
    assert result['limited'] is True and not any('limit' in warning for warning in result.warnings)


@pytest.mark.parametrize('version', VERSIONS)
def test_one_session_with_log_items_in_one_shape_for_every_version(fresh_emulator, run_module, version):
    data = fresh_emulator.vb365()
    session = [session for session in data['sessions'] if session['status'] == 'Warning'][-1]
    result = run_module(job_session_info, session_id=session['id'], include_log_items=True, page_size=3,
                        **fresh_emulator.vb365_connection(version))
    assert not result.failed, result.get('msg')
    [got] = result['sessions']
    assert (got['id'], got['status'], got['status_name'], got['outcome'], got['job_id']) == \
        (session['id'], 'Warning', 'warning', 'warning', session['jobId'])
    items = got['log_items']
    assert [item['usn'] for item in items] == [1, 2, 3, 4]
    assert [item['status'] for item in items] == ['Success', 'Success', 'Success', 'Warning']
    assert items[1]['message'] == 'Connected to organization'
    if version == 'v8':
        assert items[1]['title'] is None
    else:
        assert items[1]['title'] == '[Success] Connected to organization'
    if version == 'v6':
        assert 'details' in got and 'retry_count' in got


@pytest.mark.parametrize('version', VERSIONS)
def test_log_items_limit_keeps_the_newest_lines_which_tell_the_outcome(fresh_emulator, run_module, version):
    session = [session for session in fresh_emulator.vb365()['sessions'] if session['status'] == 'Failed'][-1]
    result = run_module(job_session_info, session_id=session['id'], include_log_items=True, log_items_limit=2,
                        page_size=1, **fresh_emulator.vb365_connection(version))
    items = result['sessions'][0]['log_items']
    assert [item['usn'] for item in items] == [3, 4]
    assert items[-1]['status'] in ('Failed', 'Error') and items[-1]['message'].startswith('Processing failed')
    assert result['sessions'][0]['log_items_limited'] is True
    assert not any('log items' in warning for warning in result.warnings)
    asked = fresh_emulator.requests('/%s/JobSessions/%s/LogItems' % (version, session['id']))
    # v8 is asked for the newest first and stops after the limit; the others are read to the end (v5's log
    # items carry no total, so to the first page that is not full).
    orders = [entry['query'].get('orderAsc') for entry in asked]
    assert orders == [['false']] * 2 if version == 'v8' else (orders == [None] * len(orders) and len(orders) >= 4)


def test_unknown_session_is_an_empty_list_and_a_message(fresh_emulator, run_module):
    result = run_module(job_session_info, session_id='00000000-0000-4000-8000-000000000000',
                        **fresh_emulator.vb365_connection())
    assert not result.failed
    assert result['sessions'] == [] and 'no session 00000000-0000-4000-8000-000000000000' in result['msg']
    assert result['summary']['count'] == 0 and result['summary']['latest_success'] is None


@pytest.mark.parametrize('version', VERSIONS)
def test_antiforgery_opt_out_and_logout_only_where_the_version_has_them(fresh_emulator, run_module, version):
    result = run_module(job_session_info, limit=1, **fresh_emulator.vb365_connection(version))
    assert not result.failed, result.get('msg')
    [form] = token_forms(fresh_emulator, version)
    assert form['grant_type'] == ['password']
    paths = [entry['path'] for entry in fresh_emulator.requests('/%s/' % version)]
    if version in ('v7', 'v8'):
        assert form['disable_antiforgery_token'] == ['true']
        assert paths[-1] == '/%s/token/logout' % version
    else:
        assert 'disable_antiforgery_token' not in form
        assert '/%s/token/logout' % version not in paths


def test_expired_token_is_refreshed_then_paging_resumes(fresh_emulator, run_module):
    fresh_emulator.fault('/v8/JobSessions', 401, count=1)
    result = run_module(job_session_info, start_time='1d', page_size=5, **fresh_emulator.vb365_connection())
    assert not result.failed, result.get('msg')
    assert [session['id'] for session in result['sessions']] == expected(fresh_emulator, 24)
    grants = [form['grant_type'][0] for form in token_forms(fresh_emulator, 'v8')]
    assert grants == ['password', 'refresh_token']


def test_a_v5_next_link_naming_the_servers_other_host_name_is_followed_on_the_url_origin(fresh_emulator, run_module):
    # VB365 5 writes absolute links with the name the server gives itself, which the client may not reach.
    body = ('{"offset": 0, "limit": 2, "results": [{"id": "s1", "status": "Success"}, {"id": "s2", "status": "Success"}],'
            ' "_links": {"next": {"href": "https://172.28.1.46:4443/v5/JobSessions?offset=2&limit=2"}}}')
    fresh_emulator.fault('/v5/JobSessions', 200, body=body, content_type='application/json')
    result = run_module(job_session_info, page_size=2, timeout=3, retries=0, **fresh_emulator.vb365_connection('v5'))
    assert not result.failed, result.get('msg')
    ids = [session['id'] for session in result['sessions']]
    assert {'s1', 's2'} <= set(ids) and len(ids) > 2
    followed = fresh_emulator.requests('/v5/JobSessions')[1]
    assert followed['query'] == dict(offset=['2'], limit=['2'])
    assert followed['host'] == urlsplit(fresh_emulator.vb365_connection('v5')['url']).netloc


def test_self_signed_certificate_needs_ca_path_or_validate_certs_false(emulator, run_module):
    connection = emulator.vb365_connection()
    del connection['ca_path']
    refused = run_module(job_session_info, limit=1, **connection)
    assert refused.failed and 'TLS verification of' in refused['msg'] and 'ca_path' in refused['msg']
    insecure = run_module(job_session_info, limit=1, validate_certs=False, **connection)
    assert not insecure.failed and insecure['sessions']
    assert len([warning for warning in insecure.warnings if 'validate_certs is false' in warning]) == 1


def test_no_password_or_token_in_the_result(fresh_emulator, run_module):
    connection = fresh_emulator.vb365_connection()
    result = run_module(job_session_info, include_log_items=True, limit=2, **connection)
    tokens = set(entry['headers']['Authorization'].split(' ', 1)[1]
                 for entry in fresh_emulator.requests('/v8/JobSessions'))
    text = repr(result)
    assert tokens and connection['password'] not in text
    assert not any(token in text for token in tokens)


# Each option's bad values are in test_bad_input_matrix.py; this is the combination.
def test_session_id_and_job_id_together(emulator, run_module):
    result = run_module(job_session_info, session_id='x', job_id='y', **emulator.vb365_connection())
    assert result.failed and 'mutually exclusive' in result['msg'] and 'session_id' in result['msg']


def test_no_url_or_credentials(run_module, emulator):
    assert 'no server given' in run_module(job_session_info, username='u', password='p')['msg']
    result = run_module(job_session_info, url=emulator.info['vb365']['url'])
    assert 'no credentials' in result['msg'] and 'VB365_PASSWORD' in result['msg'] and 'VB365_ACCESS_TOKEN' in result['msg']


@pytest.mark.parametrize('bounds', ['ended', 'created'])
@pytest.mark.parametrize('version', ['v6', 'v7', 'v8'])
def test_a_session_that_began_before_the_window_and_ended_inside_it_is_found_under_either_reading(
        run_module, tmp_path, bounds, version):
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 30, '--vb365-bounds', bounds) as emulator:
        sessions = [session for session in emulator.vb365()['sessions'] if session['endTime']]
        straddling = sessions[len(sessions) // 2]
        began, ended = moment(straddling['creationTime']), moment(straddling['endTime'])
        window_start = began + (ended - began) / 2
        result = run_module(job_session_info, start_time=window_start.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
                            **emulator.vb365_connection(version))
        asked = emulator.requests('/%s/JobSessions' % version)[0]['query']['endTimeLowerBound'][0]
    assert not result.failed, result.get('msg')
    assert straddling['id'] in [session['id'] for session in result['sessions']]
    assert all(reference_time_of(session) >= window_start for session in result['sessions'])
    assert moment(asked) <= began, 'the lower bound must reach back before the session was created'


def reference_time_of(session):
    return moment(session['end_time']) or moment(session['creation_time'])


def test_the_v6_route_of_one_job_gets_only_offset_and_limit(fresh_emulator, run_module):
    result = run_module(job_session_info, job_name='Exchange daily', start_time='1d',
                        **fresh_emulator.vb365_connection('v6'))
    assert not result.failed, result.get('msg')
    routes = [entry for entry in fresh_emulator.requests('/v6/Jobs/') if entry['path'].endswith('/JobSessions')]
    assert routes and all(set(entry['query']) <= {'offset', 'limit'} for entry in routes)


@pytest.mark.parametrize('version', ['v7', 'v8'])
def test_sessions_say_whether_they_will_be_retried(fresh_emulator, run_module, version):
    truth = dict((session['id'], session) for session in fresh_emulator.vb365()['sessions'])
    result = run_module(job_session_info, start_time='2d', **fresh_emulator.vb365_connection(version))
    assert not result.failed, result.get('msg')
    for session in result['sessions']:
        assert session['will_be_retried'] == truth[session['id']]['jobWillBeRetried']
        # Only retry sessions carry mainSessionId, and the emulator's have none.
        assert 'main_session_id' not in session and session['job_type'] in ('Backup', 'Copy')
