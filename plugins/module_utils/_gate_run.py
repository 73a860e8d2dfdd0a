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

from ansible_collections.backupops.jobs.plugins.module_utils._checks import SCHEDULE
from ansible_collections.backupops.jobs.plugins.module_utils._egress import QUOTE_LIMIT, printable
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
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import ACTIVE_OUTCOMES, poll_delays
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_schedule import max_age_from_schedule

# Checks listed at once; each listing has max_concurrency pages in flight of its own.
PARALLEL_CHECKS = 4
# How far back a failing check looks to say how old its newest success is: four windows, at least a week.
LOOKBACK_FACTOR = 4
MIN_LOOKBACK_HOURS = 168
# What a gate's user can do when its listings pass what one run keeps (see _paging.Budget).
# How long a check with running: wait waits by default for a running backup to end (running_timeout).
DEFAULT_WAIT_SECONDS = 3600
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
        self.stop = context.stop
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
    window = tally.backups if tally is not None else [record for record in records if Tally(now, hours).add(record)]
    return _result(check, verdict, error, None if error else _lookback(verdict, older, rule['accept'], lookback_hours, now),
                   records if keep_records else None, now, started, window)


def _result(check, verdict, error, lookback, records, now, started, window=()):
    """The verdict of ``check`` as the gate returns it: the check, the decision, the listing's ``error``, the
    ``lookback``; ``records`` (when kept) and their summary; ``seconds``, what the CI views show as the check's
    duration (its listings and its decision, not the other checks'). ``window``, the backups of the check's window,
    says what a check with refresh or running asks about them (see _change_window_facts)."""
    result = dict(name=check['name'], source=check['source'], filters=check['filters'],
                  max_age_hours=check['max_age_hours'], error=error, lookback=lookback, accept=check['accept'],
                  min_successes=check['min_successes'], **verdict)
    result.update(_change_window_facts(check, result, window))
    if records is not None:
        result['records'] = records
        result['summary'] = summarize(records, now)
    result['seconds'] = round(time.monotonic() - started, 3)
    return result


def _change_window_facts(check, verdict, window):
    """``refreshable`` for a check with ``refresh``: it failed only because its newest success is too old - its
    listing worked, and no backup of its window failed, ended with an outcome it does not accept, or runs."""
    if not check.get('refresh'):
        return {}
    return dict(refreshable=bool(not verdict['passed'] and verdict['error'] is None
                                 and all(cut.get('outcome') in check['accept'] for cut in window)))


def _running_now(tenant, check, now):
    """The IDs of the check's backups that are running or queued now, begun in its window: listed with no upper
    bound, since a server may leave out of a bounded listing what has not ended."""
    active = []

    def keep(record):
        if record.get('kind') == 'backup' and record.get('outcome') in ACTIVE_OUTCOMES:
            active.append(record.get('id'))
    # No bound in time on VB365: the meaning of its lower bound (endTimeLowerBound) is unclear, and a server that
    # reads it as the end would leave out every session that has not ended.
    since = None if SOURCES[check['source']].vendor == 'vb365' else now - timedelta(hours=check['max_age_hours'])
    records = tenant.records(check, since, None, keep if tenant.streams(check) else None)
    for record in records or []:
        keep(record)
    return active


def _judge_check(tenant, check, now, history_hours, keep_records):
    """The verdict of one check as its change-window fields ask: its maximum age derived from its job's schedule
    (max_age_hours: schedule; a schedule that sets none refuses the run, naming the check), and a backup of it that is
    running now ignored, blocking the check, or waited for (running; see _judge for the rest)."""
    started = time.monotonic()
    derived = None
    if check['max_age_hours'] == SCHEDULE:
        try:
            check, derived = _with_age_of_schedule(tenant, check)
        except OptionError as error:
            raise OptionError('check %s: %s' % (check['name'], error.msg), **error.details)
        except BackupOpsError as failure:
            # The job could not be read, so no age is known: the check fails as a listing that failed does.
            return _result(dict(check, max_age_hours=None), decide([], now, 1, error=failure.msg), failure.msg, None,
                           [] if keep_records else None, now, started)
    verdict = _judge(tenant, check, now, history_hours, keep_records)
    running = check.get('running', 'ignore')
    if running != 'ignore' and verdict['error'] is None:
        try:
            verdict = _judge_running(tenant, check, verdict, now, history_hours, keep_records)
        except BackupOpsError as failure:
            # What runs now is unknown: the check fails as a listing that failed does, the others are still judged.
            verdict.update(passed=False, error=failure.msg, reason='could not list the backups running now: %s'
                           % printable(failure.msg, limit=QUOTE_LIMIT))
    if derived is not None:
        verdict['max_age_from'] = derived
        verdict['reason'] += ' (max_age_hours: %s)' % derived
    return verdict


