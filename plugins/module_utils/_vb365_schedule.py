# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How old a VB365 job's newest backup may be, derived from the job's own schedule (its schedulePolicy).

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

The rule, written so that a change manager can check it by hand:

    maximum age = the longest gap between two scheduled starts of the job in a week
                + its retries (retryNumber x retryWaitInterval minutes, when retryEnabled)
                + a grace for the run itself: half the gap, at least 30 minutes, at most 6 hours

A Daily job starts at dailyTime on its days (Everyday: a gap of 24 h; Workdays, Monday to Friday: 72 h, Friday to
Monday; Weekends: 144 h, Sunday to Saturday; one weekday: 168 h). A Periodically job starts every periodicallyEvery
(Minutes5 to Hours12). A backup window (backupWindowEnabled, periodicallyWindowEnabled) takes away the starts in its
prohibited hours, which lengthens the gap across them. What cannot be derived is refused, never guessed: a job that
is disabled or runs only by hand (ManualOnly), a schedule whose type or interval this collection does not know, a
window that is not 168 hours or allows no start.
"""

from ansible_collections.backupops.jobs.plugins.module_utils._egress import QUOTE_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import snake_dict

WEEK_MINUTES = 7 * 24 * 60
DAY_MINUTES = 24 * 60
INTERVALS = {'Minutes5': 5, 'Minutes10': 10, 'Minutes15': 15, 'Minutes30': 30, 'Hours1': 60, 'Hours2': 120,
             'Hours4': 240, 'Hours8': 480, 'Hours12': 720}
# The week of a backup window begins on Sunday, as the API's 168 hours do.
DAYS = ('Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday')
DAILY_TYPES = dict([('Everyday', DAYS), ('Workdays', DAYS[1:6]), ('Weekends', ('Saturday', 'Sunday'))] +
                   [(day, (day,)) for day in DAYS])
# The longest maximum age a check may have, as _checks.MAX_AGE_HOURS (a year).
MAX_AGE_HOURS = 8760
MIN_GRACE_MINUTES = 30
MAX_GRACE_MINUTES = 6 * 60


class ScheduleError(OptionError):
    """A schedule from which no maximum age can be derived; the message says why and what to write instead."""


def _quoted(value):
    """A value of the server's, as a message quotes it: escaped and bounded."""
    return printable(repr(value), limit=QUOTE_LIMIT)


def _refusal(job, why):
    return ScheduleError('max_age_hours: schedule: job %s %s; give max_age_hours as a number of hours instead'
                         % (printable(job, limit=QUOTE_LIMIT), why), option='max_age_hours', value='schedule')


def _minutes_of(job, daily_time):
    """Minutes after midnight of dailyTime: "HH:MM", "HH:MM:SS[.fff]" (a .NET time span), or the time of an ISO 8601
    date and time; the documents give no example, so each is read."""
    text = str(daily_time).strip().rsplit('T', maxsplit=1)[-1]
    try:
        parts = text.split(':')
        hours, minutes = int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        hours = minutes = -1
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise _refusal(job, 'has a dailyTime %s that is not a time of day' % _quoted(daily_time))
    return hours * 60 + minutes


def _window(job, policy, enabled_key, settings_key):
    """The allowed hours of a week (168 booleans from Sunday 00:00), or None when no window is enabled."""
    if policy.get(enabled_key) is not True:
        return None
    hours = (policy.get(settings_key) or {}).get('backup_window') if isinstance(policy.get(settings_key), dict) else None
    if not isinstance(hours, list) or len(hours) != 168 or not all(isinstance(hour, bool) for hour in hours):
        raise _refusal(job, 'has a backup window (%s) that is not 168 hours of true or false' % enabled_key)
    return hours


