# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
name: gate_checks
version_added: 0.2.0
short_description: The checks of the backup gate, validated before any request
description:
  - Returns the checks of the P(backupops.jobs.backup_gate#role) role complete - each with C(name), C(source),
    C(filters), C(max_age_hours), C(accept) and C(min_successes) - or fails with a message naming the check,
    the field and the bad value. Use it with C(query), which returns the list as it is.
  - A check without filters (C(filters) absent, null or V({})) covers every backup job of its source; the gate's
    reason for it starts with what it covered (such as C(every IaaS + PaaS backup job of the tenant)).
  - Refuses what would make a check look at something else than it names - a filter whose value is empty or null
    (a module would read it as no filter at all), a filter its source does not take, a C(job_type) that is not a
    backup (a restore, export or deletion job never proves a backup), C(job_id) together with C(job_name), two
    checks of the same name.
  - Refuses an age that is not a finite number of hours above 0 and at most 8760 (a year), an C(accept) outside
    C(success) and C(warning), and a C(min_successes) that is not a whole number from 1. A single outcome given
    as a string is read as a list of one.
  - Refuses extra vars (C(-e)) named C(backup_gate_*) other than the role's inputs, since extra vars outrank
    what the role sets and would replace its working state.
author:
  - backupops.jobs maintainers (@backupops)
options:
  _terms:
    description: The checks, as the role's C(backup_gate_checks) takes them.
    type: list
    elements: dict
    required: true
  max_age_hours:
    description:
      - The maximum age of a check that does not give its own, a number of hours above 0 and at most 8760 (a year).
      - Refused, naming the value, when it is not one.
    type: raw
    default: 24
'''

EXAMPLES = r'''
- name: Refuse a restore job as the proof of a backup, before anything is listed
  ansible.builtin.set_fact:
    checks: "{{ query('backupops.jobs.gate_checks', my_checks, max_age_hours=24) }}"
  vars:
    my_checks:
      - name: Azure VMs
        source: vm
        filters: {service_type: azure_virtual_machine, job_type: azure_vm_backup}
'''

RETURN = r'''
_raw:
  description: The checks, each with every field filled in.
  type: list
  elements: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.vars import load_extra_vars

from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_extra_vars, check_gate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        # query() and lookup() flatten a list given as the only term: take the checks as they were given.
        checks = terms[0] if len(terms) == 1 and isinstance(terms[0], list) else terms
        try:
            check_extra_vars(load_extra_vars(self._loader))
            return check_gate_checks(checks, self.get_option('max_age_hours'))
        except OptionError as error:
            raise AnsibleLookupError(error.msg)
