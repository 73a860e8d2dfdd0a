"""Starting a VB365 job and the jobs' schedules, held to Veeam's OpenAPI documents, v6 to v8 (see
test_wire_fidelity.py for the contract): every request job_session makes is an operation of the document, with the
documented start options as its body; every answer of the emulator - the jobs with their schedules, the sessions a
start made, its log, and the start's own answers (200 with the session on v8, 204 before, the refusals) - is valid
against the operation's schema."""

from functools import partial

import pytest
import requests

from emulator.control import EmulatorProcess
from test_wire_fidelity import Contract, as_json_schema, assert_valid, replay, run_in_child

VERSIONS = ('v6', 'v7', 'v8')


@pytest.fixture(scope='module')
def runner():
    """job_session in a child process."""
    return partial(run_in_child, 'job_session')


def job_ids(emulator):
    return dict((job['name'], job['id']) for job in emulator.vb365()['jobs'])


def exercise(emulator, run, version):
    """job_session with every path that shapes a request: start and wait, failed, running, check mode, refused."""
    connection = emulator.vb365_connection(version)
    emulator.plan_starts(plans=[dict(status='Success'), dict(status='Failed'), dict(status='Success', seconds=3)])
    for options, fails in ((dict(job_name='Exchange daily'), False),
                           (dict(job_name='SharePoint daily', fail_on_failure=False), False),
                           (dict(job_name='Teams hourly', wait=False, full=True), False),
                           (dict(job_name='Teams hourly', if_running='return'), False),
                           (dict(job_name='Teams hourly'), False),
                           (dict(job_name='Archive mailboxes', _ansible_check_mode=True), False),
                           (dict(job_name='OneDrive weekends'), True)):
        result = run(dict(connection, **options))
        assert bool(result.get('failed')) == fails, (version, options, result.get('msg'))


@pytest.fixture(scope='module')
def exercised(runner, tmp_path_factory):
    """{version: (the emulator's request log, the GET answers replayed, the start's own answers)}."""
    with EmulatorProcess(tmp_path_factory.mktemp('job-start'), '--jobs', 12, '--vb365-start-seconds', 1) as emulator:
        logs = {}
        for version in VERSIONS:
            emulator.clear()
            exercise(emulator, runner, version)
            log = emulator.requests('/%s/' % version)
            answers = [replay(emulator, entry) for entry in log if entry['method'] == 'GET']
            ids = job_ids(emulator)
            answers += [replay(emulator, dict(method='GET', path='/%s/Jobs/%s' % (version, job_id), query={}))
                        for job_id in ids.values()]
            logs[version] = (log, answers, starts(emulator, version, ids))
        yield logs


def starts(emulator, version, ids):
    """The start's answers to each case, asked directly: (case, status, body or None)."""
    server = emulator.info['vb365']
    token = requests.post(server['url'] + '/%s/token' % version, verify=server['certificate'], timeout=10,
                          data=dict(grant_type='password', username=server['username'], password=server['password'],
                                    **({'disable_antiforgery_token': 'true'} if version != 'v6' else {}))).json()
    emulator.plan_starts(seconds=2)

    def post(job_id, **kwargs):
        answer = requests.post(server['url'] + '/%s/Jobs/%s/start' % (version, job_id), verify=server['certificate'],
                               headers={'Authorization': 'Bearer %s' % token['access_token']}, timeout=10, **kwargs)
        return answer.status_code, answer.json() if answer.content else None
    answers = [('started', '/%s/Jobs/%s/start' % (version, ids['Archive mailboxes'])) + post(ids['Archive mailboxes'], json={})]
    answers.append(('running', answers[0][1]) + post(ids['Archive mailboxes'], json=dict(full=False)))
    answers.append(('disabled', '/%s/Jobs/%s/start' % (version, ids['OneDrive weekends']))
                   + post(ids['OneDrive weekends'], json=dict(full=True)))
    unknown = '00000000-0000-4000-8000-000000000000'
    answers.append(('unknown', '/%s/Jobs/%s/start' % (version, unknown)) + post(unknown, json={}))
    answers.append(('no options', '/%s/Jobs/%s/start' % (version, ids['Exchange daily']))
                   + post(ids['Exchange daily'], data='full'))
    return answers


