from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import VM
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._options import (
    check_guid,
    check_url,
    parse_time_option,
    time_window,
)
from ansible_collections.backupops.jobs.plugins.module_utils import _timestamps
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import (
    format_query_time,
    format_timestamp,
    parse_timestamp,
)

NOW = datetime(2026, 11, 24, 12, 0, 0, 500000, tzinfo=timezone.utc)


@pytest.mark.parametrize('text, expected', [
    ('2022-08-19T03:12:43.823Z', datetime(2022, 8, 19, 3, 12, 43, 823000, tzinfo=timezone.utc)),
    ('2024-10-09T05:50:36.008+00:00', datetime(2024, 10, 9, 5, 50, 36, 8000, tzinfo=timezone.utc)),
    ('2024-10-27T08:17:06Z', datetime(2024, 10, 27, 8, 17, 6, tzinfo=timezone.utc)),
    # .NET writes seven fraction digits; no zone means UTC.
    ('2024-10-27T08:17:06.1234567', datetime(2024, 10, 27, 8, 17, 6, 123456, tzinfo=timezone.utc)),
    ('2024-10-27T10:17:06+02:00', datetime(2024, 10, 27, 8, 17, 6, tzinfo=timezone.utc)),
    ('2024-10-27', datetime(2024, 10, 27, tzinfo=timezone.utc)),
])
def test_api_timestamps_are_read_as_utc(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize('text', ['', 'yesterday', '2024-13-01T00:00:00Z', None, 17])
def test_unreadable_timestamps_give_none(text):
    assert parse_timestamp(text) is None


def test_query_times_are_whole_seconds_and_the_end_rounds_up():
    assert format_query_time(NOW) == '2026-11-24T12:00:00Z'
    assert format_query_time(NOW, round_up=True) == '2026-11-24T12:00:01Z'
    # Returned times have one precision, whole seconds, the fraction dropped: never later than the API said.
    assert format_timestamp(NOW) == '2026-11-24T12:00:00Z'


@pytest.mark.parametrize('age, delta', [
    ('30m', timedelta(minutes=30)), ('24h', timedelta(hours=24)), ('7d', timedelta(days=7)),
    ('2w', timedelta(weeks=2)), ('1.5h', timedelta(minutes=90)), ('90s', timedelta(seconds=90)), ('12H', timedelta(hours=12)),
])
def test_relative_ages_count_back_from_now(age, delta):
    assert parse_time_option('start_time', age, NOW) == NOW - delta


def test_iso_times_are_taken_as_given():
    assert parse_time_option('start_time', '2026-11-01T00:00:00Z', NOW) == datetime(2026, 11, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize('value', ['24 hours', 'soon', '-3d', '2026-11-01T25:00:00Z'])
def test_unreadable_time_option_names_option_value_and_formats(value):
    with pytest.raises(OptionError) as caught:
        parse_time_option('start_time', value, NOW)
    assert 'start_time' in caught.value.msg and repr(value) in caught.value.msg
    assert '24h' in caught.value.msg and 'ISO 8601' in caught.value.msg


def test_window_must_run_forward():
    with pytest.raises(OptionError) as caught:
        time_window(dict(start_time='1d', finish_time='2d'), NOW)
    assert 'finish_time' in caught.value.msg and 'before start_time' in caught.value.msg
    start, finish = time_window(dict(start_time='2d', finish_time=None), NOW)
    assert start == NOW - timedelta(days=2) and finish is None


def test_guid_is_checked_and_lower_cased():
    assert check_guid('organization_id', '69CB1ECC-F8E8-439B-8077-A4B7FD45E87F') == '69cb1ecc-f8e8-439b-8077-a4b7fd45e87f'
    with pytest.raises(OptionError) as caught:
        check_guid('organization_id', '6cccccc-ffff-bbb-88888-aabbccdeee')
    assert "organization_id: '6cccccc-ffff-bbb-88888-aabbccdeee' is not a GUID" in caught.value.msg


def test_service_root_url():
    warnings = []
    assert check_url('api_url', 'https://graph-us.avepointonlineservices.com/', warnings.append) == \
        'https://graph-us.avepointonlineservices.com'
    assert warnings == []
    assert check_url('api_url', 'http://127.0.0.1:8080', warnings.append) == 'http://127.0.0.1:8080'
    assert 'plain http://' in warnings[0]


@pytest.mark.parametrize('value, complaint', [
    ('graph-us.avepointonlineservices.com', 'not a usable URL'),
    ('ftp://graph-us.avepointonlineservices.com', 'not a usable URL'),
    ('https://graph-us.avepointonlineservices.com/dynamicsbackup', 'has a path'),
    ('https://host:99999', 'not a usable URL'),
])
def test_bad_service_roots_are_refused_with_the_option_named(value, complaint):
    with pytest.raises(OptionError) as caught:
        check_url('api_url', value, lambda msg: None)
    assert caught.value.msg.startswith('api_url: %r' % value) and complaint in caught.value.msg


def test_token_url_keeps_its_path():
    assert check_url('identity_url', 'https://identity-gov.avepointonlineservices.com/connect/token',
                     lambda msg: None, root_only=False) == 'https://identity-gov.avepointonlineservices.com/connect/token'


# Text shaped like ISO 8601 at the edges of what Python holds, and anything else.
edge_timestamps = st.builds(
    '{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}'.format,
    st.sampled_from([0, 1, 2, 1969, 1970, 2026, 9998, 9999]), st.integers(0, 13), st.integers(0, 32),
    st.integers(0, 25), st.integers(0, 61), st.integers(0, 61),
    st.sampled_from(['', 'Z', '+00:00', '+14:00', '-12:00', '+99:99', '-0530', '.1234567Z']))


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(edge_timestamps, st.text(max_size=40)))
def test_no_timestamp_text_raises(text):
    moment = parse_timestamp(text)
    assert moment is None or (moment.tzinfo is not None and moment.year >= 1)
    job = VM.normalize({'jobId': 'j', 'jobType': 1, 'status': 2, 'startTime': text, 'finishTime': text})
    assert job['finish_time'] is None or parse_timestamp(job['finish_time']) == moment.replace(microsecond=0)


@settings(max_examples=500, deadline=None)
@given(moment=st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-12)),
                                                      timezone(timedelta(hours=14))])))
