"""The maximum age a VB365 job's schedule allows: the rule of _vb365_schedule, checked by hand on every type and
daily type, and as properties: a scheduled start is never further from the last one than the derived age allows,
and what cannot be derived is refused, naming the job and what to write instead."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_schedule import (
    DAILY_TYPES,
    INTERVALS,
    WEEK_MINUTES,
    max_age_from_schedule,
)


def daily(daily_type, at='22:00:00', **more):
    return dict(dict(type='Daily', dailyType=daily_type, dailyTime=at, retryEnabled=False), **more)


@pytest.mark.parametrize('policy, hours, words', [
    # gap + retries + grace (half the gap, 30 min to 6 h), as a change manager would add them up
    (daily('Everyday'), 24 + 6, '(Daily, Everyday at 22:00): longest gap 24 h + retries 0 h + grace 6 h'),
    (daily('Workdays'), 72 + 6, 'longest gap 72 h'),
    (daily('Weekends'), 144 + 6, 'longest gap 144 h'),
    (daily('Tuesday', '06:30'), 168 + 6, 'Daily, Tuesday at 06:30'),
    (dict(type='Periodically', periodicallyEvery='Minutes5'), (5 + 30) / 60.0, 'grace 0.5 h'),
    (dict(type='Periodically', periodicallyEvery='Hours1'), 1.5, 'longest gap 1 h'),
    (dict(type='Periodically', periodicallyEvery='Hours12', retryEnabled=True, retryNumber=3, retryWaitInterval=10),
     12 + 0.5 + 6, 'retries 0.5 h'),
    (daily('Everyday', '2026-01-01T01:15:00Z'), 30, 'at 01:15'),
])
def test_the_maximum_age_of_each_kind_of_schedule(policy, hours, words):
    derived, how = max_age_from_schedule('Exchange daily', policy)
    assert derived == round(hours, 2)
    assert how.startswith('%g h from the schedule of job Exchange daily' % derived) and words in how, how


def window(allowed_hours):
    return [hour % 24 in allowed_hours for hour in range(168)]


def test_a_backup_window_takes_away_the_starts_in_its_prohibited_hours():
    # Hourly, but only from 20:00 to 06:00: the gap is the day, from the 05:00 start to the 20:00 one.
    policy = dict(type='Periodically', periodicallyEvery='Hours1', periodicallyWindowEnabled=True,
                  periodicallyWindowSettings=dict(backupWindow=window(set(range(20, 24)) | set(range(0, 6)))))
    derived, how = max_age_from_schedule('Teams hourly', policy)
    assert derived == 15 + 6 and 'inside its backup window' in how


@pytest.mark.parametrize('policy, is_enabled, words', [
    (dict(type='ManualOnly'), True, 'runs only when started by hand (ManualOnly)'),
    (daily('Everyday'), False, 'is disabled'),
    (None, True, 'has no schedule the API shows'),
    (daily('Fortnightly'), True, "runs Daily on 'Fortnightly'"),
    (daily('Everyday', 'at night'), True, "dailyTime 'at night' that is not a time of day"),
    (dict(type='Periodically', periodicallyEvery='Hours24'), True, "every 'Hours24'"),
    (dict(type='Monthly'), True, "type 'Monthly'"),
    (daily('Everyday', scheduleEnabled=False), True, 'scheduleEnabled: false'),
    (daily('Everyday', backupWindowEnabled=True, backupWindowSettings=dict(backupWindow=[True] * 24)), True,
     'not 168 hours'),
    (daily('Everyday', '03:00', backupWindowEnabled=True, backupWindowSettings=dict(backupWindow=window({22}))), True,
     'allows none of its scheduled starts'),
    (daily('Everyday', retryEnabled=True, retryNumber='3', retryWaitInterval=10), True, 'without a readable retryNumber'),
    # A server's retries are int32 without a bound: a year and more would let a backup of years ago pass.
    (daily('Everyday', retryEnabled=True, retryNumber=777, retryWaitInterval=999), True, 'more than the year'),
    (daily('Everyday', retryEnabled=True, retryNumber=10 ** 9, retryWaitInterval=10 ** 6), True, 'more than the year'),
    (daily(['Everyday']), True, "runs Daily on ['Everyday']"),
    (dict(type='Periodically', periodicallyEvery={}), True, 'every {}'),
])
def test_what_sets_no_age_is_refused_naming_the_job_and_what_to_write_instead(policy, is_enabled, words):
    with pytest.raises(OptionError) as refused:
        max_age_from_schedule('Exchange \x1b[31mdaily', policy, is_enabled)
    message = refused.value.msg
    assert words in message and message.startswith('max_age_hours: schedule: job Exchange \\u001b[31mdaily ')
    assert message.endswith('give max_age_hours as a number of hours instead')
    assert refused.value.details == dict(option='max_age_hours', value='schedule')


def starts_of(policy):
    """Every start of the week, by brute force over its minutes (the rule's own reading of a schedule)."""
    if policy['type'] == 'Daily':
        hours, minutes = (int(part) for part in policy['dailyTime'].split(':')[:2])
        days = [('Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday').index(day)
                for day in DAILY_TYPES[policy['dailyType']]]
        return [minute for minute in range(WEEK_MINUTES)
                if minute // 1440 in days and minute % 1440 == hours * 60 + minutes]
    every = INTERVALS[policy['periodicallyEvery']]
    return [minute for minute in range(WEEK_MINUTES) if minute % every == 0]


policies = st.one_of(
    st.builds(lambda kind, hour, minute: daily(kind, '%02d:%02d:00' % (hour, minute)), st.sampled_from(sorted(DAILY_TYPES)),
              st.integers(0, 23), st.integers(0, 59)),
    st.builds(lambda every: dict(type='Periodically', periodicallyEvery=every), st.sampled_from(sorted(INTERVALS))))


@settings(max_examples=60, deadline=None)
@given(policy=policies, retries=st.tuples(st.integers(0, 5), st.integers(0, 60)))
def test_no_two_scheduled_starts_are_further_apart_than_the_derived_age_less_its_retries_and_grace(policy, retries):
    policy = dict(policy, retryEnabled=True, retryNumber=retries[0], retryWaitInterval=retries[1])
    derived, _how = max_age_from_schedule('job', policy)
    starts = starts_of(policy)
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:] + [starts[0] + WEEK_MINUTES])]
    minutes = derived * 60
    # The age covers the longest gap, the retries and at least half an hour more, and is never more than 6 h over.
    assert max(gaps) + retries[0] * retries[1] + 30 <= minutes + 0.6
    assert minutes <= max(gaps) + retries[0] * retries[1] + 360 + 0.6
