# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The paging strategies of the backup APIs, and the collector that makes their pages one list.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A strategy is a function ``(fetcher, query, page_size, collector)``. It asks the ``Fetcher`` for the pages
it wants - one after the other, each asked for as soon as the one before has arrived so that it is on its way
while that one is read, or, once the first page tells how many there are, many at once with at most
``max_concurrency`` requests in flight - and hands every page, in the server's order, to the collector.
The collector keeps each record once (pages overlap when jobs arrive during a listing), knows when the
API's total or the caller's limit is reached, and warns when a listing ends short of the total: nothing
is ever dropped without a word. A server that never stops (a total of a billion, a next link on every
page) is stopped too: past the pages its total promised, or at ``MAX_PAGES``.
"""

import hashlib
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import islice
from urllib.parse import unquote

from ansible_collections.backupops.jobs.plugins.module_utils._egress import QUOTE_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import UnexpectedResponseError
from ansible_collections.backupops.jobs.plugins.module_utils._gate import job_identity

# The most pages one listing reads: 2 million AvePoint jobs at 100 a page.
MAX_PAGES = 20000
# The most records the listings of one module run keep in memory together, and the most bytes of answers those
# records came in (a server can make each record large): a module that returns them peaks at about 7 KB a record
# (the records, Ansible's masked copy of the result and its JSON), so 140,000 VB365 sessions of the emulator stay
# under 1 GB, and the largest tenants measured (100,000 AvePoint jobs, 133,336 VB365 sessions) are listed whole.
# See docs/performance.md.
MAX_KEPT = 140000
MAX_KEPT_BYTES = 128 * 1024 * 1024
# The most distinct records one listing tells apart, kept or not: a 16-byte digest each (about 90 bytes with the
# set that holds it), so de-duplication stays under 200 MB whatever a server sends.
MAX_LISTED = 2000000
# What a listing module's user can do when a listing passes MAX_KEPT.
NARROW_LISTING = ('narrow the listing (start_time, the filters), or give summary_only: true, which counts the '
                  'records instead of keeping them')


def _first_present(body, keys):
    for key in keys:
        if key in body:
            return key, body[key]
    return None, None


def _total(body, keys, path, warn, listed):
    """The listing's total, read leniently (vendors send numbers as strings at times); None where it cannot be
    one: not a whole number, below zero, or zero with records on the page."""
    key, total = _first_present(body, keys)
    if total is None:
        return None
    number = None
    if isinstance(total, (int, str)) and not isinstance(total, bool):
        try:
            number = int(str(total).strip())
        except ValueError:
            pass
    if number is not None and (number > 0 or (number == 0 and not listed)):
        return number
    if warn is not None:
        shown = repr(total)
        warn('GET %s gave %s=%s with %d on the page, which cannot be the total; paging on without a total'
             % (path, key, shown if len(shown) <= 30 else 'a long %s' % type(total).__name__, listed))
    return None


def _items(body, keys, path):
    if not isinstance(body, dict):
        raise UnexpectedResponseError('GET %s answered with JSON %s, not the documented object with a list'
                                      % (path, type(body).__name__), path=path)
    key, items = _first_present(body, keys)
    if key is None:
        raise UnexpectedResponseError('GET %s answered without a %s list (keys: %s)'
                                      % (path, keys[0], printable(', '.join(sorted(body)) or 'none', limit=QUOTE_LIMIT)),
                                      path=path)
    if items is None:
        return []
    if not isinstance(items, list):
        raise UnexpectedResponseError('GET %s answered with %s as %s, not a list'
                                      % (path, key, type(items).__name__), path=path)
    return _objects(items, key, path)


def _objects(items, key, path):
    for item in items:
        if not isinstance(item, dict):
            raise UnexpectedResponseError('GET %s listed a %s among the %s, where each is an object'
                                          % (path, type(item).__name__, key), path=path)
    return items


def dig(body, *keys):
    """``body[keys[0]][keys[1]]...`` where every step is an object, else None."""
    for key in keys:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _link(value):
    return value if isinstance(value, str) and value.strip() else None


class Page:
    """One page of a listing, whichever of the documented shapes and key spellings the API used."""

    def __init__(self, items, total=None, next_link=None, size=0):
        self.items = items
        self.total = total
        self.next_link = next_link
        self.size = size  # bytes of the answer, which the records kept are charged for

    @classmethod
    def from_avepoint(cls, body, path, warn=None, size=0):
        """AvePoint: ``jobs`` (``result`` in older pages), ``totalCount`` (``totalNumber``), ``nextLink``."""
        items = _items(body, ('jobs', 'result'), path)
        return cls(items, _total(body, ('totalCount', 'totalNumber'), path, warn, len(items)),
                   _link(_first_present(body, ('nextLink', 'nextlink'))[1]), size)

    @classmethod
    def from_vb365(cls, body, path, warn=None, size=0):
        """Veeam: a ``results`` envelope with ``_links.next.href``, or on some v5 endpoints a bare list."""
        if isinstance(body, list):
            return cls(_objects(body, 'results', path), len(body), size=size)
        items = _items(body, ('results',), path)
        return cls(items, _total(body, ('totalCount',), path, warn, len(items)), _link(dig(body, '_links', 'next', 'href')),
                   size)


def _not_newer(moment, previous):
    return moment is None or previous is None or moment <= previous


def newest_first_key(time_of):
    def key(record):
        moment = time_of(record)
        # Records without a time go last; the sort is stable, so equal ones keep the API's order.
        return (moment is None, -moment.timestamp() if moment is not None else 0)
    return key


class Fetcher:
    """Pages for the strategies: ``one(params)``, ``many(params_list)`` in order, and ``follow(link)``."""

    def __init__(self, fetch, max_concurrency=1, follow=None):
        self._fetch = fetch
        self._follow = follow
        self.max_concurrency = max_concurrency

    @property
    def concurrent(self):
        return self.max_concurrency > 1

    def one(self, params):
        return self._fetch(params)

    def follow(self, link):
        return self._follow(link)

    def many(self, params_list):
        """The pages of ``params_list`` in its order, fetched up to ``max_concurrency`` at a time.

        Requests run at most ``max_concurrency`` ahead of the page being read, so a caller that stops
        early (limit reached, error) leaves few requests behind, and those not yet started are cancelled.
        """
        params_list = iter(params_list)
        if not self.concurrent:
            for params in params_list:
                yield self._fetch(params)
            return
        pool = ThreadPoolExecutor(max_workers=self.max_concurrency)
        in_flight = deque(pool.submit(self._fetch, params) for params in islice(params_list, self.max_concurrency))
        try:
            while in_flight:
                page = in_flight.popleft().result()
                in_flight.extend(pool.submit(self._fetch, params) for params in islice(params_list, 1))
                yield page
        finally:
            for future in in_flight:
                future.cancel()
            pool.shutdown(wait=True)

    def chain(self, page, next_request):
        """The pages after ``page``, one after the other: ``next_request(page)`` is the request of the page after
        ``page`` (a function of no arguments), or None where ``page`` is the last.

        With concurrency each page is asked for as soon as the one before it has arrived, so it is on its way while
        the caller reads that one; a caller that stops leaves at most that one request behind.
        """
        request = next_request(page)
        if not self.concurrent:
            while request is not None:
                page = request()
                request = next_request(page)
                yield page
            return
        pool = ThreadPoolExecutor(max_workers=1)
        upcoming = pool.submit(request) if request is not None else None
        try:
            while upcoming is not None:
                page = upcoming.result()
                request = next_request(page)
                upcoming = pool.submit(request) if request is not None else None
                yield page
        finally:
            if upcoming is not None:
                upcoming.cancel()
            pool.shutdown(wait=True)


class Budget:
    """What the listings of one module run keep in memory together: at most ``MAX_KEPT`` records, and at most
    ``MAX_KEPT_BYTES`` of the answers they came in. The checks of a gate list at once and share one; ``narrow`` says
    what the module's user can do when it runs out."""

    def __init__(self, narrow=NARROW_LISTING):
        self.narrow = narrow
        self.records = 0
        self.size = 0
        self._lock = threading.Lock()

    def charge(self, records, size, noun, listed, total):
        """Count ``records`` more kept (``size`` bytes of answers); an UnexpectedResponseError past either bound,
        which names the listing (``noun``, ``listed`` so far, the API's ``total``) and what to narrow."""
        with self._lock:
            self.records += records
            self.size += size
            over = self.records > MAX_KEPT or self.size > MAX_KEPT_BYTES
        if over:
            raise UnexpectedResponseError(
                'stopped after %d %s listed (the API\'s total: %s): a module run keeps at most %d records, from at '
                'most %d MiB of answers, to stay under 1 GB of memory; %s'
                % (listed, noun, total if total is not None else 'not given', MAX_KEPT,
                   MAX_KEPT_BYTES // (1024 * 1024), self.narrow))

    def release(self, records, size):
        with self._lock:
            self.records -= records
            self.size -= size


class Collector:
    """Every record once, in the order the API sent them, each passed through ``shape`` as its page arrives
    (so the raw pages are not all held at once, and shaping overlaps the requests still in flight).

    With a ``limit``, the newest ``limit`` records by ``time_of(record)``: paging stops at the limit only
    while the API has listed newest first, since the order is not documented; otherwise every page is read
    and the newest are chosen.

    With a ``sink`` (and no limit, which must see every record to choose), each new record is handed to it
    instead of being kept: a listing of any length is consumed in the memory of a few pages.

    Memory is bounded whatever the server sends: the records kept are charged to ``budget`` (a Budget of its own
    when none is given), which stops the listing with an error past its bound; with a limit, only the newest
    records are kept as the listing goes; and past ``MAX_LISTED`` distinct records, kept or not, the listing stops.
    """

    def __init__(self, id_key, warn, noun='jobs', limit=None, time_of=None, shape=None, sink=None, on_limit=None,
                 budget=None, keep=None):
        if sink is not None and limit is not None:
            raise ValueError('a limit chooses among all the records, so they cannot go to a sink')
        self.records = []
        # Distinct records the API listed, and those of them ``keep`` kept: the limit counts only the latter.
        self.listed = 0
        self.count = 0
        self._keep = keep
        self._stopped_at_limit = False
        self._sink = sink
        self._budget = budget or Budget()
        self._kept_size = 0
        self.shrank_from = None
        self._shape = shape
        self._noun = noun
        self._limit = limit
        self._time_of = time_of
        self._newest_first = True
        self._last_time = None
        self.total = None
        self.pages = 0
        self._id_key = id_key
        self._seen = set()
        self._warn = warn
        # Told when the limit cut the list: the user asked for it, so it is a fact of the result, not a warning.
        self._on_limit = on_limit
        self._widest = 0

    def add(self, page):
        """Keep the page's new records; return how many were new."""
        self.pages += 1
        self._widest = max(self._widest, len(page.items))
        if page.total is not None:
            if self.total is not None and page.total < self.total:
                self.shrank_from = self.shrank_from or self.total
            self.total = page.total
        new = 0
        size = page.size // len(page.items) if page.items else 0
        for record in page.items:
            key = job_identity(record.get(self._id_key)) if isinstance(record, dict) else None
            if key is not None:
                # A fixed-size digest per ID: a listing of any length, or of IDs of any size, keeps little.
                key = hashlib.blake2b(key.encode('utf-8', 'surrogatepass'), digest_size=16).digest()
                if key in self._seen:
                    continue
                self._seen.add(key)
            new += 1
            self.listed += 1
            if self.listed > MAX_LISTED:
                raise UnexpectedResponseError(
                    'the API listed more than %d %s (its total: %s), the most one listing tells apart; stopped there, '
                    'as a listing this long is more likely a server that never ends. Narrow the listing (start_time, '
                    'the filters)' % (MAX_LISTED, self._noun, self.total if self.total is not None else 'not given'))
            if self._shape is not None:
                record = self._shape(record)
            if self._keep is not None and not self._keep(record):
                continue
            if self._limit is not None and self._time_of is not None and self._newest_first:
                moment = self._time_of(record)
                self._newest_first = not self.records or _not_newer(moment, self._last_time)
                self._last_time = moment
            self.count += 1
            if self._sink is not None:
                self._sink(record)
                continue
            self.records.append(record)
            self._kept_size += size
            self._budget.charge(1, size, self._noun, self.count, self.total)
            if self._limit is not None and len(self.records) >= 2 * self._limit and not self._newest_first:
                self._keep_newest()
        return new

    def _keep_newest(self):
        """Only the newest ``limit`` records of those listed so far: a record that is not among them now never will
        be, and the sort is stable, so the records chosen at the end are the ones a sort of all would choose."""
        self.records.sort(key=newest_first_key(self._time_of))
        dropped = len(self.records) - self._limit
        size = self._kept_size * dropped // len(self.records)
        del self.records[self._limit:]
        self._kept_size -= size
        self._budget.release(dropped, size)

    def take(self, page):
        """Add a page; True when the listing is over: complete, an empty page, a page with nothing new, or
        more pages than the total promised. Past ``MAX_PAGES``, an error."""
        new = self.add(page)
        return self.complete or not page.items or self.stalled(page, new) or self.past_promise()

    def past_promise(self):
        """True (with a warning) once the pages outnumber what the total promised, plus a margin for jobs that
        arrive meanwhile; an error past ``MAX_PAGES`` whatever the total."""
        if self.pages >= MAX_PAGES:
            raise UnexpectedResponseError(
                'the API still had more %s after %d pages, the most one listing reads (%d %s so far, total %s); '
                'stopped there, as a listing this long is more likely a server that never ends. Narrow the query '
                '(start_time, filters) or raise page_size'
                % (self._noun, MAX_PAGES, self.listed, self._noun,
                   self.total if self.total is not None else 'not given'))
        if self.total is None or not self._widest:
            return False
        promised = -(-self.total // self._widest)
        if self.pages < promised + max(2, promised // 10):
            return False
        self._warn('the API gave %d %s in total, %d a page, but page %d still had more; paging stopped there'
                   % (self.total, self._noun, self._widest, self.pages))
        return True

    @property
    def complete(self):
        if self._limit is not None and self.count >= self._limit and self._newest_first:
            self._stopped_at_limit = True
            return True
        return self.total is not None and self.listed >= self.total

    def stalled(self, page, new):
        """A full page with nothing new means the API is repeating itself: stop instead of looping."""
        if page.items and new == 0:
            self._warn('page %d repeated only %s already listed; paging stopped there' % (self.pages, self._noun))
            return True
        return False

    def finish(self):
        """The records kept (none with a sink); a warning where the API listed fewer than its total; ``on_limit``
        where the limit cut the list."""
        if self._limit is not None and self.count >= self._limit:
            # Paging that stopped at the limit knows of more only by the API's total, which it may not give.
            more = self.count > self._limit or (self._stopped_at_limit and (self.total is None or self.total > self.listed))
            if more and self._on_limit:
                self._on_limit()
            if self._time_of is not None and not self._newest_first:
                self.records.sort(key=newest_first_key(self._time_of))
            return self.records[:self._limit]
        if self.shrank_from is not None:
            self._warn('the API reported %d %s in total, then %d during the listing: %s removed meanwhile shift the '
                       'pages, so some may be missing from the list'
                       % (self.shrank_from, self._noun, self.total, self._noun))
        if self.total is not None and self.listed < self.total:
            self._warn('the API reported %d %s in total but listed %d; the list may be incomplete'
                       % (self.total, self._noun, self.listed))
        return self.records


def counted(count, noun):
    """'1 job', '2 jobs': ``noun`` is given in the plural, as the Collector's is."""
    return '%d %s' % (count, noun[:-1] if count == 1 and noun.endswith('s') else noun)


def _last_page_number(first, total, page_size):
    return first + max(0, (total + page_size - 1) // page_size - 1)


def page_index_paging(first_index):
    """Dynamics (pageIndex from 1) and Google (from 0): page after page until the total or a short page.

    Where the first page gives the total (Dynamics), the other pages are fetched concurrently. A short
    page ends the listing only when the API gives no nextLink with it; an API that caps the page size
    below what was asked would otherwise look finished after its first page.
    """
    def paging(fetcher, query, page_size, collector):
        def params(index):
            return dict(query, pageIndex=index, pageSize=page_size)

        index = first_index
        page = fetcher.one(params(index))
        if collector.take(page):
            return
        if collector.total is not None:
            last = _last_page_number(first_index, collector.total, page_size)
            for page in fetcher.many(params(number) for number in range(index + 1, last + 1)):
                index += 1
                if collector.take(page) or len(page.items) < page_size:
                    return

        # Jobs that arrived during the listing push older ones past the last page the total promised.
        def next_request(page):
            nonlocal index
            if len(page.items) < page_size and not (collector.total is None and page.next_link):
                return None
            index += 1
            return partial(fetcher.one, params(index))

        for page in fetcher.chain(page, next_request):
            if collector.take(page):
                return
    return paging


def offset_paging(fetcher, query, page_size, collector):
    """Veeam: offset + limit. With a total (v5 to v7) and concurrency, the other pages are fetched by
    offset; otherwise each page's ``next`` link is followed while there is one, else the next offset after
    a full page. A short page or an empty one ends the listing; a bare list (v5 log items) is all of it.
    """
    page = fetcher.one(dict(query, offset=0, limit=page_size))
    if collector.take(page):
        return
    listed_before = 0  # the records on the pages before ``page``: where it began
    if collector.total is not None and fetcher.concurrent and len(page.items) >= page_size:
        offsets = range(len(page.items), collector.total, page_size)
        for next_page in fetcher.many(dict(query, offset=start, limit=page_size) for start in offsets):
            listed_before += len(page.items)
            page = next_page
            if collector.take(page) or len(page.items) < page_size:
                return

    def next_request(page):
        nonlocal listed_before
        listed_before += len(page.items)
        if page.next_link:
            return partial(fetcher.follow, page.next_link)
        if len(page.items) >= page_size:
            return partial(fetcher.one, dict(query, offset=listed_before, limit=page_size))
        return None

    for page in fetcher.chain(page, next_request):
        if collector.take(page):
            return


def skip_token_paging(fetcher, query, page_size, collector):
    """IaaS + PaaS: with a total, pages by pageNumber (0-based), the others concurrently; without one,
    each page's nextLink is the skip token of the next page, fetched one after the other.

    The token arrives percent-encoded; it is decoded once here because requests encodes it again.
    """
    def numbered(number):
        return dict(query, pageNumber=number, pageSize=page_size)

    page = fetcher.one(numbered(0))
    if collector.take(page):
        return
    if collector.total is not None and fetcher.concurrent:
        last = _last_page_number(0, collector.total, page_size)
        for page in fetcher.many(numbered(number) for number in range(1, last + 1)):
            if collector.take(page) or len(page.items) < page_size:
                return
        while len(page.items) >= page_size:
            page = fetcher.one(numbered(collector.pages))
            if collector.take(page):
                return
        return
    while True:
        if page.next_link:
            params = dict(query, pageSize=page_size, skiptoken=unquote(page.next_link))
        elif collector.total is not None and len(page.items) >= page_size:
            params = numbered(collector.pages)
        else:
            return
        page = fetcher.one(params)
        if collector.take(page):
            return
