"""The gate's decision. The property tests state the rule users cannot forgive breaking: a check passes
only if enough jobs with an accepted outcome finished inside the window."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._codes import KINDS, OUTCOMES
from ansible_collections.backupops.jobs.plugins.module_utils._gate import DECIDING_KEYS, NewestAccepted, Tally, decide
from ansible_collections.backupops.jobs.plugins.module_utils._gate_run import _Tenant
from ansible_collections.backupops.jobs.plugins.module_utils._paging import newest_first_key
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import session_time

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def at(hours_ago):
    return None if hours_ago is None else format_timestamp(NOW - timedelta(hours=hours_ago))


def job(job_id, outcome, started, finished, kind='backup'):
    return dict(id=job_id, kind=kind, outcome=outcome, start_time=at(started), finish_time=at(finished))


# Whole seconds before now (negative: the future), so the oracle and the code see the same instants.
# None is a job with no finish time.
seconds = st.integers(min_value=-48 * 3600, max_value=400 * 3600)


def as_job(outcome, started, duration, running, kind):
    """(outcome, hours since start, hours since finish or None, kind)."""
    return outcome, started / 3600.0, None if running else (started - duration) / 3600.0, kind


jobs = st.lists(st.builds(as_job, st.sampled_from(OUTCOMES), seconds, st.integers(min_value=0, max_value=30 * 3600),
                          st.booleans(), st.sampled_from(KINDS)), max_size=25)
windows = st.integers(min_value=30, max_value=200 * 60).map(lambda minutes: minutes / 60.0)


@settings(max_examples=400, deadline=None)
@given(jobs=jobs, max_age=windows, accept=st.sampled_from([('success',), ('success', 'warning')]),
       min_successes=st.integers(min_value=1, max_value=4), as_sessions=st.booleans())
def test_passes_exactly_when_enough_accepted_jobs_finished_in_the_window(jobs, max_age, accept, min_successes, as_sessions):
    records = [job('j%d' % index, outcome, started, finished, kind)
               for index, (outcome, started, finished, kind) in enumerate(jobs)]
    if as_sessions:
        # A vendor's own time keys (VB365's end_time) are never read: only the common ones decide.
        records = [dict(record, end_time=at(-1), creation_time=at(0)) for record in records]
    oracle = sum(1 for outcome, _started, finished, kind in jobs
                 if kind == 'backup' and outcome in accept and finished is not None
                 and 0 <= round(finished * 3600) <= round(max_age * 3600))
    verdict = decide(records, NOW, max_age, accept, min_successes)
    assert verdict['passed'] == (oracle >= min_successes), verdict
    assert verdict['reason']
    if verdict['passed']:
        assert 0 <= verdict['hours_since_success'] <= max_age + 0.05


@settings(max_examples=200, deadline=None)
@given(jobs=jobs, max_age=windows)
def test_a_failed_listing_never_passes(jobs, max_age):
    records = [job('j%d' % index, outcome, started, finished, kind)
               for index, (outcome, started, finished, kind) in enumerate(jobs)]
    assert decide(records, NOW, max_age, error='HTTP 503')['passed'] is False


def reason(records, **kwargs):
    verdict = decide(records, NOW, kwargs.pop('max_age', 24), **kwargs)
    assert not verdict['passed']
    return verdict['reason']


def test_reasons_a_person_understands():
    assert reason([]) == 'no backup job in the last 24 h'
    assert reason([], older=[job('old', 'success', 33, 31.5)]) == \
        'no backup job in the last 24 h; newest success is 31.5 h old'
    assert reason([job('r', 'success', 2, 1, kind='restore'), job('c', 'success', 2, 1, kind='copy')]) == \
        'no backup job in the last 24 h; 2 jobs of other kinds (restore, copy, export, deletion) not counted'
    assert reason([job('a', 'failed', 2, 1), job('b', 'failed', 6, 5), job('c', 'failed', 9, 8)]) == 'last 3 jobs failed'
    assert reason([job('r', 'running', 1, None), job('f', 'failed', 5, 4)]).startswith('job still running (r)')
    assert reason([job('w', 'warning', 2, 1)]) == 'newest job ended with warnings, which this check does not accept'
    assert reason([job('s', 'success', 2, 1)], min_successes=2) == \
        'only 1 of the 2 accepted jobs required finished in the last 24 h'
    assert reason([job('t', 'success', 1, -2)]).startswith('t reports finishing in the future')
    assert reason([], error='GET /backup/vm/jobs failed with HTTP 503') == \
        'could not list the jobs: GET /backup/vm/jobs failed with HTTP 503'


def test_a_pass_names_the_newest_success():
    verdict = decide([job('old', 'success', 20, 19), job('new', 'success', 4, 3.5), job('f', 'failed', 2, 1)], NOW, 24)
    assert verdict['passed'] and verdict['latest_success']['id'] == 'new'
    assert verdict['hours_since_success'] == 3.5 and verdict['jobs_considered'] == 3
    assert verdict['reason'] == 'newest success is 3.5 h old (2 accepted in the last 24 h)'


def test_warning_counts_only_when_accepted():
    records = [job('w', 'warning', 2, 1)]
    assert decide(records, NOW, 24, accept=['success', 'warning'])['passed'] is True
    assert decide(records, NOW, 24)['passed'] is False


def test_a_failure_that_will_be_retried_says_so():
    retried = dict(job('f', 'failed', 2, 1), will_be_retried=True)
    assert reason([retried, job('g', 'failed', 5, 4)]) == 'last 2 jobs failed (the newest failure will be retried)'
    assert reason([retried, job('w', 'warning', 5, 4)]) == 'newest job failed (the newest failure will be retried)'
    assert reason([dict(retried, will_be_retried=False)]) == 'last 1 job failed'


def test_only_the_common_time_keys_decide():
    # A vendor key a server slipped in (an AvePoint job with an endTime, a session with a finishTime) is
    # never read: the module derives start_time and finish_time itself.
    unfinished = dict(job('j', 'success', 2, None), end_time=at(1), creation_time=at(2))
    assert decide([unfinished], NOW, 24)['passed'] is False


@pytest.mark.parametrize('first, second', [('ab', 'AB'), (7, '7'), (' j1', 'j1'), (None, None)])
def test_one_job_listed_twice_is_one_backup(first, second):
    records = [job(first, 'success', 2, 1), job(second, 'success', 2, 1)]
    verdict = decide(records, NOW, 24, min_successes=2)
    assert verdict['passed'] is False and verdict['reason'] == 'only 1 of the 2 accepted jobs required finished in the last 24 h'


@pytest.mark.fuzz
@pytest.mark.parametrize('first, second', [(7, '7'), ('AB12', 'ab12'), ('j1', ' j1 ')])
def test_one_job_listed_twice_with_two_finish_times_is_one_backup_the_later(first, second):
    records = [job(first, 'success', 5, 4), job(second, 'success', 5, 1)]
    verdict = decide(records, NOW, 24, min_successes=2)
    assert verdict['passed'] is False and verdict['jobs_considered'] == 1
    assert verdict['hours_since_success'] == 1.0


def spellings(ident):
    """The ways a server may write one ID: as a number or text, padded, in either case."""
    text = str(ident)
    return st.sampled_from([text, ' %s ' % text, text.upper(), text.lower()] + ([ident] if isinstance(ident, int) else []))


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(data=st.data(), idents=st.lists(st.one_of(st.integers(min_value=0, max_value=10 ** 6),
                                                 st.uuids().map(str), st.text('abcdefXYZ0123-', min_size=1, max_size=12)),
                                       min_size=1, max_size=8),
       min_successes=st.integers(min_value=1, max_value=10))
def test_the_gate_counts_distinct_ids_however_often_and_however_spelled_they_are_listed(data, idents, min_successes):
    """Jobs are told apart by their ID alone: listing a job again, spelled otherwise and with another finish time
    inside the window, never adds a success."""
    distinct = set(str(ident).strip().lower() for ident in idents)
    records = []
    for ident in idents:
        for _copy in range(data.draw(st.integers(min_value=1, max_value=3))):
            finished = data.draw(st.integers(min_value=0, max_value=23 * 3600)) / 3600.0
            records.append(job(data.draw(spellings(ident)), 'success', finished + 0.5, finished))
    verdict = decide(data.draw(st.permutations(records)), NOW, 24, min_successes=min_successes)
    assert verdict['jobs_considered'] == len(distinct)
    assert verdict['passed'] == (len(distinct) >= min_successes)


def as_record(ident, outcome, started, duration, running, kind, retried, padding):
    """A normalised record as a listing hands it over: more keys than the decision reads, times in whole seconds
    (and, as for VB365 sessions, as creation_time and end_time too), IDs that repeat in other spellings."""
    start, finish = at(started / 3600.0), None if running else at((started - duration) / 3600.0)
    return dict(id=ident, kind=kind, outcome=outcome, start_time=start, finish_time=finish, creation_time=start,
                end_time=finish, will_be_retried=retried, statistics=dict(padding=padding), status_name=outcome)


listed = st.lists(st.builds(as_record, st.sampled_from(['a', 'A', 'b', ' b', 7, '7', 'c', None]),
                            st.sampled_from(OUTCOMES), st.sampled_from([-3600, -1800, 0, 1800, 3600, 30 * 3600, 300 * 3600]),
                            st.sampled_from([0, 600]), st.booleans(), st.sampled_from(KINDS),
                            st.sampled_from([True, False, None]), st.text(max_size=3)), max_size=10)


@settings(max_examples=500, deadline=None)
@given(records=listed, lookback=listed, max_age=windows, accept=st.sampled_from([('success',), ('success', 'warning')]),
       min_successes=st.integers(min_value=1, max_value=4), source=st.sampled_from(['vb365', 'dynamics']))
def test_the_gate_judging_records_as_they_arrive_decides_and_words_it_as_decide_over_the_whole_list(
        records, lookback, max_age, accept, min_successes, source):
    # The gate's listing modules return VB365 sessions sorted newest first and AvePoint jobs as listed; the gate
    # now consumes them in the API's order into a Tally (and its look-back into a NewestAccepted) instead.
    check = dict(source=source)
    whole = sorted(records, key=newest_first_key(session_time)) if source == 'vb365' else records
    expected = decide(whole, NOW, max_age, accept, min_successes, older=lookback)
    tally, newest = Tally(NOW, max_age, _Tenant.order(check)), NewestAccepted(accept, NOW)
    for record in records:
        tally.add(record)
    for record in lookback:
        newest.add(record)
    assert tally.verdict(accept, min_successes, older=newest.records) == expected
    assert len(tally.backups) <= len(records)
    assert all(set(cut) <= set(DECIDING_KEYS) for cut in tally.backups)
