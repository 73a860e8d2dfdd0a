"""The gate's one verdict (_gate.gate_passed, check_passed, every_check_passed): a result passes only when it says so
with True (or the text 'True' older templating leaves), has at least one check, and every check says so and has no
error. Anything else - 'yes', 1, a result without checks, an item that is no check - fails closed.

Every place that says whether the gate passed decides with these: test_verdict_everywhere.py (in
tests/unit/plugins/plugin_utils) holds the files for CI, the role's table and the callback to them."""

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._gate import (
    check_passed,
    every_check_passed,
    gate_passed,
    hours_between,
)

PASSING = dict(name='vm', source='vm', passed=True, reason='newest success is 1.5 h old', error=None)
FAILING = dict(name='mail', source='vb365', passed=False, reason='last 3 jobs failed', error=None)

# What a `passed` may hold that is not True, however true it looks: YAML's and Python's other truths.
NOT_TRUE = ['true', 'TRUE', ' True', 'True ', 'yes', 'y', 'on', '1', 1, 1.0, -1, 'passed', 'ok', ['True'], {'True': True},
            'False', False, None, '', 0]
# What anything may be: a verdict's values are whatever the templating or a user handed over.
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
              st.sampled_from(['True', 'true', 'False', 'yes', 'HTTP 503', ''])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)
passed_values = st.one_of(st.sampled_from([True, 'True', False] + NOT_TRUE), values)
checks = st.one_of(
    st.fixed_dictionaries(dict(name=st.text(max_size=8), passed=passed_values),
                          optional=dict(error=st.one_of(st.none(), st.sampled_from(['', 'HTTP 503', 0, False]), values),
                                        reason=st.text(max_size=20))),
    values)
results = st.one_of(
    st.fixed_dictionaries(dict(passed=passed_values, checks=st.one_of(st.lists(checks, max_size=4), values)),
                          optional=dict(checked_at=st.text(max_size=20))),
    st.fixed_dictionaries(dict(passed=passed_values)),
    values)


def says_passed(value):
    return value is True or (isinstance(value, str) and value == 'True')


@settings(max_examples=1000, deadline=None)
@given(results)
def test_a_result_passes_only_when_it_and_every_one_of_at_least_one_check_say_so(result):
    passed = gate_passed(result)
    assert passed is True or passed is False
    expected = (isinstance(result, Mapping) and says_passed(result.get('passed'))
                and isinstance(result.get('checks'), list) and len(result['checks']) > 0
                and all(isinstance(check, Mapping) and says_passed(check.get('passed')) and not check.get('error')
                        for check in result['checks']))
    assert passed is expected, result
    if passed:
        assert all(check_passed(check) for check in result['checks'])


@settings(max_examples=500, deadline=None)
@given(st.lists(checks, max_size=5))
def test_the_modules_passed_is_the_one_rule_of_a_result(verdicts):
    """backup_gate_info says passed=every_check_passed(its verdicts): what gate_passed then says of its result."""
    assert every_check_passed(verdicts) is gate_passed(dict(passed=True, checks=verdicts))
    assert gate_passed(dict(passed=True, checks=verdicts)) is (bool(verdicts) and all(map(check_passed, verdicts)))


@settings(max_examples=500, deadline=None)
@given(checks)
def test_a_check_passes_only_when_it_says_so_and_has_no_error(check):
    passed = check_passed(check)
    assert passed is True or passed is False
    assert passed is (isinstance(check, Mapping) and says_passed(check.get('passed')) and not check.get('error'))


@pytest.mark.parametrize('value', NOT_TRUE, ids=repr)
def test_only_true_or_the_text_true_is_a_pass(value):
    assert not check_passed(dict(PASSING, passed=value))
    assert not gate_passed(dict(passed=value, checks=[PASSING]))
    assert not gate_passed(dict(passed=True, checks=[dict(PASSING, passed=value)]))


def test_true_and_the_text_older_templating_leaves_are_a_pass():
    assert gate_passed(dict(passed=True, checks=[PASSING]))
    assert gate_passed(dict(passed='True', checks=[dict(PASSING, passed='True'), PASSING], checked_at='now'))
    assert gate_passed(dict(passed=True, checks=(PASSING,)))


@pytest.mark.parametrize('result', [
    dict(passed=True, checks=[PASSING, FAILING]),  # says passed over a failing check
    dict(passed=True, checks=[]),
    dict(passed=True),
    dict(passed=True, checks=None),
    dict(passed=True, checks='vm'),
    dict(passed=True, checks={'vm': PASSING}),
    dict(passed=True, checks=[PASSING, 'vm']),
    dict(passed=True, checks=[PASSING, None]),
    dict(passed=True, checks=[dict(PASSING, error='HTTP 503 from the API')]),
    dict(passed=True, checks=[dict(name='vm')]),
    dict(checks=[PASSING]),
    None, True, 'True', [dict(passed=True, checks=[PASSING])], 1,
], ids=repr)
def test_anything_odd_is_no_pass(result):
    assert gate_passed(result) is False


def test_hours_between_is_still_the_gates_name():
    from ansible_collections.backupops.jobs.plugins.module_utils import _timestamps
    assert hours_between is _timestamps.hours_between
