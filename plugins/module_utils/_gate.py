# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pre-change gate's decision: may the change start, given the jobs (or sessions) of one check?

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

The one rule that must never break: a check passes only if at least ``min_successes`` distinct backup
jobs (kind ``backup``) with an accepted outcome finished inside the window (now minus max_age_hours, up
to now). A restore, copy, export or deletion never counts, however well it went; a running job never
counts, a finish time in the future is not believed, and a listing that failed passes nothing.
"""

import json
from collections.abc import Mapping
from datetime import timedelta

from ansible_collections.backupops.jobs.plugins.module_utils._egress import ID_LIMIT, QUOTE_LIMIT, printable
# hours_between (how every age is said, in _timestamps so that the summaries use it too) is one of this module's
# names as well: _gate_run and the newest_accepted filter import it from here.
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import (
    format_timestamp,
    hours_between,
    parse_timestamp,
)

ACCEPTABLE_OUTCOMES = ('success', 'warning')
# A listing's error as a reason quotes it: the error's own words and the server's text it quotes (QUOTE_LIMIT).
ERROR_LIMIT = 2 * QUOTE_LIMIT


# The common keys every module's records carry (see _normalize.normalize_record); no vendor key is read.
def _finish(record):
    return parse_timestamp(record.get('finish_time'))


def _start(record):
    return parse_timestamp(record.get('start_time'))


def _ident(record):
    return record.get('id')


def _quoted_ident(record):
    """A record's ID as a reason quotes it: the server's text, so escaped and bounded."""
    return printable(_ident(record), limit=ID_LIMIT)


def _is_backup(record):
    return isinstance(record, dict) and record.get('kind') == 'backup'


def job_identity(ident):
    """A job's or session's ID as the collection tells jobs apart: text, trimmed and case-folded, so 7 and '7', or a
    GUID in upper and in lower case, are one job; None for a record without an ID."""
    if ident is None:
        return None
    if isinstance(ident, (dict, list)):  # an ID of the wrong type still names a record, if not a hashable one
        return json.dumps(ident, sort_keys=True)
    return str(ident).strip().lower()


def job_key(record):
    """What tells one job from another: its ID (see job_identity); for a job without an ID, its finish time."""
    ident = job_identity(_ident(record))
    return ident if ident is not None else (None, _finish(record))


def _distinct(records):
    """Each job once, by its ID alone: a job listed twice (pages overlap while jobs arrive, a server repeats itself)
    is one backup, with the later of the finish times it was listed with. Two jobs without an ID are one when they
    finished at the same moment."""
    chosen = {}
    for record in records:
        key = job_key(record)
        kept = chosen.get(key)
        if kept is None or _later(_finish(record), _finish(kept)):
            chosen[key] = record
    return list(chosen.values())


def _later(finish, other):
    return finish is not None and (other is None or finish > other)


def newest_accepted(records, accept, now):
    """(finish time, record) of the newest backup with an accepted outcome that finished by now, or (None, None)."""
    finished = [(finish, record) for record in records if _is_backup(record)
                for finish in [_finish(record)]
                if record.get('outcome') in accept and finish is not None and finish <= now]
    return max(finished, key=lambda pair: pair[0]) if finished else (None, None)


# The keys of a record the decision and its reason read: all a Tally keeps of one.
DECIDING_KEYS = ('id', 'kind', 'outcome', 'start_time', 'finish_time', 'will_be_retried')


class Tally:
    """What ``decide`` reads of a check's records, gathered one record at a time, so that a listing of any length is
    judged without being kept: the backups of the window, each cut to the keys the decision reads (DECIDING_KEYS),
    and a count of the jobs of other kinds in it. Records from before the window are counted out at once.

    ``order``, when given, is a key the backups are sorted by (newest first, stably) before deciding: the order a
    listing that sorts what it returns would have given them, since the reason names the first of equals.
    """

    def __init__(self, now, max_age_hours, order=None):
        self.now = now
        self.max_age_hours = max_age_hours
        self._start = now - timedelta(hours=max_age_hours)
        self._order = order
        self.backups = []
        self.others = 0

    def add(self, record):
        """Count ``record`` in; True when a cut of it is kept (a backup of the window)."""
        moment = _finish(record) or _start(record)
        if moment is None or moment < self._start:
            return False
        if not _is_backup(record):
            self.others += 1
            return False
        self.backups.append(dict((key, record[key]) for key in DECIDING_KEYS if key in record))
        return True

    def verdict(self, accept=('success',), min_successes=1, older=None, error=None):
        """What ``decide`` gives for the records added (see decide)."""
        backups = self.backups
        if self._order is not None:
            backups = sorted(backups, key=self._order, reverse=True)
        return _verdict(backups, self.others, self.now, self.max_age_hours, accept, min_successes, older, error)


def decide(records, now, max_age_hours, accept=('success',), min_successes=1, older=None, error=None):
    """{passed, reason, latest_success, hours_since_success, jobs_considered} for one check.

    ``records`` are the normalised jobs or sessions of the window; records from before it (a report lists
    its days) change nothing, so the reason is the same whatever was listed. ``older``, when given, are those
    of a longer look-back, used only to say how old the newest success is when the window has none. ``error``
    is the message of a listing that failed.
    """
    tally = Tally(now, max_age_hours)
    if not error:
        for record in records:
            tally.add(record)
    return tally.verdict(accept, min_successes, older, error)


def _verdict(backups, others, now, max_age_hours, accept, min_successes, older, error):
    """decide, from the backups of the window (in the order listed) and the number of jobs of other kinds in it."""
    accept = tuple(accept)
    window = '%s h' % ('%g' % max_age_hours)
    start = now - timedelta(hours=max_age_hours)
    verdict = dict(passed=False, latest_success=None, hours_since_success=None, jobs_considered=0)
    if error:
        verdict['reason'] = 'could not list the jobs: %s' % printable(error, limit=ERROR_LIMIT)
        return verdict
    considered = _distinct(backups)
    verdict['jobs_considered'] = len(considered)
    accepted = [record for record in considered
                if record.get('outcome') in accept and _finish(record) is not None and start <= _finish(record) <= now]
    newest_finish, newest = newest_accepted(accepted, accept, now)
    if newest is not None:
        verdict.update(latest_success=dict(id=_ident(newest), finish_time=format_timestamp(newest_finish),
                                           outcome=newest.get('outcome')),
                       hours_since_success=hours_between(newest_finish, now))
    if len(accepted) >= min_successes:
        verdict.update(passed=True, reason='newest %s is %s h old (%d accepted in the last %s)'
                       % (newest.get('outcome'), verdict['hours_since_success'], len(accepted), window))
        return verdict
    verdict['reason'] = _why_not(considered, accepted, accept, min_successes, window, now, older)
    if others and not considered:
        verdict['reason'] += ('; %d job%s of other kinds (restore, copy, export, deletion) not counted'
                              % (others, '' if others == 1 else 's'))
    return verdict


class NewestAccepted:
    """The newest backup with an accepted outcome that finished by now among records added one at a time: all a
    look-back reads (see _older_success), without keeping its listing. ``records`` is a list of it, or empty."""

    def __init__(self, accept, now):
        self._accept = tuple(accept)
        self._now = now
        self.records = []

    def add(self, record):
        finish, _newest = newest_accepted([record] + self.records, self._accept, self._now)
        if finish is not None:
            self.records = [_newest]


def _why_not(considered, accepted, accept, min_successes, window, now, older):
    """The reason a person needs, most telling first."""
    if accepted:
        return 'only %d of the %d accepted jobs required finished in the last %s' % (len(accepted), min_successes, window)
    future = [record for record in considered if record.get('outcome') in accept and (_finish(record) or now) > now]
    if future:
        return '%s reports finishing in the future (%s); not trusted' % (
            _quoted_ident(future[0]), format_timestamp(_finish(future[0])))
    if not considered:
        reason = 'no backup job in the last %s' % window
    else:
        newest_first = sorted(considered, key=lambda record: _start(record) or _finish(record), reverse=True)
        latest = newest_first[0]
        if latest.get('outcome') in ('running', 'queued'):
            reason = 'job still %s (%s); no accepted job finished in the last %s' % (
                latest['outcome'], _quoted_ident(latest), window)
        else:
            failures = 0
            for record in newest_first:
                if record.get('outcome') != 'failed':
                    break
                failures += 1
            all_failed = 'last %d job%s failed' % (failures, '' if failures == 1 else 's')
            if failures and latest.get('will_be_retried') is True:
                reason = '%s (the newest failure will be retried)' % (
                    all_failed if failures == len(newest_first) else 'newest job failed')
            elif failures == len(newest_first):
                reason = all_failed
            elif latest.get('outcome') == 'warning' and 'warning' not in accept:
                reason = 'newest job ended with warnings, which this check does not accept'
            else:
                outcomes = sorted(set(record.get('outcome') for record in considered))
                reason = 'no accepted job (%s) in the last %s; outcomes seen: %s' % (
                    ', '.join(accept), window, ', '.join(outcomes))
    return reason + _older_success(older, accept, now)


def _older_success(older, accept, now):
    """'; newest success is N h old' from the longer look-back, or nothing."""
    older_finish, _older = newest_accepted(older or [], accept, now)
    if older_finish is None:
        return ''
    return '; newest %s is %s h old' % ('/'.join(accept), hours_between(older_finish, now))


# The one verdict: whether a gate's result passed, for every place that says so - the module's ``passed``, the role
# (the filters gate_passed, check_passed and gate_table), the files for CI, the HTML report and the gate callback.
# Each fails closed: anything it does not recognise as a pass is none.

# What an older templating leaves of a true ``passed``: the text of Python's True. No other text, number or 'yes'.
PASSED_TEXT = 'True'


def says_passed(value):
    """Whether a verdict's ``passed`` says passed: True, or the text 'True'; nothing else ('true', 'yes', 1)."""
    return value is True or (isinstance(value, str) and value == PASSED_TEXT)


def check_passed(check):
    """Whether one check of a gate's result passed: a mapping whose ``passed`` says so (see says_passed) and which
    has no ``error`` (a listing that failed passes nothing, whatever ``passed`` says)."""
    return isinstance(check, Mapping) and says_passed(check.get('passed')) and not check.get('error')


def every_check_passed(checks):
    """Whether a list of checks is a pass: at least one check, and every one of them passed (see check_passed)."""
    return isinstance(checks, (list, tuple)) and len(checks) > 0 and all(check_passed(check) for check in checks)


def gate_passed(result):
    """Whether a gate's result (the module's, the role's ``backup_gate_result``) passed: a mapping whose ``passed``
    says so and whose ``checks`` are a non-empty list of checks that every one passed. Any other value is no pass."""
    return isinstance(result, Mapping) and says_passed(result.get('passed')) and every_check_passed(result.get('checks'))
