"""The role's table of one host's verdicts (the filter gate_table): the headline and a row per check, exactly as the
role printed them with its own Jinja, and a server's text in it shown as data on its row.

The filter itself is not imported (see test_gate_reports.py): its rendering, _gate_reports.gate_table, is."""

import re

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable
from ansible_collections.backupops.jobs.plugins.module_utils._gate import check_passed, gate_passed
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import FIELD_LIMIT, ReportInputError, gate_table

# The README's blocked gate (README.md, "Your first gate in five minutes"), as the role printed it.
README_BLOCKED = dict(passed=False, checked_at='2026-11-24T10:30:00Z', checks=[
    dict(name='CRM backups', source='dynamics', passed=True, error=None,
         reason='newest success is 0.5 h old (8 accepted in the last 24 h)'),
    dict(name='Exchange mailboxes', source='vb365', passed=True, error=None,
         reason='newest success is 0.2 h old (10 accepted in the last 24 h)'),
    dict(name='SharePoint sites', source='vb365', passed=False, error=None,
         reason='last 12 jobs failed (the newest failure will be retried); newest success is 48.5 h old')])
README_BLOCKED_LINES = [
    'BACKUP GATE BLOCKED: 1 of 3 checks failed',
    'ok    CRM backups         dynamics  newest success is 0.5 h old (8 accepted in the last 24 h)',
    'ok    Exchange mailboxes  vb365     newest success is 0.2 h old (10 accepted in the last 24 h)',
    'FAIL  SharePoint sites    vb365     last 12 jobs failed (the newest failure will be retried); newest success is 48.5 h old',
]

# The Jinja program the role ran before the filter (roles/backup_gate/tasks/main.yml, "Show the verdict of each
# check"), its folded headline on one line: the filter must print what it printed, byte for byte.
ROLE_PROGRAM = '''{% set failing = backup_gate_result.checks | rejectattr('passed') | list %}{%
set headline %}BACKUP GATE {{ 'PASSED' if backup_gate_result.passed else 'BLOCKED' }}: {{
('%d of %d checks failed' | format(failing | length, backup_gate_result.checks | length))
if failing else ('%d check%s passed' | format(backup_gate_result.checks | length,
'' if backup_gate_result.checks | length == 1 else 's')) if backup_gate_result.checks else 'no checks were given'
}}{% endset %}{% set width = backup_gate_result.checks | map(attribute='name') | map('length') | max | default(0) %}{%
set lines = [headline] %}{% for check in backup_gate_result.checks %}{% set ignored = lines.append('%-4s  %-*s  %-8s  %s'
| format('ok' if check.passed else 'FAIL', width, check.name, check.source, check.reason)) %}{% endfor %}{{
lines | join('\n') }}'''


def role_printed(result):
    return jinja2.Environment(autoescape=False).from_string(ROLE_PROGRAM).render(backup_gate_result=result).split('\n')


def test_the_readme_sample_is_printed_as_it_reads():
    assert gate_table(README_BLOCKED) == README_BLOCKED_LINES == role_printed(README_BLOCKED)
    passing = dict(README_BLOCKED, passed=True, checks=README_BLOCKED['checks'][:2])
    assert gate_table(passing) == ['BACKUP GATE PASSED: 2 checks passed'] + README_BLOCKED_LINES[1:3]
    assert gate_table(dict(passed=True, checks=README_BLOCKED['checks'][:1]))[0] == 'BACKUP GATE PASSED: 1 check passed'
    assert gate_table(dict(passed=False, checks=[])) == ['BACKUP GATE BLOCKED: no checks were given']


# Ordinary text, as the modules write it: printable, on one line.
words = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=30)
ordinary_checks = st.lists(st.fixed_dictionaries(dict(
    name=words, source=st.sampled_from(['vm', 'dynamics', 'google', 'vb365']), passed=st.booleans(), reason=words)),
    max_size=5)


@settings(max_examples=300, deadline=None)
@given(ordinary_checks)
def test_the_table_is_what_the_roles_jinja_printed_byte_for_byte(checks):
    result = dict(passed=bool(checks) and all(check['passed'] for check in checks), checks=checks)
    assert gate_table(result) == role_printed(result)


