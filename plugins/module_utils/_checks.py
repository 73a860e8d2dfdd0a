# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The checks of the backup gate, validated before any request is made.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A check names what must have been backed up: with filters, what they pick; without any (filters absent,
null or {}), every backup job of its source, which its reason then says. Everything that could make it
check something else than the user meant is refused here, naming the check, the field and the value: a
filter whose value is empty or null (a module would read it as "no filter" and check every job of the
source, unasked), a filter the source does not take, a job type that is not a backup, an age that is not a
finite number of hours.
"""

import math
import re
from collections import OrderedDict
from collections.abc import Mapping

from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._gate import ACCEPTABLE_OUTCOMES
from ansible_collections.backupops.jobs.plugins.module_utils._sources import SOURCES

# A year: enough for any backup schedule, and a bound that catches 1e9 typed for 1e1.
MAX_AGE_HOURS = 8760
MAX_SUCCESSES = 100000
# max_age_hours: schedule - the age a VB365 job's own schedule allows (see _vb365_schedule).
SCHEDULE = 'schedule'
# What a backup that is running now does to a check: nothing (today's behaviour), blocks it, or is waited for.
RUNNING = ('ignore', 'block', 'wait')
MAX_WAIT_SECONDS = 86400
CHECK_FIELDS = ('name', 'source', 'filters', 'max_age_hours', 'accept', 'min_successes', 'refresh', 'refresh_timeout',
                'running', 'running_timeout')
NUMBER = re.compile(r'^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$')


def as_number(value, integer=False):
    """A number from a number or a plainly written numeric string (not '1_000', not other scripts' digits);
    None for anything else, booleans included."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not NUMBER.match(value.strip())):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None
    if integer and (not math.isfinite(number) or number != int(number)):
        return None
    return int(number) if integer else number


def kind_of(value):
    """The kind of a value in the words of YAML's user, not Python's: Ansible hands strings over as its own
    subclasses (_AnsibleTaggedStr), whose names mean nothing to the person who wrote the value."""
    for kind, name in ((bool, 'boolean'), (str, 'string'), (int, 'integer'), (float, 'number'), (Mapping, 'mapping'),
                       ((list, tuple), 'list')):
        if isinstance(value, kind):
            return name
    return 'null' if value is None else type(value).__name__


def check_hours(field, value):
    """A finite number of hours above 0 and at most a year, or an OptionError naming the field and the value."""
    hours = as_number(value)
    if hours is None or not math.isfinite(hours) or not 0 < hours <= MAX_AGE_HOURS:
        raise OptionError('%s: %r is not a number of hours above 0 and at most %d (a year)'
                          % (field, value, MAX_AGE_HOURS), option=field, value=value)
    return hours


def check_rule(max_age_hours, accept, min_successes):
    """(max_age_hours, accept, min_successes) of one check, checked; OptionError naming the field otherwise.

    A single outcome may be given as a string; it is never split into letters."""
    hours = check_hours('max_age_hours', max_age_hours)
    if isinstance(accept, str):
        accept = [accept]
    if not isinstance(accept, (list, tuple)) or not accept or any(
            outcome not in ACCEPTABLE_OUTCOMES for outcome in accept):
        raise OptionError('accept: %r is not a list of outcomes from %s'
                          % (accept, ', '.join(ACCEPTABLE_OUTCOMES)), option='accept', value=accept)
    needed = as_number(min_successes, integer=True)
    if needed is None or not 1 <= needed <= MAX_SUCCESSES:
        raise OptionError('min_successes: %r is not a whole number from 1 to %d' % (min_successes, MAX_SUCCESSES),
                          option='min_successes', value=min_successes)
    return hours, list(accept), needed


def _check_filters(source, filters):
    if filters is None:
        filters = {}
    known = SOURCES[source].filters
    if not isinstance(filters, Mapping):
        raise OptionError('filters must be a mapping of filter: value, such as {%s: ...}; got the %s %r'
                          % (next(iter(known)), kind_of(filters), filters), option='filters', value=filters)
    unknown = [str(name) for name in filters if name not in known]
    if unknown:
        raise OptionError('source %s takes the filters %s, not %s' % (source, ', '.join(known), ', '.join(unknown)),
                          option='filters')
    checked = {}
    for name, value in filters.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            raise OptionError('filter %s is empty (%r); an empty filter would check every job of the source, so give '
                              'a value, or leave out %s (a check without filters covers every backup job of its '
                              'source)' % (name, value, name), option=name, value=value)
        if name in SOURCES[source].list_filters:
            checked[name] = _list_filter(name, value, known[name])
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise OptionError('filter %s: %r is a %s; give a string' % (name, value, kind_of(value)),
                              option=name, value=value)
        if known[name] is not None:
            known[name](name, value)
        # A YAML number (job_name: 365) is the text the user wrote: every filter is compared and sent as text.
        checked[name] = str(value).strip()
    for group in SOURCES[source].exclusive:
        given = [name for name in group if name in checked]
        if len(given) > 1:
            raise OptionError('filters %s name the same thing; give one of them' % ' and '.join(given), option=given[0])
    if SOURCES[source].validate is not None:
        SOURCES[source].validate(checked)
    return checked


def _list_filter(name, value, check):
    """A filter whose value is a list of texts (one text is a list of one): each a non-empty string, once each,
    checked by the source's ``check`` of the whole list."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)) or not values or any(
            isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip() for item in values):
        raise OptionError('filter %s: %r is not a list of names; give a list such as [%s]'
                          % (name, value, 'mailbox, onedrive' if name == 'services' else '...'), option=name, value=value)
    values = list(OrderedDict((str(item).strip(), None) for item in values))
    if check is not None:
        check(name, values)
    return values


def check_gate_checks(checks, default_max_age_hours=24):
    """The checks, each complete (name, source, filters, max_age_hours, accept, min_successes), or an OptionError
    whose message names the check, the field and the bad value."""
    if not isinstance(checks, (list, tuple)):
        raise OptionError('backup_gate_checks must be a list of checks, got the %s %r' % (kind_of(checks), checks),
                          option='backup_gate_checks')
    default_max_age_hours = check_hours('backup_gate_max_age_hours', default_max_age_hours)
    result, names = [], set()
    for number, check in enumerate(checks, 1):
        if not isinstance(check, Mapping):
            raise OptionError('check %d must be a mapping with name and source, got the %s %r'
                              % (number, kind_of(check), check), option='backup_gate_checks')
        name = check.get('name')
        if not isinstance(name, str) or not name.strip():
            raise OptionError('check %d has no name; give each check a name for the table and the failure message'
                              % number, option='name')
        if name in names:
            raise OptionError('two checks are named %r; give each its own name' % name, option='name', value=name)
        names.add(name)
        unknown = sorted(str(key) for key in check if key not in CHECK_FIELDS)
        try:
            if unknown:
                raise OptionError('unknown fields %s; a check takes %s and %s'
                                  % (', '.join(unknown), ', '.join(CHECK_FIELDS[:-1]), CHECK_FIELDS[-1]),
                                  option=unknown[0])
            source = check.get('source')
            if source is None:
                raise OptionError('no source; give one of %s' % ', '.join(SOURCES), option='source')
            if not isinstance(source, str) or source not in SOURCES:
                raise OptionError('source %r is not one of %s' % (source, ', '.join(SOURCES)), option='source',
                                  value=source)
            filters = _check_filters(source, check.get('filters'))
            max_age_hours = check['max_age_hours'] if check.get('max_age_hours') is not None else default_max_age_hours
            from_schedule = _from_schedule(source, filters, max_age_hours)
            hours, accept, needed = check_rule(
                1 if from_schedule else max_age_hours,
                check['accept'] if check.get('accept') is not None else ['success'],
                check['min_successes'] if check.get('min_successes') is not None else 1)
            change_window = _change_window(source, filters, check)
        except OptionError as error:
            raise OptionError('check %s: %s' % (name, error.msg), **error.details)
        result.append(dict(name=name, source=source, filters=filters, max_age_hours=SCHEDULE if from_schedule else hours,
                           accept=accept, min_successes=needed, **change_window))
    return result


def _from_schedule(source, filters, max_age_hours):
    """Whether ``max_age_hours`` is ``schedule`` (any case): refused where the source reads no schedule, or the check
    names no single job whose schedule it could be."""
    if not (isinstance(max_age_hours, str) and max_age_hours.strip().lower() == SCHEDULE):
        return False
    if SOURCES[source].job is None:
        raise OptionError('max_age_hours: schedule derives the age from a VB365 job\'s schedule, and source %s has '
                          'none that this collection can read; give max_age_hours as a number of hours'
                          % source, option='max_age_hours', value=max_age_hours)
    _one_job(source, filters, 'max_age_hours: schedule', max_age_hours)
    return True


def _one_job(source, filters, option, value):
    if not any(name in filters for name in SOURCES[source].job_filters):
        raise OptionError('%s needs the one job it is about: give the filter %s'
                          % (option, ' or '.join(SOURCES[source].job_filters)), option=option.split(':')[0],
                          value=value)


def _seconds(field, value):
    seconds = as_number(value, integer=True)
    if seconds is None or not 1 <= seconds <= MAX_WAIT_SECONDS:
        raise OptionError('%s: %r is not a whole number of seconds from 1 to %d (a day)'
                          % (field, value, MAX_WAIT_SECONDS), option=field, value=value)
    return seconds


def _change_window(source, filters, check):
    """The fields of a check about the change window, each only where given: ``refresh`` (take a backup when the
    check fails only for age; one job of a source that can start it), ``refresh_timeout``, ``running`` (what a backup
    that is running now does to the check) and ``running_timeout``, checked."""
    fields = {}
    if check.get('refresh') is not None:
        refresh = check['refresh']
        if not isinstance(refresh, bool):
            raise OptionError('refresh: %r is not true or false' % (refresh,), option='refresh', value=refresh)
        if refresh:
            if SOURCES[source].job is None:
                raise OptionError('refresh: source %s has no job this collection can start; refresh takes a check of '
                                  'one VB365 job (source vb365, with job_id or job_name)' % source,
                                  option='refresh', value=refresh)
            _one_job(source, filters, 'refresh', refresh)
        fields['refresh'] = refresh
    if check.get('running') is not None:
        running = check['running']
        if running not in RUNNING:
            raise OptionError('running: %r is not one of %s' % (running, ', '.join(RUNNING)), option='running',
                              value=running)
        if running != 'ignore' and SOURCES[source].judge is not None:
            raise OptionError('running: source %s judges its items by their backed-up times, not by the jobs that run '
                              'now; leave running out' % source, option='running', value=running)
        fields['running'] = running
    for field in ('refresh_timeout', 'running_timeout'):
        if check.get(field) is not None:
            fields[field] = _seconds(field, check[field])
    return fields


# What a user gives the backup_gate role; every other backup_gate_* variable is the role's own working state.
GATE_INPUTS = ('backup_gate_checks', 'backup_gate_max_age_hours', 'backup_gate_enforce', 'backup_gate_avepoint',
               'backup_gate_vb365', 'backup_gate_hosts', 'backup_gate_junit_path', 'backup_gate_markdown_path',
               'backup_gate_prometheus_path')


def check_extra_vars(extra_vars):
    """Extra vars outrank everything a role sets, so one named like the gate's working state (backup_gate_hours,
    backup_gate_result, ...) would replace it and could turn a blocked gate into a pass: refused, naming it."""
    foreign = sorted(name for name in extra_vars if str(name).startswith('backup_gate_') and name not in GATE_INPUTS)
    if foreign:
        raise OptionError('extra vars %s would replace the backup gate\'s own working state and could change its '
                          'verdict; the gate takes %s (check -e and the vars files given with -e @file)'
                          % (', '.join(foreign), ', '.join(GATE_INPUTS)), option=foreign[0])
