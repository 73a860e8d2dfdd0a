"""The gate's verdicts as JUnit XML and Markdown (the rendering of the filters gate_junit and gate_markdown): what
a CI system shows must say what the gate decided, for any text an API may put into a reason, and the JUnit file
must be one the CI systems can read. The filters themselves run in tests/integration/test_gate_ci_files.py:
importing a filter here would load Ansible's controller code, which makes module warnings go to its display
for every later test of this process."""

import io
import math
import os
import re
import time
from xml.etree import ElementTree

import junitparser
import pytest
import xmlschema
import xunitparser
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable
from ansible_collections.backupops.jobs.plugins.module_utils._gate import check_passed, gate_passed
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import ReportInputError
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import junit_report as gate_junit
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import markdown_report as gate_markdown
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import markdown_text
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import prometheus_text as gate_prometheus

SCHEMAS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'schemas')
SCHEMA = xmlschema.XMLSchema(os.path.join(SCHEMAS, 'junit-10.xsd'))
# The strict schema of Ant's JUnit task: time on every suite and case, no attribute on testsuites.
ANT_SCHEMA = xmlschema.XMLSchema(os.path.join(SCHEMAS, 'ant-junit.xsd'))

FRESH = dict(name='vm', source='vm', passed=True, reason='newest success is 1.5 h old (6 accepted in the last 24 h)',
             latest_success=dict(id='job-6', finish_time='2026-11-24T10:30:00Z', outcome='success'),
             hours_since_success=1.5, jobs_considered=6, max_age_hours=24.0, accept=['success'], min_successes=1,
             error=None, lookback=None, seconds=0.25)
FAILED = dict(name='dynamics', source='dynamics', passed=False, reason='last 3 jobs failed; newest success is 40.5 h old',
              latest_success=None, hours_since_success=None, jobs_considered=3, max_age_hours=24.0, accept=['success'],
              min_successes=1, error=None, seconds=1.5,
              lookback=dict(hours=168.0, hours_since_success=40.5,
                            success=dict(id='job-1', finish_time='2026-11-22T18:00:00Z', outcome='success')))
# No accepted job in the whole look-back.
NEVER = dict(FAILED, name='gmail', source='google', reason='no backup job in the last 24 h', jobs_considered=0,
             lookback=dict(hours=168.0, success=None, hours_since_success=None), seconds=0.5)
UNLISTED = dict(name='google', source='google', passed=False, reason='could not list the jobs: HTTP 503 from the API',
                latest_success=None, hours_since_success=None, jobs_considered=0, max_age_hours=12.0,
                accept=['success', 'warning'], min_successes=2, error='HTTP 503 from the API', lookback=None, seconds=2.0)
# The shape of today's role, which has none of the optional figures.
LEGACY = dict(name='vb365', source='vb365', passed=True, reason='newest success is 2.0 h old (1 accepted in the last 24 h)',
              latest_success=dict(id='s1', finish_time='2026-11-24T10:00:00Z', outcome='success'),
              hours_since_success=2.0, jobs_considered=1)


def parsed(results):
    """The JUnit document of ``results``, once it has passed both schemas and both parsers CI tools are built on."""
    document = gate_junit(results)
    SCHEMA.validate(document)
    ANT_SCHEMA.validate(document)
    root = ElementTree.fromstring(document.split('\n', 1)[1])
    cases = [case for suite in root for case in suite.iter('testcase')]
    _suite, outcome = xunitparser.parse(io.StringIO(document))
    assert (outcome.testsRun, len(outcome.failures), len(outcome.errors)) == (
        len(cases), sum(1 for case in cases if case_outcome(case) == 'failure'),
        sum(1 for case in cases if case_outcome(case) == 'error'))
    read = junitparser.JUnitXml.fromstring(document.encode('utf-8'))
    assert [(case.name, case.time) for suite in read for case in suite] == [
        (case.get('name'), float(case.get('time'))) for case in cases]
    return root


def totals(root, *counts):
    return tuple(sum(int(suite.get(count)) for suite in root) for count in counts)


def suite(root, host):
    return root.find("testsuite[@name='%s']" % host)


def case_outcome(case):
    """'failure', 'error' or 'pass' as a CI system reads a testcase."""
    for state in ('failure', 'error'):
        if case.find(state) is not None:
            return state
    return 'pass'


