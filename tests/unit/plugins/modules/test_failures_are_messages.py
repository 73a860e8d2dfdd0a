"""Numbers and times a user or a server gives that reach arithmetic (a token's lifetime, a window at the ends of
the calendar, a filter written as a YAML number) end in a result or a message, never a traceback."""

import pytest

from ansible_collections.backupops.jobs.plugins.modules import backup_gate_info, job_session_info, vm_backup_job_info
from hostile import Answer, HostileServer, token

pytestmark = pytest.mark.hostile


def assert_no_traceback(result):
    assert 'exception' not in result and 'Traceback' not in str(result.get('msg')), result


@pytest.mark.parametrize('lifetime', [int('9' * 400), -10 ** 30, '1e999'])
def test_a_token_lifetime_of_any_size_is_held_to_a_day_and_the_listing_goes_on(run_module, lifetime):
    def answer(request):
        if request.path == '/connect/token':
            return token(expires_in=lifetime)
        return Answer(body=dict(jobs=[], totalCount=0))
    with HostileServer(answer) as server:
        result = run_module(vm_backup_job_info, **server.avepoint())
    assert_no_traceback(result)
    assert not result.failed, result['msg']
    assert result['jobs'] == []


@pytest.mark.parametrize('window, query', [
    (dict(start_time='0001-01-02T00:00:00Z'), ('endTimeLowerBound', '0001-01-01T00:00:00Z')),
    (dict(end_time='9999-12-31T23:59:59.5Z'), ('endTimeUpperBound', '9999-12-31T23:59:59Z')),
])
def test_a_vb365_window_at_the_ends_of_the_calendar_is_asked_for_as_far_as_it_goes(run_module, window, query):
    def answer(request):
        if request.path == '/v8/token':
            return token()
        return Answer(body=dict(results=[], limit=100, offset=0))
    with HostileServer(answer) as server:
        result = run_module(job_session_info, **dict(server.vb365(), **window))
        sessions_query = [request.query for request in server.requests if request.path == '/v8/JobSessions'][0]
    assert_no_traceback(result)
    assert not result.failed, result['msg']
    name, value = query
    assert sessions_query[name] == [value]


def test_a_job_name_written_as_a_yaml_number_is_the_text_the_user_wrote(fresh_emulator, run_module):
    result = run_module(backup_gate_info, checks=[dict(name='Numbered job', source='vb365', filters=dict(job_name=365))],
                        vb365=fresh_emulator.vb365_connection())
    assert_no_traceback(result)
    check, = result['checks']
    assert check['filters'] == dict(job_name='365')
    assert check['passed'] is False
    assert check['reason'].startswith("could not list the jobs: job_name: no job named '365' on the server")
