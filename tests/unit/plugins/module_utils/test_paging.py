import random
import threading
import time
from collections import namedtuple
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._errors import ApiResponseError, UnexpectedResponseError
from ansible_collections.backupops.jobs.plugins.module_utils._paging import (
    Collector,
    Fetcher,
    Page,
    offset_paging,
    page_index_paging,
    skip_token_paging,
)


Listing = namedtuple('Listing', 'ids asked warnings')


def jobs(*ids):
    return [dict(jobId=job_id) for job_id in ids]


class FakeApi:
    """Answers with prepared pages and remembers what it was asked."""

    def __init__(self, pages):
        self.pages = list(pages)
        self.asked = []

    def fetch(self, params):
        self.asked.append(params)
        return self.pages.pop(0)


def run(paging, pages, page_size, query=None):
    api = FakeApi(pages)
    warnings = []
    collector = Collector('jobId', warnings.append)
    paging(Fetcher(api.fetch), query or {}, page_size, collector)
    return Listing([job['jobId'] for job in collector.finish()], api.asked, warnings)


def test_dynamics_pages_from_one_until_the_total():
    ids, asked, warnings = run(page_index_paging(1), [Page(jobs(1, 2), 5), Page(jobs(3, 4), 5), Page(jobs(5), 5)], 2,
                               query=dict(type=1))
    assert ids == [1, 2, 3, 4, 5] and warnings == []
    assert [params['pageIndex'] for params in asked] == [1, 2, 3]
    assert all(params['type'] == 1 and params['pageSize'] == 2 for params in asked)


def test_exact_multiple_of_the_page_size_stops_at_the_total_without_an_extra_request():
    ids, asked, _warnings = run(page_index_paging(1), [Page(jobs(1, 2), 4), Page(jobs(3, 4), 4)], 2)
    assert ids == [1, 2, 3, 4] and len(asked) == 2


def test_google_pages_from_zero_until_a_short_page():
    ids, asked, _warnings = run(page_index_paging(0), [Page(jobs(1, 2)), Page(jobs(3))], 2)
    assert ids == [1, 2, 3] and [params['pageIndex'] for params in asked] == [0, 1]


def test_short_page_with_a_next_link_is_not_the_end():
    # An API that caps the page size below what was asked still says there is more.
    ids, asked, _warnings = run(page_index_paging(0), [Page(jobs(1), next_link='tok'), Page(jobs(2), next_link=None)], 5)
    assert ids == [1, 2] and len(asked) == 2


def test_overlapping_pages_keep_each_job_once_and_reach_the_total():
    # A new job arrived during the listing and pushed job 2 onto the second page as well.
    pages = [Page(jobs(1, 2), 4), Page(jobs(2, 3), 4), Page(jobs(4), 4)]
    ids, asked, warnings = run(page_index_paging(1), pages, 2)
    assert ids == [1, 2, 3, 4] and len(asked) == 3 and warnings == []


def test_fewer_jobs_than_the_total_is_said_not_hidden():
    ids, _asked, warnings = run(page_index_paging(1), [Page(jobs(1, 2), 5), Page(jobs(3), 5)], 2)
    assert ids == [1, 2, 3]
    assert 'reported 5 jobs in total but listed 3' in warnings[0]


def test_an_api_repeating_the_same_page_does_not_loop_forever():
    pages = [Page(jobs(1, 2)), Page(jobs(1, 2)), Page(jobs(1, 2))]
    ids, asked, warnings = run(page_index_paging(0), pages, 2)
    assert ids == [1, 2] and len(asked) == 2 and 'repeated only jobs already listed' in warnings[0]