@example(moment=datetime(1, 1, 1, 5, 0, 30, 1, tzinfo=timezone.utc))
@example(moment=datetime(1, 1, 2, 3, 0, tzinfo=timezone(timedelta(hours=14))))
def test_a_time_the_collection_wrote_reads_back_as_the_parser_reads_its_text(moment):
    # The summary reads the times normalising wrote without parsing them again; year 1's first day stays no time.
    try:
        text = format_timestamp(moment)
    except OverflowError:
        return  # not a moment in UTC at all (year 1 at +14:00), which the parser never gives
    remembered = parse_timestamp(text)
    _timestamps._KNOWN.clear()
    assert remembered == parse_timestamp(text)
    assert remembered is None or remembered == moment.replace(microsecond=0)


@pytest.mark.parametrize('text', ['0001-01-01T00:00:00', '0001-01-01T00:00:00+01:00', '0001-01-01T00:00:00Z',
                                  '9999-12-31T23:59:59-01:00', '0000-01-01T00:00:00'])
def test_times_outside_what_python_holds_are_no_time(text):
    assert parse_timestamp(text) is None


@pytest.mark.parametrize('value', ['5000000d', '99999999w', '1e400s'.replace('e400', '0' * 30)])
def test_an_age_reaching_before_year_one_names_the_option(value):
    with pytest.raises(OptionError) as raised:
        parse_time_option('start_time', value, NOW)
    assert raised.value.msg.startswith("start_time: %r reaches back before year 1; give a shorter age" % value)


@pytest.mark.parametrize('text', ['2026-11-24T06:00:00-99:00', '2026-11-24T06:00:00+15:00', '2026-11-24T06:00:00-00:99',
                                  '\u0662\u0660\u0662\u0666-01-01T00:00:00Z'])
def test_offsets_iso_8601_does_not_allow_and_other_digits_are_no_time(text):
    assert parse_timestamp(text) is None
