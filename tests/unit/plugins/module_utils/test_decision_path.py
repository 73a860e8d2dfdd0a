"""The whole decision path, from the pages a server sends to the gate's verdict, under generated listings.

Listings mix every kind of job and outcome, times at the edges (.NET's minimum date with and without an
offset, years Python cannot hold, text that is no time, the future), jobs listed twice, servers that
honour the filters they are sent and servers that ignore them, and listings that fail. The invariant:
``passed`` implies at least ``min_successes`` distinct backup jobs of exactly the named object, with an
accepted outcome, that finished inside [now - max_age_hours, now]. Where the server honours its filters
and lists each job once, the verdict is exact: it passes exactly when that many exist.
"""

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint import AvePointClient
from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import VM, VM_JOBS
from ansible_collections.backupops.jobs.plugins.module_utils._context import Context
from ansible_collections.backupops.jobs.plugins.module_utils._gate import decide
from ansible_collections.backupops.jobs.plugins.module_utils._listing import Window
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Page
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import parse_timestamp
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import VB365Client

NOW = datetime.now(timezone.utc).replace(microsecond=0)
# The check names Azure VM backups: service type 1, job type 1 (azure_vm_backup).
NAMED_SERVICE, NAMED_JOB_TYPE = 1, 1
VM_STATUS = {'success': 2, 'warning': 8, 'failed': 16, 'running': 1, 'skipped': 4, 'queued': 32}
UNREADABLE_TIMES = ['0001-01-01T00:00:00', '0001-01-01T00:00:00+05:00', '0001-01-01T00:00:00-05:00',
                    '9999-12-31T23:59:59-05:00', '0000-01-01T00:00:00Z', 'yesterday', '', '2026-13-45T99:99:99Z']


def written(seconds_ago, offset_minutes):
    """The instant ``seconds_ago`` before NOW, written with a zone offset of ``offset_minutes``."""
    zone = timezone(timedelta(minutes=offset_minutes))
    return (NOW - timedelta(seconds=seconds_ago)).astimezone(zone).isoformat()


finish_times = st.one_of(
    st.builds(written, st.integers(min_value=-6 * 3600, max_value=80 * 3600), st.sampled_from([0, 60, -300, 330])),
    st.sampled_from(UNREADABLE_TIMES), st.none())
# Half of them jobs of the named service (its backups, restores, exports, index jobs), or jobs of no service.
job_types = st.one_of(st.sampled_from([1, 2, 4, 33, 20018, 64, 30003]), st.sampled_from(sorted(VM_JOBS) + [424242]))
vm_jobs = st.lists(st.fixed_dictionaries({
    'jobId': st.sampled_from(['J%d' % number for number in range(30)]),
    'jobType': job_types,
    'status': st.one_of(st.just(VM_STATUS['success']), st.sampled_from(sorted(VM_STATUS.values()) + [999])),
    'finishTime': finish_times,
}), max_size=40)


def of_the_named_service(job):
    return VM_JOBS.get(job['jobType'], (None, None, None))[2] == NAMED_SERVICE


def backup_of_the_named_service(job):
    return of_the_named_service(job) and VM_JOBS[job['jobType']][1] == 'backup'


def honoured(jobs, query):
    """What a server that applies the filters serviceType and, when sent, jobType answers."""
    return [job for job in jobs if of_the_named_service(job) and job['jobType'] == query.get('jobType', job['jobType'])]


def finished_in_window(text, max_age_hours):
    finish = parse_timestamp(text)
    return finish is not None and NOW - timedelta(hours=max_age_hours) <= finish <= NOW


def proof(jobs, accept, max_age_hours, outcome_of):
    """The distinct job IDs that prove a backup: a backup of the named object, accepted, finished in the window."""
    return set(job['jobId'] for job in jobs if backup_of_the_named_service(job) and outcome_of(job) in accept
               and finished_in_window(job['finishTime'], max_age_hours))


class ListedClient(AvePointClient):
    """The AvePoint client with its HTTP replaced by a server that answers from a list, page by page."""

    def __init__(self, answer, page_size, max_concurrency):
        super().__init__('https://graph.example', None, lambda message: None, max_concurrency)
        self._answer = answer
        self._page_size = page_size

    def get_page(self, path, params):
        offset = int(params.get('skiptoken') or params.get('pageNumber', 0) * self._page_size)
        page = self._answer[offset:offset + self._page_size]
        more = offset + self._page_size < len(self._answer)
        return Page.from_avepoint(dict(totalCount=len(self._answer), jobs=[dict(job) for job in page],
                                       nextLink=str(offset + self._page_size) if more else None), path)


def vm_outcome(job):
    return {2: 'success', 8: 'warning', 16: 'failed', 1: 'running', 4: 'skipped', 32: 'queued'}.get(job['status'])