def test_vm_follows_the_skip_token_decoded_once():
    pages = [Page(jobs(1, 2), 5, next_link='pZ5%2Fti%2BPG%3D'), Page(jobs(3, 4), 5, next_link='b%2Bc'),
             Page(jobs(5), 5, next_link=None)]
    ids, asked, _warnings = run(skip_token_paging, pages, 2, query=dict(jobType=1))
    assert ids == [1, 2, 3, 4, 5]
    assert asked[0] == dict(jobType=1, pageNumber=0, pageSize=2)
    assert asked[1] == dict(jobType=1, pageSize=2, skiptoken='pZ5/ti+PG=')
    assert asked[2]['skiptoken'] == 'b+c' and 'pageNumber' not in asked[2]


def test_vm_falls_back_to_page_numbers_when_no_token_comes():
    pages = [Page(jobs(1, 2), 5), Page(jobs(3, 4), 5), Page(jobs(5), 5)]
    ids, asked, _warnings = run(skip_token_paging, pages, 2)
    assert ids == [1, 2, 3, 4, 5] and [params['pageNumber'] for params in asked] == [0, 1, 2]


def test_vm_without_token_or_total_stops_after_one_page():
    ids, asked, _warnings = run(skip_token_paging, [Page(jobs(1, 2))], 2)
    assert ids == [1, 2] and len(asked) == 1


def test_page_reads_every_documented_spelling():
    page = Page.from_avepoint(dict(result=jobs(1), totalNumber='7', nextlink='x'), '/p')
    assert (len(page.items), page.total, page.next_link) == (1, 7, 'x')
    empty = Page.from_avepoint(dict(jobs=None, nextLink=''), '/p')
    assert (empty.items, empty.total, empty.next_link) == ([], None, None)


def test_an_unreadable_total_is_warned_about_and_ignored():
    warnings = []
    page = Page.from_avepoint(dict(jobs=[], totalCount='many'), '/backup/vm/jobs', warnings.append)
    assert page.total is None and "totalCount='many'" in warnings[0]


@pytest.mark.parametrize('body, complaint', [
    ([], 'JSON list'), (dict(items=[]), 'without a jobs list (keys: items)'), (dict(jobs='none'), 'jobs as str'),
])
def test_bodies_of_the_wrong_shape_are_clear_errors(body, complaint):
    with pytest.raises(UnexpectedResponseError) as caught:
        Page.from_avepoint(body, '/dynamicsbackup/jobs')
    assert '/dynamicsbackup/jobs' in caught.value.msg and complaint in caught.value.msg


def vb365_page(ids, next_link=None, total=None):
    body = dict(offset=0, limit=len(ids), results=[dict(id=item) for item in ids])
    if next_link:
        body['_links'] = dict(next=dict(href=next_link))
    if total is not None:
        body['totalCount'] = total
    return Page.from_vb365(body, '/v6/JobSessions')


def run_offset(pages, page_size, follow_pages=(), limit=None):
    api, followed, warnings = FakeApi(pages), FakeApi(follow_pages), []
    collector = Collector('id', warnings.append, noun='sessions', limit=limit,
                          on_limit=lambda: warnings.append('limited'))
    offset_paging(Fetcher(api.fetch, follow=followed.fetch), dict(jobId='j'), page_size, collector)
    return Listing([record['id'] for record in collector.finish()], api.asked + followed.asked, warnings)


def test_vb365_log_items_come_as_a_bare_list_or_an_envelope():
    bare = Page.from_vb365([dict(id='a'), dict(id='b')], '/v5/JobSessions/s/LogItems')
    assert ([item['id'] for item in bare.items], bare.total, bare.next_link) == (['a', 'b'], 2, None)
    envelope = vb365_page(['a'], next_link='/v6/JobSessions?offset=1&limit=1', total='3')
    assert (envelope.total, envelope.next_link) == (3, '/v6/JobSessions?offset=1&limit=1')


def test_offset_paging_follows_next_links_then_stops_on_a_page_without_one():
    listing = run_offset([vb365_page(['a', 'b'], next_link='/next-1')], 2,
                         follow_pages=[vb365_page(['c', 'd'], next_link='/next-2'), vb365_page(['e'])])
    assert listing.ids == ['a', 'b', 'c', 'd', 'e']
    assert listing.asked == [dict(jobId='j', offset=0, limit=2), '/next-1', '/next-2']


