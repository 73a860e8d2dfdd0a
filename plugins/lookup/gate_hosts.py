# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
name: gate_hosts
version_added: 0.2.0
short_description: The hosts the backup gate must judge, or an error when there are none
description:
  - Returns the host pattern it is given, after checking that the pattern, with the C(--limit) of the run,
    matches at least one inventory host, that the run's C(--skip-tags) do not skip the gate, that it does not
    C(--start-at-task) (which could start past the gate, or nowhere), and that no extra var (C(-e)) named
    C(backup_gate_*) other than the role's inputs would replace the gate's working state.
  - Made for the C(hosts) keyword of a play that runs the P(backupops.jobs.backup_gate#role) role, where
    ansible-playbook would otherwise skip a play whose pattern matches nothing and exit 0, which a pipeline
    reads as "the change may start". An error here ends the run before any play, with exit code 4 and a
    message that starts with C(BACKUP GATE NO VERDICT), the closing word of the P(backupops.jobs.gate#callback)
    callback for a run without a verdict.
author:
  - backupops.jobs maintainers (@backupops)
options:
  _terms:
    description: The host pattern, one term.
    type: list
    elements: str
    required: true
  skip_tags:
    description: Tags that must not be skipped, since the gate's tasks carry them (C(tagged) skips every tagged task).
    type: list
    elements: str
    default: [always, backup_gate, tagged]
'''

EXAMPLES = r'''
- name: Pre-change backup check
  hosts: "{{ lookup('backupops.jobs.gate_hosts', backup_gate_hosts | default('localhost')) }}"
  gather_facts: false
  roles:
    - role: backupops.jobs.backup_gate
      tags: [always, backup_gate]
'''

RETURN = r'''
_raw:
  description: The pattern, unchanged, for the C(hosts) keyword.
  type: list
  elements: str
'''

from ansible import context
from ansible.errors import AnsibleError, AnsibleLookupError, AnsibleParserError
from ansible.inventory.manager import InventoryManager
from ansible.plugins.lookup import LookupBase
from ansible.utils.vars import load_extra_vars

from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_extra_vars
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError


class NoVerdict(AnsibleLookupError, AnsibleParserError):
    """No host for the gate to judge. ansible-core 2.19 and later exit with code 4 for any error of a play's hosts
    keyword; older ones exit 4 only for a parser error, 1 for others. So a run without a verdict exits 4 on each."""

    def __init__(self, message):
        super(NoVerdict, self).__init__('BACKUP GATE NO VERDICT: %s' % message)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if len(terms) != 1 or not isinstance(terms[0], str) or not terms[0].strip():
            raise AnsibleLookupError('gate_hosts: give one host pattern, not %r' % (terms,))
        pattern = terms[0]
        variables = variables or {}
        skipped = sorted(set(variables.get('ansible_skip_tags') or ()) & set(self.get_option('skip_tags')))
        if skipped:
            raise NoVerdict('the backup gate cannot be skipped: --skip-tags %s would skip it, so no verdict '
                            'would be given; nothing was checked' % ','.join(skipped))
        if context.CLIARGS.get('start_at_task'):
            raise NoVerdict('the backup gate cannot start at a task (--start-at-task %s): it could start past '
                            'the gate or at no task at all, so no verdict would be given; nothing was checked'
                            % context.CLIARGS['start_at_task'])
        try:
            check_extra_vars(load_extra_vars(self._loader))
        except OptionError as error:
            raise NoVerdict(error.msg)
        # The inventory as the play sees it (not yet narrowed by --limit), rebuilt as the inventory_hostnames lookup does.
        manager = InventoryManager(self._loader, parse=False)
        for group, hosts in (variables.get('groups') or {}).items():
            manager.add_group(group)
            for host in hosts:
                manager.add_host(host, group=group)
        limit = variables.get('ansible_limit')
        try:
            matched = [host.name for host in manager.get_hosts(pattern=pattern)]
            if limit:
                manager.subset(limit)
                limited = [host.name for host in manager.get_hosts(pattern=pattern)]
            else:
                limited = matched
        except AnsibleError as error:
            raise NoVerdict('the backup gate host pattern %r cannot be read: %s' % (pattern, error))
        if not matched:
            raise NoVerdict('the backup gate host pattern %r matches no inventory host (groups: %s), so no '
                            'verdict would be given; nothing was checked'
                            % (pattern, ', '.join(sorted(variables.get('groups') or {})) or 'none'))
        if not limited:
            raise NoVerdict('--limit %s leaves none of the %d hosts of %r for the backup gate, so no verdict '
                            'would be given; nothing was checked' % (limit, len(matched), pattern))
        return [pattern]
