"""The pure decisions of starting a VB365 job and waiting for it: the back-off of the polls, bounded by the wait the
user gave, and the reasons quoted from a session's log, bounded and printable whatever the server wrote."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._errors import ApiResponseError
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import JobRunningError, start_session, wait_session
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import (
    POLL_CEILING,
    WARNING_STATUSES,
    log_reasons,
    poll_delays,
)


@settings(max_examples=300, deadline=None)
@given(timeout=st.integers(min_value=0, max_value=86400),
       first=st.floats(min_value=0.1, max_value=10), factor=st.floats(min_value=1.0, max_value=4.0),
       ceiling=st.floats(min_value=1.0, max_value=60))
def test_the_polls_never_wait_past_the_timeout_and_back_off_to_the_ceiling(timeout, first, factor, ceiling):
    delays = poll_delays(timeout, first, factor, ceiling)
    assert sum(delays) == pytest.approx(timeout, abs=1e-3)
    assert all(0 < delay <= max(first, ceiling) + 1e-9 for delay in delays)
    # Growing (the last one cut to the time left), and once at the ceiling staying there.
    assert all(later >= earlier - 1e-9 for earlier, later in zip(delays[:-1], delays[1:-1]))
    # Bounded: every wait but the last is at least the first one (or the ceiling, when lower).
    assert len(delays) <= 1 + timeout / min(first, ceiling) + 1e-6


def test_the_default_schedule_polls_soon_then_every_thirty_seconds():
    delays = poll_delays(3600)
    assert delays[:4] == [2.0, 3.0, 4.5, 6.75]
    assert max(delays) == POLL_CEILING and sum(delays) == pytest.approx(3600)
    assert len(delays) < 130
    assert poll_delays(0) == [] and poll_delays(1) == [1.0]


LINE = st.fixed_dictionaries(dict(
    status=st.one_of(st.none(), st.sampled_from(['Success', 'Warning', 'Failed', 'Error', 'error', 'Running', ' Failed '])),
    message=st.one_of(st.none(), st.text(max_size=2000)),
    title=st.one_of(st.none(), st.text(max_size=200))))


@settings(max_examples=300, deadline=None)
@given(items=st.lists(LINE, max_size=60), limit=st.integers(min_value=0, max_value=10),
       length=st.integers(min_value=10, max_value=400))
def test_reasons_are_the_last_error_lines_bounded_and_printable(items, limit, length):
    reasons = log_reasons(items, limit=limit, length=length)
    errors = [item for item in items if str(item['status'] or '').strip().lower() in ('failed', 'error')]
    assert len(reasons) == min(limit, len(errors))
    for reason in reasons:
        assert len(reason) <= length
        assert not any(ord(character) < 32 or 0x7f <= ord(character) < 0xa0 for character in reason)


def test_reasons_quote_the_message_and_fall_back_to_the_title():
    items = [dict(status='Success', message='Job started'), dict(status='Failed', message='Mailbox a: quota'),
             dict(status='Error', message=None, title='[Error] Proxy offline'), dict(status='Warning', message='skip')]
    assert log_reasons(items) == ['Mailbox a: quota', '[Error] Proxy offline']
    assert log_reasons(items, WARNING_STATUSES) == ['skip']
    assert log_reasons(items, limit=1) == ['[Error] Proxy offline']
    assert log_reasons([dict(status='Failed', message='line\x1b[2Jone\nline two')]) == ['line\\u001b[2Jone line two']


class FakeClient:
    """What start_session asks of a VB365 client: the job's sessions before and after, and the start's answer."""

    version = 'v8'

    def __init__(self, looks, answer):
        self.looks = list(looks)
        self.answer = answer
        self.started = 0

    def job_sessions_now(self, job_id):
        return self.looks.pop(0)

    def session_of_job(self, session, job_id, where):
        return session

    def start_job(self, job_id, full=False):
        self.started += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


RUNNING = dict(id='8e4f8e3c-4c4a-4b55-9a0b-3b8c1e1d2f10', job_id='j', outcome='running', status='Running')


def conflict(status):
    return ApiResponseError('POST /v8/Jobs/j/start failed with HTTP %d' % status, status=status, path='/v8/Jobs/j/start')


def test_a_start_refused_because_the_job_started_meanwhile_takes_that_session():
    client = FakeClient([(set(), []), ({RUNNING['id']}, [RUNNING])], conflict(409))
    assert start_session(client, 'j') == (RUNNING, False, True)
    client = FakeClient([(set(), []), ({RUNNING['id']}, [RUNNING])], conflict(400))
    with pytest.raises(JobRunningError, match='running already'):
        start_session(client, 'j', if_running='fail')


@pytest.mark.parametrize('status', [409, 500])
def test_a_refused_start_stands_when_no_session_runs_or_the_server_failed(status):
    client = FakeClient([(set(), []), (set(), [])], conflict(status))
    with pytest.raises(ApiResponseError, match='HTTP %d' % status):
        start_session(client, 'j')


def test_a_running_job_is_never_started_and_check_mode_never_starts():
    client = FakeClient([({RUNNING['id']}, [RUNNING])], None)
    assert start_session(client, 'j', if_running='return') == (RUNNING, False, True) and client.started == 0
    client = FakeClient([(set(), [])], None)
    assert start_session(client, 'j', check_mode=True) == (None, False, False) and client.started == 0


class Clock:
    """A clock that moves only when the code under test sleeps, or when a poll takes time."""

    def __init__(self, poll_seconds=0.0):
        self.now = 0.0
        self.slept = []
        self.poll_seconds = poll_seconds

    def sleep(self, seconds):
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


class Polled:
    """A client whose session stays running until poll ``ends_at`` (None: never)."""

    def __init__(self, clock, ends_at=None):
        self.clock = clock
        self.ends_at = ends_at
        self.polls = 0

    def followed_session(self, session_id, job_id):
        self.polls += 1
        self.clock.now += self.clock.poll_seconds
        ended = self.ends_at is not None and self.polls >= self.ends_at
        return dict(id=session_id, job_id=job_id, outcome='success' if ended else 'running')


@settings(max_examples=200, deadline=None)
@given(timeout=st.integers(min_value=1, max_value=86400), poll_seconds=st.floats(min_value=0, max_value=20),
       ends_at=st.one_of(st.none(), st.integers(min_value=1, max_value=50)))
def test_a_wait_polls_with_back_off_and_never_past_the_timeout(timeout, poll_seconds, ends_at):
    clock = Clock(poll_seconds)
    client = Polled(clock, ends_at)
    session, ended = wait_session(client, dict(id='s', outcome='running'), 'j', timeout, sleep=clock.sleep, clock=clock)
    assert sum(clock.slept) <= timeout + 1e-6
    assert client.polls <= len(poll_delays(timeout))
    assert ended == (session['outcome'] == 'success')
    if not ended:
        # It gave up only once the time was spent (or every scheduled poll was made).
        assert clock.now >= timeout - 1e-6 or client.polls == len(poll_delays(timeout))
    if ends_at is not None and ended:
        assert client.polls == ends_at


def test_a_session_that_has_ended_already_is_not_polled():
    clock = Clock()
    client = Polled(clock)
    assert wait_session(client, dict(id='s', outcome='failed'), 'j', 60, sleep=clock.sleep, clock=clock) == (
        dict(id='s', outcome='failed'), True)
    assert client.polls == 0 and clock.slept == []