def test_offset_paging_without_links_pages_by_offset_until_a_short_page():
    listing = run_offset([vb365_page(['a', 'b']), vb365_page(['c', 'd']), vb365_page([])], 2)
    assert listing.ids == ['a', 'b', 'c', 'd']
    assert [params['offset'] for params in listing.asked] == [0, 2, 4]


def test_a_limit_stops_paging_and_says_more_exist():
    listing = run_offset([vb365_page(['a', 'b'], next_link='/next', total=9)], 2, limit=2)
    assert listing.ids == ['a', 'b'] and len(listing.asked) == 1
    assert listing.warnings == ['limited']


class RandomAccessApi:
    """A listing any page of which can be asked for, answering after a random delay, counting how many
    requests are in flight at once."""

    def __init__(self, count, first_index=1, fail_at=None, times=None):
        self.records = [dict(jobId=number, id=number, startTime=(times or {}).get(number)) for number in range(count)]
        self.first_index = first_index
        self.fail_at = fail_at
        self.asked = []
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()

    def _start(self, params):
        if 'offset' in params:
            return params['offset'], params['limit']
        size = params['pageSize']
        return (params.get('pageIndex', params.get('pageNumber', 0)) - self.first_index) * size, size

    def fetch(self, params):
        with self._lock:
            self.asked.append(params)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(random.uniform(0.0, 0.01))
            start, size = self._start(params)
            if start == self.fail_at:
                raise ApiResponseError('HTTP 500 on purpose', status=500, path='/jobs')
            return Page(self.records[start:start + size], len(self.records))
        finally:
            with self._lock:
                self.in_flight -= 1


@pytest.mark.parametrize('paging, first_index', [(page_index_paging(1), 1), (skip_token_paging, 0), (offset_paging, 0)])
def test_concurrent_pages_keep_the_servers_order_and_stay_within_the_bound(paging, first_index):
    api, warnings = RandomAccessApi(1003, first_index), []
    collector = Collector('jobId', warnings.append)
    paging(Fetcher(api.fetch, max_concurrency=4), {}, 10, collector)
    assert [job['jobId'] for job in collector.finish()] == list(range(1003)) and warnings == []
    assert len(api.asked) == 101
    assert 1 < api.most_in_flight <= 4


def test_a_failing_page_ends_a_concurrent_listing_without_reading_the_rest():
    api = RandomAccessApi(1000, fail_at=100)
    with pytest.raises(ApiResponseError):
        page_index_paging(1)(Fetcher(api.fetch, max_concurrency=4), {}, 10, Collector('jobId', None))
    assert len(api.asked) <= 11 + 4


def test_a_limit_stops_a_newest_first_listing_early():
    newest_first = dict((number, datetime(2026, 11, 24, tzinfo=timezone.utc) - timedelta(hours=number))
                        for number in range(500))
    api, warnings, cut = RandomAccessApi(500, times=newest_first), [], []
    collector = Collector('jobId', warnings.append, limit=25, time_of=lambda job: job['startTime'],
                          on_limit=lambda: cut.append(True))
    page_index_paging(1)(Fetcher(api.fetch, max_concurrency=4), {}, 10, collector)
    assert [job['jobId'] for job in collector.finish()] == list(range(25))
    assert len(api.asked) <= 3 + 4 and cut == [True] and warnings == []


def test_a_limit_on_a_listing_in_another_order_reads_every_page_and_keeps_the_newest():
    oldest_first = dict((number, datetime(2026, 11, 24, tzinfo=timezone.utc) + timedelta(hours=number))
                        for number in range(95))
    api, warnings = RandomAccessApi(95, times=oldest_first), []
    collector = Collector('jobId', warnings.append, limit=3, time_of=lambda job: job['startTime'])
    page_index_paging(1)(Fetcher(api.fetch, max_concurrency=4), {}, 10, collector)
    assert [job['jobId'] for job in collector.finish()] == [94, 93, 92] and len(api.asked) == 10