@settings(max_examples=300, deadline=None)
@given(jobs=vm_jobs, server_honours_filters=st.booleans(), page_size=st.integers(min_value=1, max_value=7),
       max_concurrency=st.sampled_from([1, 3]), max_age=st.integers(min_value=1, max_value=72),
       accept=st.sampled_from([('success',), ('success', 'warning')]), min_successes=st.integers(1, 3),
       listing_failed=st.booleans(), names_the_job_type=st.booleans())
def test_iaas_listing_to_verdict(jobs, server_honours_filters, page_size, max_concurrency, max_age, accept,
                                 min_successes, listing_failed, names_the_job_type):
    query = dict(serviceType=NAMED_SERVICE, jobType=NAMED_JOB_TYPE) if names_the_job_type else dict(
        serviceType=NAMED_SERVICE)
    answer = honoured(jobs, query) if server_honours_filters else jobs
    client = ListedClient(answer, page_size, max_concurrency)
    records, _total = client.list_jobs(VM, query, Window(), page_size)
    verdict = decide(records, NOW, max_age, accept, min_successes, error='HTTP 503' if listing_failed else None)
    proven = proof(jobs, accept, max_age, vm_outcome)
    if verdict['passed']:
        assert not listing_failed and len(proven) >= min_successes, (verdict, records)
        assert verdict['latest_success']['id'] in proven
    ids = [job['jobId'] for job in answer]
    if not listing_failed and len(ids) == len(set(ids)):
        assert verdict['passed'] == (len(proven) >= min_successes), (verdict, records, proven)
    assert all(of_the_named_service(dict(jobType=record['job_type'])) for record in records)


VB365_JOB, OTHER_JOB, COPY_JOB = ('00000000-0000-4000-8000-00000000000%d' % number for number in (1, 2, 3))
VB365_STATUS = {'Success': 'success', 'Warning': 'warning', 'Failed': 'failed', 'Running': 'running'}
sessions = st.lists(st.fixed_dictionaries({
    'id': st.sampled_from(['S%d' % number for number in range(30)]),
    'jobId': st.sampled_from([VB365_JOB, OTHER_JOB, COPY_JOB]),
    'status': st.sampled_from(sorted(VB365_STATUS) + ['Stopped', 'Bogus']),
    'endTime': finish_times,
    'says_its_type': st.booleans(),
    'link_only': st.booleans(),
}), max_size=40)


def on_the_wire(session):
    """A session as a server of some version writes it: jobType and jobId may be missing (before v7 and v8)."""
    wire = dict(id=session['id'], status=session['status'], endTime=session['endTime'], creationTime=None)
    if session['says_its_type']:
        wire['jobType'] = 'Copy' if session['jobId'] == COPY_JOB else 'Backup'
    if session['link_only']:
        wire['_links'] = dict(job=dict(href='/v6/Jobs/%s' % session['jobId']))
    else:
        wire['jobId'] = session['jobId']
    return wire


class ListedVB365(VB365Client):
    def __init__(self, answer, page_size):
        super().__init__('https://vb365.example:4443', 'v8', None, Context(lambda message: None), page_size)
        self._answer = answer
        self._size = page_size

    def _page(self, url, params=None):
        offset = int((params or {}).get('offset', 0))
        chosen = self._answer[offset:offset + self._size]
        return Page.from_vb365(dict(results=[on_the_wire(session) for session in chosen], offset=offset,
                                    limit=self._size, totalCount=len(self._answer)), '/v8/JobSessions')

    def jobs(self):
        return [dict(id=VB365_JOB, name='Exchange daily'), dict(id=OTHER_JOB, name='SharePoint daily')]


@settings(max_examples=300, deadline=None)
@given(listed=sessions, server_honours_filters=st.booleans(), page_size=st.integers(min_value=1, max_value=7),
       max_age=st.integers(min_value=1, max_value=72), min_successes=st.integers(1, 3), names_the_job=st.booleans(),
       asks_for_backups=st.booleans())
def test_vb365_listing_to_verdict(listed, server_honours_filters, page_size, max_age, min_successes, names_the_job,
                                  asks_for_backups):
    answer = [session for session in listed if session['jobId'] == VB365_JOB or not names_the_job] \
        if server_honours_filters else listed
    client = ListedVB365(answer, page_size)
    records = client.sessions(VB365_JOB if names_the_job else None, 'backup' if asks_for_backups else None, [], None,
                              None)
    verdict = decide(records, NOW, max_age, ('success',), min_successes)
    named = (VB365_JOB,) if names_the_job else (VB365_JOB, OTHER_JOB)
    proven = set(session['id'] for session in listed if session['jobId'] in named and session['status'] == 'Success'
                 and finished_in_window(session['endTime'], max_age))
    if verdict['passed']:
        assert len(proven) >= min_successes and verdict['latest_success']['id'] in proven, (verdict, records)
    ids = [session['id'] for session in answer]
    if len(ids) == len(set(ids)):
        assert verdict['passed'] == (len(proven) >= min_successes), (verdict, records, proven)
    if names_the_job:
        assert all(record['job_id'] == VB365_JOB for record in records)
    if asks_for_backups:
        assert all(record['kind'] == 'backup' for record in records)
