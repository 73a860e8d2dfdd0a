"""The backup_jobs event source, driven through main() with a queue: the events a rulebook sees poll after
poll (each failed job once, stale once and recovered once, listing errors that keep it polling), arguments it
refuses, its blocking calls off the event loop, and a clean stop when cancelled."""

import asyncio
import json
import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from ansible_collections.backupops.jobs.extensions.eda.plugins.event_source import backup_jobs
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp

VM = dict(name='Azure VMs', source='vm')
DYNAMICS = dict(name='Dynamics', source='dynamics')
CHECKS = [VM, DYNAMICS]


def hours_ago(hours):
    return format_timestamp(datetime.now(timezone.utc) - timedelta(hours=hours))


# Times are set once, so a job is the same job in every poll of a test.
THIRTY_HOURS_AGO, TEN_HOURS_AGO, FIVE_HOURS_AGO = hours_ago(30), hours_ago(10), hours_ago(5)


def job(ident, outcome, finished=TEN_HOURS_AGO, kind='backup'):
    return dict(id=ident, kind=kind, outcome=outcome, start_time=THIRTY_HOURS_AGO, finish_time=finished,
                duration_seconds=3600)


def verdict(check=None, passed=True, records=(), error=None, accept=('success',), reason=None):
    return dict(check or VM, max_age_hours=24.0, accept=list(accept), min_successes=1, passed=passed,
                reason=reason or ('newest success is 1 h old' if passed else 'last 2 jobs failed'),
                latest_success=None, hours_since_success=None, jobs_considered=len(records), error=error,
                records=list(records))


class RecordingQueue(asyncio.Queue):
    """A queue that remembers which poll put each event."""

    def __init__(self, polls):
        super().__init__()
        self.polls = polls
        self.seen = []

    async def put(self, item):
        self.seen.append((len(self.polls), item['backup']))
        await super().put(item)


@pytest.fixture(autouse=True)
def no_connection_from_the_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith(('AVEPOINT_', 'VB365_')):
            monkeypatch.delenv(name)


def run_polls(monkeypatch, polls, checks=None, **args):
    """Run main() over the verdicts of successive polls (a list, or a function of the context and the poll's time
    that returns or raises); the events of each poll. Failures already in the window at start are reported unless
    the test says otherwise (report_existing=False), as most tests here are about what is reported once."""
    calls = []
    script = list(polls)
    finished = threading.Event()

    def evaluate(checks, context, connections, now=None, history_hours=None, keep_records=False):
        calls.append(dict(checks=checks, keep_records=keep_records, **connections,
                          thread=threading.current_thread()))
        if not script:
            finished.set()
            return []
        step = script.pop(0)
        if callable(step):
            return step(context, now)
        return step

    monkeypatch.setattr(backup_jobs, 'evaluate_checks', evaluate)

    async def drive():
        queue = RecordingQueue(calls)
        arguments = dict(dict(checks=checks or CHECKS, interval=0.001, report_existing=True), **args)
        task = asyncio.create_task(backup_jobs.main(queue, arguments))
        while not finished.is_set() and not task.done():
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return queue.seen
    seen = asyncio.run(drive())
    by_poll = [[] for poll in polls]
    for poll, event in seen:
        by_poll[poll - 1].append(event)
    return by_poll, calls


def types(events):
    return [(event['type'], event['check']) for event in events]


def test_each_failed_job_is_reported_once_with_its_common_fields(monkeypatch):
    first = [job('J1', 'failed'), job('j2', 'success')]
    second = first + [job('J3', 'failed', finished=FIVE_HOURS_AGO)]
    # The same job spelled otherwise by the API is the same job.
    third = [job('j1', 'failed'), job('j3', 'failed', finished=FIVE_HOURS_AGO)]
    polls, calls = run_polls(monkeypatch, [[verdict(records=first)], [verdict(records=second)],
                                           [verdict(records=third)]], checks=[VM])
    assert polls[0] == [dict(type='job_failed', check='Azure VMs', source='vm', job=dict(
        id='J1', kind='backup', outcome='failed', start_time=THIRTY_HOURS_AGO, finish_time=TEN_HOURS_AGO))]
    assert [event['job']['id'] for event in polls[1]] == ['J3']
    assert polls[2] == []
    assert all(call['keep_records'] for call in calls)


