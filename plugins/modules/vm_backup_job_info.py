#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: vm_backup_job_info
short_description: List the jobs of AvePoint Cloud Backup for IaaS + PaaS
version_added: 0.1.0
description:
  - Reads the job reports of AvePoint Cloud Backup for IaaS + PaaS (Azure VMs, Entra ID, Azure Storage,
    Amazon EC2 and S3, SQL, Google Cloud and the rest) from the AvePoint Graph API (C(GET /backup/vm/jobs)),
    every page of them, and summarises them.
  - Needs the permission C(PlatformBackup.ReadWrite.All) (scope V(platformbackup.readwrite.all)) on the app
    registration; AvePoint offers no read-only permission for this API.
author:
  - backupops.jobs maintainers (@backupops)
options:
  search_text:
    description:
      - List only jobs whose ID or description contains this text (without regard to case).
      - It names a set of jobs, not one object - V(sql01) also matches C(sql010) and a job whose description
        mentions C(sql01) - so prefer O(service_type) and O(job_type) to name what must be backed up. Each job
        returned is checked to contain the text in its ID or C(comments).
    type: str
  service_type:
    description:
      - List only the jobs of this service, by name or by the API's integer code, for example
        V(azure_virtual_machine) (1), V(entra_id) (2), V(azure_storage) (4), V(amazon_ec2) (256),
        V(azure_devops) (1024), V(azure_sql_backup) (2048), V(google_cloud_platform) (8192),
        V(sql_server) (20000), V(vmware) (21000), V(azure_cosmos_database) (24000),
        V(azure_postgresql) (25000), V(amazon_s3) (26000), V(entra_external_id) (27000).
      - An unknown name fails with the full list of names.
    type: str
  job_type:
    description:
      - List only jobs of this type, by name or integer code, for example V(azure_vm_backup) (1),
        V(azure_vm_restore) (2), V(entra_id_backup) (128), V(azure_storage_backup) (1024),
        V(amazon_ec2_backup) (20009), V(azure_sql_database_backup) (20016), V(sql_server_backup) (60000),
        V(amazon_s3_backup) (90110).
      - An unknown name fails with the full list of names.
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
  - The outcome of a job follows its status - V(successful) is V(success), V(exception) (finished with
    exceptions) is V(warning), V(failed) is V(failed), V(in_progress) is V(running), V(not_started)
    and V(waiting) are V(queued), V(stopped) is V(stopped), V(skipped) is V(skipped). A status AvePoint
    adds later is passed through with outcome V(unknown).
  - Pages are followed through the skip token the API returns as C(nextLink); if a page has none while
    the total says more jobs exist, the module asks for the next C(pageNumber).
  - The 2024 version of the API page called the status C(state); both spellings are read.
seealso:
  - module: backupops.jobs.dynamics_backup_job_info
  - module: backupops.jobs.google_backup_job_info
  - name: AvePoint Graph API - Cloud Backup for IaaS + PaaS jobs
    description: The vendor's description of the endpoint.
    link: https://learn.avepoint.com/docs/services-and-features/iaas-paas/iaas-paas.html
'''

EXAMPLES = r'''
- name: List the Azure VM backup jobs of the last 24 hours
  backupops.jobs.vm_backup_job_info:
    region: us
    client_id: "{{ avepoint_client_id }}"
    client_secret: "{{ avepoint_client_secret }}"
    service_type: azure_virtual_machine
    job_type: azure_vm_backup
    start_time: 24h
  register: vm_jobs

- name: Show how long ago the last successful VM backup finished
  ansible.builtin.debug:
    msg: "Last success {{ vm_jobs.summary.hours_since_success }} h ago, {{ vm_jobs.summary.by_outcome.failed }} failed"

- name: Count a week of Azure VM backups by outcome, without carrying every job to the play
  backupops.jobs.vm_backup_job_info:
    region: us
    client_id: "{{ avepoint_client_id }}"
    client_secret: "{{ avepoint_client_secret }}"
    job_type: azure_vm_backup
    start_time: 7d
    summary_only: true
  register: vm_week

- name: Show the week's failures
  ansible.builtin.debug:
    msg: "{{ vm_week.summary.by_outcome.failed }} of {{ vm_week.total_count }} VM backups failed this week"

- name: Find the jobs of one job ID, with connection options from module_defaults
  module_defaults:
    group/backupops.jobs.avepoint:
      region: ne
      client_id: "{{ avepoint_client_id }}"
      client_secret: "{{ avepoint_client_secret }}"
  backupops.jobs.vm_backup_job_info:
    search_text: FB20241027081716326
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
      sample: FB20241027081716326
    kind:
      version_added: 0.2.0
      description:
        - What the run did - V(backup), V(restore), V(copy), V(export), V(deletion) or V(other).
        - Here from C(job_type) - V(backup) for every C(*_backup) type; V(restore) for every C(*_restore) type;
          V(export) for the C(*_export) types; V(deletion) for data retention (64) and data deletion (30003);
          V(other) for index generation (33, 20024), AWS platform configurations job (40001) and any type this
          collection does not know.
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
    job_id:
      description: Unique ID of the job, as the API sent it.
      type: str
      sample: FB20241027081716326
    job_type:
      description: Job type code.
      type: int
      sample: 1
    job_type_name:
      description: Job type name, or null for a code this collection does not know.
      type: str
      sample: azure_vm_backup
    status:
      description: Status code as the API sent it (C(state) in the 2024 version of the API page).
      type: int
      sample: 2
    status_name:
      description: Status name, or null for a code this collection does not know.
      type: str
      sample: successful
    duration_text:
      version_added: 0.2.0
      description: Duration as the API writes it (its C(duration)), C([days.]hours:minutes:seconds).
      type: str
      sample: "00:04:02"
    successful_object_count:
      version_added: 0.2.0
      description: Objects backed up (the API's C(successfulCount)).
      type: int
      sample: 10
    failed_object_count:
      version_added: 0.2.0
      description: Objects that failed (the API's C(failedCount)).
      type: int
      sample: 0
    skipped_object_count:
      version_added: 0.2.0
      description: Objects skipped (the API's C(skippedCount)).
      type: int
      sample: 35
    total_object_count:
      version_added: 0.2.0
      description: Objects in the job (the API's C(totalCount) of the job, not the listing's RV(total_count)).
      type: int
      sample: 45
    comments:
      description: Comments of the job.
      type: str
      sample: ""
total_count:
  description:
    - The number of jobs the API reported for the query.
    - With O(summary_only), the number of jobs listed and summarised (C(summary.count)).
  returned: success
  type: int
  sample: 51
'''

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import VM
from ansible_collections.backupops.jobs.plugins.module_utils._module import AvePointJobModule


def main():
    module = AvePointJobModule(VM, argument_spec=dict(
        search_text=dict(type='str'),
        service_type=dict(type='str'),
        job_type=dict(type='str'),
        start_time=dict(type='str'),
        finish_time=dict(type='str'),
    ))
    module.run()


if __name__ == '__main__':
    main()