def _with_age_of_schedule(tenant, check):
    """(the check with the maximum age its job's schedule allows, how it was derived); see _vb365_schedule."""
    source = SOURCES[check['source']]
    job = source.job(tenant.connection(source.vendor), check['filters'])
    hours, derived = max_age_from_schedule(job.get('name') or job.get('id'), job.get('schedule_policy'),
                                           job.get('is_enabled'))
    return dict(check, max_age_hours=hours), derived


def _ids(ids):
    return printable(', '.join(str(ident) for ident in ids), limit=QUOTE_LIMIT)


def _judge_running(tenant, check, verdict, now, history_hours, keep_records):
    """``verdict`` as the check's ``running`` asks when a backup of it runs now: failed (block), or judged again once
    it has ended, polled with back-off for at most running_timeout seconds (wait); still running then, failed. The
    reason says which. ``running_now`` gives the IDs of what runs at the end."""
    running = _running_now(tenant, check, now)
    if running and check['running'] == 'wait':
        timeout = check.get('running_timeout', DEFAULT_WAIT_SECONDS)
        waited = time.monotonic()
        for delay in poll_delays(timeout):
            if tenant.stop is not None and tenant.stop.wait(delay):
                break
            if tenant.stop is None:
                time.sleep(delay)
            now = datetime.now(timezone.utc)
            if not _running_now(tenant, check, now):
                verdict = _judge(tenant, check, now, history_hours, keep_records)
                verdict['reason'] = ('waited %d s for the running backup %s to end (running: wait); %s'
                                     % (time.monotonic() - waited, _ids(running), verdict['reason']))
                verdict['running_now'] = []
                return verdict
        verdict['reason'] = ('a backup of it still runs after running_timeout=%d s (%s; running: wait); %s'
                             % (timeout, _ids(running), verdict['reason']))
    elif running:
        verdict['reason'] = ('a backup of it is running now (%s), which the change would race; blocked until it ends '
                             '(running: block); %s' % (_ids(running), verdict['reason']))
    if running:
        verdict['passed'] = False
        if check.get('refresh'):
            verdict['refreshable'] = False
    verdict['running_now'] = running
    return verdict


def note_refresh(verdict, run):
    """Say in ``verdict`` (judged after the role's job_session ``run`` for it) that a backup was taken, and which:
    ``refreshed`` (session_id, outcome, end_time, or the run's message when it took none) and its reason's start."""
    run = run if isinstance(run, dict) else {}
    session = run.get('session') if isinstance(run.get('session'), dict) else {}

    def shown(value):
        return None if value is None else printable(value, limit=QUOTE_LIMIT)
    verdict['refreshed'] = dict(session_id=shown(session.get('id')), outcome=shown(session.get('outcome')),
                                end_time=shown(session.get('end_time')), started=run.get('started') is True,
                                failed=run.get('failed') is True, msg=shown(run.get('msg')))
    if session.get('id') is not None and session.get('outcome') in ACTIVE_OUTCOMES:
        # The role waits refresh_timeout seconds for the backup it started (job_session's wait_timeout).
        taken = ('backup started before judging has not ended within refresh_timeout (session %s, %s; it goes on in '
                 'VB365)' % (printable(session['id'], limit=QUOTE_LIMIT),
                             printable(session.get('outcome'), limit=QUOTE_LIMIT)))
    elif session.get('id') is not None:
        taken = 'backup taken before judging (session %s, %s)' % (
            printable(session['id'], limit=QUOTE_LIMIT), printable(session.get('outcome'), limit=QUOTE_LIMIT))
    else:
        taken = 'no backup could be taken (%s)' % printable(run.get('msg'), limit=QUOTE_LIMIT)
    verdict['reason'] = '%s; %s' % (taken, verdict['reason'])


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
    return _result(check, verdict, error, None, [] if keep_records else None, now, started)


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
            return list(pool.map(lambda check: _judge_check(tenant, check, now, history_hours, keep_records), checks))
    finally:
        tenant.close()