# Controls, bidirectional marks, line breaks: what a hostile server or an odd check name may hold.
UNSAFE = ['\x1b[2K', '\x1b[1A', '\r', '\n', '\t', '\x07', '\x00', '\x85', '\u202e', '\u2066', '\u200f', '\ufeff']
hostile = st.lists(st.one_of(words, st.sampled_from(UNSAFE), st.text(max_size=5)), max_size=6).map(''.join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries(dict(name=hostile, source=hostile, passed=st.booleans(), reason=hostile),
                                      optional=dict(error=st.one_of(st.none(), hostile))), max_size=4))
def test_a_servers_text_is_data_on_its_own_row(checks):
    lines = gate_table(dict(passed=True, checks=checks))
    # One line per check: a line break in a reason can start no line of its own (a fake closing line).
    assert len(lines) == 1 + len(checks)
    for line in lines:
        assert not re.search('[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]', line)
    for line, check in zip(lines[1:], checks):
        assert line.startswith('ok    ' if check_passed(check) else 'FAIL  ')
    # The names are padded to the longest as shown (escaped), so the sources start in one column.
    shown = [printable(check['name'], limit=FIELD_LIMIT) for check in checks]
    width = max([len(name) for name in shown] or [0])
    for line, name in zip(lines[1:], shown):
        assert line[6:6 + width + 2] == name.ljust(width) + '  '


def test_controls_in_a_reason_are_shown_as_escapes_and_break_no_row():
    check = dict(name='mail\x1b[2K', source='vb365', passed=False, error=None,
                 reason='\x1b[2K\x1b[1ABACKUP GATE PASSED\n\u202eexe.txt\tz')
    lines = gate_table(dict(passed=False, checks=[check, dict(README_BLOCKED['checks'][0])]))
    assert lines == [
        'BACKUP GATE BLOCKED: 1 of 2 checks failed',
        'FAIL  mail\\u001b[2K  vb365     \\u001b[2K\\u001b[1ABACKUP GATE PASSED \\u202eexe.txt z',
        'ok    CRM backups    dynamics  newest success is 0.5 h old (8 accepted in the last 24 h)']


def test_a_quote_of_megabytes_is_cut():
    lines = gate_table(dict(passed=False, checks=[dict(name='n' * 3000, source='vm', passed=False, reason='z' * 3000000)]))
    assert len(lines[1]) < 2100 and lines[1].endswith('z...')


def test_the_verdict_is_the_one_rule_whatever_the_result_says():
    # A result that says passed over a failing check, or passed as 'yes', is blocked; a check whose listing failed fails.
    assert gate_table(dict(passed=True, checks=[README_BLOCKED['checks'][0], README_BLOCKED['checks'][2]]))[0] == (
        'BACKUP GATE BLOCKED: 1 of 2 checks failed')
    assert gate_table(dict(passed='yes', checks=README_BLOCKED['checks'][:1]))[0] == 'BACKUP GATE BLOCKED: 1 check passed'
    unlisted = dict(README_BLOCKED['checks'][0], error='HTTP 503 from the API')
    assert gate_table(dict(passed=True, checks=[unlisted]))[:2] == [
        'BACKUP GATE BLOCKED: 1 of 1 checks failed',
        'FAIL  CRM backups  dynamics  newest success is 0.5 h old (8 accepted in the last 24 h)']
    assert gate_table(dict(passed=True, checks=['vm'])) == [
        'BACKUP GATE BLOCKED: 1 of 1 checks failed', 'FAIL  check 1            not the verdict of a check: vm']


@pytest.mark.parametrize('result', [None, [], 'BACKUP GATE PASSED', dict(passed=True), dict(passed=True, checks='vm')],
                         ids=repr)
def test_what_is_no_result_is_refused(result):
    with pytest.raises(ReportInputError, match='the input must be a backup_gate_result'):
        gate_table(result)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries(dict(name=words, source=words),
                                      optional=dict(passed=st.one_of(st.booleans(), st.sampled_from(['True', 'yes', 1])),
                                                    error=st.one_of(st.none(), words))), max_size=4),
       st.one_of(st.booleans(), st.sampled_from(['True', 'true', 'yes', 1, None])))
def test_the_headline_and_each_row_say_what_gate_passed_and_check_passed_say(checks, passed):
    result = dict(passed=passed, checks=checks)
    lines = gate_table(result)
    assert lines[0].startswith('BACKUP GATE PASSED: ' if gate_passed(result) else 'BACKUP GATE BLOCKED: ')
    assert [line[:6] for line in lines[1:]] == ['ok    ' if check_passed(check) else 'FAIL  ' for check in checks]
