# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup gate's verdicts as the files CI systems show natively: JUnit XML, a Markdown summary and Prometheus
metrics, rendered by the filters gate_junit, gate_markdown and gate_prometheus; and one host's verdicts as the
role prints them, the table of the filter gate_table.

FOR INTERNAL COLLECTION USE ONLY: the plugin_utils of backupops.jobs are private to the collection and may
change in any release, even a bugfix one. Do not import them from other content.

The files take {host: backup_gate_result} for every host of the play; a host without a result (the gate failed
before its verdicts) shows as an error, never as a pass. Whether a host or a check passed is the gate's one rule
(_gate.gate_passed and _gate.check_passed) everywhere. Plain Python with no controller import, so that the tests of
the modules, which run them in-process, can share a process with these.
"""

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from xml.etree import ElementTree

from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable
from ansible_collections.backupops.jobs.plugins.module_utils._gate import check_passed, gate_passed

# How much of one value (a reason, an error, a name) a report shows: a server's text is quoted by the modules
# within QUOTE_LIMIT, and a report must stay readable whatever a result it is given holds.
FIELD_LIMIT = 1000
# Characters XML 1.0 cannot hold even escaped (most C0 controls, surrogates, U+FFFE/U+FFFF): a hostile API's
# message with one of them would make the whole report unreadable, so they are shown as \xNN instead.
XML_FORBIDDEN = re.compile('[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
# The Unicode line and paragraph separators, which some viewers take for line ends, in a Markdown summary.
LINE_SEPARATOR = re.compile('[\u2028\u2029]')
# Characters that would change a Markdown table cell into markup: the cell separator, emphasis, code, links,
# HTML, and the backslash that escapes them.
MARKDOWN_SPECIAL = re.compile(r'([\\`*_\[\]()<>|~#!])')
# Text GitHub's Markdown turns into a link without any markup: a scheme (http://), www. and an e-mail address
# (mailto:, xmpp:). An escaped colon or dot breaks the first two; an address is linked after escapes are read, so
# an empty HTML comment after its @ splits it instead.
BARE_LINK = re.compile(r'(:(?=/))|(?<=www)(\.)|(@)', re.I)
NO_VERDICT = 'the gate reached no verdict for this host (it failed before judging its checks)'
NO_CHECKS = 'no checks were given'
# A host whose every check passed but whose result does not say passed (True, or 'True'): blocked, as the gate says.
NOT_SAID = 'every check passed, but the result does not say the gate passed'
# An item of a result's checks that is no check (not a mapping): shown as an error, since it blocks the host.
NOT_A_CHECK = 'not the verdict of a check: %s'
MARKDOWN_RESULT = {'pass': 'ok', 'failure': 'FAIL', 'error': 'ERROR'}
# The rule and the count of one check, in the order people read them, after its newest accepted job and age.
FIGURES = ('jobs_considered', 'max_age_hours', 'accept', 'min_successes')


def _text(value):
    if value is None:
        return ''
    if isinstance(value, (list, tuple)):
        return ', '.join(_text(item) for item in value)
    return str(value)


def _check_state(check):
    """'error' (its listing failed), 'failure' (it does not pass) or 'pass': whether it passed is the gate's one
    rule for a check (_gate.check_passed)."""
    if isinstance(check, Mapping) and check.get('error'):
        return 'error'
    return 'pass' if check_passed(check) else 'failure'


def _latest(check):
    latest = check.get('latest_success')
    if not isinstance(latest, Mapping) or not latest.get('id'):
        return ''
    return '%s (%s, %s)' % (_text(latest.get('id')), _text(latest.get('outcome')), _text(latest.get('finish_time')))


class ReportInputError(ValueError):
    """Input that is not {host: backup_gate_result}."""


def _not_a_check(number, item):
    message = NOT_A_CHECK % _text(item)
    return dict(name='check %d' % number, passed=False, reason=message, error=message)


def _tenants(results):
    """[(host, passed, [check, ...] or None, checked_at or None)] from {host: backup_gate_result}; None where a host
    has no result. Whether a host passed is the gate's one rule for a result (_gate.gate_passed); an item of its
    checks that is no check blocks it, and shows as a check whose listing failed."""
    if not isinstance(results, Mapping):
        # Templating hands over its own subclasses (_AnsibleLazyTemplateList); a person knows a list.
        kind = next((name for name, kind in (('list', (list, tuple)), ('str', str)) if isinstance(results, kind)),
                    type(results).__name__)
        raise ReportInputError('the input must be a mapping of host: backup_gate_result, got the %s %r'
                               % (kind, results))
    tenants = []
    for host, result in results.items():
        if not isinstance(result, Mapping) or not isinstance(result.get('checks'), (list, tuple)):
            tenants.append((str(host), False, None, None))
            continue
        checks = [check if isinstance(check, Mapping) else _not_a_check(number, check)
                  for number, check in enumerate(result['checks'], 1)]
        tenants.append((str(host), gate_passed(result), checks, result.get('checked_at')))
    return tenants


def _visible(match):
    code = ord(match.group())
    return '\\x%02x' % code if code < 256 else '\\u%04x' % code


def _shown(value):
    """A value as a report shows it: controls and bidirectional marks escaped, cut to FIELD_LIMIT."""
    return printable(_text(value), limit=FIELD_LIMIT, lines=True)


def _xml_safe(value):
    return XML_FORBIDDEN.sub(_visible, _shown(value))


def _element(parent, tag, text=None, **attributes):
    element = ElementTree.SubElement(parent, tag, dict((name, _xml_safe(value)) for name, value in attributes.items()))
    if text is not None:
        element.text = _xml_safe(text)
    return element


def _job(job):
    return '%s (%s, %s)' % (_text(job.get('id')), _text(job.get('outcome')), _text(job.get('finish_time')))


def _newest(check):
    """(the newest accepted job, hours since it finished) as every report shows them, whatever the verdict: the
    window's, else the look-back's, else that the look-back held none; unknown where a listing failed. Empty for a
    result of an older shape, which has no look-back."""
    latest = _latest(check)
    if latest:
        return latest, _text(check.get('hours_since_success'))
    if check.get('error'):
        return 'unknown: the jobs could not be listed', 'unknown'
    lookback = check.get('lookback')
    if not isinstance(lookback, Mapping):
        return '', ''
    success = lookback.get('success')
    if isinstance(success, Mapping) and success.get('id'):
        return _job(success), _text(lookback.get('hours_since_success'))
    hours = '%g' % lookback['hours'] if isinstance(lookback.get('hours'), (int, float)) else _text(lookback.get('hours'))
    return 'none in the last %s h' % hours, '> %s' % hours


def _hours_since(check):
    """Hours since the newest accepted job finished, in the window or the look-back, as a number; None if unknown."""
    for value in (check.get('hours_since_success'),
                  (check.get('lookback') or {}).get('hours_since_success') if isinstance(check.get('lookback'), Mapping)
                  else None):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _facts(check):
    """The lines a CI view shows for one check: what the gate saw, most telling first."""
    newest, hours = _newest(check)
    lines = ['reason: %s' % _text(check.get('reason'))]
    if check.get('error'):
        lines.append('error: %s' % _text(check['error']))
    if check.get('source'):
        lines.append('source: %s' % _text(check['source']))
    if newest:
        lines.append('newest accepted job: %s' % newest)
    if hours:
        lines.append('hours since: %s' % hours)
    lines.extend('%s: %s' % (figure, _text(check[figure])) for figure in FIGURES if check.get(figure) is not None)
    return '\n'.join(lines)


def _seconds(value):
    """A duration as JUnit's time (xs:decimal): 0 where the result has none."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value < 1e9:
        return '%.3f' % value
    return '0.000'


