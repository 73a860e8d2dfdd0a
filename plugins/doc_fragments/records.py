# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The record shape every listing module shares: the notes every module's DOCUMENTATION extends, and the
    # common keys of its RETURN. ansible-core merges a RETURN fragment one level deep (a module's own jobs or
    # sessions entry replaces the fragment's whole entry), so no fragment can add keys inside a module's list:
    # each module's RETURN repeats COMMON_KEYS under its list's contains, and
    # tests/unit/plugins/modules/test_record_shape.py holds every module to this text.
    DOCUMENTATION = r'''
options: {}
notes:
  - Every record (job or session) carries the same common keys beside the vendor's own - C(id), C(kind),
    C(outcome), C(start_time), C(finish_time) and C(duration_seconds) - so one expression reads the records of
    every module. Every time returned is ISO 8601 in UTC in whole seconds (V(2024-10-27T08:17:06Z)); a
    fraction the API sends is dropped, never rounded up.
  - The vendor's keys are returned in snake_case. A vendor key whose name would clash with a common key, with a
    key of the result, or with a key of the same name in another module is returned under another name - the
    job type is always C(job_type) (the Dynamics 365 API's C(type)); per-outcome counters are
    C(<outcome>_<what>_count) (C(successful_object_count), C(total_entity_count), ...), so the IaaS + PaaS
    job's own C(totalCount) of objects is C(total_object_count) and never the listing's C(total_count); the
    IaaS + PaaS C(duration) text is C(duration_text); VB365's C(jobWillBeRetried) is C(will_be_retried).
'''

    COMMON_KEYS = r'''
id:
  description: This run's ID as a string - an AvePoint job's job ID, a VB365 session's ID.
  type: str
  sample: FB20241027081716326
kind:
  description:
    - What the run did - V(backup), V(restore), V(copy), V(export), V(deletion) or V(other).
    - Only V(backup) counts as a backup, in C(summary.latest_success) and in the backup_gate role.
  type: str
  choices: [backup, restore, copy, export, deletion, other]
  sample: backup
outcome:
  description: The common outcome - success, warning, failed, running, queued, stopped, skipped or unknown.
  type: str
  sample: success
start_time:
  description: When the run began, ISO 8601 in UTC, whole seconds.
  type: str
  sample: "2024-10-27T08:17:06Z"
finish_time:
  description: When the run ended, ISO 8601 in UTC, whole seconds; null while it runs.
  type: str
  sample: "2024-10-27T08:21:08Z"
duration_seconds:
  description:
    - How long the run took, in whole seconds - the API's own duration where it gives one, else finish minus
      start; null when unknown (still running, or a time the API wrote unreadably).
  type: int
  sample: 242
'''
