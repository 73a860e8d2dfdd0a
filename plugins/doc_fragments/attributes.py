# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # What every module of the collection is: read-only, so check mode changes nothing.
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the same result as without it.
    support: full
    details:
      - This module only reads, so it runs the same in check mode.
  diff_mode:
    description: Returns details on what has changed (or would change in check mode).
    support: none
    details:
      - This module never changes anything.
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
'''

    ACTION_GROUP_AVEPOINT = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/backupops.jobs.avepoint) or C(group/backupops.jobs.all) in C(module_defaults)
      to set the connection options of every module of the group once.
    support: full
    membership:
      - backupops.jobs.avepoint
      - backupops.jobs.all
'''

    ACTION_GROUP_VB365 = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/backupops.jobs.vb365) or C(group/backupops.jobs.all) in C(module_defaults)
      to set the connection options of every module of the group once.
    support: full
    membership:
      - backupops.jobs.vb365
      - backupops.jobs.all
'''