def test_junit_has_a_suite_per_host_and_a_case_per_check_with_what_the_gate_decided():
    root = parsed({'tenant-b': dict(passed=True, checks=[LEGACY]),
                   'tenant-a': dict(passed=False, checks=[FRESH, FAILED, UNLISTED])})
    # The blocked tenant first, and in it the failing checks first: what a test view shows on its first screen.
    assert [element.get('name') for element in root] == ['tenant-a', 'tenant-b']
    assert totals(root, 'tests', 'failures', 'errors') == (4, 1, 1)
    cases = dict((case.get('name'), case) for case in suite(root, 'tenant-a').iter('testcase'))
    assert list(cases) == ['dynamics', 'google', 'vm']
    assert [case_outcome(case) for case in cases.values()] == ['failure', 'error', 'pass']
    assert cases['dynamics'].find('failure').get('message') == 'last 3 jobs failed; newest success is 40.5 h old'
    assert cases['google'].find('error').get('message') == 'HTTP 503 from the API'
    assert (suite(root, 'tenant-a').get('tests'), suite(root, 'tenant-a').get('failures'),
            suite(root, 'tenant-a').get('errors')) == ('3', '1', '1')
    assert case_outcome(suite(root, 'tenant-b').find('testcase')) == 'pass'


def test_junit_gives_every_case_and_suite_its_time():
    root = parsed({'tenant-a': dict(passed=False, checks=[FRESH, FAILED, UNLISTED]), 'crashed': None,
                   'tenant-b': dict(passed=True, checks=[LEGACY], checked_at='2026-11-24T12:00:00Z')})
    times = dict((case.get('name'), case.get('time')) for case in suite(root, 'tenant-a').iter('testcase'))
    assert times == {'vm': '0.250', 'dynamics': '1.500', 'google': '2.000'}
    assert suite(root, 'tenant-a').get('time') == '3.750'
    # A result without the run time of its checks (an older one, or none at all) still has a time.
    assert suite(root, 'tenant-b').find('testcase').get('time') == '0.000' == suite(root, 'crashed').get('time')
    assert suite(root, 'tenant-b').get('timestamp') == '2026-11-24T12:00:00'


def test_junit_puts_each_checks_facts_where_test_views_show_them_in_no_repeated_property():
    root = parsed({'tenant-a': dict(passed=False, checks=[FRESH, FAILED, UNLISTED]),
                   'tenant-b': dict(passed=False, checks=[FRESH, NEVER])})
    assert root.find('.//property') is None
    failure = suite(root, 'tenant-a').find("testcase[@name='dynamics']/failure").text.splitlines()
    assert failure[:5] == ['reason: last 3 jobs failed; newest success is 40.5 h old', 'source: dynamics',
                           'newest accepted job: job-1 (success, 2026-11-22T18:00:00Z)', 'hours since: 40.5',
                           'jobs_considered: 3']
    error = suite(root, 'tenant-a').find("testcase[@name='google']/error").text
    assert 'error: HTTP 503 from the API' in error and 'accept: success, warning' in error and 'min_successes: 2' in error
    assert 'newest accepted job: none in the last 168 h' in suite(root, 'tenant-b').find("testcase[@name='gmail']/failure").text
    # Passing checks too, in the suite's output.
    out = suite(root, 'tenant-a').find('system-out').text
    assert out.startswith('dynamics: FAIL\nreason: last 3 jobs failed')
    assert 'vm: ok\nreason: newest success is 1.5 h old' in out and 'newest accepted job: job-6 (success, ' in out


def test_a_host_without_a_verdict_or_without_checks_is_never_green():
    root = parsed({'crashed': None, 'empty': dict(passed=True, checks=[]), 'odd': dict(passed=True)})
    assert case_outcome(suite(root, 'crashed').find('testcase')) == 'error'
    assert 'no verdict' in suite(root, 'crashed').find('testcase/error').get('message')
    assert case_outcome(suite(root, 'empty').find('testcase')) == 'failure'
    assert case_outcome(suite(root, 'odd').find('testcase')) == 'error'
    markdown = gate_markdown({'crashed': None, 'fine': dict(passed=True, checks=[FRESH])})
    assert markdown.startswith('# Backup gate: BLOCKED')
    assert '## crashed: BLOCKED' in markdown and '## fine: PASSED' in markdown


