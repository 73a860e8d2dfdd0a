# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The paging strategies of the backup APIs, and the collector that makes their pages one list.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A strategy is a function ``(fetch, query, page_size, collector)`` that calls ``fetch(params)`` for each
page it wants and hands every page to the collector (Veeam's also follows links with ``follow(link)``). ``fetch`` returns a ``Page``. The collector keeps
each record once (pages overlap when jobs arrive during a listing), knows when the API's total is
reached, and warns when a listing ends short of it: nothing is ever dropped without a word.
"""

from urllib.parse import unquote

from ansible_collections.backupops.jobs.plugins.module_utils._errors import UnexpectedResponseError


def _first_present(body, keys):
    for key in keys:
        if key in body:
            return key, body[key]
    return None, None


def _total(body, keys, path, warn):
    """The listing's total, read leniently: vendors send numbers as strings at times."""
    key, total = _first_present(body, keys)
    if total is None or isinstance(total, int):
        return total
    try:
        return int(str(total).strip())
    except ValueError:
        if warn is not None:
            warn('GET %s gave %s=%r, not a number; paging on without a total' % (path, key, total))
        return None


def _items(body, keys, path):
    if not isinstance(body, dict):
        raise UnexpectedResponseError('GET %s answered with JSON %s, not the documented object with a list'
                                      % (path, type(body).__name__), path=path)
    key, items = _first_present(body, keys)
    if key is None:
        raise UnexpectedResponseError('GET %s answered without a %s list (keys: %s)'
                                      % (path, keys[0], ', '.join(sorted(body)) or 'none'), path=path)
    if items is None:
        return []
    if not isinstance(items, list):
        raise UnexpectedResponseError('GET %s answered with %s as %s, not a list'
                                      % (path, key, type(items).__name__), path=path)
    return items


class Page:
    """One page of a listing, whichever of the documented shapes and key spellings the API used."""

    def __init__(self, items, total=None, next_link=None):
        self.items = items
        self.total = total
        self.next_link = next_link

    @classmethod
    def from_avepoint(cls, body, path, warn=None):
        """AvePoint: ``jobs`` (``result`` in older pages), ``totalCount`` (``totalNumber``), ``nextLink``."""
        items = _items(body, ('jobs', 'result'), path)
        next_link = _first_present(body, ('nextLink', 'nextlink'))[1]
        return cls(items, _total(body, ('totalCount', 'totalNumber'), path, warn),
                   next_link if isinstance(next_link, str) and next_link.strip() else None)

    @classmethod
    def from_vb365(cls, body, path, warn=None):
        """Veeam: a ``results`` envelope with ``_links.next.href``, or on some v5 endpoints a bare list."""
        if isinstance(body, list):
            return cls(body, len(body))
        items = _items(body, ('results',), path)
        next_link = ((body.get('_links') or {}).get('next') or {}).get('href')
        return cls(items, _total(body, ('totalCount',), path, warn),
                   next_link if isinstance(next_link, str) and next_link.strip() else None)


class Collector:
    """Every record once, in the order the API sent them."""

    def __init__(self, id_key, warn, noun='jobs', limit=None):
        self.records = []
        self._noun = noun
        self._limit = limit
        self.total = None
        self.pages = 0
        self._id_key = id_key
        self._seen = set()
        self._warn = warn

    def add(self, page):
        """Keep the page's new records; return how many were new."""
        self.pages += 1
        if page.total is not None:
            self.total = page.total
        new = 0
        for record in page.items:
            key = record.get(self._id_key) if isinstance(record, dict) else None
            if key is not None:
                if key in self._seen:
                    continue
                self._seen.add(key)
            self.records.append(record)
            new += 1
        return new

    @property
    def complete(self):
        if self._limit is not None and len(self.records) >= self._limit:
            return True
        return self.total is not None and len(self.records) >= self.total

    def stalled(self, page, new):
        """A full page with nothing new means the API is repeating itself: stop instead of looping."""
        if page.items and new == 0:
            self._warn('page %d repeated only %s already listed; paging stopped there' % (self.pages, self._noun))
            return True
        return False

    def finish(self):
        """The records; a warning where the API listed fewer than its total, or the limit cut the list."""
        if self._limit is not None and len(self.records) >= self._limit:
            if len(self.records) > self._limit or self.total is None or self.total > self._limit:
                self._warn('more than %d %s exist; the first %d are returned' % (self._limit, self._noun, self._limit))
            return self.records[:self._limit]
        if self.total is not None and len(self.records) < self.total:
            self._warn('the API reported %d %s in total but listed %d; the list may be incomplete'
                       % (self.total, self._noun, len(self.records)))
        return self.records


def page_index_paging(first_index):
    """Dynamics (pageIndex from 1) and Google (from 0): page after page until the total or a short page.

    A short page ends the listing only when the API gives no nextLink with it; an API that caps the page
    size below what was asked would otherwise look finished after its first page.
    """
    def paging(fetch, query, page_size, collector):
        index = first_index
        while True:
            page = fetch(dict(query, pageIndex=index, pageSize=page_size))
            new = collector.add(page)
            if collector.complete or not page.items or collector.stalled(page, new):
                return
            if len(page.items) < page_size and (collector.total is not None or not page.next_link):
                return
            index += 1
    return paging


def offset_paging(fetch, query, page_size, collector, follow):
    """Veeam: offset + limit, following each page's ``next`` link (``follow(link)``) while there is one.

    Without a link, a full page is followed by the next offset; a short page or an empty one ends the
    listing. A bare list (v5 log items) is the whole listing.
    """
    offset = 0
    page = fetch(dict(query, offset=offset, limit=page_size))
    while True:
        new = collector.add(page)
        offset += len(page.items)
        if collector.complete or not page.items or collector.stalled(page, new):
            return
        if page.next_link:
            page = follow(page.next_link)
        elif len(page.items) >= page_size:
            page = fetch(dict(query, offset=offset, limit=page_size))
        else:
            return


def skip_token_paging(fetch, query, page_size, collector):
    """IaaS + PaaS: each page's nextLink is the skip token of the next one; pageNumber is the fallback.

    The token arrives percent-encoded; it is decoded once here because requests encodes it again.
    """
    params = dict(query, pageNumber=0, pageSize=page_size)
    while True:
        page = fetch(params)
        new = collector.add(page)
        if collector.complete or not page.items or collector.stalled(page, new):
            return
        if page.next_link:
            params = dict(query, pageSize=page_size, skiptoken=unquote(page.next_link))
        elif collector.total is not None and len(page.items) >= page_size:
            params = dict(query, pageNumber=collector.pages, pageSize=page_size)
        else:
            return
