# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filters gate_junit and gate_markdown: the backup gate's verdicts of every host as JUnit XML and Markdown."""

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.jobs.plugins.plugin_utils._gate_reports import (
    ReportInputError,
    junit_report,
    markdown_report,
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


class FilterModule:
    def filters(self):
        return {'gate_junit': gate_junit, 'gate_markdown': gate_markdown}
