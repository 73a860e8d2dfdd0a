# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_gate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError


def gate_checks(checks, max_age_hours=24):
    """The backup gate's checks, complete and validated, or an error naming the check, the field and the value."""
    try:
        return check_gate_checks(checks, max_age_hours)
    except OptionError as error:
        raise AnsibleFilterError(error.msg)


class FilterModule:
    def filters(self):
        return {'gate_checks': gate_checks}
