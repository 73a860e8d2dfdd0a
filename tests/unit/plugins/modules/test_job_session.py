"""job_session against the emulator's VB365 REST API, v6 to v8: it starts a job and waits for the session it made,
never starts a running job twice, fails with the log's errors when the session fails, gives up at wait_timeout naming
the session, starts nothing in check mode, and trusts no session of another job.

Each test has an emulator of its own: the sessions it starts run on in the emulator after the test."""

import pytest

from ansible_collections.backupops.jobs.plugins.modules import job_session
from emulator.control import EmulatorProcess
from hostile import Answer, HostileServer, token

VERSIONS = ('v6', 'v7', 'v8')


@pytest.fixture
def server(tmp_path):
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 6, '--vb365-start-seconds', 1) as running:
        yield running


def job_named(server, name):
    return [job for job in server.vb365()['jobs'] if job['name'] == name][0]


def starts(server, version):
    return [entry for entry in server.requests('/%s/Jobs/' % version) if entry['method'] == 'POST']


@pytest.mark.parametrize('version', VERSIONS)
def test_it_starts_the_job_and_returns_the_session_it_made_once_ended(server, run_module, version):
    job = job_named(server, 'Exchange daily')
    before = set(session['id'] for session in server.vb365()['sessions'])
    result = run_module(job_session, job_name='exchange DAILY', **server.vb365_connection(version))
    assert not result.failed, result.get('msg')
    session = result['session']
    assert (result['changed'], result['started'], result['was_running'], result['ended']) == (True, True, False, True)
    assert session['id'] not in before and session['job_id'] == job['id']
    assert (session['outcome'], session['kind'], session['status']) == ('success', 'backup', 'Success')
    assert session['start_time'] and session['finish_time'] and session['duration_seconds'] is not None
    assert 'log_items' not in session
    truth = [record for record in server.vb365()['sessions'] if record['id'] == session['id']]
    assert truth and truth[0]['jobId'] == job['id'] and truth[0]['status'] == 'Success'
    posted, = starts(server, version)
    assert posted['path'] == '/%s/Jobs/%s/start' % (version, job['id']) and posted['json'] == {'full': False}
    assert result['job']['id'] == job['id'] and result['job']['schedule_policy']['type'] == 'Daily'
    assert result['msg'].startswith('started job Exchange daily (%s): session %s ended success' % (job['id'], session['id']))


@pytest.mark.parametrize('version', VERSIONS)
def test_a_running_job_is_not_started_again_and_by_default_its_session_is_waited_for(server, run_module, version):
    server.plan_starts(seconds=4)
    connection = server.vb365_connection(version)
    first = run_module(job_session, job_name='Teams hourly', wait=False, full=True, **connection)
    assert not first.failed, first.get('msg')
    assert (first['changed'], first['ended'], first['session']['outcome']) == (True, False, 'running')
    assert starts(server, version)[0]['json'] == {'full': True}
    returned = run_module(job_session, job_name='Teams hourly', if_running='return', **connection)
    assert (returned['changed'], returned['started'], returned['was_running']) == (False, False, True)
    assert returned['session']['id'] == first['session']['id'] and returned['session']['outcome'] == 'running'
    refused = run_module(job_session, job_name='Teams hourly', if_running='fail', **connection)
    assert refused.failed and not refused['changed']
    assert 'running already' in refused['msg'] and first['session']['id'] in refused['msg']
    waited = run_module(job_session, job_name='Teams hourly', wait=False, **connection)
    assert not waited.failed, waited.get('msg')
    assert (waited['changed'], waited['was_running'], waited['ended']) == (False, True, True)
    assert waited['session']['id'] == first['session']['id'] and waited['session']['outcome'] == 'success'
    assert 'was running already' in waited['msg']
    # One start in all: the others saw the job running before asking.
    assert len(starts(server, version)) == 1


@pytest.mark.parametrize('version', VERSIONS)
def test_a_session_that_ends_failed_fails_the_task_with_the_errors_of_its_log(server, run_module, version):
    server.plan_starts(plans=[dict(status='Failed', errors=['Mailbox adele.vance: quota exceeded', 'Proxy offline']),
                              dict(status='Failed'), dict(status='Warning', errors=['Site Finance: file locked'])])
    connection = server.vb365_connection(version)
    failed = run_module(job_session, job_name='SharePoint daily', **connection)
    assert failed.failed and failed['changed'] and failed['started']
    assert 'ended failed (Failed): Mailbox adele.vance: quota exceeded; Proxy offline' in failed['msg']
    assert failed['session']['outcome'] == 'failed'
    assert [item['status'] for item in failed['session']['log_items']][-3:] in (
        ['Failed', 'Failed', 'Failed'], ['Error', 'Error', 'Error'])
    kept = run_module(job_session, job_name='SharePoint daily', fail_on_failure=False, **connection)
    assert not kept.failed, kept.get('msg')
    assert kept['changed'] and kept['session']['outcome'] == 'failed' and kept['session']['log_items']
    warned = run_module(job_session, job_name='SharePoint daily', **connection)
    assert not warned.failed and warned['session']['outcome'] == 'warning'
    assert any('ended with warnings: Site Finance: file locked' in warning for warning in warned.warnings)


@pytest.mark.parametrize('version', VERSIONS)
def test_a_session_that_outlasts_wait_timeout_fails_the_task_naming_it(server, run_module, version):
    server.plan_starts(seconds=60)
    result = run_module(job_session, job_name='Exchange daily', wait_timeout=3, **server.vb365_connection(version))
    assert result.failed and result['changed'] and not result['ended']
    session_id = result['session']['id']
    assert 'wait_timeout=3 s' in result['msg'] and session_id in result['msg'], result['msg']
    assert result['session']['outcome'] == 'running'
    polls = server.requests('/%s/JobSessions/%s' % (version, session_id))
    assert 1 <= len(polls) <= 3


