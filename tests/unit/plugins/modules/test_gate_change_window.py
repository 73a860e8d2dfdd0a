"""The gate in the change window, against the emulator's VB365 REST API, v6 to v8: the maximum age derived from a job's
schedule, a backup that is running now ignored, blocking or waited for, and a check that asks for a fresh backup
marked refreshable only when it fails for age alone. (The role's taking of the backup: test_backup_gate.py.)"""

import time

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_gate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.modules import backup_gate_info, job_session
from emulator.control import EmulatorProcess

VERSIONS = ('v6', 'v7', 'v8')


@pytest.fixture
def server(tmp_path):
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 12, '--vb365-start-seconds', 1) as running:
        yield running


@pytest.fixture
def stale(tmp_path):
    """A server whose every backup job's newest success is days old."""
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 12, '--vb365-shape', 'stale',
                         '--vb365-start-seconds', 1) as running:
        yield running


def gate(run_module, server, version, *checks):
    return run_module(backup_gate_info, checks=list(checks), vb365=server.vb365_connection(version))


@pytest.mark.parametrize('version', VERSIONS)
def test_max_age_from_the_schedule_is_the_jobs_gap_plus_grace_and_the_reason_says_where_it_came_from(
        server, run_module, version):
    result = gate(run_module, server, version,
                  dict(name='mail', source='vb365', filters=dict(job_name='Exchange daily'), max_age_hours='schedule'),
                  dict(name='sites', source='vb365', filters=dict(job_name='SharePoint daily'), max_age_hours='Schedule'))
    assert not result.failed, result.get('msg')
    mail, sites = result['checks']
    # The emulator's jobs have VB365's default retries: 3 of them, 10 minutes apart (half an hour).
    assert mail['max_age_hours'] == 24 + 0.5 + 6 and sites['max_age_hours'] == 72 + 0.5 + 6
    assert mail['max_age_from'] == ('30.5 h from the schedule of job Exchange daily (Daily, Everyday at 22:00): '
                                    'longest gap 24 h + retries 0.5 h + grace 6 h')
    assert 'Workdays at 01:30' in sites['max_age_from'] and 'longest gap 72 h' in sites['max_age_from']
    assert mail['reason'].endswith('(max_age_hours: %s)' % mail['max_age_from'])
    assert 'in the last 30.5 h' in mail['reason']


@pytest.mark.parametrize('job, words', [('Archive mailboxes', 'runs only when started by hand (ManualOnly)'),
                                        ('OneDrive weekends', 'is disabled')])
def test_a_job_without_a_schedule_refuses_the_run_naming_the_check_and_what_to_write(server, run_module, job, words):
    result = gate(run_module, server, 'v8',
                  dict(name='archive', source='vb365', filters=dict(job_name=job), max_age_hours='schedule'))
    assert result.failed and 'exception' not in result
    assert result['msg'].startswith('check archive: max_age_hours: schedule: job %s %s' % (job, words)), result['msg']
    assert result['msg'].endswith('give max_age_hours as a number of hours instead')


@pytest.mark.parametrize('check, words', [
    (dict(source='vm', max_age_hours='schedule'), 'source vm has none'),
    (dict(source='vb365', max_age_hours='schedule'), 'max_age_hours: schedule needs the one job it is about'),
    (dict(source='dynamics', refresh=True), 'source dynamics has no job this collection can start'),
    (dict(source='vb365', refresh=True), 'refresh needs the one job it is about: give the filter job_id or job_name'),
    (dict(source='vb365', refresh='yes'), "refresh: 'yes' is not true or false"),
    (dict(source='vb365', running='queue'), "running: 'queue' is not one of ignore, block, wait"),
    (dict(source='vb365', running='wait', running_timeout=0), 'running_timeout: 0 is not a whole number of seconds'),
    (dict(source='vb365_item', filters=dict(user='megan.bowen@contoso.onmicrosoft.com'), running='block'),
     'running: source vb365_item judges its items by their backed-up times'),
    (dict(source='vb365_item', filters=dict(user='megan.bowen@contoso.onmicrosoft.com'), refresh=True),
     'refresh: source vb365_item has no job this collection can start'),
])
def test_change_window_fields_that_cannot_work_are_refused_before_any_request(check, words):
    with pytest.raises(OptionError) as refused:
        check_gate_checks([dict(check, name='c')])
    assert refused.value.msg.startswith('check c: ') and words in refused.value.msg, refused.value.msg


