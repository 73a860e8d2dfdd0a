"""The gate's verdicts as JUnit XML and Markdown (the rendering of the filters gate_junit and gate_markdown): what
a CI system shows must say what the gate decided, for any text an API may put into a reason, and the JUnit file
must be one the CI systems can read. The filters themselves run in tests/integration/test_gate_ci_files.py:
importing a filter here would load Ansible's controller code, which makes module warnings go to its display
for every later test of this process."""

import os
import re
from xml.etree import ElementTree

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import ReportInputError
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import junit_report as gate_junit
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import markdown_report as gate_markdown
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import markdown_text

SCHEMA = xmlschema.XMLSchema(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'schemas', 'junit-10.xsd'))

FRESH = dict(name='vm', source='vm', passed=True, reason='newest success is 1.5 h old (6 accepted in the last 24 h)',
             latest_success=dict(id='job-6', finish_time='2026-11-24T10:30:00Z', outcome='success'),
             hours_since_success=1.5, jobs_considered=6, max_age_hours=24.0, accept=['success'], min_successes=1,
             error=None)
FAILED = dict(name='dynamics', source='dynamics', passed=False, reason='last 3 jobs failed', latest_success=None,
              hours_since_success=None, jobs_considered=3, max_age_hours=24.0, accept=['success'], min_successes=1,
              error=None)
UNLISTED = dict(name='google', source='google', passed=False, reason='could not list the jobs: HTTP 503 from the API',
                latest_success=None, hours_since_success=None, jobs_considered=0, max_age_hours=12.0,
                accept=['success', 'warning'], min_successes=2, error='HTTP 503 from the API')
# The shape of today's role, which has none of the optional figures.
LEGACY = dict(name='vb365', source='vb365', passed=True, reason='newest success is 2.0 h old (1 accepted in the last 24 h)',
              latest_success=dict(id='s1', finish_time='2026-11-24T10:00:00Z', outcome='success'),
              hours_since_success=2.0, jobs_considered=1)


def parsed(results):
    document = gate_junit(results)
    SCHEMA.validate(document)
    return ElementTree.fromstring(document.split('\n', 1)[1])


def suite(root, host):
    return root.find("testsuite[@name='%s']" % host)


def case_outcome(case):
    """'failure', 'error' or 'pass' as a CI system reads a testcase."""
    for state in ('failure', 'error'):
        if case.find(state) is not None:
            return state
    return 'pass'


def test_junit_has_a_suite_per_host_and_a_case_per_check_with_what_the_gate_decided():
    root = parsed({'tenant-a': dict(passed=False, checks=[FRESH, FAILED, UNLISTED]),
                   'tenant-b': dict(passed=True, checks=[LEGACY])})
    assert [element.get('name') for element in root] == ['tenant-a', 'tenant-b']
    assert (root.get('tests'), root.get('failures'), root.get('errors')) == ('4', '1', '1')
    cases = dict((case.get('name'), case) for case in suite(root, 'tenant-a').iter('testcase'))
    assert list(cases) == ['vm', 'dynamics', 'google']
    assert [case_outcome(case) for case in cases.values()] == ['pass', 'failure', 'error']
    assert cases['dynamics'].find('failure').get('message') == 'last 3 jobs failed'
    assert cases['google'].find('error').get('message') == 'HTTP 503 from the API'
    assert (suite(root, 'tenant-a').get('tests'), suite(root, 'tenant-a').get('failures'),
            suite(root, 'tenant-a').get('errors')) == ('3', '1', '1')
    assert case_outcome(suite(root, 'tenant-b').find('testcase')) == 'pass'


def test_junit_properties_hold_the_listing_figures():
    root = parsed({'tenant-a': dict(passed=False, checks=[FRESH, UNLISTED])})
    properties = dict((prop.get('name'), prop.get('value')) for prop in suite(root, 'tenant-a').iter('property'))
    assert properties['gate_passed'] == 'false'
    assert properties['vm: jobs_considered'] == '6'
    assert properties['vm: hours_since_success'] == '1.5'
    assert properties['vm: latest_success'] == 'job-6 (success, 2026-11-24T10:30:00Z)'
    assert properties['google: accept'] == 'success, warning'
    assert properties['google: min_successes'] == '2'
    assert 'google: hours_since_success' not in properties
    out = suite(root, 'tenant-a').find("testcase[@name='vm']/system-out").text
    assert 'jobs_considered: 6' in out and 'source: vm' in out


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
    assert suite(parsed({'tenant': dict(passed=True, checks=[FRESH, FAILED])}), 'tenant').find(
        'properties/property').get('value') == 'false'


def test_markdown_table_of_each_tenant():
    markdown = gate_markdown({'tenant-a': dict(passed=False, checks=[FRESH, FAILED, UNLISTED])})
    lines = markdown.splitlines()
    assert lines[0] == '# Backup gate: BLOCKED'
    assert '## tenant-a: BLOCKED' in lines
    assert '| ok | vm | vm | newest success is 1.5 h old \\(6 accepted in the last 24 h\\) | job-6 \\(success, ' \
           '2026-11-24T10:30:00Z\\) | 1.5 | 6 |' in lines
    assert '| FAIL | dynamics | dynamics | last 3 jobs failed |  |  | 3 |' in lines
    assert any(line.startswith('| ERROR | google | google | could not list the jobs: HTTP 503') for line in lines)


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
                assert int(root.get('failures')) + int(root.get('errors')) > 0
                assert markdown.startswith('# Backup gate: BLOCKED')
    rows = [line for line in markdown.splitlines() if line.startswith('| ') and not line.startswith('| Result')
            and not line.startswith('| ---')]
    assert len(rows) == sum(len(result['checks']) for result in results.values() if result)
    for row in rows:
        assert len(re.findall(r'(?<!\\)\|', row.replace('\\\\', ''))) == 8
    assert int(root.get('tests')) == sum(max(1, len(result['checks'])) if result else 1 for result in results.values())


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