@pytest.mark.parametrize('version', VERSIONS)
def test_every_request_of_job_session_is_an_operation_of_the_document(exercised, version):
    log, _answers, _starts = exercised[version]
    contract = Contract(version)
    templates = set()
    for entry in log:
        template, operation = contract.check_request(entry)
        templates.add(template)
        if entry['method'] == 'POST' and template.endswith('/start'):
            body = operation['requestBody']['content']['application/json']['schema']
            assert_valid(as_json_schema(body, contract.components), entry['json'], 'POST %s body' % template)
    assert {'/%s/Jobs/{jobId}/start' % version, '/%s/Jobs/{jobId}' % version, '/%s/Jobs' % version,
            '/%s/JobSessions/{jobSessionsId}' % version, '/%s/JobSessions/{sessionId}/LogItems' % version} <= templates
    posted = [entry for entry in log if entry['method'] == 'POST' and entry['path'].endswith('/start')]
    # Exchange, SharePoint, Teams once: not the running Teams again, not in check mode, not the disabled job.
    assert [entry['json'] for entry in posted] == [dict(full=False), dict(full=False), dict(full=True)]


@pytest.mark.parametrize('version', VERSIONS)
def test_every_answer_about_jobs_and_started_sessions_is_valid_against_the_document(exercised, version):
    _log, answers, started = exercised[version]
    contract = Contract(version)
    validated = 0
    for method, path, status, body in answers:
        schema = contract.response_schema(method, path, status)
        if schema is not None and body is not None:
            assert_valid(schema, body, '%s %s answered %s' % (method, path, status))
            validated += 1
    assert validated >= 15
    for case, path, status, body in started:
        expected = {'started': 200 if version == 'v8' else 204, 'running': 409, 'disabled': 409, 'unknown': 404,
                    'no options': 400}[case]
        assert status == expected, (case, status, body)
        if body is not None:
            assert_valid(contract.response_schema('POST', path, status), body, '%s start: %s' % (version, case))
    assert (started[0][3] is not None) == (version == 'v8')
    if version == 'v8':
        assert started[0][3]['status'] == 'Running' and started[0][3]['jobId'] in started[0][1]
        assert started[1][3]['errorCode'] == 'OperationConflict'


@pytest.mark.parametrize('version', VERSIONS)
def test_each_job_carries_the_schedule_its_version_documents(exercised, version):
    _log, answers, _starts = exercised[version]
    jobs = dict((body['name'], body) for _method, path, status, body in answers
                if status == 200 and path.startswith('/%s/Jobs/' % version) and path.count('/') == 3)
    assert set(jobs) == {'Exchange daily', 'SharePoint daily', 'Teams hourly', 'Archive mailboxes', 'OneDrive weekends'}
    policies = dict((name, job['schedulePolicy']) for name, job in jobs.items())
    assert (policies['Exchange daily']['type'], policies['Exchange daily']['dailyType']) == ('Daily', 'Everyday')
    assert (policies['SharePoint daily']['type'], policies['SharePoint daily']['dailyType']) == ('Daily', 'Workdays')
    assert (policies['Teams hourly']['type'], policies['Teams hourly']['periodicallyEvery']) == ('Periodically', 'Hours1')
    assert policies['Archive mailboxes']['type'] == 'ManualOnly' and jobs['Archive mailboxes']['nextRun'] is None
    assert jobs['OneDrive weekends']['isEnabled'] is False and jobs['OneDrive weekends']['nextRun'] is None
    assert all(policy['retryEnabled'] is not None for policy in policies.values())
    assert all(('lastBackup' in job) == (version != 'v6') for job in jobs.values())
    assert all(('periodicallyWindowEnabled' in policy) == (version != 'v6') for policy in policies.values())
    assert jobs['Exchange daily']['nextRun'] and jobs['Exchange daily']['lastRun']


def test_a_schedule_set_by_a_test_follows_each_documents_enumerations(tmp_path):
    """Hours12 is v8's only: the v7 document refuses it, so a schedule the emulator serves is held per version."""
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 4) as emulator:
        teams = job_ids(emulator)['Teams hourly']
        changed = emulator.set_vb365_job(teams, schedulePolicy=dict(type='Periodically', periodicallyEvery='Hours12'))
        assert changed['schedulePolicy']['periodicallyEvery'] == 'Hours12' and changed['nextRun']
        weekly = emulator.set_vb365_job(job_ids(emulator)['Exchange daily'], schedulePolicy=dict(
            type='Daily', dailyType='Friday', dailyTime='23:30:00'))
        assert weekly['schedulePolicy']['retryEnabled'] is False and weekly['nextRun'].endswith('23:30:00.0000000Z')
        answers = dict((version, replay(emulator, dict(method='GET', path='/%s/Jobs/%s' % (version, teams), query={})))
                       for version in ('v7', 'v8'))
    assert_valid(Contract('v8').response_schema('GET', answers['v8'][1], 200), answers['v8'][3], 'v8 Hours12')
    with pytest.raises(AssertionError, match='is not one of'):
        assert_valid(Contract('v7').response_schema('GET', answers['v7'][1], 200), answers['v7'][3], 'v7 Hours12')
