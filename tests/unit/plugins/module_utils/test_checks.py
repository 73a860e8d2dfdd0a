"""The backup gate's checks, validated before any request: what is refused, with which words, and that
nothing a user can write makes the validation itself fail another way."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._checks import (
    SOURCES,
    check_extra_vars,
    check_gate_checks,
)
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError


def refused(checks, default_age=24):
    with pytest.raises(OptionError) as raised:
        check_gate_checks(checks, default_age)
    return raised.value.msg


def test_a_check_is_completed_with_the_defaults():
    [check] = check_gate_checks([dict(name='vms', source='vm', filters=dict(job_type=' azure_vm_backup '))], 26)
    assert check == dict(name='vms', source='vm', filters=dict(job_type='azure_vm_backup'), max_age_hours=26.0,
                         accept=['success'], min_successes=1)
    assert check_gate_checks([dict(name='x', source='vm', accept='warning', max_age_hours='12.5',
                                   min_successes='2.0')])[0]['accept'] == ['warning']


@pytest.mark.parametrize('check, said', [
    (dict(name='x', source='netbackup'), "check x: source 'netbackup' is not one of dynamics, vm, google, vb365, vb365_item"),
    (dict(name='x', source='vm', filters='service_type=entra_id'),
     "check x: filters must be a mapping of filter: value, such as {search_text: ...}; got the string"),
    (dict(name='x', source='vm', filters=dict(job_type='azure_vm_restore')),
     "check x: job_type 'azure_vm_restore' is a job of kind restore, not a backup"),
    (dict(name='x', source='dynamics', filters=dict(job_type='all')), "check x: job_type 'all' is a job of kind other"),
    (dict(name='x', source='vm', filters=dict(job_type=2)), "check x: job_type 2 is a job of kind restore"),
    (dict(name='x', source='vb365', filters=dict(job_name='  ')), "check x: filter job_name is empty ('  ')"),
    (dict(name='x', source='vb365', filters=dict(job_name='a', job_id='69cb1ecc-f8e8-439b-8077-a4b7fd45e87f')),
     'check x: filters job_id and job_name name the same thing'),
    (dict(name='x', source='vb365', filters=dict(job_name=['a'])), "check x: filter job_name: ['a'] is a list"),
    (dict(name='x', source='vm', max_age_hours=float('nan')), 'check x: max_age_hours: nan is not a number of hours'),
    (dict(name='x', source='vm', max_age_hours=1e9), 'check x: max_age_hours: 1000000000.0 is not a number'),
    (dict(name='x', source='vm', max_age_hours='1_000'), "check x: max_age_hours: '1_000' is not a number"),
    (dict(name='x', source='vm', max_age_hours='\u0662\u0664'), 'is not a number of hours'),
    (dict(name='x', source='vm', max_age_hours=True), 'check x: max_age_hours: True is not a number'),
    (dict(name='x', source='vm', min_successes=2.5), 'check x: min_successes: 2.5 is not a whole number'),
    (dict(name='x', source='vm', accept=[]), 'check x: accept: [] is not a list of outcomes'),
    (dict(name='x', source='vm', acept=['warning']), 'check x: unknown fields acept'),
    (dict(source='vm'), 'check 1 has no name'),
])
def test_what_would_check_something_else_is_refused_naming_the_check(check, said):
    assert said in refused([check])


def test_two_checks_of_one_name_are_refused():
    assert refused([dict(name='a', source='vm'), dict(name='a', source='google')]) == \
        "two checks are named 'a'; give each its own name"


def test_extra_vars_named_like_the_gates_state_are_refused():
    check_extra_vars(dict(backup_gate_checks=[], backup_gate_hosts='all', unrelated=1))
    with pytest.raises(OptionError, match='extra vars backup_gate_hours, backup_gate_result would replace'):
        check_extra_vars(dict(backup_gate_result={}, backup_gate_hours=1000))


anything = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                    max_size=3), max_leaves=8)
filter_maps = st.dictionaries(st.sampled_from(['job_type', 'job_name', 'job_id', 'app_type', 'service_type',
                                               'organization_id']),
                              anything | st.text(max_size=20), max_size=2)
checks = st.lists(st.fixed_dictionaries({'name': anything | st.text(min_size=1, max_size=6),
                                         'source': st.sampled_from(sorted(SOURCES)) | anything},
                                        optional={'filters': anything | filter_maps,
                                                  'max_age_hours': anything, 'accept': anything,
                                                  'min_successes': anything}), max_size=3)


@settings(max_examples=400, deadline=None)
@given(checks=st.one_of(checks, anything), default_age=anything)
def test_any_input_is_a_complete_check_list_or_a_refusal(checks, default_age):
    try:
        result = check_gate_checks(checks, default_age)
    except OptionError as error:
        assert error.msg
        return
    for check in result:
        assert set(check) == {'name', 'source', 'filters', 'max_age_hours', 'accept', 'min_successes'}
        assert check['source'] in SOURCES and 0 < check['max_age_hours'] <= 8760 and check['min_successes'] >= 1
        assert all(value not in (None, '') for value in check['filters'].values())


class _AnsibleTaggedStr(str):
    """What a string from a playbook is by the time a lookup sees it."""


@settings(max_examples=200, deadline=None)
@given(outcome=st.text(max_size=12))
def test_a_single_outcome_is_one_outcome_never_its_letters(outcome):
    try:
        [check] = check_gate_checks([dict(name='x', source='vm', accept=outcome)])
    except OptionError as error:
        assert error.msg.startswith('check x: accept: %r is not a list of outcomes from success, warning' % [outcome])
        return
    assert check['accept'] == [outcome] and outcome in ('success', 'warning')


@settings(max_examples=200, deadline=None)
@given(hours=st.floats(allow_nan=True, allow_infinity=True).filter(lambda hours: not 0 < hours <= 8760)
       | st.sampled_from(['nan', 'inf', '-inf', 'Infinity', '1e9', '1e400', '0', '-1']))
def test_ages_that_are_not_a_finite_number_of_hours_up_to_a_year_are_refused_naming_them(hours):
    message = refused([dict(name='vms', source='vm', max_age_hours=hours)])
    assert message.startswith('check vms: max_age_hours: %r is not a number of hours above 0 and at most 8760'
                              % hours)


@settings(max_examples=200, deadline=None)
@given(filters=st.text(max_size=20).map(_AnsibleTaggedStr) | st.integers() | st.lists(st.text(max_size=5), max_size=3)
       | st.booleans())
def test_filters_that_are_not_a_mapping_are_refused_in_the_users_words(filters):
    message = refused([dict(name='orgs', source='dynamics', filters=filters)])
    assert message.startswith('check orgs: filters must be a mapping of filter: value, such as {organization_id: ...}')
    assert '_Ansible' not in message and ('got the %s %r' % (
        {str: 'string', int: 'integer', list: 'list', bool: 'boolean'}[
            bool if isinstance(filters, bool) else str if isinstance(filters, str) else type(filters)], filters)
        in message)


@settings(max_examples=200, deadline=None)
@given(source=st.text(max_size=12).filter(lambda text: text not in SOURCES))
def test_an_unknown_source_is_refused_listing_the_known_ones(source):
    message = refused([dict(name='x', source=_AnsibleTaggedStr(source))])
    assert message == "check x: source %r is not one of dynamics, vm, google, vb365, vb365_item" % source


def test_a_check_without_a_source_is_told_the_sources():
    assert refused([dict(name='x')]) == 'check x: no source; give one of dynamics, vm, google, vb365, vb365_item'
