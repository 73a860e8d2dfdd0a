from collections import namedtuple

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._errors import UnexpectedResponseError
from ansible_collections.backupops.jobs.plugins.module_utils._paging import (
    Collector,
    Page,
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
    paging(api.fetch, query or {}, page_size, collector)
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
