#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: google_backup_job_info
short_description: List the jobs of AvePoint Cloud Backup for Google Workspace
version_added: 0.1.0
description:
  - Reads the job reports of AvePoint Cloud Backup for Google Workspace from the AvePoint Graph API
    (C(GET /backup/google/admin/jobs)), every page of them, and summarises them.
  - Needs the permission V(gsuite.graph.read.all) on the app registration.
author:
  - backupops.jobs maintainers (@backupops)
options:
  data_source:
    description:
      - Where the jobs were started, by name or integer code - V(admin) (1), the Cloud Backup admin
        portal, or V(recenter) (2), the self-service portal. The API lists V(admin) when it is not set.
    type: str
  app_type:
    description:
      - List only the jobs of this service, by name or integer code. Names are V(gmail) (1), V(drive) (2),
        V(calendar) (4), V(contacts) (8), V(shared_drives) (64), V(classroom) (128), V(users) (256),
        V(groups) (512), V(chat) (4096), V(gmail_vault) (8192), V(drive_vault) (16384),
        V(shared_drives_vault) (32768).
    type: str
  job_type:
    description:
      - List only jobs of this type, by name or integer code. Names are V(backup) (1), V(restore) (2),
        V(export) (3), V(delete) (4), V(retention) (5), V(generate_report) (6).
    type: str
  job_status:
    description:
      - List only jobs in this status, by name or integer code. Names are V(in_progress) (0),
        V(finished) (2), V(failed) (3), V(finished_with_exception) (7).
      - The vendor's parameter table names the query parameter C(jobStatus) and its sample request sends
        C(status), so both are sent; the status of every job returned is checked again either way.
    type: str
extends_documentation_fragment:
  - backupops.jobs.time_window
  - backupops.jobs.avepoint
  - backupops.jobs.paging
  - backupops.jobs.records
  - backupops.jobs.listing
  - backupops.jobs.attributes
  - backupops.jobs.attributes.action_group_avepoint
notes:
  - The outcome of a job follows its status - V(finished) is V(success), V(finished_with_exception) is
    V(warning), V(failed) is V(failed), V(in_progress) is V(running). A status AvePoint adds later is
    passed through with outcome V(unknown).
  - The API gives no total. Pages are read from C(pageIndex) 0 until one comes back with fewer jobs than
    O(page_size) and no C(nextLink), or empty; so no C(total_count) is returned.
seealso:
  - module: backupops.jobs.dynamics_backup_job_info
  - module: backupops.jobs.vm_backup_job_info
  - name: AvePoint Graph API - Cloud Backup for Google Workspace jobs
    description: The vendor's description of the endpoint.
    link: https://learn.avepoint.com/docs/services-and-features/google/google.html
'''

EXAMPLES = r'''
- name: List the Gmail backup jobs of the last two days
  backupops.jobs.google_backup_job_info:
    region: gcp-us
    client_id: "{{ avepoint_client_id }}"
    client_secret: "{{ avepoint_client_secret }}"
    app_type: gmail
    job_type: backup
    start_time: 2d
  register: gmail

- name: Show the outcome counts
  ansible.builtin.debug:
    var: gmail.summary.by_outcome

- name: List failed Drive jobs started from the self-service portal in a fixed window
  backupops.jobs.google_backup_job_info:
    region: gcp-us
    client_id: "{{ avepoint_client_id }}"
    client_secret: "{{ avepoint_client_secret }}"
    data_source: recenter
    app_type: drive
    job_status: failed
    start_time: "2026-11-01T00:00:00Z"
    finish_time: "2026-11-08T00:00:00Z"
'''

RETURN = r'''
extends_documentation_fragment:
  - backupops.jobs.summary
jobs:
  description:
    - The jobs, newest first as the API sends them, each once.
    - Each carries the common keys of every module's records (see the notes) and the API's own keys in snake_case;
      every key the API sends is returned.
  returned: success, unless O(summary_only)
  type: list
  elements: dict
  contains:
    id:
      version_added: 0.2.0
      description: This run's ID as a string - an AvePoint job's job ID, a VB365 session's ID.
      type: str
      sample: GDIG20241009053431
    kind:
      version_added: 0.2.0
      description:
        - What the run did - V(backup), V(restore), V(copy), V(export), V(deletion) or V(other).
        - Here from C(job_type) - V(backup) (1), V(restore) (2), V(export) (3), V(deletion) for delete (4) and
          retention (5), V(other) for generate report (6) and any type this collection does not know.
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
      sample: "2024-10-09T05:34:31Z"
    finish_time:
      description: When the run ended, ISO 8601 in UTC, whole seconds; null while it runs.
      type: str
      sample: "2024-10-09T05:50:36Z"
    duration_seconds:
      version_added: 0.2.0
      description:
        - How long the run took, in whole seconds - the API's own duration where it gives one, else finish minus
          start; null when unknown (still running, or a time the API wrote unreadably).
      type: int
      sample: 965
    job_id:
      description: Unique ID of the job, as the API sent it.
      type: str
      sample: GDIG20241009053431
    app_type:
      description: Service code.
      type: int
      sample: 1
    app_type_name:
      description: Service name, or null for a code this collection does not know.
      type: str
      sample: gmail
    job_type:
      description: Job type code.
      type: int
      sample: 1
    job_type_name:
      description: Job type name, or null for a code this collection does not know.
      type: str
      sample: backup
    data_source:
      description: Data source code.
      type: int
      sample: 1
    data_source_name:
      description: Data source name.
      type: str
      sample: admin
    status:
      description: Status code as the API sent it.
      type: int
      sample: 2
    status_name:
      description: Status name, or null for a code this collection does not know.
      type: str
      sample: finished
    progress:
      description: Percentage of the job done.
      type: float
      sample: 100.0
    operator:
      description: Who ran the job.
      type: str
      sample: System
total_count:
  version_added: 0.2.0
  description:
    - With O(summary_only), the number of jobs listed and summarised (C(summary.count)).
    - The API gives no total, so without O(summary_only) none is returned.
  returned: when O(summary_only) is true
  type: int
  sample: 96
'''

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import GOOGLE
from ansible_collections.backupops.jobs.plugins.module_utils._module import AvePointJobModule


def main():
    module = AvePointJobModule(GOOGLE, argument_spec=dict(
        data_source=dict(type='str'),
        app_type=dict(type='str'),
        job_type=dict(type='str'),
        job_status=dict(type='str'),
        start_time=dict(type='str'),
        finish_time=dict(type='str'),
    ))
    module.run()


if __name__ == '__main__':
    main()
