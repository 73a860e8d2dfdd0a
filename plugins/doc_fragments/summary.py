# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The summary every module returns beside its list of jobs or sessions.
    DOCUMENTATION = r'''
options: {}
'''

    RETURN = r'''
limited:
  version_added: 0.2.0
  description:
    - Whether the module's C(limit) option, where it has one, left records out - more matched than were returned. A
      limit is what was asked for, so it is said here and not as a warning; false without a limit.
  returned: success
  type: bool
  sample: false
summary:
  description: What the jobs (or sessions) say about backup health.
  returned: success
  type: dict
  contains:
    count:
      description: Number of jobs or sessions returned.
      type: int
      sample: 20
    by_outcome:
      description: Number of jobs or sessions per outcome, of every kind (backups, restores, copies...); every outcome is present.
      type: dict
      sample: {success: 18, warning: 1, failed: 1, running: 0, queued: 0, stopped: 0, skipped: 0, unknown: 0}
    latest:
      description: The job or session that started last, or null when there is none.
      type: dict
    latest_success:
      description:
        - The successful backup job or session (kind V(backup)) that finished last, or null when there is none.
          A restore, copy, export or deletion that succeeded is never a latest success.
        - One claiming to finish in the future is not counted; the module warns about it.
      type: dict
    hours_since_success:
      description: Hours from the finish of RV(summary.latest_success) to now, to a tenth (as the gate says an age), or null.
      type: float
      sample: 3.2
'''
