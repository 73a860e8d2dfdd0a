# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup gate of one tenant in one process: every check listed at once, each judged by _gate.decide.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A tenant's checks share what they can: one pool of connections per vendor, one AvePoint token per scope, one
VB365 login. Each check is listed over its own window (and, when it fails, over a longer look-back that only
says how old the newest success is) by the same client code as the listing modules, with the same filters
the role's checks name, and decided by the same code as the gate_verdict filter. A listing that fails fails
its check, with the listing's message as the reason; it never passes and it does not stop the other checks.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._gate import (
    ERROR_LIMIT,
    NewestAccepted,
    Tally,
    decide,
    hours_between,
    newest_accepted,
)
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import summarize
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Budget
from ansible_collections.backupops.jobs.plugins.module_utils._sources import SOURCES, VENDORS
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp, parse_timestamp

# Checks listed at once; each listing has max_concurrency pages in flight of its own.
PARALLEL_CHECKS = 4
# How far back a failing check looks to say how old its newest success is: four windows, at least a week.
LOOKBACK_FACTOR = 4
MIN_LOOKBACK_HOURS = 168
# What a gate's user can do when its listings pass what one run keeps (see _paging.Budget).
NARROW_CHECKS = ('narrow the check (its filters, max_age_hours), or leave out include_records and history_days, '
                 'which keep every record listed')


def vendors_of(checks):
    """The vendors whose connections ``checks`` need, in the order of _sources.VENDORS."""
    needed = set(SOURCES[check['source']].vendor for check in checks)
    return [vendor for vendor in VENDORS if vendor in needed]


class _Tenant:
    """The connections of one tenant, made before any request so that a bad option fails the run at once."""

    def __init__(self, checks, context, connections, parallel):
        pool = context.max_concurrency * parallel
        self.warn = context.warn
        # What every check of the tenant keeps, together: they list at once.
        self.budget = Budget(NARROW_CHECKS)
        self._connections = {}
        for vendor in vendors_of(checks):
            try:
                self._connections[vendor] = VENDORS[vendor].connect(connections.get(vendor), context, pool, self.budget)
            except OptionError as error:
                raise OptionError('%s: %s' % (vendor, error.msg), **error.details)

    def connection(self, vendor):
        """The connection of ``vendor`` (one of the checks' vendors)."""
        return self._connections[vendor]

    def records(self, check, start, now, consume=None):
        """The normalised records of ``check`` from ``start`` to ``now``, filtered as the check says; with
        ``consume`` (where ``streams``), each is handed to it instead, as its page arrives."""
        source = SOURCES[check['source']]
        return source.list(self._connections[source.vendor], check['filters'], start, now, consume)

    def streams(self, check):
        """Whether the records of ``check`` can be consumed as they arrive: not where a limit chooses the newest."""
        source = SOURCES[check['source']]
        return source.streams(self._connections[source.vendor])

    @staticmethod
    def order(check):
        """The order a listing of ``check`` returns its records in, for a Tally (see _sources.Source.order)."""
        return SOURCES[check['source']].order

    def tally(self, check, start, now, max_age_hours):
        """A Tally of the records of ``check`` since ``start``: what the decision reads of them, each backup of its
        window charged to the tenant's budget while the check is judged."""
        tally = Tally(now, max_age_hours, self.order(check))
        charged = [0]

        def consume(record):
            if tally.add(record):
                # A cut keeps the record's texts whole (its ID may be megabytes): they count as the bytes they are.
                size = sum(len(str(value)) for value in tally.backups[-1].values())
                charged[0] += size
                self.budget.charge(1, size, 'backups in the window', len(tally.backups), None)
        try:
            self.records(check, start, now, consume)
        finally:
            self.budget.release(len(tally.backups), charged[0])
        return tally

    def close(self):
        for vendor, connection in self._connections.items():
            VENDORS[vendor].close(connection)