@pytest.mark.parametrize('passed', [False, 'False', 'yes', 1, None])
def test_only_a_true_passed_is_a_pass(passed):
    check = dict(FRESH, passed=passed)
    root = parsed({'tenant': dict(passed=passed, checks=[check])})
    assert case_outcome(suite(root, 'tenant').find('testcase')) == 'failure'
    assert gate_markdown({'tenant': dict(passed=passed, checks=[check])}).startswith('# Backup gate: BLOCKED')


def test_a_result_that_says_passed_over_a_failing_check_is_blocked():
    markdown = gate_markdown({'tenant': dict(passed=True, checks=[FRESH, FAILED])})
    assert markdown.startswith('# Backup gate: BLOCKED') and '## tenant: BLOCKED' in markdown
    assert suite(parsed({'tenant': dict(passed=True, checks=[FRESH, FAILED])}), 'tenant').get('failures') == '1'


def test_markdown_table_of_each_tenant():
    markdown = gate_markdown({'tenant-a': dict(passed=False, checks=[FRESH, FAILED, UNLISTED])})
    lines = markdown.splitlines()
    assert lines[0] == '# Backup gate: BLOCKED'
    assert '## tenant-a: BLOCKED' in lines
    assert '| ok | vm | vm | newest success is 1.5 h old \\(6 accepted in the last 24 h\\) | job-6 \\(success, ' \
           '2026-11-24T10:30:00Z\\) | 1.5 | 6 |' in lines
    assert '| FAIL | dynamics | dynamics | last 3 jobs failed; newest success is 40.5 h old | job-1 \\(success, ' \
           '2026-11-22T18:00:00Z\\) | 40.5 | 3 |' in lines
    assert any(line.startswith('| ERROR | google | google | could not list the jobs: HTTP 503') for line in lines)


def test_markdown_gives_every_row_an_age_and_the_blocked_tenants_and_failing_checks_first():
    markdown = gate_markdown({'fine': dict(passed=True, checks=[FRESH]),
                              'tenant-a': dict(passed=False, checks=[FRESH, NEVER, UNLISTED, FAILED])})
    lines = markdown.splitlines()
    assert [line for line in lines if line.startswith('## ')] == ['## tenant-a: BLOCKED', '## fine: PASSED']
    rows = [line.split(' | ') for line in lines if line.startswith('| ') and not line.startswith(('| Result', '| ---'))]
    assert [(row[0], row[1]) for row in rows] == [('| FAIL', 'gmail'), ('| ERROR', 'google'), ('| FAIL', 'dynamics'),
                                                  ('| ok', 'vm'), ('| ok', 'vm')]
    ages = [(row[4], row[5]) for row in rows]
    assert ages == [('none in the last 168 h', '\\> 168'), ('unknown: the jobs could not be listed', 'unknown'),
                    ('job-1 \\(success, 2026-11-22T18:00:00Z\\)', '40.5'),
                    ('job-6 \\(success, 2026-11-24T10:30:00Z\\)', '1.5'),
                    ('job-6 \\(success, 2026-11-24T10:30:00Z\\)', '1.5')]


def metrics(text):
    """{(metric, labels as a sorted tuple): value} as Prometheus' own parser reads ``text``."""
    found = {}
    for family in text_string_to_metric_families(text):
        assert family.type == 'gauge' and family.documentation, family
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in found, key
            found[key] = sample.value
    return found


def test_prometheus_metrics_give_each_checks_verdict_and_age_and_each_tenants_run():
    text = gate_prometheus({'tenant-a': dict(passed=False, checks=[FRESH, FAILED, NEVER, UNLISTED],
                                             checked_at='2026-11-24T12:00:00Z'), 'crashed': None})
    found = metrics(text)

    def labels(check, source):
        return (('check', check), ('source', source), ('tenant', 'tenant-a'))
    assert found[('backupops_check_passed', labels('vm', 'vm'))] == 1
    assert found[('backupops_check_passed', labels('dynamics', 'dynamics'))] == 0
    assert found[('backupops_check_passed', labels('google', 'google'))] == 0
    assert found[('backupops_check_hours_since_success', labels('vm', 'vm'))] == 1.5
    # The look-back's age where the window has no accepted job: what an alert on the age needs.
    assert found[('backupops_check_hours_since_success', labels('dynamics', 'dynamics'))] == 40.5
    # None found, or none could be listed: no series, never a made-up age.
    assert ('backupops_check_hours_since_success', labels('gmail', 'google')) not in found
    assert ('backupops_check_hours_since_success', labels('google', 'google')) not in found
    assert found[('backupops_gate_passed', (('tenant', 'tenant-a'),))] == 0
    assert found[('backupops_gate_passed', (('tenant', 'crashed'),))] == 0
    assert found[('backupops_gate_run_timestamp_seconds', (('tenant', 'tenant-a'),))] == 1795521600
    assert abs(found[('backupops_gate_run_timestamp_seconds', (('tenant', 'crashed'),))] - time.time()) < 60
    assert not any(key[0].startswith('backupops_check') and ('tenant', 'crashed') in key[1] for key in found)


