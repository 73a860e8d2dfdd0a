# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Jobs and sessions shaped for people: snake_case keys, names beside codes, one common outcome, a summary.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.
"""

import re
import sys

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.backupops.jobs.plugins.module_utils._codes import OUTCOMES
from ansible_collections.backupops.jobs.plugins.module_utils._egress import ID_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import UnexpectedResponseError
from ansible_collections.backupops.jobs.plugins.module_utils._paging import counted
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import (
    format_timestamp,
    hours_between,
    is_unset,
    parse_timestamp,
)

NESTED = (dict, list)
DURATION = re.compile(r'^(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$')


# Keys converted lately. A server decides the keys, so the cache is bounded like the timestamps' (_timestamps._KNOWN):
# an honest listing repeats a few dozen keys, a hostile one sends new ones on every record, of any length.
_SNAKE = {}
_SNAKE_MAX = 4096
_SNAKE_LENGTH = 64


def _snake_key(key):
    snake = _SNAKE.get(key)
    if snake is None:
        snake = next(iter(camel_dict_to_snake_dict({key: None})))
        if len(key) <= _SNAKE_LENGTH:
            if len(_SNAKE) >= _SNAKE_MAX:
                _SNAKE.clear()
            _SNAKE[key] = snake
    return snake


def snake_dict(value):
    """``camel_dict_to_snake_dict``, converting each distinct key once: a listing of 100,000 jobs repeats
    the same twenty keys, and converting them anew for every job took most of a module's run. A record nested
    deeper than Python recurses (a server's JSON may nest thousands of levels) is an UnexpectedResponseError."""
    try:
        return _snake(value)
    except RecursionError:
        raise UnexpectedResponseError('the API answered with a record nested too deeply to read (over %d levels)'
                                      % sys.getrecursionlimit())


def _snake(value):
    if isinstance(value, dict):
        return {(_snake_key(key) if isinstance(key, str) else key): _snake(item) if isinstance(item, NESTED) else item
                for key, item in value.items()}
    if isinstance(value, list):
        return [_snake(item) if isinstance(item, NESTED) else item for item in value]
    return value


def duration_seconds(value):
    """Whole seconds in a .NET TimeSpan string: '00:04:01' is 241, '1.16:00:44' is 144044."""
    match = DURATION.match(str(value).strip()) if value is not None else None
    if not match:
        return None
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(float(seconds))


def normalize_record(raw, codes, outcomes, time_fields, renames=None, kinds=None, unreadable=None, id_field='job_id'):
    """One API record as the modules return it: the vendor's keys in snake_case, and the common keys every
    record of every module carries, whatever the vendor calls them - ``id`` (from ``id_field``, as a string),
    ``start_time`` and ``finish_time`` (from ``time_fields``), ``duration_seconds`` (whole seconds, or None),
    ``outcome``, ``kind``.

    ``renames`` maps a vendor key (snake_case) to the key the collection returns it under: an older spelling of
    the API, or a key whose name would clash with a common or top-level key or say something else than the same
    name says in another module. ``codes`` maps a snake_case field to its CodeTable: the field keeps its raw value
    and gains ``<field>_name``. ``outcomes`` decides ``outcome`` from the status, ``kinds`` decides ``kind`` from
    the job type (without it, the caller decides). ``time_fields`` are (start, finish): each becomes ISO 8601 UTC
    in whole seconds where it parses; .NET's DateTime.MinValue or a value that is not a time becomes null, the
    latter counted in ``unreadable`` (a Counter by field) so the caller can warn once. A job whose finish is
    DateTime.MinValue has not finished, whatever its status says. A vendor key of a common name is overwritten,
    so a server cannot set a common key the client did not derive itself.
    """
    record = snake_dict(raw) if isinstance(raw, dict) else {}
    for vendor, returned in (renames or {}).items():
        if vendor in record:
            value = record.pop(vendor)
            record.setdefault(returned, value)
    for field, table in codes.items():
        if field in record:
            record[field + '_name'] = table.name_of(record[field])
    record['status_name'] = codes['status'].name_of(record.get('status')) if 'status' in codes else None
    record['outcome'] = outcomes.of(record)
    if kinds is not None:
        record['kind'] = kinds.of(record)
    moments = {}
    for field in time_fields:
        value = record.get(field)
        if value is None:
            continue
        moment = parse_timestamp(value)
        if moment is not None:
            record[field] = format_timestamp(moment)
            moments[field] = moment.replace(microsecond=0)  # the time as returned, in whole seconds
            continue
        if is_unset(value):
            if field == time_fields[-1] and record['outcome'] in ('success', 'warning', 'failed'):
                record['outcome'] = 'running'
        elif unreadable is not None:
            unreadable[field] += 1
        record[field] = None
    start, finish = (moments.get(field) for field in time_fields)
    ident = record.get(id_field)
    record.update(id=None if ident is None else str(ident), start_time=record.get(time_fields[0]),
                  finish_time=record.get(time_fields[1]), duration_seconds=_duration(record, start, finish))
    return record


def _duration(record, start, finish):
    """Whole seconds the job ran: the API's own duration where it gives one (``duration_text``, a .NET TimeSpan,
    or ``duration_hours``), else finish minus start; None when unknown."""
    if 'duration_text' in record:
        return duration_seconds(record['duration_text'])
    hours = record.get('duration_hours')
    if isinstance(hours, (int, float)) and not isinstance(hours, bool) and 0 <= hours < 1e6:
        return int(round(hours * 3600.0))
    if start is not None and finish is not None and finish >= start:
        return int((finish - start).total_seconds())
    return None


def warn_unreadable(unreadable, warn, noun='jobs'):
    """One warning per time field that some records gave in a form that is not a time."""
    for field, count in sorted(unreadable.items()):
        warn('%s gave a %s that is not a readable time; it is returned as null and the %s is treated as '
             'having no %s' % (counted(count, noun), field, noun[:-1] if noun.endswith('s') else noun, field))


class Summary:
    """count, by_outcome, latest (newest start), latest_success (newest finished successful backup),
    hours_since_success, of records added one at a time: a listing is summarised as its pages arrive
    without being kept.

    ``by_outcome`` counts every record; ``latest_success`` only records of kind ``backup``, since a
    restore or a copy that succeeded is no backup. A success that claims to finish after ``now`` is not
    trusted as the latest success: a gate must not pass on a clock it cannot believe.

    Of records with the same time the one with the greatest id is the latest, so the summary does not depend
    on the order the records come in (a listing summarised as it arrives, or sorted first).
    """

    def __init__(self, now, warn=None):
        self._now = now
        self._warn = warn
        self.count = 0
        self._by_outcome = dict((outcome, 0) for outcome in OUTCOMES)
        self._latest = self._latest_success = None
        self._latest_start = self._latest_finish = None

    def add(self, record):
        self.count += 1
        outcome = record.get('outcome', 'unknown')
        self._by_outcome[outcome if outcome in self._by_outcome else 'unknown'] += 1
        start = parse_timestamp(record.get('start_time'))
        if start is not None and (self._latest_start is None or (start, str(record.get('id'))) > self._latest_start):
            self._latest, self._latest_start = record, (start, str(record.get('id')))
        if outcome != 'success' or record.get('kind') != 'backup':
            return
        finish = parse_timestamp(record.get('finish_time'))
        if finish is None:
            return
        if finish > self._now:
            if self._warn is not None:
                self._warn('%s reports success finishing at %s, after now (%s); not counted as a recent success'
                           % (printable(record.get('id'), limit=ID_LIMIT), format_timestamp(finish),
                              format_timestamp(self._now)))
            return
        if self._latest_finish is None or (finish, str(record.get('id'))) > self._latest_finish:
            self._latest_success, self._latest_finish = record, (finish, str(record.get('id')))

    def result(self):
        hours = None
        if self._latest_finish is not None:
            hours = hours_between(self._latest_finish[0], self._now)
        return dict(count=self.count, by_outcome=dict(self._by_outcome), latest=self._latest,
                    latest_success=self._latest_success, hours_since_success=hours)


def summarize(records, now, warn=None):
    """The Summary of ``records``."""
    summary = Summary(now, warn)
    for record in records:
        summary.add(record)
    return summary.result()