@pytest.mark.parametrize('version', VERSIONS)
def test_check_mode_starts_nothing_and_says_what_it_would_start(server, run_module, version):
    job = job_named(server, 'Archive mailboxes')
    result = run_module(job_session, job_name='Archive mailboxes', _ansible_check_mode=True,
                        **server.vb365_connection(version))
    assert not result.failed, result.get('msg')
    assert (result['changed'], result['started'], result['session']) == (True, True, None)
    assert result['msg'] == 'check mode: would start job Archive mailboxes (%s)' % job['id']
    assert result['job']['schedule_policy']['type'] == 'ManualOnly'
    assert starts(server, version) == [] and not any(entry['method'] == 'POST' and '/Jobs/' in entry['path']
                                                     for entry in server.requests('/'))
    assert not [session for session in server.vb365()['sessions'] if session['jobId'] == job['id']]


@pytest.mark.parametrize('version', VERSIONS)
def test_unknown_and_disabled_jobs_fail_before_any_start(server, run_module, version):
    connection = server.vb365_connection(version)
    unknown_name = run_module(job_session, job_name='Nightly mail', **connection)
    assert unknown_name.failed and "no job named 'Nightly mail'" in unknown_name['msg']
    assert 'Exchange daily' in unknown_name['msg']
    unknown_id = run_module(job_session, job_id='00000000-0000-4000-8000-000000000000', **connection)
    assert unknown_id.failed and 'has no job 00000000-0000-4000-8000-000000000000' in unknown_id['msg']
    disabled = run_module(job_session, job_name='OneDrive weekends', **connection)
    assert disabled.failed and 'is disabled' in disabled['msg'] and not disabled['changed']
    assert starts(server, version) == []


def test_v5_and_bad_options_are_refused_before_any_request(server, run_module):
    result = run_module(job_session, job_name='Exchange daily', **server.vb365_connection('v5'))
    assert result.failed and 'VB365 6 and later' in result['msg']
    result = run_module(job_session, job_name='Exchange daily', wait_timeout=0, **server.vb365_connection('v8'))
    assert result.failed and 'wait_timeout: 0 is out of range' in result['msg']
    result = run_module(job_session, job_id='not-a-guid', **server.vb365_connection('v8'))
    assert result.failed and 'is not a GUID' in result['msg']
    assert server.requests('/v') == []


def test_a_start_answered_with_a_session_of_another_job_is_not_trusted(server, run_module):
    job = job_named(server, 'Exchange daily')
    server.fault('/v8/Jobs/%s/start' % job['id'], other_job=True)
    result = run_module(job_session, job_id=job['id'], **server.vb365_connection('v8'))
    assert result.failed and result['changed']
    assert 'not of job %s; not trusted' % job['id'] in result['msg'], result['msg']
    assert not server.requests('/v8/JobSessions/')


def test_a_start_answered_without_a_session_that_never_appears_fails_clearly(server, run_module):
    job = job_named(server, 'Exchange daily')
    server.fault('/v7/Jobs/%s/start' % job['id'], phantom=True)
    result = run_module(job_session, job_id=job['id'], wait_timeout=2, **server.vb365_connection('v7'))
    assert result.failed and result['changed']
    assert 'no new session of it appeared within 2 s' in result['msg'], result['msg']


JOB = '6f1d2b7e-8c3a-4d5e-9f10-1a2b3c4d5e6f'
OTHER_JOB = '0b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4'
SESSION = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'


def hostile_vb365(polled=None, running_id=None):
    """A v8 server with one job: its start answers with a session of the job, and a poll of that session answers
    ``polled``; with ``running_id`` the job has a session running under that ID."""
    def answer(request):
        if request.method == 'POST' and request.path.endswith('/token'):
            return token()
        if request.method == 'POST':
            return Answer(body=dict(id=SESSION, jobId=JOB, status='Running', creationTime='2026-11-24T06:00:00Z'))
        if request.path == '/v8/Jobs':
            return Answer(body=dict(offset=0, limit=30, results=[dict(id=JOB, name='Mail')]))
        if request.path == '/v8/Jobs/%s' % JOB:
            return Answer(body=dict(id=JOB, name='Mail', isEnabled=True))
        if request.path == '/v8/JobSessions':
            running = [dict(id=running_id, jobId=JOB, status='Running', creationTime='2026-11-24T05:00:00Z')]
            return Answer(body=dict(offset=0, limit=30, results=running if running_id else []))
        return Answer(body=polled)
    return HostileServer(answer)


@pytest.mark.hostile
def test_a_polled_session_of_another_job_is_not_trusted(run_module):
    polled = dict(id=SESSION, jobId=OTHER_JOB, status='Success', creationTime='2026-11-24T06:00:00Z',
                  endTime='2026-11-24T06:10:00Z')
    with hostile_vb365(polled) as server:
        result = run_module(job_session, job_name='mail', wait_timeout=5, **server.vb365())
    assert result.failed and result['changed']
    assert 'answered with session %s of job %s, not of job %s; not trusted' % (SESSION, OTHER_JOB, JOB) in result['msg']


@pytest.mark.hostile
def test_a_running_session_whose_id_is_no_guid_is_not_followed(run_module):
    with hostile_vb365(running_id='../../token/logout') as server:
        result = run_module(job_session, job_id=JOB, **server.vb365())
        polled = [path for path in server.paths() if 'logout' in path or path.startswith('/v8/JobSessions/')]
    assert result.failed and not result['changed']
    assert 'whose ID is no GUID (../../token/logout); not followed' in result['msg'], result['msg']
    assert polled == []
