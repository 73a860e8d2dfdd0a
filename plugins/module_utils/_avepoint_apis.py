# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection knows of each AvePoint Graph API job endpoint: path, scope, paging, enumerations,
outcomes, and the data centres.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Sources: AvePoint's Graph API pages for /dynamicsbackup/jobs, /backup/vm/jobs and
/backup/google/admin/jobs, and its app-registration page (scopes, token URLs, data-centre hosts).
"""

from ansible_collections.backupops.jobs.plugins.module_utils._codes import CodeTable, OutcomeMap
from ansible_collections.backupops.jobs.plugins.module_utils._paging import page_index_paging, skip_token_paging

COMMERCIAL_IDENTITY_URL = 'https://identity.avepointonlineservices.com/connect/token'

# Data-centre code -> (Graph API root, token URL). Only the US Government, AOS2 and FedRAMP environments
# have an identity service of their own; every commercial data centre, Azure or GCP, shares one.
REGIONS = dict(
    [(code, ('https://graph-%s.avepointonlineservices.com' % code, COMMERCIAL_IDENTITY_URL))
     for code in ('au', 'sg', 'ca', 'ne', 'we', 'fr', 'de', 'jp', 'kr', 'ch', 'uk', 'us', 'uae', 'za', 'qa',
                  'gcp-au', 'gcp-jp', 'gcp-us', 'gcp-we', 'gcp-kr')],
    gov=('https://graph-gov.avepointonlineservices.com',
         'https://identity-gov.avepointonlineservices.com/connect/token'),
    aos2=('https://graph-aos2.avepointonlineservices.com',
          'https://identity-aos2.avepointonlineservices.com/connect/token'),
    fedramp=('https://graphusgovapi.online15.net', 'https://identity.online15.net/connect/token'),
)

TIME_FIELDS = ('start_time', 'finish_time')


class JobApi:
    """One job-listing endpoint of the AvePoint Graph API."""

    def __init__(self, name, path, scope, paging, codes, outcomes, reports_total, aliases=None):
        self.name = name
        self.path = path
        self.scope = scope
        self.paging = paging
        self.codes = codes
        self.outcomes = outcomes
        self.reports_total = reports_total
        self.aliases = aliases or {}


DYNAMICS_JOB_TYPES = CodeTable({0: 'all', 1: 'backup', 2: 'restore', 4: 'dryrun', 8: 'retention',
                                16: 'audit_backup', 32: 'export'})
DYNAMICS_STATUSES = CodeTable({2: 'in_progress', 3: 'finished', 4: 'failed', 7: 'finished_with_exception'})

DYNAMICS = JobApi(
    name='Cloud Backup for Dynamics 365',
    path='/dynamicsbackup/jobs',
    scope='dynamics.readwrite.all',
    paging=page_index_paging(first_index=1),
    codes={'type': DYNAMICS_JOB_TYPES, 'status': DYNAMICS_STATUSES},
    outcomes=OutcomeMap({2: 'running', 3: 'success', 4: 'failed', 7: 'warning'}),
    reports_total=True,
)

VM_SERVICE_TYPES = CodeTable({
    1: 'azure_virtual_machine', 2: 'entra_id', 4: 'azure_storage', 64: 'admin_portal_settings', 128: 'common',
    256: 'amazon_ec2', 512: 'native_azure_sql_backup_monitoring', 1024: 'azure_devops', 2048: 'azure_sql_backup',
    4096: 'azure_ad_b2c', 8192: 'google_cloud_platform', 16384: 'aws_setting', 20000: 'sql_server',
    21000: 'vmware', 23000: 'google_cloud_storage', 24000: 'azure_cosmos_database', 25000: 'azure_postgresql',
    26000: 'amazon_s3', 27000: 'entra_external_id'})
VM_JOB_TYPES = CodeTable({
    1: 'azure_vm_backup', 2: 'azure_vm_restore', 4: 'azure_vm_file_level_export', 33: 'azure_vm_index_generation',
    64: 'data_retention', 128: 'entra_id_backup', 256: 'entra_id_restore', 257: 'entra_id_export',
    1024: 'azure_storage_backup', 2048: 'azure_storage_restore', 4096: 'azure_storage_export',
    20003: 'admin_portal_settings_backup', 20004: 'aps_export', 20006: 'aps_restore', 20009: 'amazon_ec2_backup',
    20010: 'ec2_restore', 20012: 'native_azure_sql_backup_monitoring_backup',
    20013: 'native_azure_sql_backup_monitoring_restore', 20014: 'azure_devops_backup', 20015: 'devops_restore',
    20016: 'azure_sql_database_backup', 20017: 'azure_sql_database_restore', 20018: 'azure_vm_file_restore',
    20019: 'azure_ad_b2c_backup', 20020: 'b2c_restore', 20022: 'google_vm_instance_backup',
    20023: 'google_vm_instance_restore', 20024: 'google_vm_instance_generate_index',
    20025: 'google_vm_instance_file_level_export', 30003: 'data_deletion',
    40000: 'aws_platform_configurations_backup', 40001: 'aws_platform_configurations_job',
    60000: 'sql_server_backup', 60001: 'sql_server_restore', 60010: 'azure_vmware_vm_backup',
    60011: 'azure_vmware_vm_restore', 60100: 'azure_postgresql_backup', 60101: 'azure_postgresql_restore',
    70010: 'google_cloud_storage_backup', 70011: 'gcs_restore', 70012: 'gcs_export', 80000: 'azure_cosmos_db_backup',
    80010: 'cosmos_db_restore', 90000: 'entra_external_id_backup', 90001: 'entra_external_id_restore',
    90002: 'entra_external_id_export', 90110: 'amazon_s3_backup', 90120: 'amazon_s3_restore'})
VM_STATUSES = CodeTable({0: 'not_started', 1: 'in_progress', 2: 'successful', 4: 'skipped', 8: 'exception',
                         16: 'failed', 32: 'waiting', 64: 'stopped'})

VM = JobApi(
    name='Cloud Backup for IaaS + PaaS',
    path='/backup/vm/jobs',
    scope='platformbackup.readwrite.all',
    paging=skip_token_paging,
    codes={'job_type': VM_JOB_TYPES, 'status': VM_STATUSES},
    # "Exception" is AvePoint's finished-with-exceptions: the job ran, some objects did not back up.
    outcomes=OutcomeMap({0: 'queued', 1: 'running', 2: 'success', 4: 'skipped', 8: 'warning', 16: 'failed',
                         32: 'queued', 64: 'stopped'}),
    reports_total=True,
    # The 2024 version of the page called the job's status "state".
    aliases={'state': 'status'},
)

GOOGLE_DATA_SOURCES = CodeTable({1: 'admin', 2: 'recenter'})
GOOGLE_APP_TYPES = CodeTable({
    1: 'gmail', 2: 'drive', 4: 'calendar', 8: 'contacts', 64: 'shared_drives', 128: 'classroom', 256: 'users',
    512: 'groups', 4096: 'chat', 8192: 'gmail_vault', 16384: 'drive_vault', 32768: 'shared_drives_vault'})
GOOGLE_JOB_TYPES = CodeTable({1: 'backup', 2: 'restore', 3: 'export', 4: 'delete', 5: 'retention',
                              6: 'generate_report'})
GOOGLE_STATUSES = CodeTable({0: 'in_progress', 2: 'finished', 3: 'failed', 7: 'finished_with_exception'})

GOOGLE = JobApi(
    name='Cloud Backup for Google Workspace',
    path='/backup/google/admin/jobs',
    scope='gsuite.graph.read.all',
    paging=page_index_paging(first_index=0),
    codes={'data_source': GOOGLE_DATA_SOURCES, 'app_type': GOOGLE_APP_TYPES, 'job_type': GOOGLE_JOB_TYPES,
           'status': GOOGLE_STATUSES},
    outcomes=OutcomeMap({0: 'running', 2: 'success', 3: 'failed', 7: 'warning'}),
    reports_total=False,
)