def start(run_module, server, version, job_name):
    started = run_module(job_session, job_name=job_name, wait=False, **server.vb365_connection(version))
    assert not started.failed and started['session']['outcome'] == 'running', started
    return started['session']['id']


@pytest.mark.parametrize('version', VERSIONS)
def test_a_running_backup_blocks_only_a_check_that_says_block(server, run_module, version):
    server.plan_starts(seconds=60)
    session_id = start(run_module, server, version, 'Exchange daily')
    checks = [dict(name=mode, source='vb365', filters=dict(job_name='Exchange daily'), running=mode)
              for mode in ('ignore', 'block')]
    result = gate(run_module, server, version, *checks)
    ignored, blocked = result['checks']
    assert ignored['passed'] is True and 'running_now' not in ignored
    assert blocked['passed'] is False and blocked['running_now'] == [session_id]
    assert blocked['reason'].startswith('a backup of it is running now (%s), which the change would race' % session_id)
    assert '(running: block)' in blocked['reason']


@pytest.mark.parametrize('version', VERSIONS)
def test_running_wait_waits_for_the_backup_to_end_then_judges_with_it(server, run_module, version):
    server.plan_starts(seconds=4)
    session_id = start(run_module, server, version, 'Teams hourly')
    began = time.monotonic()
    result = gate(run_module, server, version,
                  dict(name='teams', source='vb365', filters=dict(job_name='Teams hourly'), running='wait'))
    check, = result['checks']
    assert time.monotonic() - began >= 2
    assert check['passed'] is True and check['running_now'] == []
    assert check['reason'].startswith('waited ') and 'for the running backup %s to end (running: wait)' % session_id \
        in check['reason']
    assert check['latest_success']['id'] == session_id


def test_running_wait_gives_up_at_running_timeout_and_blocks(server, run_module):
    server.plan_starts(seconds=60)
    session_id = start(run_module, server, 'v8', 'Exchange daily')
    result = gate(run_module, server, 'v8', dict(name='mail', source='vb365', filters=dict(job_name='Exchange daily'),
                                                 running='wait', running_timeout=3))
    check, = result['checks']
    assert check['passed'] is False
    assert check['reason'].startswith('a backup of it still runs after running_timeout=3 s (%s' % session_id)


@pytest.mark.parametrize('version', VERSIONS)
def test_refreshable_only_when_the_check_fails_for_age_alone(stale, run_module, version):
    result = gate(run_module, stale, version,
                  dict(name='old', source='vb365', filters=dict(job_name='Exchange daily'), refresh=True),
                  dict(name='fresh enough', source='vb365', filters=dict(job_name='Exchange daily'), refresh=True,
                       max_age_hours=24 * 30),
                  dict(name='no refresh asked', source='vb365', filters=dict(job_name='Exchange daily')))
    old, fresh, plain = result['checks']
    assert (old['passed'], old['refreshable']) == (False, True), old['reason']
    assert (fresh['passed'], fresh['refreshable']) == (True, False)
    assert 'refreshable' not in plain


def test_not_refreshable_when_backups_failed_or_the_listing_failed(tmp_path, run_module):
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 12, '--vb365-shape', 'failed') as failed:
        result = gate(run_module, failed, 'v8',
                      dict(name='failing', source='vb365', filters=dict(job_name='Exchange daily'), refresh=True))
        failed.fault('/v8/JobSessions', 503, count=100)
        broken = run_module(backup_gate_info, checks=[dict(name='broken', source='vb365', refresh=True,
                                                           filters=dict(job_name='Exchange daily'))],
                            vb365=dict(failed.vb365_connection('v8'), retries=0))
    check, = result['checks']
    assert (check['passed'], check['refreshable']) == (False, False), check['reason']
    check, = broken['checks']
    assert check['error'] and check['refreshable'] is False


def test_the_verdict_after_a_backup_says_it_was_taken_and_which(stale, run_module):
    taken = run_module(job_session, job_name='Exchange daily', **stale.vb365_connection('v8'))
    result = run_module(backup_gate_info, vb365=stale.vb365_connection('v8'),
                        checks=[dict(name='old', source='vb365', filters=dict(job_name='Exchange daily'),
                                     refresh=True)],
                        refreshed=dict(old=dict(taken)))
    check, = result['checks']
    assert check['passed'] is True and check['refreshable'] is False
    assert check['refreshed']['session_id'] == taken['session']['id'] and check['refreshed']['outcome'] == 'success'
    assert check['reason'].startswith('backup taken before judging (session %s, success); newest success is'
                                      % taken['session']['id'])
