# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The time window of a job listing, for the APIs where it is optional.
    DOCUMENTATION = r'''
options:
  start_time:
    description:
      - List jobs from this time on. An ISO 8601 time (V(2026-11-24T06:00:00Z); without a zone it is
        UTC) or an age before now, a number and one of V(s), V(m), V(h), V(d), V(w), such as V(30m),
        V(24h), V(7d) or V(2w).
      - Sent to the API in whole seconds; which time of the job (start or finish) the API compares is
        not documented.
    type: str
  finish_time:
    description:
      - List jobs up to this time; the same formats as O(start_time). Must not be before O(start_time).
    type: str
'''
