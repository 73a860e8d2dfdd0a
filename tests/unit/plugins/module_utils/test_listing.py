"""summary_only summarises a listing as its pages arrive, keeping none of it: the summary, the count and the
warnings must be those of the full listing, whatever the pages hold - repeated records, records that do not
match a filter or do not say, sessions of jobs that are no backup jobs, times out of the window."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint import AvePointClient
from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import DYNAMICS
from ansible_collections.backupops.jobs.plugins.module_utils._context import Context
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._listing import Listing, Window
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import Summary
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Page
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import VB365Client, read_sessions

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
PAGE_SIZE = 5


def moment(hours_ago):
    return None if hours_ago is None else (NOW - timedelta(hours=hours_ago)).strftime('%Y-%m-%dT%H:%M:%SZ')


HOURS = st.one_of(st.none(), st.integers(min_value=-3, max_value=400))


@st.composite
def dynamics_jobs(draw):
    return dict(jobId='job-%d' % draw(st.integers(0, 40)), type=draw(st.sampled_from([1, 2, '1', 8, None])),
                status=draw(st.sampled_from([2, 3, 4, 7, 99])), startTime=moment(draw(HOURS)),
                finishTime=moment(draw(HOURS)))


class PagedDynamics(AvePointClient):
    """The client, its pages cut from a list instead of fetched."""

    def __init__(self, jobs, warn):
        super().__init__('https://graph.invalid', token=None, warn=warn, max_concurrency=2)
        self._jobs = jobs

    def get_page(self, path, params):
        first = (params['pageIndex'] - 1) * params['pageSize']
        return Page(self._jobs[first:first + params['pageSize']], len(self._jobs))


def listed(make_client, listing_of):
    """(summary, warnings) of the full listing summarised after, and of the listing consumed as it arrives. The
    warnings are sorted: a consumed listing warns of a record as it arrives, a full one once it is complete."""
    results = []
    for streamed in (False, True):
        warnings = []
        summary = Summary(NOW, warnings.append)
        records = listing_of(make_client(warnings.append), summary.add if streamed else None)
        if streamed:
            assert records == [], 'a consumed listing keeps nothing'
        for record in records:
            summary.add(record)
        results.append((summary.result(), sorted(warnings)))
    return results


@settings(max_examples=200, deadline=None)
@given(jobs=st.lists(dynamics_jobs(), max_size=30), job_type=st.sampled_from([None, 0, 1]), status=st.sampled_from([None, 3]))
def test_an_avepoint_summary_consumed_page_by_page_is_the_summary_of_the_full_listing(jobs, job_type, status):
    query = dict((key, value) for key, value in dict(type=job_type, status=status).items() if value is not None)
    full, streamed = listed(lambda warn: PagedDynamics(jobs, warn),
                            lambda client, consume: client.list_jobs(DYNAMICS, query, Window(), PAGE_SIZE, consume=consume)[0])
    assert streamed == full


BACKUP_JOB, COPY_JOB = 'b20cedd4-66b2-49b1-86de-a575dc67e83b', 'c30cedd4-66b2-49b1-86de-a575dc67e83c'


@st.composite
def vb365_sessions(draw):
    return dict(id='session-%d' % draw(st.integers(0, 40)), jobId=draw(st.sampled_from([BACKUP_JOB, COPY_JOB, None])),
                jobType=draw(st.sampled_from(['Backup', 'Copy', None])),
                status=draw(st.sampled_from(['Success', 'Warning', 'Failed', 'Running', 'Weird'])),
                creationTime=moment(draw(HOURS)), endTime=moment(draw(HOURS)))


class PagedVB365(VB365Client):
    """The client, its pages cut from a list instead of fetched, with one backup job on the server."""

    def __init__(self, sessions, warn):
        super().__init__('https://vb365.invalid:4443', 'v8', token=None, context=Context(warn, max_concurrency=1),
                         page_size=PAGE_SIZE)
        self._sessions = sessions

    def _page(self, url, params=None):
        offset, limit = params['offset'], params['limit']
        return Page(self._sessions[offset:offset + limit], len(self._sessions))

    def jobs(self):
        return [dict(id=BACKUP_JOB, name='Exchange daily')]


@settings(max_examples=200, deadline=None)
@given(sessions=st.lists(vb365_sessions(), max_size=30), job_id=st.sampled_from([None, BACKUP_JOB]),
       job_type=st.sampled_from([None, 'backup', 'copy']), statuses=st.sampled_from([[], ['Success'], ['Failed', 'Warning']]),
       window=st.sampled_from([(None, None), (48, None), (200, 24)]))
def test_a_vb365_summary_consumed_page_by_page_is_the_summary_of_the_full_listing(sessions, job_id, job_type, statuses,
                                                                                  window):
    start, end = (None if hours is None else NOW - timedelta(hours=hours) for hours in window)
    params = dict(job_id=job_id, job_type=job_type, page_size=PAGE_SIZE)

    def listing_of(client, consume):
        return read_sessions(client, params, statuses, start, end, consume)[0]
    full, streamed = listed(lambda warn: PagedVB365(sessions, warn), listing_of)
    assert streamed == full


def options(**given):
    return dict(dict(summary_only=False, fields=None, limit=None), **given)


def test_fields_keep_only_the_keys_asked_and_null_for_a_key_a_record_lacks():
    records = [dict(job_id='a', outcome='success', kind='backup', start_time=None, finish_time=None)]
    result = Listing(options(fields=['outcome', 'job_id', 'comments']), ('job_id', 'comments'), NOW, None).result(
        'jobs', records)
    assert result['jobs'] == [dict(outcome='success', job_id='a', comments=None)]
    assert result['summary']['count'] == 1 and result['summary']['latest'] is None


@pytest.mark.parametrize('given_options, fragments', [
    (options(fields=['job_id', 'jobId']), ["no field 'jobId'", 'job_id, kind, outcome']),
    (options(fields=[]), ['names no field', 'job_id']),
    (options(fields=['job_id'], summary_only=True), ['summary_only', 'exclude each other']),
])
def test_fields_naming_nothing_known_or_beside_summary_only_are_refused(given_options, fragments):
    with pytest.raises(OptionError) as raised:
        Listing(given_options, ('job_id',), NOW, None)
    assert raised.value.details['option'] == 'fields'
    for fragment in fragments:
        assert fragment in raised.value.msg


def test_with_a_limit_summary_only_keeps_the_records_until_the_newest_are_chosen():
    assert Listing(options(summary_only=True, limit=5), (), NOW, None).consume is None
    assert Listing(options(summary_only=True), (), NOW, None).consume is not None
