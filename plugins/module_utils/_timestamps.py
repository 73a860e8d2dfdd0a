# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Timestamps as the APIs write them, read as UTC.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

The APIs write ISO 8601 with 'Z', with '+00:00', with none (meaning UTC), and with 0 to 7 fraction
digits (.NET writes seven); ``datetime.fromisoformat`` of older Pythons reads only some of these.

Some servers write .NET's ``DateTime.MinValue`` (0001-01-01T00:00:00, with or without an offset) where
a job has not finished: that is no time at all, never a moment in year 1. A time outside what Python
can hold (year 0, or year 9999 pushed past the end by its offset) is not a time either.
"""

import re
from datetime import datetime, timedelta, timezone

# ASCII digits only, and zone offsets as ISO 8601 allows them (at most 14:00, minutes below 60).
ISO_8601 = re.compile(
    r'^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)?'
    r'\s*(Z|[+-](?:0[0-9]|1[0-4]):?[0-5][0-9])?$', re.IGNORECASE)


def _match(value):
    return ISO_8601.match(value.strip()) if isinstance(value, str) else None


def is_unset(value):
    """True for .NET's DateTime.MinValue, with or without an offset: the API's way of saying "no time"."""
    match = _match(value)
    return match is not None and int(match.group(1)) == 1 and match.group(2) == '01' and match.group(3) == '01'


# Texts read or written lately, with the moment each one is (None: not a time). A listing reads each record's
# times several times over (normalising, ordering, verifying, then summarising the times it wrote itself), and
# parsing dominated the client's time on a long listing. Emptied when full, so it stays small.
_KNOWN = {}
_KNOWN_MAX = 4096
_KNOWN_LENGTH = 64  # the longest ISO 8601 text is about 35 characters; a server's junk is not kept
_UNKNOWN = object()


def _know(text, moment):
    if len(text) > _KNOWN_LENGTH:
        return
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN[text] = moment


def parse_timestamp(value):
    """An aware UTC datetime, or None when the value is empty, not ISO 8601, not a moment Python can hold,
    or .NET's DateTime.MinValue."""
    if not isinstance(value, str):
        return None
    moment = _KNOWN.get(value, _UNKNOWN)
    if moment is _UNKNOWN:
        moment = _parse_text(value)
        _know(value, moment)
    return moment


def _parse_text(value):
    match = _match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if int(year) == 1 and month == '01' and day == '01':  # is_unset, without matching again
        return None
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                          int((fraction or '0')[:6].ljust(6, '0')), tzinfo=timezone.utc)
        if zone and zone.upper() != 'Z':
            sign = 1 if zone[0] == '+' else -1
            digits = zone[1:].replace(':', '')
            moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    except (ValueError, OverflowError):
        return None
    return moment


def format_timestamp(moment):
    """ISO 8601 in UTC with 'Z', in whole seconds: every time the collection returns has this one precision,
    whatever the API wrote. The fraction is dropped, never rounded up, so a finish is never later than the API
    said and a backup never looks younger than it is."""
    moment = moment.astimezone(timezone.utc)
    # strftime('%Y') writes year 1 as '1' on glibc, which no parser reads back.
    text = '%04d-%02d-%02dT%02d:%02d:%02dZ' % (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                                               moment.second)
    if (moment.year, moment.month, moment.day) != (1, 1, 1):  # that day is DateTime.MinValue, read as no time
        # What the parser makes of the text: a plain datetime, whatever kind of datetime the caller gave.
        _know(text, datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                             tzinfo=timezone.utc))
    return text


EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
LATEST = datetime.max.replace(tzinfo=timezone.utc)


def shifted(moment, delta):
    """``moment + delta``, held to the moments Python can write: a window that reaches to year 1 or 9999 (a user's
    start_time: 0001-01-02) widens no further instead of failing."""
    try:
        return moment + delta
    except OverflowError:
        return EARLIEST if delta < timedelta(0) else LATEST


def hours_between(earlier, later):
    """Hours from earlier to later, to a tenth: how every age the collection returns or prints is said - a verdict's,
    a look-back's and a listing's summary alike."""
    return round((later - earlier).total_seconds() / 3600.0, 1)


def format_query_time(moment, round_up=False):
    """Whole seconds, as the APIs' query parameters are documented; a window's end rounds up so it loses nothing."""
    if moment is None:
        return None
    if round_up and moment.microsecond:
        moment = shifted(moment, timedelta(seconds=1))
        if moment == LATEST:
            moment = moment.replace(microsecond=0)
    return format_timestamp(moment)