def _judge(tenant, check, now, history_hours, keep_records):
    """The verdict of one check. Its reason depends on the check and the data alone, never on ``history_hours``:
    a report that lists its days judges each check in the gate's own words, over the same look-back.

    Unless its records are to be returned (``keep_records``), a check keeps only what its decision reads: a Tally of
    its window, and the newest accepted backup of its look-back."""
    started = time.monotonic()
    if SOURCES[check['source']].judge is not None:
        return _judged_by_source(tenant, check, now, keep_records, started)
    hours = check['max_age_hours']
    rule = dict(accept=check['accept'], min_successes=check['min_successes'])
    lookback_hours = max(hours * LOOKBACK_FACTOR, MIN_LOOKBACK_HOURS)
    listed_hours = max(hours, history_hours or 0)
    streamed = not keep_records and tenant.streams(check)
    records, older, error, tally = [], None, None, None
    try:
        if streamed:
            tally = tenant.tally(check, now - timedelta(hours=hours), now, hours)
        else:
            records = tenant.records(check, now - timedelta(hours=listed_hours), now)
    except BackupOpsError as failure:
        error = failure.msg

    def judge(older, error=None):
        if tally is not None:
            return tally.verdict(older=older, error=error, **rule)
        return decide(records, now, hours, older=older, error=error, **rule)
    if listed_hours >= lookback_hours:
        # The gate's own look-back, not the report's days: a success older than it is not named in either.
        since = now - timedelta(hours=lookback_hours)
        older = [record for record in records
                 if (parse_timestamp(record.get('start_time')) or parse_timestamp(record.get('finish_time')) or now) >= since]
    verdict = judge(older, error)
    if not verdict['passed'] and error is None and older is None:
        try:
            since = now - timedelta(hours=lookback_hours)
            if tenant.streams(check):
                newest = NewestAccepted(check['accept'], now)
                tenant.records(check, since, now, newest.add)
                older = newest.records
            else:
                older = tenant.records(check, since, now)
            verdict = judge(older)
        except BackupOpsError as failure:
            tenant.warn('check %s: the look-back for its newest success failed: %s' % (check['name'], failure.msg))
    # A listing that failed judged nothing, so there is no coverage to speak of.
    if not check['filters'] and error is None:
        verdict['reason'] = '%s: %s' % (SOURCES[check['source']].covers, verdict['reason'])
    result = dict(name=check['name'], source=check['source'], filters=check['filters'], max_age_hours=hours,
                  error=error, lookback=None if error else _lookback(verdict, older, rule['accept'], lookback_hours, now),
                  **dict(rule, **verdict))
    if keep_records:
        result['records'] = records
        result['summary'] = summarize(result['records'], now)
    # What the CI views show as the check's duration: its listings and its decision, not the other checks'.
    result['seconds'] = round(time.monotonic() - started, 3)
    return result


def _judged_by_source(tenant, check, now, keep_records, started):
    """The verdict of a check whose source judges it itself (see _sources.Source.judge), with every key of the others:
    a failure to read fails the check with the message as its reason and error, as a listing's does."""
    source = SOURCES[check['source']]
    verdict = dict(passed=False, latest_success=None, hours_since_success=None, jobs_considered=0)
    error = None
    try:
        verdict.update(source.judge(tenant.connection(source.vendor), check, now))
    except BackupOpsError as failure:
        error = failure.msg
        verdict['reason'] = 'could not read the item: %s' % printable(failure.msg, limit=ERROR_LIMIT)
    # passed only from the source's own True: anything else is no pass (see _gate.check_passed).
    verdict['passed'] = verdict.get('passed') is True and error is None
    result = dict(name=check['name'], source=check['source'], filters=check['filters'],
                  max_age_hours=check['max_age_hours'], error=error, lookback=None, accept=check['accept'],
                  min_successes=check['min_successes'], **verdict)
    if keep_records:
        result['records'] = []
        result['summary'] = summarize([], now)
    result['seconds'] = round(time.monotonic() - started, 3)
    return result


def _lookback(verdict, older, accept, lookback_hours, now):
    """How old the newest accepted job is when the window has none, so that every report can give an age: the
    look-back's hours and its newest accepted job (or None). None when there was no look-back to read: the window had
    an accepted job, or a listing failed."""
    if verdict['latest_success'] is not None or older is None:
        return None
    finish, record = newest_accepted(older, accept, now)
    if record is None:
        return dict(hours=lookback_hours, success=None, hours_since_success=None)
    return dict(hours=lookback_hours, hours_since_success=hours_between(finish, now),
                success=dict(id=record.get('id'), finish_time=format_timestamp(finish), outcome=record.get('outcome')))


def evaluate_checks(checks, context, connections, now=None, history_hours=None, keep_records=False):
    """The verdict of each of ``checks`` (as _checks.check_gate_checks returns them), in their order.

    ``context`` is a _context.Context; ``connections`` maps each vendor the checks need to its complete connection
    options (see _module.connection_params). Each verdict holds name, source, filters, max_age_hours, accept,
    min_successes, passed, reason, latest_success, hours_since_success, jobs_considered, error (the listing's
    message, or None), lookback (see _lookback) and seconds (how long it took); with ``keep_records`` also
    ``records``, what was listed (over ``history_hours`` when given and longer than the check's window), and their
    ``summary``. Raises OptionError for unusable connection options.
    """
    if not checks:
        return []
    now = now or datetime.now(timezone.utc)
    parallel = min(PARALLEL_CHECKS, len(checks))
    tenant = _Tenant(checks, context, connections, parallel)
    try:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            return list(pool.map(lambda check: _judge(tenant, check, now, history_hours, keep_records), checks))
    finally:
        tenant.close()