HOSTILE_NAMES = ['say "yes"', 'C:\\backups\\', 'two\nlines', 'trailing \\', '\\"', 'ünïcødé ✓ 备份',
                 '} 1\nbackupops_check_passed{tenant="x"', '\x1b[2K\u202eevil', '\ud800lone']


def test_prometheus_label_values_survive_hostile_check_and_tenant_names():
    results = dict(('tenant %d %s' % (index, name), dict(passed=False, checks=[dict(FAILED, name=name)]))
                   for index, name in enumerate(HOSTILE_NAMES))
    found = metrics(gate_prometheus(results))
    passed = dict((dict(labels)['tenant'], (dict(labels)['check'], value)) for (name, labels), value in found.items()
                  if name == 'backupops_check_passed')
    assert len(passed) == len(HOSTILE_NAMES)
    for index, name in enumerate(HOSTILE_NAMES):
        shown = printable(name, lines=True).replace('\ud800', '\\ud800')
        assert passed['tenant %d %s' % (index, shown)] == (shown, 0)
    # Nothing was injected: one series per check, and no tenant "x".
    assert sum(1 for name, _labels in found if name == 'backupops_check_passed') == len(HOSTILE_NAMES)
    assert all(dict(labels).get('tenant') != 'x' for _name, labels in found)


def test_prometheus_metrics_never_repeat_a_series():
    found = metrics(gate_prometheus({'t': dict(passed=False, checks=[FRESH, dict(FRESH, passed=False), FRESH])}))
    assert sorted(dict(labels)['check'] for name, labels in found if name == 'backupops_check_passed') == [
        'vm', 'vm #2', 'vm #3']


def test_markdown_of_all_passing_tenants_is_passed():
    markdown = gate_markdown({'a': dict(passed=True, checks=[FRESH]), 'b': dict(passed=True, checks=[LEGACY])})
    assert markdown.startswith('# Backup gate: PASSED')


def test_hostile_text_cannot_break_the_table_or_the_xml():
    hostile = dict(FAILED, name='db | prod', reason='boom | <script>alert(1)</script>\nline two\r\x1b[31m\x00 & more\u2028end')
    markdown = gate_markdown({'t|x': dict(passed=False, checks=[hostile])})
    row = [line for line in markdown.splitlines() if line.startswith('| FAIL')][0]
    assert len(re.findall(r'(?<!\\)\|', row)) == 8
    assert '<script>' not in markdown and '\x1b' not in markdown and '\x00' not in markdown
    assert '\u2028' not in markdown and markdown.splitlines() == markdown.rstrip('\n').split('\n')
    assert 'line two' in row and '<br>' in row
    root = parsed({'t|x': dict(passed=False, checks=[hostile])})
    failure = suite(root, 't|x').find('testcase/failure')
    assert failure.get('message').startswith('boom | <script>alert(1)</script>\nline two')
    assert '\\u001b[31m\\u0000 & more' in failure.get('message')


def test_bad_input_is_refused_saying_what_is_expected():
    with pytest.raises(ReportInputError, match='the input must be a mapping of host: backup_gate_result, got the list'):
        gate_junit([FRESH])
    with pytest.raises(ReportInputError, match="the input must be a mapping of host: backup_gate_result, got the str"):
        gate_markdown('tenant')


texts = st.text(st.characters(codec='utf-8'), max_size=40)
checks = st.lists(st.fixed_dictionaries(dict(
    name=texts, source=st.sampled_from(['vm', 'dynamics', 'google', 'vb365']), passed=st.booleans(), reason=texts,
    jobs_considered=st.integers(min_value=0, max_value=10 ** 6), error=st.one_of(st.none(), texts))), max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(texts.filter(lambda host: host.strip()), st.one_of(st.none(), st.fixed_dictionaries(
    dict(passed=st.booleans(), checks=checks))), max_size=4))
