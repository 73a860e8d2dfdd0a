"""One verdict everywhere: the files for CI (JUnit, Markdown, Prometheus), the role's table and the gate callback's
closing line say a host passed exactly when _gate.gate_passed says so, and a check passed exactly when
_gate.check_passed says so, for any result - odd ones above all: passed as 'yes' or 1, a result that says passed
over a failing check, a check with an error, items that are no check.

The callback imports Ansible's controller code, which must not be loaded into this process (see
test_gate_reports.py): it is run in a child process that judges each result sent to it."""

import json
import os
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.backupops.jobs.plugins.module_utils._gate import check_passed, gate_passed
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import (
    _tenants,
    gate_table,
    junit_report,
    markdown_report,
    prometheus_text,
)

HOST = 'tenant'
PASSING = dict(name='vm', source='vm', passed=True, reason='newest success is 1.5 h old', error=None)
FAILING = dict(name='mail', source='vb365', passed=False, reason='last 3 jobs failed', error=None)
UNLISTED = dict(name='gmail', source='google', passed=False, reason='could not list the jobs: HTTP 503',
                error='HTTP 503')

# Every `passed` the gate's code has been handed or might be: the real ones, the text older templating leaves, and
# what YAML, a bool filter or a person would take for true.
PASSED = [True, 'True', False, 'False', 'true', ' True', 'TRUE', 'yes', 'on', 1, 1.0, 0, None, '', 'passed', [True]]
ODD_RESULTS = [
    None, True, 'True', 1, [], ['True'], {},
    dict(passed=True), dict(passed=True, checks=None), dict(passed=True, checks='vm'), dict(passed=True, checks={}),
    dict(passed=True, checks=[]), dict(passed=True, checks=[PASSING, FAILING]), dict(passed=True, checks=[UNLISTED]),
    dict(passed=True, checks=[dict(PASSING, error='HTTP 503')]), dict(passed=True, checks=[PASSING, 'vm']),
    dict(passed=True, checks=[PASSING, None]), dict(passed=True, checks=[dict(name='vm')]),
    dict(checks=[PASSING]), dict(passed=False, checks=[PASSING]),
] + [dict(passed=passed, checks=[PASSING]) for passed in PASSED] + [
    dict(passed=True, checks=[dict(PASSING, passed=passed)]) for passed in PASSED] + [
    dict(passed='True', checks=[dict(PASSING, passed='True'), dict(PASSING, name='db', passed=passed)]) for passed in PASSED]

texts = st.text(st.characters(codec='utf-8'), max_size=12)
odd_values = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(['True', 'true', 'yes', '1', '']),
                       texts, st.lists(st.booleans(), max_size=2))
checks = st.one_of(
    st.fixed_dictionaries(dict(name=texts, source=st.sampled_from(['vm', 'dynamics', 'google', 'vb365']),
                               passed=st.one_of(st.booleans(), odd_values), reason=texts),
                          optional=dict(error=st.one_of(st.none(), texts, odd_values))),
    odd_values)
results = st.one_of(
    st.fixed_dictionaries(dict(passed=st.one_of(st.booleans(), odd_values),
                               checks=st.one_of(st.lists(checks, max_size=4), odd_values))),
    st.fixed_dictionaries(dict(checks=st.lists(checks, max_size=3))),
    odd_values)


def junit_green(result):
    root = ElementTree.fromstring(junit_report({HOST: result}).split('\n', 1)[1])
    return all(int(suite.get('failures')) + int(suite.get('errors')) == 0 for suite in root)


def markdown_verdict(result):
    markdown = markdown_report({HOST: result})
    heading = re.search(r'^## %s: (PASSED|BLOCKED)$' % HOST, markdown, re.M).group(1)
    assert markdown.startswith('# Backup gate: %s\n' % heading)
    return heading == 'PASSED'


