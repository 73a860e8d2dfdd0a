# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filters gate_junit, gate_markdown and gate_prometheus: the backup gate's verdicts of every host as JUnit XML,
Markdown and Prometheus metrics; gate_table: one host's verdicts as the role prints them; gate_passed and
check_passed: the gate's one rule of whether a result, or one check of it, passed."""

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.jobs.plugins.module_utils import _gate
from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import (
    ReportInputError,
    gate_table as table_lines,
    junit_report,
    markdown_report,
    prometheus_text,
)


def gate_junit(results):
    """JUnit XML of {host: backup_gate_result}: a testsuite per host, a testcase per check."""
    try:
        return junit_report(results)
    except ReportInputError as error:
        raise AnsibleFilterError('gate_junit: %s' % error)


def gate_markdown(results):
    """A Markdown summary of {host: backup_gate_result}: the verdict, then a table per host."""
    try:
        return markdown_report(results)
    except ReportInputError as error:
        raise AnsibleFilterError('gate_markdown: %s' % error)


def gate_prometheus(results):
    """The verdicts of {host: backup_gate_result} in the Prometheus text format, for node_exporter's textfile collector."""
    try:
        return prometheus_text(results)
    except ReportInputError as error:
        raise AnsibleFilterError('gate_prometheus: %s' % error)


def gate_table(result):
    """The lines the role prints of one backup_gate_result: the headline, then a row per check."""
    try:
        return table_lines(result)
    except ReportInputError as error:
        raise AnsibleFilterError('gate_table: %s' % error)


def gate_passed(result):
    """Whether a backup_gate_result (or the registered result of backup_gate_info) passed: True or False."""
    return _gate.gate_passed(result)


def check_passed(check):
    """Whether one check of a backup_gate_result passed: True or False."""
    return _gate.check_passed(check)


class FilterModule:
    def filters(self):
        return {'gate_junit': gate_junit, 'gate_markdown': gate_markdown, 'gate_prometheus': gate_prometheus,
                'gate_table': gate_table, 'gate_passed': gate_passed, 'check_passed': check_passed}