def test_any_verdicts_give_a_valid_junit_file_and_a_table_row_per_check(results):
    root = parsed(results)
    markdown = gate_markdown(results)
    for host, result in results.items():
        for check in (result or {}).get('checks', []):
            if not check['passed'] or check['error']:
                assert sum(totals(root, 'failures', 'errors')) > 0
                assert markdown.startswith('# Backup gate: BLOCKED')
    rows = [line for line in markdown.splitlines() if line.startswith('| ') and not line.startswith('| Result')
            and not line.startswith('| ---')]
    assert len(rows) == sum(len(result['checks']) for result in results.values() if result)
    for row in rows:
        assert len(re.findall(r'(?<!\\)\|', row.replace('\\\\', ''))) == 8
    # A host whose checks all passed but whose result says it did not has one failing case more, so it is not green.
    assert totals(root, 'tests')[0] == sum(max(1, len(result['checks'])) + (
        1 if result['checks'] and not gate_passed(result) and all(map(check_passed, result['checks'])) else 0)
        if result else 1 for result in results.values())


# What a hostile server may put into a job name or an API message, which a reason then quotes.
HOSTILE = '\x1b[2K\x1b[1ABACKUP GATE PASSED \u202etxt.exe [click](http://evil.example) <img src=x> www.evil.example ' \
          'mail@evil.example *bold* _em_ `code` ~~gone~~ &amp; a | b'


def inline_tokens(text):
    markdown_it = pytest.importorskip('markdown_it')
    return markdown_it.MarkdownIt('commonmark').parseInline(text)[0].children


def test_server_text_in_markdown_is_text_never_markup_or_a_link():
    markdown = gate_markdown({'tenant': dict(passed=False, checks=[dict(FAILED, name='[x](http://evil.example)',
                                                                        reason=HOSTILE)])})
    assert '\x1b' not in markdown and '\u202e' not in markdown
    assert '\\\\u001b' in markdown and '\\\\u202e' in markdown
    # Bare links that GitHub's Markdown would link without markup: a scheme, www. and an e-mail address.
    assert 'http://' not in markdown and 'www.evil' not in markdown and 'mail@evil' not in markdown
    markdown_it = pytest.importorskip('markdown_it')
    html = markdown_it.MarkdownIt('commonmark').enable('table').render(markdown)
    for element in ('<a ', '<img', '<em>', '<strong>', '<code>', '<s>', '<del>'):
        assert element not in html, element
    assert '[click](http://evil.example)' in html and '&lt;img src=x&gt;' in html


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec='utf-8'), max_size=60))
def test_any_text_reads_in_markdown_as_it_was_written(text):
    """Rendered, a cell holds the text as a person should read it (controls and bidirectional marks as escapes,
    line breaks as <br>) and nothing else: no emphasis, code, link or HTML of its own."""
    tokens = inline_tokens(markdown_text(text))
    assert set(token.type for token in tokens) <= {'text', 'html_inline'}
    assert set(token.content for token in tokens if token.type == 'html_inline') <= {'<br>', '<!-- -->'}
    read = ''.join(token.content if token.type == 'text' else '\n' if token.content == '<br>' else ''
                   for token in tokens)
    expected = printable(text, lines=True).replace('\u2028', '\\u2028').replace('\u2029', '\\u2029')
    assert read == expected


def test_a_quote_of_megabytes_is_cut_in_both_files():
    huge = dict(FAILED, reason='could not list the jobs: ' + 'x' * 3000000, error='y' * 3000000)
    results = {'tenant': dict(passed=False, checks=[huge])}
    assert len(gate_markdown(results)) < 5000
    junit = gate_junit(results)
    assert len(junit) < 20000
    SCHEMA.validate(junit)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(texts.filter(lambda host: host.strip()), st.one_of(st.none(), st.fixed_dictionaries(
    dict(passed=st.booleans(), checks=checks))), max_size=4))
def test_any_verdicts_give_metrics_prometheus_reads(results):
    found = metrics(gate_prometheus(results))
    gates = [key for key in found if key[0] == 'backupops_gate_passed']
    assert len(gates) == len(results)
    assert sum(1 for key in found if key[0] == 'backupops_check_passed') == sum(
        len(result['checks']) for result in results.values() if result)
    assert all(math.isfinite(value) for value in found.values())