def prometheus(result):
    samples = [sample for family in text_string_to_metric_families(prometheus_text({HOST: result}))
               for sample in family.samples]
    gate = [sample.value for sample in samples if sample.name == 'backupops_gate_passed']
    checks = [sample.value for sample in samples if sample.name == 'backupops_check_passed']
    return gate == [1.0], checks


def is_table_result(result):
    return isinstance(result, dict) and isinstance(result.get('checks'), list)


def assert_the_reports_say_what_gate_passed_says(result):
    passed = gate_passed(result)
    assert passed is True or passed is False
    [(_host, tenant_passed, shown, _checked_at)] = _tenants({HOST: result})
    assert tenant_passed is passed, result
    assert junit_green(result) is passed, result
    assert markdown_verdict(result) is passed, result
    gate, check_samples = prometheus(result)
    assert gate is passed, result
    if shown is not None:
        # Each check as every view shows it: passed exactly when check_passed says so.
        assert check_samples == [1.0 if check_passed(check) else 0.0 for check in result['checks']], result
    if is_table_result(result):
        lines = gate_table(result)
        assert lines[0].startswith('BACKUP GATE PASSED: ' if passed else 'BACKUP GATE BLOCKED: '), result
        assert [line[:6] for line in lines[1:]] == ['ok    ' if check_passed(check) else 'FAIL  '
                                                    for check in result['checks']], result


@pytest.mark.parametrize('result', ODD_RESULTS, ids=repr)
def test_the_reports_and_the_table_say_what_gate_passed_says_of_odd_results(result):
    assert_the_reports_say_what_gate_passed_says(result)


@settings(max_examples=300, deadline=None)
@given(results)
def test_the_reports_and_the_table_say_what_gate_passed_says_of_any_result(result):
    assert_the_reports_say_what_gate_passed_says(result)


# The child: the callback's closing line of a play whose one host has the result read from each line of stdin, as
# the callback keeps it (a set_fact of backup_gate_result that is no dict is no verdict), with or without a failure.
CALLBACK_JUDGE = '''
import json, sys
from ansible_collections.backupops.jobs.plugins.callback.gate import closing_line

class Stats:
    def __init__(self, failures):
        self.failures = failures

    def summarize(self, host):
        return dict(failures=self.failures, unreachable=0)

for line in sys.stdin:
    failures, result = json.loads(line)
    verdicts = {'tenant': result} if isinstance(result, dict) else {}
    print(json.dumps(closing_line(['tenant'], Stats(failures), verdicts)), flush=True)
'''


@pytest.fixture(scope='module')
def callback_judge():
    child = subprocess.Popen([sys.executable, '-c', CALLBACK_JUDGE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))

    def judge(failures, result):
        child.stdin.write(json.dumps([failures, result]) + '\n')
        child.stdin.flush()
        line = child.stdout.readline()
        assert line, 'the callback child ended'
        return json.loads(line)

    yield judge
    child.stdin.close()
    child.wait(timeout=60)


def assert_the_callback_says_what_gate_passed_says(judge, result):
    passed = gate_passed(result)
    # The gate's own failure follows a blocked verdict; none follows when it is not enforced.
    assert (judge(0, result) == 'BACKUP GATE PASSED: tenant passed') is passed, result
    assert (judge(1, result) == 'BACKUP GATE REFUSED: tenant passed, then failed (see above)') is passed, result
    if not passed and isinstance(result, dict):
        assert judge(1, result) == 'BACKUP GATE BLOCKED: tenant blocked'


@pytest.mark.parametrize('result', ODD_RESULTS, ids=repr)
def test_the_callback_says_what_gate_passed_says_of_odd_results(callback_judge, result):
    assert_the_callback_says_what_gate_passed_says(callback_judge, result)


@settings(max_examples=200, deadline=None)
@given(results)
def test_the_callback_says_what_gate_passed_says_of_any_result(callback_judge, result):
    assert_the_callback_says_what_gate_passed_says(callback_judge, result)