def test_one_page_at_a_time_follows_the_vm_skip_tokens_even_with_a_total():
    pages = [Page(jobs(1, 2), 3, next_link='t%3D'), Page(jobs(3), 3)]
    ids, asked, _warnings = run(skip_token_paging, pages, 2)
    assert ids == [1, 2, 3] and asked[1]['skiptoken'] == 't='


def test_concurrent_vm_paging_asks_by_page_number_not_by_token():
    api = FakeApi([Page(jobs(1, 2), 3, next_link='t%3D'), Page(jobs(3), 3)])
    skip_token_paging(Fetcher(api.fetch, max_concurrency=4), {}, 2, Collector('jobId', None))
    assert [params.get('pageNumber') for params in api.asked] == [0, 1]


def test_a_total_that_shrinks_during_the_listing_is_said():
    ids, _asked, warnings = run(page_index_paging(1), [Page(jobs(1, 2), 6), Page(jobs(5, 6), 4)], 2)
    assert ids == [1, 2, 5, 6]
    assert 'reported 6 jobs in total, then 4 during the listing' in warnings[0]


class ChainedApi(FakeApi):
    """Prepared pages, where reading a page after the first waits (a while at most) for the request of the next one.
    The first page is read before the listing knows how it goes on."""

    def __init__(self, pages):
        super().__init__(pages)
        self.requested = [threading.Event() for _page in self.pages]

    def fetch(self, params):
        self.requested[len(self.asked)].set()
        return super().fetch(params)

    def follow(self, link):
        return self.fetch(link)

    def next_asked_while_reading(self, record):
        page = record['page']
        return self.requested[page + 1].wait(2) if 0 < page < len(self.requested) - 1 else None


def pages_of(sizes, **page_options):
    return [Page([dict(jobId='%d-%d' % (page, number), id='%d-%d' % (page, number), page=page)
                  for number in range(size)], **page_options) for page, size in enumerate(sizes)]


@pytest.mark.parametrize('paging, page_options', [(page_index_paging(0), {}), (offset_paging, {}),
                                                  (offset_paging, dict(next_link='/next'))],
                         ids=['google page indexes', 'vb365 offsets', 'vb365 next links'])
def test_a_page_after_page_listing_asks_for_the_next_page_while_it_reads_this_one(paging, page_options):
    sizes = [3, 3, 3, 3, 1] if not page_options else [3, 3, 3, 3, 0]
    api, reads = ChainedApi(pages_of(sizes, **page_options)), []
    collector = Collector('jobId', None, shape=lambda record: reads.append(api.next_asked_while_reading(record)) or record)
    paging(Fetcher(api.fetch, max_concurrency=4, follow=api.follow), {}, 3, collector)
    assert len(collector.finish()) == sum(sizes) and len(api.asked) == len(sizes)
    # Every page between the first and the last was read while the next one was already asked for.
    assert [asked for asked in reads if asked is not None] == [True] * 3 * (len(sizes) - 2)


@pytest.mark.parametrize('concurrency', [1, 4])
def test_a_page_after_page_listing_that_stops_leaves_at_most_one_request_behind(concurrency):
    api, warnings = FakeApi([Page(jobs(1, 2)), Page(jobs(1, 2)), Page(jobs(1, 2)), Page(jobs(3, 4))]), []
    collector = Collector('jobId', warnings.append)
    page_index_paging(0)(Fetcher(api.fetch, max_concurrency=concurrency), {}, 2, collector)
    assert [job['jobId'] for job in collector.finish()] == [1, 2] and 'repeated only jobs' in warnings[0]
    assert len(api.asked) == 2 if concurrency == 1 else 2 <= len(api.asked) <= 3