def _starts(job, policy):
    """The job's scheduled starts in one week, in minutes from Sunday 00:00, and the name of its schedule."""
    kind = policy.get('type')
    if kind == 'Daily':
        days = DAILY_TYPES.get(policy.get('daily_type')) if isinstance(policy.get('daily_type'), str) else None
        if days is None:
            raise _refusal(job, 'runs Daily on %s, which this collection does not know' % _quoted(policy.get('daily_type')))
        at = _minutes_of(job, policy.get('daily_time'))
        starts = [DAYS.index(day) * DAY_MINUTES + at for day in days]
        described = 'Daily, %s at %02d:%02d' % (policy['daily_type'], at // 60, at % 60)
        window = _window(job, policy, 'backup_window_enabled', 'backup_window_settings')
    elif kind == 'Periodically':
        every = INTERVALS.get(policy.get('periodically_every')) if isinstance(policy.get('periodically_every'), str) \
            else None
        if every is None:
            raise _refusal(job, 'runs Periodically every %s, which this collection does not know'
                                % _quoted(policy.get('periodically_every')))
        offset = policy.get('periodically_offset_minutes')
        offset = offset % every if isinstance(offset, int) and not isinstance(offset, bool) else 0
        starts = list(range(offset, WEEK_MINUTES, every))
        described = 'Periodically, every %s' % policy['periodically_every']
        window = _window(job, policy, 'periodically_window_enabled', 'periodically_window_settings') or _window(
            job, policy, 'backup_window_enabled', 'backup_window_settings')
    elif kind == 'ManualOnly':
        raise _refusal(job, 'runs only when started by hand (ManualOnly), so its schedule sets no age')
    else:
        raise _refusal(job, 'has a schedule of type %s, which this collection does not know' % _quoted(kind))
    if window is not None:
        starts = [start for start in starts if window[start // 60]]
        described += ', inside its backup window'
    if not starts:
        raise _refusal(job, 'has a backup window that allows none of its scheduled starts')
    return sorted(starts), described


def longest_gap_minutes(starts):
    """The longest time between two consecutive starts of a week that repeats, in minutes."""
    return max((later - earlier) for earlier, later in zip(starts, starts[1:] + [starts[0] + WEEK_MINUTES]))


def max_age_from_schedule(job, schedule_policy, is_enabled=True):
    """(hours, how they were derived) for the job named ``job`` (as its reason quotes it), from its schedulePolicy
    (in the API's camelCase or the collection's snake_case) and isEnabled; ScheduleError (an OptionError on
    max_age_hours) when they set no age. See the module's rule."""
    if isinstance(schedule_policy, dict):
        schedule_policy = snake_dict(schedule_policy)
    if is_enabled is False:
        raise _refusal(job, 'is disabled, so it runs on no schedule')
    if not isinstance(schedule_policy, dict):
        raise _refusal(job, 'has no schedule the API shows (schedulePolicy)')
    if schedule_policy.get('schedule_enabled') is False and schedule_policy.get('type') != 'ManualOnly':
        raise _refusal(job, 'has its schedule turned off (scheduleEnabled: false)')
    starts, described = _starts(job, schedule_policy)
    gap = longest_gap_minutes(starts)
    retries = 0
    if schedule_policy.get('retry_enabled') is True:
        number, wait = schedule_policy.get('retry_number'), schedule_policy.get('retry_wait_interval')
        if not all(isinstance(value, int) and not isinstance(value, bool) and value >= 0 for value in (number, wait)):
            raise _refusal(job, 'has retries without a readable retryNumber and retryWaitInterval')
        retries = number * wait
    grace = min(max(gap // 2, MIN_GRACE_MINUTES), MAX_GRACE_MINUTES)
    minutes = gap + retries + grace
    if minutes > MAX_AGE_HOURS * 60:
        # Retries a server may write without bound would let a backup of years ago pass.
        raise _refusal(job, 'derives %s h (retries %s x %s minutes), more than the year a maximum age may be'
                       % (printable(str(minutes // 60), limit=QUOTE_LIMIT), _quoted(schedule_policy.get('retry_number')),
                          _quoted(schedule_policy.get('retry_wait_interval'))))
    hours = round(minutes / 60.0, 2)
    return hours, ('%g h from the schedule of job %s (%s): longest gap %g h + retries %g h + grace %g h'
                   % (hours, printable(job, limit=QUOTE_LIMIT), described, gap / 60.0, retries / 60.0, grace / 60.0))