def _failing_first(items, state):
    """``items`` with those whose state is not 'pass' first, each group in its given order."""
    return sorted(items, key=lambda item: state(item) == 'pass')


def _timestamp(checked_at, written):
    """JUnit's timestamp: the Ant schema's ISO 8601 without a zone (UTC here); the report's time when unknown."""
    match = re.match(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(Z|\+00:00)?$', _text(checked_at))
    return match.group(1) if match else written.strftime('%Y-%m-%dT%H:%M:%S')


def junit_report(results, now=None):
    """JUnit XML of the gate, valid against the strict schema of Ant's JUnit task as well as Jenkins': one
    testsuite per host (blocked ones first), one testcase per check (failing ones first) with the check's run time;
    a failure holds the gate's reason as its message and the check's facts as its text, an error the listing's
    message. The suite's system-out gives every check's facts, passing ones too. No properties: the same names in
    every suite break parsers that read a file's properties into one mapping."""
    written = now or datetime.now(timezone.utc)
    suites = ElementTree.Element('testsuites')
    tenants = _failing_first(_tenants(results), lambda tenant: 'pass' if tenant[1] else 'failure')
    for index, (host, passed, checks, checked_at) in enumerate(tenants):
        if checks is None:
            cases = [(dict(name='backup gate', reason=NO_VERDICT), 'error', 'no_verdict', NO_VERDICT)]
        elif not checks:
            cases = [(dict(name='backup gate', reason=NO_CHECKS), 'failure', 'backup_gate', NO_CHECKS)]
        else:
            cases = _failing_first([(check, _check_state(check), 'listing_error' if check.get('error') else 'backup_gate',
                                     check.get('error') or check.get('reason')) for check in checks],
                                   lambda case: case[1])
            if not passed and all(case[1] == 'pass' for case in cases):
                # A suite is green only when the gate passed: a blocked host has a failing case whatever its checks say.
                cases.insert(0, (dict(name='backup gate', reason=NOT_SAID), 'failure', 'backup_gate', NOT_SAID))
        times = [_seconds(case[0].get('seconds')) for case in cases]
        suite = _element(suites, 'testsuite', name=host, package=host, id=index, hostname=host,
                         timestamp=_timestamp(checked_at, written), tests=len(cases),
                         failures=sum(1 for case in cases if case[1] == 'failure'),
                         errors=sum(1 for case in cases if case[1] == 'error'), skipped=0,
                         time='%.3f' % sum(float(time) for time in times))
        _element(suite, 'properties')
        for (check, state, kind, message), time in zip(cases, times):
            case = _element(suite, 'testcase', name=check.get('name'), classname=host, time=time)
            if state != 'pass':
                _element(case, state, text=_facts(check), message=message, type=kind)
        _element(suite, 'system-out', text='\n\n'.join(
            '%s: %s\n%s' % (_text(check.get('name')), MARKDOWN_RESULT[state], _facts(check))
            for check, state, _kind, _message in cases))
        _element(suite, 'system-err')
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n%s\n' % ElementTree.tostring(suites, encoding='unicode')


def _unlinked(match):
    return '@<!-- -->' if match.group(3) else '\\' + match.group()


def markdown_text(value):
    """Text for Markdown that reads as written and is never markup: control characters and bidirectional marks
    escaped, markup characters and & escaped, bare links broken, line breaks shown as <br>."""
    text = LINE_SEPARATOR.sub(_visible, _shown(value)).replace('&', '&amp;')
    text = BARE_LINK.sub(_unlinked, MARKDOWN_SPECIAL.sub(r'\\\1', text))
    return '<br>'.join(text.split('\n'))


def _verdict(passed):
    return 'PASSED' if passed else 'BLOCKED'


def markdown_report(results):
    """A Markdown summary of the gate: the overall verdict, then per host (blocked ones first) its verdict and a
    table of its checks (failing ones first), each with its newest accepted job and how old it is."""
    tenants = _failing_first(_tenants(results), lambda tenant: 'pass' if tenant[1] else 'failure')
    passed = bool(tenants) and all(tenant[1] for tenant in tenants)
    lines = ['# Backup gate: %s' % _verdict(passed), '']
    if not tenants:
        lines.extend(['No host was judged.', ''])
    for host, host_passed, checks, _checked_at in tenants:
        lines.extend(['## %s: %s' % (markdown_text(host), _verdict(host_passed)), ''])
        if checks is None or not checks:
            lines.extend([markdown_text(NO_VERDICT if checks is None else NO_CHECKS), ''])
            continue
        lines.extend(['| Result | Check | Source | Reason | Newest accepted job | Hours since | Jobs in window |',
                      '| --- | --- | --- | --- | --- | ---: | ---: |'])
        for check in _failing_first(checks, _check_state):
            state = _check_state(check)
            reason = check.get('reason')
            if state == 'error' and _text(check['error']) not in _text(reason):
                reason = '%s (%s)' % (_text(reason), _text(check['error']))
            newest, hours = _newest(check)
            lines.append('| %s |' % ' | '.join(markdown_text(value) for value in (
                MARKDOWN_RESULT[state], check.get('name'), check.get('source'),
                reason, newest, hours, check.get('jobs_considered'))))
        lines.append('')
    return '\n'.join(lines)


# A row of the role's table: the check's result, its name (padded to the longest), its source and its reason.
TABLE_ROW = '%-4s  %-*s  %-8s  %s'
TABLE_RESULT = {True: 'ok', False: 'FAIL'}


def _cell(value):
    """A value as the role's table shows it: on one line (a line break or tab is a space, so a server's text can
    start no line of its own), controls and bidirectional marks escaped, cut to FIELD_LIMIT."""
    return printable(_text(value), limit=FIELD_LIMIT)


def gate_table(result):
    """The role's table of one host's backup_gate_result, as the lines it prints: the headline (the gate's verdict
    and how many checks failed), then one row per check in the order given - ok or FAIL, name, source and reason,
    the names padded to the longest."""
    if not isinstance(result, Mapping) or not isinstance(result.get('checks'), (list, tuple)):
        kind = 'mapping without a list of checks' if isinstance(result, Mapping) else type(result).__name__
        raise ReportInputError('the input must be a backup_gate_result (a mapping with a list of checks), got the %s %s'
                               % (kind, printable(repr(result), limit=FIELD_LIMIT)))
    checks = [check if isinstance(check, Mapping) else _not_a_check(number, check)
              for number, check in enumerate(result['checks'], 1)]
    failing = sum(1 for check in checks if not check_passed(check))
    if not checks:
        count = NO_CHECKS
    elif failing:
        count = '%d of %d checks failed' % (failing, len(checks))
    else:
        count = '%d check%s passed' % (len(checks), '' if len(checks) == 1 else 's')
    rows = [(TABLE_RESULT[check_passed(check)], _cell(check.get('name')), _cell(check.get('source')),
             _cell(check.get('reason'))) for check in checks]
    width = max([len(row[1]) for row in rows] or [0])
    return ['BACKUP GATE %s: %s' % (_verdict(gate_passed(result)), count)] + [
        TABLE_ROW % (verdict, width, name, source, reason) for verdict, name, source, reason in rows]


# The metrics of prometheus_text, with their HELP lines.
METRICS = (
    ('backupops_check_passed', 'Whether the check passed the backup gate (1) or not (0) in its latest run.'),
    ('backupops_check_hours_since_success', 'Hours since the check\'s newest accepted backup finished, as far back '
     'as the gate looked; absent when it found none or could not list the jobs.'),
    ('backupops_gate_passed', 'Whether every check of the tenant passed the backup gate (1) or not (0); 0 when the '
     'gate reached no verdict.'),
    ('backupops_gate_run_timestamp_seconds', 'When the backup gate judged the tenant, in seconds since the epoch.'),
)
# A label value that is not valid UTF-8 (a lone surrogate) would make the whole file unreadable: shown as \uXXXX.
SURROGATE = re.compile('[\ud800-\udfff]')


def _label(value):
    """A label value in the text exposition format: printable, then backslash, double quote and newline escaped."""
    text = SURROGATE.sub(_visible, _shown(value))
    return text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def _labels(**labels):
    return '{%s}' % ','.join('%s="%s"' % (name, _label(value)) for name, value in labels.items())


def _epoch(checked_at, written):
    match = re.match(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(Z|\+00:00)?$', _text(checked_at))
    if match:
        return int(datetime.strptime(match.group(1), '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc).timestamp())
    return int(written.timestamp())


def _number(value):
    if isinstance(value, int):
        return str(value)
    return repr(float(value)) if math.isfinite(value) else 'NaN'


def prometheus_text(results, now=None):
    """The gate's verdicts in the Prometheus text exposition format (for node_exporter's textfile collector): per
    check whether it passed and the hours since its newest accepted backup, per tenant whether it passed and when it
    was judged. A second check of a tenant with the same name and source is labelled "name #2", so that no two
    series are the same: the collector refuses a file that repeats one."""
    written = now or datetime.now(timezone.utc)
    samples = dict((name, []) for name, _help in METRICS)
    for host, passed, checks, checked_at in _tenants(results):
        seen = {}
        for check in checks or []:
            name, source = _shown(check.get('name')), _shown(check.get('source'))
            seen[(name, source)] = seen.get((name, source), 0) + 1
            if seen[(name, source)] > 1:
                name = '%s #%d' % (name, seen[(name, source)])
            labels = _labels(tenant=host, check=name, source=source)
            samples['backupops_check_passed'].append((labels, 1 if _check_state(check) == 'pass' else 0))
            hours = _hours_since(check)
            if hours is not None and not check.get('error'):
                samples['backupops_check_hours_since_success'].append((labels, hours))
        samples['backupops_gate_passed'].append((_labels(tenant=host), 1 if passed else 0))
        samples['backupops_gate_run_timestamp_seconds'].append((_labels(tenant=host), _epoch(checked_at, written)))
    lines = []
    for name, help_text in METRICS:
        lines.extend(['# HELP %s %s' % (name, help_text), '# TYPE %s gauge' % name])
        lines.extend('%s%s %s' % (name, labels, _number(value)) for labels, value in samples[name])
    return '\n'.join(lines) + '\n'
