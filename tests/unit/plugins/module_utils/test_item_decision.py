"""The decision of the gate's vb365_item source (_vb365_apis.judge_item) as properties: an item passes only if a
repository holds it, every named service was backed up inside the window (the newest backup of any repository
counts), and no session that ended at or after that backup reports the item failed (or with warnings, unless warnings
are accepted) - whichever reading of the vendor's vague points holds. And the checks' validation of its filters."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_gate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import judge_item, normalize_item
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
ORG = dict(id='org', name='contoso.onmicrosoft.com')
SERVICES = ('mailbox', 'onedrive')
FIELDS = dict(mailbox=('mailboxBackedUpTime', 'isMailboxBackedUp'), onedrive=('oneDriveBackedUpTime', 'isOneDriveBackedUp'))

ages = st.one_of(st.none(), st.floats(min_value=0, max_value=200, allow_nan=False))
repository_item = st.fixed_dictionaries(dict(mailbox=ages, onedrive=ages))
session = st.fixed_dictionaries(dict(age=st.floats(min_value=0, max_value=100, allow_nan=False),
                                     outcome=st.sampled_from(['success', 'warning', 'failed'])))


def held(number, times):
    raw = dict(id='u1', email='alice@contoso.com', organizationId='org')
    for service, age in times.items():
        time_field, flag = FIELDS[service]
        raw[time_field] = format_timestamp(NOW - timedelta(hours=age)) if age is not None else None
        raw[flag] = age is not None
    return normalize_item('user', raw, ORG, dict(id='r%d' % number, name='repository %d' % number), NOW)


def entries(sessions):
    return [dict(id='s%d' % number, job_id=None, outcome=entry['outcome'], end_time=NOW - timedelta(hours=entry['age']),
                 start_time=None) for number, entry in enumerate(sessions)]


def model(items, services, sessions, accept, hours):
    """The rule, written plainly: the newest backup of each service across repositories, in the window (to the
    second, as the records carry times), and no blocking session ended at or after it."""
    if not items:
        return False
    for service in services:
        times = [NOW - timedelta(hours=item[service]) for item in items if item[service] is not None]
        if not times:
            return False
        newest = max(times).replace(microsecond=0)
        if newest < NOW - timedelta(hours=hours):
            return False
        for entry in sessions:
            blocks = entry['outcome'] == 'failed' or (entry['outcome'] == 'warning' and 'warning' not in accept)
            if blocks and NOW - timedelta(hours=entry['age']) >= newest:
                return False
    return True


@settings(max_examples=400, deadline=None)
@given(items=st.lists(repository_item, max_size=3), sessions=st.lists(session, max_size=4),
       services=st.sampled_from([('mailbox',), ('onedrive',), SERVICES]),
       accept=st.sampled_from([('success',), ('success', 'warning')]), hours=st.sampled_from([1, 24, 72]),
       v6=st.booleans())
def test_the_decision_is_the_rule(items, sessions, services, accept, hours, v6):
    records = [held(number, item) for number, item in enumerate(items)]
    verdict = judge_item('alice@contoso.com', records, list(services), [] if v6 else entries(sessions), accept, NOW,
                         hours, not v6)
    assert verdict['passed'] is model(items, services, [] if v6 else sessions, accept, hours), verdict['reason']
    assert verdict['reason'].startswith('alice@contoso.com: ')
    if v6 and items:
        assert 'v6' in verdict['reason']
    if not items:
        assert 'not in any backup repository (not protected)' in verdict['reason']


def test_an_item_held_by_two_repositories_counts_its_newest_backup():
    records = [held(0, dict(mailbox=100, onedrive=None)), held(1, dict(mailbox=2, onedrive=3))]
    verdict = judge_item('alice', records, ['mailbox', 'onedrive'], [], ('success',), NOW, 24, True)
    assert verdict['passed'] is True and verdict['hours_since_success'] == 3.0
    assert verdict['reason'].endswith('newest in repository 1)')


def test_a_failed_object_inside_a_warning_session_blocks_even_when_warnings_are_accepted():
    records = [held(0, dict(mailbox=5, onedrive=5))]
    failed = [dict(id='s-warning-session', job_id=None, outcome='failed', end_time=NOW - timedelta(hours=1),
                   start_time=NOW - timedelta(hours=2))]
    verdict = judge_item('alice', records, ['mailbox'], failed, ('success', 'warning'), NOW, 24, True)
    assert verdict['passed'] is False
    assert 'mailbox failed in session s-warning-session at ' in verdict['reason']


def test_both_readings_of_a_failed_backup_time_fail():
    # The time did not move (it is the session before) or it moved into the failed session: the same verdict.
    for backup_age in (30.0 / 60, 3):
        records = [held(0, dict(mailbox=backup_age, onedrive=None))]
        failed = [dict(id='s', job_id=None, outcome='failed', end_time=NOW - timedelta(minutes=20),
                       start_time=NOW - timedelta(hours=1))]
        assert judge_item('alice', records, ['mailbox'], failed, ('success',), NOW, 24, True)['passed'] is False


def test_a_session_of_another_job_does_not_count_against_a_service_its_job_did_not_write():
    records = [held(0, dict(mailbox=5, onedrive=5))]
    failed = [dict(id='s', job_id='sharepoint', outcome='failed', end_time=NOW - timedelta(hours=1), start_time=None)]
    verdict = judge_item('alice', records, ['mailbox'], failed, ('success',), NOW, 24, True,
                         job_of_time=lambda moment: 'exchange')
    assert verdict['passed'] is True
    unknown_job = judge_item('alice', records, ['mailbox'], failed, ('success',), NOW, 24, True,
                             job_of_time=lambda moment: None)
    assert unknown_job['passed'] is False


def test_a_session_that_backed_it_up_without_listing_it_leaves_the_outcome_unread():
    records = [held(0, dict(mailbox=5, onedrive=5))]
    verdict = judge_item('alice', records, ['mailbox'], [], ('success',), NOW, 24, True,
                         unlisted_at=lambda moment: 'session-7')
    assert verdict['passed'] is False and 'session session-7' in verdict['reason']


def test_a_backup_time_no_ended_session_of_a_known_backup_job_explains_is_not_trusted():
    # From v7: a time written by a session still running (whose objects may already have failed), by a job since
    # deleted, or by nothing the server lists cannot be confirmed, whether or not a failure moves the time.
    records = [held(0, dict(mailbox=2, onedrive=2))]
    unexplained = judge_item('alice', records, ['mailbox'], [], ('success',), NOW, 24, True,
                             covered_at=lambda moment: False)
    assert unexplained['passed'] is False
    assert 'mailbox was backed up at %s by no ended session of a backup job the server lists' % format_timestamp(
        NOW - timedelta(hours=2)) in unexplained['reason']
    assert judge_item('alice', records, ['mailbox'], [], ('success',), NOW, 24, True,
                      covered_at=lambda moment: True)['passed'] is True


def check(**filters):
    return check_gate_checks([dict(name='leaver', source='vb365_item', filters=filters)])[0]


def test_the_services_filter_is_a_list_checked_by_the_source():
    assert check(user='alice@contoso.com', services=['mailbox', 'onedrive', 'mailbox'])['filters'] == dict(
        user='alice@contoso.com', services=['mailbox', 'onedrive'])
    assert check(user='alice@contoso.com', services='mailbox')['filters']['services'] == ['mailbox']
    for bad, message in ((dict(user='a', services=['mail']), "'mail' is not a service"),
                         (dict(user='a', services=[]), 'is not a list of names'),
                         (dict(user='a', services=[None]), 'is not a list of names'),
                         (dict(user='a', services={'a': 1}), 'is not a list of names'),
                         (dict(services=['mailbox']), 'checks one item'),
                         (dict(), 'checks one item'),
                         (dict(user='a', site='b'), 'name the same thing'),
                         (dict(user=['a']), 'give a string')):
        with pytest.raises(OptionError, match=message):
            check(**bad)


def test_other_sources_still_refuse_a_list():
    with pytest.raises(OptionError, match='give a string'):
        check_gate_checks([dict(name='x', source='vb365', filters=dict(job_name=['a']))])
