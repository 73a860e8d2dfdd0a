# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper, not part of the collection: return the records of a JSON file as a module result.

scripts/bench.py runs it to measure what Ansible itself costs to carry a module's result of N records
(AnsibleModule's scrubbing of no_log values, JSON, the controller's handling), without any API call.
"""

import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type='path', required=True),
                                              key=dict(type='str', required=True),
                                              secret=dict(type='str', no_log=True)))
    with open(module.params['path']) as handle:
        records = json.load(handle)
    module.exit_json(changed=False, **{module.params['key']: records})


if __name__ == '__main__':
    main()
