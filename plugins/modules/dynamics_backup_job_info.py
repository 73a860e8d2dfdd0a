#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: dynamics_backup_job_info
short_description: List the jobs of AvePoint Cloud Backup for Dynamics 365
version_added: 0.1.0
description:
  - Reads the job reports of AvePoint Cloud Backup for Dynamics 365 from the AvePoint Graph API
    (C(GET /dynamicsbackup/jobs)) for a time window, every page of them, and summarises them - how many
    ended in which outcome, the newest job, the newest successful one and how many hours ago it finished.
  - The API requires a job type and a window, so O(job_type) and O(start_time) have defaults.
  - Needs the permission C(Dynamics.ReadWrite.All) (scope V(dynamics.readwrite.all)) on the app
    registration; AvePoint offers no read-only permission for this API.
author:
  - backupops.jobs maintainers (@backupops)
options:
  job_type:
    description:
      - The type of job to list, by name or by the API's integer code. V(all) lists every type.
      - Names are V(all) (0), V(backup) (1), V(restore) (2), V(dryrun) (4), V(retention) (8),
        V(audit_backup) (16), V(export) (32).
    type: str
    default: backup
  status:
    description:
      - List only jobs in this status, by name or integer code. Names are V(in_progress) (2),
        V(finished) (3), V(failed) (4), V(finished_with_exception) (7).
    type: str
  organization_id:
    description:
      - List only the jobs of this Dynamics 365 organization (environment), by its GUID.
    type: str
  start_time:
    description:
      - List jobs from this time on. An ISO 8601 time (V(2026-11-24T06:00:00Z); without a zone it is
        UTC) or an age before now, a number and one of V(s), V(m), V(h), V(d), V(w), such as V(30m),
        V(24h), V(7d) or V(2w).
    type: str
    default: 7d
  finish_time:
    description:
      - List jobs up to this time; the same formats as O(start_time). Defaults to now.
    type: str
notes:
  - The outcome of a job follows its status - V(finished) is V(success), V(finished_with_exception) is
    V(warning), V(failed) is V(failed), V(in_progress) is V(running). A status AvePoint adds later is
    passed through with outcome V(unknown).
  - Older versions of the API page named the list C(result) and the total C(totalNumber); both
    spellings are read.
seealso:
  - module: backupops.jobs.vm_backup_job_info
  - module: backupops.jobs.google_backup_job_info
  - name: AvePoint Graph API - Cloud Backup for Dynamics 365 jobs
    description: The vendor's description of the endpoint.
    link: https://learn.avepoint.com/docs/services-and-features/d365/d365.html
extends_documentation_fragment:
  - backupops.jobs.avepoint
  - backupops.jobs.paging
  - backupops.jobs.records
  - backupops.jobs.listing
  - backupops.jobs.attributes
  - backupops.jobs.attributes.action_group_avepoint
'''

EXAMPLES = r'''
- name: List the Dynamics 365 backup jobs of the last 24 hours
  backupops.jobs.dynamics_backup_job_info:
    region: us
    client_id: "{{ avepoint_client_id }}"
    client_secret: "{{ avepoint_client_secret }}"
    start_time: 24h
  register: dynamics

- name: Fail unless one organization has a successful backup in the last 24 hours
  ansible.builtin.assert:
    that:
      - dynamics.summary.hours_since_success is not none
      - dynamics.summary.hours_since_success < 24
    fail_msg: "No successful Dynamics 365 backup in the last 24 hours"

- name: List the failed jobs of one organization last week, authenticating with a certificate
  backupops.jobs.dynamics_backup_job_info:
    api_url: https://graph-ne.avepointonlineservices.com
    client_id: "{{ avepoint_client_id }}"
    certificate_path: /etc/backupops/avepoint.crt
    private_key_path: /etc/backupops/avepoint.key
    organization_id: 69cb1ecc-f8e8-439b-8077-a4b7fd45e87f
    status: failed
    start_time: 2w
    finish_time: 1w
'''

RETURN = r'''
extends_documentation_fragment:
  - backupops.jobs.summary
jobs:
  description:
    - The jobs in the window, newest first as the API sends them, each once.
    - Each carries the common keys of every module's records (see the notes) and the API's own keys in snake_case;
      every key the API sends is returned, including ones added after this collection was written.
  returned: success, unless O(summary_only)
  type: list
  elements: dict
  contains:
    id:
      version_added: 0.2.0
      description: This run's ID as a string - an AvePoint job's job ID, a VB365 session's ID.
      type: str
      sample: DCIB2022081903124382222110
    kind:
      version_added: 0.2.0
      description:
        - What the run did - V(backup), V(restore), V(copy), V(export), V(deletion) or V(other).
        - Here from C(job_type) - V(backup) (1); V(restore) (2); V(deletion) for retention (8); V(export) (32);
          V(other) for a dry run (4), an audit-log backup (16), which copies the audit log and not the
          organization's data, and any type this collection does not know.
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
      sample: "2022-08-19T03:12:43Z"
    finish_time:
      description: When the run ended, ISO 8601 in UTC, whole seconds; null while it runs.
      type: str
      sample: "2022-08-19T03:13:46Z"
    duration_seconds:
      version_added: 0.2.0
      description:
        - How long the run took, in whole seconds - the API's own duration where it gives one, else finish minus
          start; null when unknown (still running, or a time the API wrote unreadably).
      type: int
      sample: 63
    job_id:
      description: Unique ID of the job, as the API sent it.
      type: str
      sample: DCIB2022081903124382222110
    module:
      description: The Dynamics 365 module the job belongs to.
      type: str
      sample: Customer Engagement
    job_type:
      version_added: 0.2.0
      description: Job type code (the API's C(type)).
      type: int
      sample: 1
    job_type_name:
      version_added: 0.2.0
      description: Job type name, or null for a code this collection does not know.
      type: str
      sample: backup
    status:
      description: Status code as the API sent it.
      type: int
      sample: 3
    status_name:
      description: Status name, or null for a code this collection does not know.
      type: str
      sample: finished
    duration_hours:
      description: Duration in hours, as the API sent it.
      type: float
      sample: 0.0174
    successful_entity_count:
      version_added: 0.2.0
      description:
        - Entities (tables) backed up (the API's C(successfulEntity)). C(failed_entity_count),
          C(skipped_entity_count), C(warning_entity_count) and C(total_entity_count) count the others.
      type: int
      sample: 40
    successful_record_count:
      version_added: 0.2.0
      description:
        - Records backed up (the API's C(successfulRecord)). C(failed_record_count), C(skipped_record_count),
          C(warning_record_count) and C(total_record_count) count the others.
      type: int
      sample: 18000
    organization_id:
      description: GUID of the Dynamics 365 organization.
      type: str
      sample: 69cb1ecc-f8e8-439b-8077-a4b7fd45e87f
    organization_name:
      description: Name of the organization.
      type: str
      sample: contoso-prod
    backup_size:
      description: Size of the backup in bytes.
      type: int
      sample: 180832
total_count:
  description:
    - The number of jobs the API reported for the query.
    - With O(summary_only), the number of jobs listed and summarised (C(summary.count)).
  returned: success
  type: int
  sample: 20
'''

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import DYNAMICS
from ansible_collections.backupops.jobs.plugins.module_utils._module import AvePointJobModule


def main():
    module = AvePointJobModule(DYNAMICS, argument_spec=dict(
        job_type=dict(type='str', default='backup'),
        status=dict(type='str'),
        organization_id=dict(type='str'),
        start_time=dict(type='str', default='7d'),
        finish_time=dict(type='str'),
    ))
    module.run()


if __name__ == '__main__':
    main()
