# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup gate's verdicts as the files CI systems show natively: JUnit XML and a Markdown summary, rendered
by the filters gate_junit and gate_markdown.

FOR INTERNAL COLLECTION USE ONLY: the plugin_utils of backupops.jobs are private to the collection and may
change in any release, even a bugfix one. Do not import them from other content.

Both take {host: backup_gate_result} for every host of the play; a host without a result (the gate failed before
its verdicts) shows as an error, never as a pass. Plain Python with no controller import, so that the tests of
the modules, which run them in-process, can share a process with these.
"""

import re
from collections.abc import Mapping
from xml.etree import ElementTree

from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable

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
MARKDOWN_RESULT = {'pass': 'ok', 'failure': 'FAIL', 'error': 'ERROR'}
# The figures of one check, in the order people read them; each becomes a property and a line of the output.
FIGURES = ('jobs_considered', 'hours_since_success', 'max_age_hours', 'accept', 'min_successes')


def _is_true(value):
    """Whether a verdict says passed: True, or the string 'True' an older templating may leave; nothing else."""
    return value is True or (isinstance(value, str) and value.strip().lower() == 'true')


def _text(value):
    if value is None:
        return ''
    if isinstance(value, (list, tuple)):
        return ', '.join(_text(item) for item in value)
    return str(value)


def _check_state(check):
    """'error' (its listing failed), 'failure' (it does not pass) or 'pass'."""
    if check.get('error'):
        return 'error'
    return 'pass' if _is_true(check.get('passed')) else 'failure'


def _latest(check):
    latest = check.get('latest_success')
    if not isinstance(latest, Mapping) or not latest.get('id'):
        return ''
    return '%s (%s, %s)' % (_text(latest.get('id')), _text(latest.get('outcome')), _text(latest.get('finish_time')))


class ReportInputError(ValueError):
    """Input that is not {host: backup_gate_result}."""


def _tenants(results):
    """[(host, passed, [check, ...] or None)] from {host: backup_gate_result}; None where a host has no result."""
    if not isinstance(results, Mapping):
        # Templating hands over its own subclasses (_AnsibleLazyTemplateList); a person knows a list.
        kind = next((name for name, kind in (('list', (list, tuple)), ('str', str)) if isinstance(results, kind)),
                    type(results).__name__)
        raise ReportInputError('the input must be a mapping of host: backup_gate_result, got the %s %r'
                               % (kind, results))
    tenants = []
    for host, result in results.items():
        if not isinstance(result, Mapping) or not isinstance(result.get('checks'), (list, tuple)):
            tenants.append((str(host), False, None))
            continue
        checks = [check for check in result['checks'] if isinstance(check, Mapping)]
        passed = _is_true(result.get('passed')) and bool(checks) and all(
            _check_state(check) == 'pass' for check in checks)
        tenants.append((str(host), passed, checks))
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


def _figures_text(check):
    lines = ['reason: %s' % _text(check.get('reason'))]
    latest = _latest(check)
    if latest:
        lines.append('latest_success: %s' % latest)
    lines.extend('%s: %s' % (figure, _text(check[figure])) for figure in FIGURES if check.get(figure) is not None)
    if check.get('error'):
        lines.append('error: %s' % _text(check['error']))
    return '\n'.join(lines)


def junit_report(results):
    """JUnit XML of the gate: one testsuite per host, one testcase per check (failure: the gate's reason; error:
    the listing's error), each check's figures as the suite's properties and the case's system-out."""
    suites = ElementTree.Element('testsuites', name='backup gate')
    totals = dict(tests=0, failures=0, errors=0)
    for host, passed, checks in _tenants(results):
        if checks is None:
            cases = [(dict(name='backup gate'), 'error', 'no_verdict', NO_VERDICT)]
        elif not checks:
            cases = [(dict(name='backup gate'), 'failure', 'backup_gate', NO_CHECKS)]
        else:
            cases = [(check, _check_state(check), 'listing_error' if check.get('error') else 'backup_gate',
                      check.get('error') or check.get('reason')) for check in checks]
        counts = dict(tests=len(cases), failures=sum(1 for case in cases if case[1] == 'failure'),
                      errors=sum(1 for case in cases if case[1] == 'error'))
        suite = _element(suites, 'testsuite', name=host, hostname=host, **counts)
        properties = _element(suite, 'properties')
        _element(properties, 'property', name='gate_passed', value=str(passed).lower())
        for check in checks or []:
            if _latest(check):
                _element(properties, 'property', name='%s: latest_success' % _text(check.get('name')),
                         value=_latest(check))
            for figure in FIGURES:
                if check.get(figure) is not None:
                    _element(properties, 'property', name='%s: %s' % (_text(check.get('name')), figure),
                             value=check[figure])
        for check, state, kind, message in cases:
            case = _element(suite, 'testcase', name=check.get('name'), classname=host)
            if state != 'pass':
                _element(case, state, text=message, message=message, type=kind)
            if check.get('source'):
                _element(case, 'system-out', text='source: %s\n%s' % (_text(check['source']), _figures_text(check)))
        for name in totals:
            totals[name] += counts[name]
    for name, value in totals.items():
        suites.set(name, str(value))
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
    """A Markdown summary of the gate: the overall verdict, then per host its verdict and a table of its checks."""
    tenants = _tenants(results)
    passed = bool(tenants) and all(tenant[1] for tenant in tenants)
    lines = ['# Backup gate: %s' % _verdict(passed), '']
    if not tenants:
        lines.extend(['No host was judged.', ''])
    for host, host_passed, checks in tenants:
        lines.extend(['## %s: %s' % (markdown_text(host), _verdict(host_passed)), ''])
        if checks is None or not checks:
            lines.extend([markdown_text(NO_VERDICT if checks is None else NO_CHECKS), ''])
            continue
        lines.extend(['| Result | Check | Source | Reason | Newest accepted job | Hours since | Jobs in window |',
                      '| --- | --- | --- | --- | --- | ---: | ---: |'])
        for check in checks:
            state = _check_state(check)
            reason = check.get('reason')
            if state == 'error' and check['error'] not in _text(reason):
                reason = '%s (%s)' % (_text(reason), _text(check['error']))
            lines.append('| %s |' % ' | '.join(markdown_text(value) for value in (
                MARKDOWN_RESULT[state], check.get('name'), check.get('source'),
                reason, _latest(check), check.get('hours_since_success'), check.get('jobs_considered'))))
        lines.append('')
    return '\n'.join(lines)
