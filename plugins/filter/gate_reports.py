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


def _filter(name, report):
    """The filter ``name`` of ``report``: its input refused with a message that names the filter."""
    def run(results):
        try:
            return report(results)
        except ReportInputError as error:
            raise AnsibleFilterError('%s: %s' % (name, error))
    return run


# {host: backup_gate_result} as JUnit XML (a testsuite per host, a testcase per check), as a Markdown summary (the
# verdict, then a table per host), in the Prometheus text format (for node_exporter's textfile collector); and one
# backup_gate_result as the lines the role prints (the headline, then a row per check).
REPORTS = dict(gate_junit=junit_report, gate_markdown=markdown_report, gate_prometheus=prometheus_text,
               gate_table=table_lines)


def gate_passed(result):
    """Whether a backup_gate_result (or the registered result of backup_gate_info) passed: True or False."""
    return _gate.gate_passed(result)


def check_passed(check):
    """Whether one check of a backup_gate_result passed: True or False."""
    return _gate.check_passed(check)


class FilterModule:
    def filters(self):
        filters = dict((name, _filter(name, report)) for name, report in REPORTS.items())
        filters.update(gate_passed=gate_passed, check_passed=check_passed)
        return filters
