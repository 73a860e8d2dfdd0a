# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one listing pipeline of every vendor, and what a listing module returns of its records.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

``list_records`` is how every listing runs, whichever vendor pages it: each record the API sends is shaped (the
vendor's normalisation), told apart from those already listed, checked against every filter sent (_verify) and
against the time window asked for, and then kept, handed on as it arrives (``consume``), or counted towards the
limit; then the warnings, in one order. A vendor supplies only its paging and its record shape.

``Listing`` is the result of a listing module as the options of doc fragment backupops.jobs.listing ask: with
``summary_only`` each record goes to ``Listing.consume``, which summarises it and lets it go, so the summary is
the one of the full listing, in the memory of a few pages.
"""

from collections import Counter
from datetime import timedelta

from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import Summary, warn_unreadable
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Collector, counted, newest_first_key
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import parse_timestamp, shifted

# A summarised listing holds only the pages in flight (max_concurrency, plus the one being read); at 10,000 records
# a page that was a quarter of a gigabyte. Smaller pages keep it to a few megabytes.
CONSUMED_PAGE_SIZE = 1000


class Window:
    """The time a listing asks for (``start``, ``end``; None leaves that side open), checked by the client on every
    record: a record is inside when its start or its finish time falls between the bounds, taken outward to the
    whole second as the queries send them, since an API may read its bounds as either time. A record that gives
    neither time readably is kept, as it cannot be shown to be outside: the listing warns of its unreadable times,
    and the gate never counts a backup without a finish time.

    ``asked_wider``: the query asked the server for more than the window (VB365's lower bound, whose meaning is
    unclear), so records outside it are expected and dropped without a word; otherwise they are a server that
    ignored the window, which ``report`` says."""

    def __init__(self, start=None, end=None, asked_wider=False):
        self.start = start.replace(microsecond=0) if start is not None else None
        self.end = shifted(end.replace(microsecond=0), timedelta(seconds=1)) if end is not None and end.microsecond else end
        self._asked_wider = asked_wider
        self.outside = 0

    def holds(self, record):
        if self.start is None and self.end is None:
            return True
        moments = [moment for moment in (parse_timestamp(record.get('start_time')),
                                         parse_timestamp(record.get('finish_time'))) if moment is not None]
        if not moments or any((self.start is None or moment >= self.start) and (self.end is None or moment <= self.end)
                              for moment in moments):
            return True
        self.outside += 1
        return False

    def report(self, warn, noun):
        if self.outside and not self._asked_wider:
            warn('the server returned %s outside the time window asked for; they were dropped, not counted'
                 % counted(self.outside, noun))


def list_records(paging, shape, verifier, window, warn, noun, id_key='id', time_of=None, limit=None, consume=None,
                 on_limit=None, budget=None, newest_first=False):
    """(records, the API's total or None) of one listing. ``paging(collector)`` fetches the pages into the
    collector; ``shape(raw, unreadable)`` normalises one record (counting the time fields it could not read);
    ``verifier`` (a _verify.Verifier) and ``window`` (a Window) say which records answer the query.

    With ``limit``, the newest ``limit`` records by ``time_of``, newest first (``on_limit`` is told when more
    matched); with ``consume`` (and no limit), each record goes there as its page arrives, and none is kept;
    with ``newest_first``, the records are returned newest first by ``time_of`` (an API whose order is not
    documented), otherwise in the order listed."""
    unreadable = Counter()

    def keep(record):
        return verifier.keeps(record) and window.holds(record)
    collector = Collector(id_key, warn, noun=noun, limit=limit, time_of=time_of, sink=consume, on_limit=on_limit,
                          budget=budget, keep=keep, shape=lambda raw: shape(raw, unreadable))
    paging(collector)
    records = collector.finish()
    if newest_first and limit is None:
        records.sort(key=newest_first_key(time_of))
    warn_unreadable(unreadable, warn, noun)
    verifier.report()
    window.report(warn, noun)
    return records, collector.total


# Keys normalize_record gives every record of every API, documented or not in a module's RETURN.
COMMON_FIELDS = ('id', 'kind', 'outcome', 'status_name', 'start_time', 'finish_time', 'duration_seconds')


def known_fields(documented):
    return sorted(set(documented) | set(COMMON_FIELDS))


def check_fields(fields, documented, summary_only):
    """The fields option as given, or an OptionError listing the known names."""
    if fields is None:
        return None
    if summary_only:
        raise OptionError('fields (%s) and summary_only=true exclude each other: summary_only returns no records to '
                          'take fields of; give one of them' % ', '.join(fields), option='fields', value=fields)
    known = known_fields(documented)
    unknown = [name for name in fields if name not in known]
    if unknown or not fields:
        problem = 'no field %s' % ', '.join(repr(name) for name in unknown) if unknown else 'the list names no field'
        raise OptionError('fields: %s; a record has the fields %s' % (problem, ', '.join(known)),
                          option='fields', value=fields)
    return fields


class Listing:
    """The result of a listing module as its summary_only and fields options ask.

    ``consume`` is what the listing hands its records to as they arrive (None: the listing returns them):
    with summary_only and no limit, since a limit chooses the newest records only once all are listed.
    """

    def __init__(self, params, documented_fields, now, warn):
        self.summary_only = params['summary_only']
        self.fields = check_fields(params['fields'], documented_fields, self.summary_only)
        self._summary = Summary(now, warn)
        self.consume = self._summary.add if self.summary_only and params.get('limit') is None else None
        self.limited = False

    def note_limited(self):
        """The listing had more records than the limit the user gave: the result says so (limited)."""
        self.limited = True

    def result(self, key, records):
        """The module's result with the ``records`` the listing returned (those it consumed are counted already):
        ``{key: records, summary}``, only the fields asked of each record, or ``{summary, total_count}``."""
        for record in records:
            self._summary.add(record)
        summary = self._summary.result()
        if self.summary_only:
            return dict(summary=summary, total_count=summary['count'], limited=self.limited)
        if self.fields is not None:
            records = [dict((name, record.get(name)) for name in self.fields) for record in records]
        return {key: records, 'summary': summary, 'limited': self.limited}