def test_warnings_are_failures_only_where_the_check_does_not_accept_them(monkeypatch):
    records = [job('w1', 'warning'), job('r1', 'failed', kind='restore'), job('s1', 'running', finished=None)]
    polls, _calls = run_polls(monkeypatch, [[verdict(records=records),
                                             verdict(DYNAMICS, records=records, accept=('success', 'warning'))]])
    assert [(event['check'], event['job']['id']) for event in polls[0]] == [('Azure VMs', 'w1')]


def test_memory_of_reported_jobs_holds_only_the_failures_still_inside_their_window(monkeypatch):
    """A long-running source remembers the failures its window can still list, not every failure it ever saw."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    new = job('new', 'failed', finished=FIVE_HOURS_AGO)
    polls = [[verdict(records=[job('old', 'failed'), new])], [verdict(records=[new])]]
    watch = backup_jobs.BackupWatch()
    assert len(watch.events(polls[0], now)) == 2 and watch.events(polls[1], now) == []
    assert sorted(watch.reported_failures['Azure VMs']) == ['new', 'old']
    # Hourly polls, each listing a new failure of the hour before: the 24 h window holds 24 of them at most.
    for number in range(1, 1000):
        poll = now + timedelta(hours=number)
        finished = format_timestamp(poll - timedelta(hours=1))
        assert len(watch.events([verdict(records=[job('job-%d' % number, 'failed', finished=finished)])], poll)) == 1
    assert len(watch.reported_failures['Azure VMs']) == 24


def test_a_listing_that_misses_a_reported_failure_does_not_make_it_new_again(monkeypatch):
    failed = job('J1', 'failed')
    polls, _calls = run_polls(monkeypatch, [[verdict(records=[failed])], [verdict(records=[])],
                                            [verdict(records=[dict(failed, id=' j1 ')])]], checks=[VM])
    assert [event['job']['id'] for event in polls[0]] == ['J1']
    assert polls[1] == [] and polls[2] == []


def test_one_failed_job_listed_with_two_finish_times_is_reported_once(monkeypatch):
    twice = [job(7, 'failed'), job('7', 'failed', finished=FIVE_HOURS_AGO)]
    polls, _calls = run_polls(monkeypatch, [[verdict(records=twice)]], checks=[VM])
    assert [event['job']['id'] for event in polls[0]] == [7]


def test_only_failures_inside_the_window_are_reported_whatever_the_listing_holds(monkeypatch):
    """A failing check's listing holds its look-back too: those older failures are never reported, so they cannot
    come back each time the check fails again."""
    old = job('old', 'failed', finished=hours_ago(30))
    future = job('future', 'failed', finished=hours_ago(-2))
    recent = job('recent', 'failed')
    polls, _calls = run_polls(monkeypatch, [[verdict(passed=False, records=[old, future, recent])],
                                            [verdict(records=[recent])],
                                            [verdict(passed=False, records=[old, recent])]], checks=[VM])
    assert [[(event['type'], event.get('job', {}).get('id')) for event in events] for events in polls] == [
        [('job_failed', 'recent'), ('check_stale', None)], [('check_recovered', None)], [('check_stale', None)]]


def test_a_check_is_stale_once_and_recovered_once(monkeypatch):
    stale = verdict(passed=False, reason='no backup job in the last 24 h; newest success is 30 h old')
    polls, _calls = run_polls(monkeypatch, [[verdict()], [stale], [stale], [verdict()], [verdict()], [stale]],
                              checks=[VM])
    assert [types(events) for events in polls] == [
        [], [('check_stale', 'Azure VMs')], [], [('check_recovered', 'Azure VMs')], [], [('check_stale', 'Azure VMs')]]
    assert polls[1][0] == dict(type='check_stale', check='Azure VMs', source='vm',
                               reason='no backup job in the last 24 h; newest success is 30 h old',
                               latest_success=None, hours_since_success=None, jobs_considered=0, max_age_hours=24.0)


def test_a_check_stale_at_start_is_reported_and_a_passing_one_is_not(monkeypatch):
    polls, _calls = run_polls(monkeypatch, [[verdict(passed=False), verdict(DYNAMICS)]])
    assert types(polls[0]) == [('check_stale', 'Azure VMs')]


def test_a_failing_listing_is_a_source_error_every_poll_and_polling_goes_on(monkeypatch):
    broken = verdict(passed=False, error='GET /backup/vm/jobs: HTTP 503 from the API', reason='could not list the jobs')
    polls, calls = run_polls(monkeypatch, [[verdict(passed=False)], [broken], [broken], [verdict(passed=False)],
                                           [broken], [verdict()]], checks=[VM])
    assert [types(events) for events in polls] == [
        [('check_stale', 'Azure VMs')], [('source_error', 'Azure VMs')], [('source_error', 'Azure VMs')],
        [], [('source_error', 'Azure VMs')], [('check_recovered', 'Azure VMs')]]
    assert polls[1][0]['message'] == 'GET /backup/vm/jobs: HTTP 503 from the API'
    assert len(calls) == 7


def test_failed_jobs_seen_before_a_listing_error_are_not_reported_again(monkeypatch):
    records = [job('J1', 'failed')]
    polls, _calls = run_polls(monkeypatch, [[verdict(records=records)], [verdict(error='timeout', passed=False)],
                                            [verdict(records=records)]], checks=[VM])
    assert [types(events) for events in polls] == [[('job_failed', 'Azure VMs')], [('source_error', 'Azure VMs')], []]


def test_no_secret_reaches_an_event(monkeypatch):
    secret = 'Pa ss/w0rd+secret'

    def leaky(context, _now):
        context.add_secret(secret)
        return [verdict(passed=False, error='token refused for %s (sent password=Pa%%20ss%%2Fw0rd%%2Bsecret)' % secret)]
    polls, _calls = run_polls(monkeypatch, [leaky], checks=[VM])
    [event] = polls[0]
    assert event['type'] == 'source_error'
    # A text that holds a secret, in any encoding, is withheld whole on its way out.
    assert event['message'] == '(withheld: it held a secret of this run)'


def test_when_nothing_can_be_listed_every_check_has_a_source_error(monkeypatch):
    def no_token(context, _now):
        raise backup_jobs.BackupOpsError('POST /connect/token: cannot connect to https://127.0.0.1:9')
    polls, calls = run_polls(monkeypatch, [no_token, [verdict(), verdict(DYNAMICS)]])
    assert types(polls[0]) == [('source_error', 'Azure VMs'), ('source_error', 'Dynamics')]
    assert polls[0][0]['message'] == 'POST /connect/token: cannot connect to https://127.0.0.1:9'
    assert polls[1] == [] and len(calls) == 3


def test_an_unexpected_error_is_a_source_error_and_the_source_polls_on(monkeypatch):
    def broken(context, _now):
        raise OverflowError('int too large to convert to float')
    polls, calls = run_polls(monkeypatch, [broken, [verdict(passed=False)]], checks=[VM])
    assert types(polls[0]) == [('source_error', 'Azure VMs')]
    assert polls[0][0]['message'] == 'unexpected error (OverflowError): int too large to convert to float'
    assert types(polls[1]) == [('check_stale', 'Azure VMs')] and len(calls) == 3


def test_bad_connection_options_stop_the_source_naming_the_option(monkeypatch):
    def no_credentials(*args, **kwargs):
        raise backup_jobs.OptionError('avepoint: no credentials: give client_id and client_secret', option='client_id')
    monkeypatch.setattr(backup_jobs, 'evaluate_checks', no_credentials)
    with pytest.raises(backup_jobs.SourceArgumentError, match='backupops.jobs.backup_jobs: avepoint: no credentials'):
        asyncio.run(backup_jobs.main(asyncio.Queue(), dict(checks=[VM], avepoint=dict(region='us'))))


def test_the_collection_gets_the_validated_checks_and_the_connection_options(monkeypatch):
    _polls, calls = run_polls(monkeypatch, [[]], checks=[dict(VM, filters=dict(search_text=' web '))],
                              avepoint=dict(region='us'), vb365=None)
    assert calls[0]['checks'] == [dict(name='Azure VMs', source='vm', filters=dict(search_text='web'),
                                       max_age_hours=24.0, accept=['success'], min_successes=1)]
    # The listing modules' defaults, as the role's connections get them.
    assert calls[0]['avepoint']['region'] == 'us' and calls[0]['avepoint']['timeout'] == 30
    assert calls[0]['vb365']['api_version'] == 'v8' and calls[0]['vb365']['url'] is None


@pytest.mark.parametrize('args, message', [
    (dict(checks=[VM], intervall=60),
     'unknown arguments intervall; it takes checks, avepoint, vb365, interval, report_existing, state_file'),
    (dict(checks=[]), 'checks: give a non-empty list of checks'),
    (dict(checks=VM), 'checks: give a non-empty list of checks'),
    (dict(checks=[dict(VM, filters=dict(search_text=''))]), 'checks: check Azure VMs: filter search_text is empty'),
    (dict(checks=[dict(name='x', source='netbackup')]), "checks: check x: source 'netbackup' is not one of"),
    (dict(checks=[VM], interval=0), 'interval: 0 is not a number of seconds above 0'),
    (dict(checks=[VM], interval='soon'), "interval: 'soon' is not a number of seconds"),
    (dict(checks=[VM], interval=True), 'interval: True is not a number of seconds'),
    (dict(checks=[VM], avepoint='us'), 'avepoint: give a dict of connection options, not a string'),
    (dict(checks=[VM], avepoint=dict(region='us', client_id=' ')), 'avepoint.client_id: the value is empty'),
    (dict(checks=[VM], vb365=dict(timeout='soon')), 'vb365: '),
    ('checks', 'the arguments must be a mapping'),
])
def test_bad_arguments_stop_the_source_before_any_request(monkeypatch, args, message):
    monkeypatch.setattr(backup_jobs, 'evaluate_checks', pytest.fail)
    with pytest.raises(backup_jobs.SourceArgumentError) as raised:
        asyncio.run(backup_jobs.main(asyncio.Queue(), args))
    assert message in str(raised.value) and str(raised.value).startswith('backupops.jobs.backup_jobs: ')


def test_interval_defaults_to_300_seconds_and_takes_a_numeric_string():
    assert backup_jobs.check_arguments(dict(checks=[VM]), backup_jobs.Context())[3] == 300
    assert backup_jobs.check_arguments(dict(checks=[VM], interval=' 90 '), backup_jobs.Context())[3] == 90


def test_arguments_ansible_rulebook_adds_are_not_refused():
    assert backup_jobs.check_arguments(dict(checks=[VM], eda_feedback_queue=object()),
                                       backup_jobs.Context())[0][0]['name'] == 'Azure VMs'


def test_listing_runs_off_the_event_loop_and_cancel_stops_it_at_once(monkeypatch):
    """While a poll waits on the network the loop keeps running, and cancelling returns without waiting for it."""
    started, release = threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        started.set()
        release.wait(10)
        return []
    monkeypatch.setattr(backup_jobs, 'evaluate_checks', slow)

    async def drive():
        task = asyncio.create_task(backup_jobs.main(asyncio.Queue(), dict(checks=[VM])))
        ticks = 0
        while not started.is_set():
            await asyncio.sleep(0.001)
        while ticks < 20:
            await asyncio.sleep(0.001)
            ticks += 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 1)
        release.set()
        return ticks
    assert asyncio.run(drive()) == 20


def test_cancel_during_the_wait_between_polls_stops_it(monkeypatch):
    polled = threading.Event()

    def quick(*args, **kwargs):
        polled.set()
        return [verdict(passed=False)]
    monkeypatch.setattr(backup_jobs, 'evaluate_checks', quick)

    async def drive():
        queue = asyncio.Queue()
        task = asyncio.create_task(backup_jobs.main(queue, dict(checks=[VM], interval=3600)))
        event = await asyncio.wait_for(queue.get(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 1)
        return event
    assert asyncio.run(drive())['backup']['type'] == 'check_stale'


def test_each_poll_holds_its_own_tokens_and_drops_them_with_it(monkeypatch):
    """A source that runs for months must not keep every token it ever obtained (each sought in every output)."""
    tokens, held = [], []

    def obtain_a_token(context, _now):
        held.append((context.secrets.held_in('s' * 16), [context.secrets.held_in(token) for token in tokens]))
        tokens.append('token-of-poll-%d-' % len(tokens) + 'x' * 4096)
        context.add_secret(tokens[-1])
        return [verdict()]
    run_polls(monkeypatch, [obtain_a_token] * 5, checks=[VM], avepoint=dict(region='us', client_secret='s' * 16))
    # Every poll starts with the connection's secrets alone, never the tokens of the polls before it.
    assert held == [(True, [False] * poll) for poll in range(5)]


@pytest.mark.hostile
def test_cancel_stops_the_listing_in_flight_within_one_request(monkeypatch):
    """Cancelled while a long listing pages on, the source sends no new request once the ones in flight end."""
    from hostile import Answer, HostileServer, token
    pages = []

    def answer(request):
        if request.path == '/connect/token':
            return token()
        pages.append(request)
        time.sleep(0.2)
        return Answer(body=dict(jobs=[dict(jobId='p%d-%d' % (len(pages), index), type=1, status=2,
                                           startTime=hours_ago(1)) for index in range(100)], totalCount=10 ** 6))

    async def drive(server):
        task = asyncio.create_task(backup_jobs.main(asyncio.Queue(), dict(checks=[VM], avepoint=dict(
            api_url=server.url, identity_url=server.url + '/connect/token', client_id='app-1', client_secret='s' * 12,
            retries=0, timeout=5))))
        while len(pages) < 4 and not task.done():
            await asyncio.sleep(0.01)
        assert not task.done(), task.exception()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 1)
        at_cancel = len(pages)
        await asyncio.sleep(1.5)
        return at_cancel, len(pages)

    with HostileServer(answer) as server:
        at_cancel, later = asyncio.run(drive(server))
    # The requests in flight at the cancel (four at a time, the default concurrency) may still arrive; none after.
    assert later - at_cancel <= 4, (at_cancel, later)


def failing_since():
    """Polls whose listings hold the failure of 10 h ago and one that ended at the first of them to ask (its ``now``,
    to the second, so after the start of that run): the same job in every run that is given them."""
    ended = []

    def poll(_context, now):
        ended.append(ended[0] if ended else format_timestamp(now))
        return [verdict(passed=False, records=[job('old', 'failed'), job('new', 'failed', finished=ended[0])])]
    return poll


def sent(polls):
    return [(event['type'], event.get('job', {}).get('id')) for events in polls for event in events]


@pytest.mark.parametrize('state, report_existing, first_run', [
    (False, False, [('check_stale', None), ('job_failed', 'new')]),
    (True, False, [('check_stale', None), ('job_failed', 'new')]),
    (True, True, [('job_failed', 'old'), ('check_stale', None), ('job_failed', 'new')]),
], ids=['default', 'state_file', 'state_file-report_existing'])
def test_a_restart_does_not_send_again_what_was_sent(monkeypatch, tmp_path, state, report_existing, first_run):
    """The same listings before and after a restart of the rulebook: the second run sends only the stale check that
    every start reports, no failed job again."""
    failing = failing_since()
    args = dict(checks=[VM], report_existing=report_existing)
    if state:
        args['state_file'] = str(tmp_path / 'backup_jobs.json')
    first, _calls = run_polls(monkeypatch, [[verdict(passed=False, records=[job('old', 'failed')])], failing], **args)
    # Finish times are whole seconds, and a failure that ended in the second a source started is new to it; a real
    # restart takes longer than that (ansible-rulebook starts a JVM).
    time.sleep(1)
    second, _calls = run_polls(monkeypatch, [failing, failing], **args)
    assert sent(first) == first_run
    assert sent(second) == [('check_stale', None)]


def test_the_default_passes_over_the_failures_in_the_window_at_start_and_says_so(monkeypatch, caplog):
    caplog.set_level('INFO', logger=backup_jobs.PLUGIN)
    polls, _calls = run_polls(monkeypatch, [[verdict(records=[job('a', 'failed'), job('b', 'failed')])],
                                            failing_since()], checks=[VM], report_existing=False)
    assert sent(polls) == [('job_failed', 'new'), ('check_stale', None)]
    assert ('check Azure VMs: 2 failed jobs ended before the source started and are not reported '
            '(report_existing: true reports them)') in caplog.messages


def test_with_a_state_file_a_failure_of_while_the_source_was_down_is_reported_at_restart(monkeypatch, tmp_path):
    state_file = tmp_path / 'backup_jobs.json'
    args = dict(report_existing=False, state_file=str(state_file))
    run_polls(monkeypatch, [[verdict(records=[job('old', 'failed')]), verdict(DYNAMICS)]], **args)
    while_down = job('while-down', 'failed', finished=format_timestamp(datetime.now(timezone.utc)))
    polls, _calls = run_polls(monkeypatch, [[verdict(records=[job('old', 'failed'), while_down]),
                                             verdict(DYNAMICS, records=[job('d-old', 'failed')])]], **args)
    # Dynamics was in the state too (with no failure), so its failure unknown to the state is new as well.
    reported = [(event['check'], event['job']['id']) for event in polls[0]]
    assert reported == [('Azure VMs', 'while-down'), ('Dynamics', 'd-old')]


def test_the_state_file_holds_the_failures_still_in_their_windows_of_the_watched_checks(monkeypatch, tmp_path):
    state_file = tmp_path / 'backup_jobs.json'
    state_file.write_text(json.dumps(dict(version=1, reported_failures={
        'Azure VMs': [dict(id='gone', finish_time=hours_ago(30)), dict(id='kept', finish_time=TEN_HOURS_AGO)],
        'Removed check': [dict(id='r1', finish_time=FIVE_HOURS_AGO)]})))
    polls, _calls = run_polls(monkeypatch, [[verdict(records=[job('kept', 'failed'), job(None, 'failed')])]],
                              checks=[VM], state_file=str(state_file))
    # The job without an ID is reported, then known by its finish time.
    assert [event['job']['id'] for event in polls[0]] == [None]
    assert json.loads(state_file.read_text()) == dict(version=1, source=backup_jobs.PLUGIN, reported_failures={
        'Azure VMs': [dict(id=None, finish_time=TEN_HOURS_AGO), dict(id='kept', finish_time=TEN_HOURS_AGO)]})
    assert [path.name for path in tmp_path.iterdir()] == ['backup_jobs.json']
    again, _calls = run_polls(monkeypatch, [[verdict(records=[job('kept', 'failed'), job(None, 'failed')])]],
                              checks=[VM], state_file=str(state_file))
    assert again == [[]]


@pytest.mark.parametrize('content, message', [
    ('{"version": 1, "reported_failures": {"Azure VMs": [{"id": "x"}]}}', 'is not a state file of this source'),
    ('[1, 2]', 'is not a state file of this source'),
    ('{"version": 2, "reported_failures": {}}', 'is not a state file of this source'),
    ('not json', 'is not a state file of this source (JSON of version 1 with reported_failures); remove it'),
])
def test_a_state_file_it_cannot_read_stops_the_source_naming_it(monkeypatch, tmp_path, content, message):
    state_file = tmp_path / 'state.json'
    state_file.write_text(content)
    monkeypatch.setattr(backup_jobs, 'evaluate_checks', pytest.fail)
    with pytest.raises(backup_jobs.SourceArgumentError) as raised:
        asyncio.run(backup_jobs.main(asyncio.Queue(), dict(checks=[VM], state_file=str(state_file))))
    assert str(raised.value).startswith('backupops.jobs.backup_jobs: state_file: %s ' % state_file)
    assert message in str(raised.value)
    assert state_file.read_text() == content


@pytest.mark.parametrize('args, message', [
    (dict(report_existing='sometimes'), "report_existing: 'sometimes' is not a boolean; give true or false"),
    (dict(report_existing=1), 'report_existing: 1 is not a boolean'),
    (dict(state_file=' '), "state_file: ' ' is not a path"),
    (dict(state_file='/nonexistent-dir/state.json'), 'state_file: cannot write /nonexistent-dir/state.json ('),
])
def test_bad_restart_options_stop_the_source_naming_them(monkeypatch, args, message):
    monkeypatch.setattr(backup_jobs, 'evaluate_checks', pytest.fail)
    with pytest.raises(backup_jobs.SourceArgumentError) as raised:
        asyncio.run(backup_jobs.main(asyncio.Queue(), dict(checks=[VM], **args)))
    assert message in str(raised.value)


def test_report_existing_takes_a_boolean_a_template_rendered_as_text():
    assert backup_jobs.check_arguments(dict(checks=[VM], report_existing=' True '), backup_jobs.Context())[4] is True
    assert backup_jobs.check_arguments(dict(checks=[VM]), backup_jobs.Context())[4:] == (False, None)


def test_each_retry_is_logged_once(caplog):
    """A connection the API refuses: urllib3 would log the retry too, besides the collection's own warning."""
    caplog.set_level('DEBUG')
    closed = socket.socket()
    closed.bind(('127.0.0.1', 0))  # bound, never listening: every connection is refused at once
    url = 'http://127.0.0.1:%d' % closed.getsockname()[1]

    async def drive():
        queue = asyncio.Queue()
        task = asyncio.create_task(backup_jobs.main(queue, dict(checks=[VM], interval=3600, avepoint=dict(
            api_url=url, identity_url=url + '/connect/token', client_id='app-1', client_secret='s' * 12, retries=1,
            retry_max_wait=5))))
        event = await asyncio.wait_for(queue.get(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return event
    try:
        event = asyncio.run(drive())
    finally:
        closed.close()
    assert event['backup']['type'] == 'source_error'
    retries = [record.getMessage() for record in caplog.records
               if record.levelno >= logging.WARNING and 'retr' in record.getMessage().lower()]
    assert len(retries) == 1, retries
    assert retries[0].startswith('POST /connect/token answered NewConnectionError; retry 1 (0 left) in '), retries


COLLECTION = os.path.abspath(os.path.join(os.path.dirname(backup_jobs.__file__), *[os.pardir] * 4))


def test_the_documentation_and_examples_are_yaml_that_describe_the_arguments():
    """Galaxy and Automation Hub read the event source's docs as YAML: a value that does not parse hides them."""
    documentation = yaml.safe_load(backup_jobs.DOCUMENTATION)
    assert tuple(documentation['options']) == backup_jobs.ARGUMENTS
    assert documentation['options']['report_existing'] == dict(documentation['options']['report_existing'],
                                                               type='bool', default=False)
    assert all(isinstance(line, str) for line in documentation['description'])
    [ruleset] = yaml.safe_load(backup_jobs.EXAMPLES)
    [source] = ruleset['sources']
    assert set(source['backupops.jobs.backup_jobs']) <= set(backup_jobs.ARGUMENTS)


def test_meta_extensions_lists_the_event_source_directory():
    with open(os.path.join(COLLECTION, 'meta', 'extensions.yml')) as handle:
        extensions = yaml.safe_load(handle)['extensions']
    [listed] = [extension['args']['ext_dir'] for extension in extensions]
    assert listed == 'eda/plugins/event_source'
    assert os.listdir(os.path.join(COLLECTION, 'extensions', listed)) == ['backup_jobs.py']


@pytest.mark.parametrize('where', ['rulebook', 'examples'])
def test_the_rulebooks_are_what_ansible_rulebook_accepts(where):
    validators = pytest.importorskip('ansible_rulebook.validators')
    rules_parser = pytest.importorskip('ansible_rulebook.rules_parser')
    if where == 'rulebook':
        with open(os.path.join(COLLECTION, 'extensions', 'eda', 'rulebooks', 'backup_alerts.yml')) as handle:
            rulebook = yaml.safe_load(handle)
    else:
        rulebook = yaml.safe_load(backup_jobs.EXAMPLES)
    validators.Validate.rulebook(rulebook)
    rules_parser.parse_rule_sets(rulebook)


def test_the_example_rulebook_alerts_on_a_failing_listing_at_most_once_an_hour_per_check():
    """A failing listing (credentials refused) reaches the alert playbook as a failure does, throttled."""
    with open(os.path.join(COLLECTION, 'extensions', 'eda', 'rulebooks', 'backup_alerts.yml')) as handle:
        [ruleset] = yaml.safe_load(handle)
    rules = dict((rule['condition'], rule) for rule in ruleset['rules'])
    alert = dict(run_playbook=dict(name='{{ backup_alert_playbook }}'))
    for kind in ('job_failed', 'check_stale', 'source_error'):
        assert rules['event.backup.type == "%s"' % kind]['action'] == alert
    assert rules['event.backup.type == "source_error"']['throttle'] == dict(
        once_within='1 hour', group_by_attributes=['event.backup.check'])
