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

from ansible_collections.backupops.jobs.plugins.module_utils._codes import CodeTable, kind_map, outcome_map
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import normalize_record
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_guid
from ansible_collections.backupops.jobs.plugins.module_utils._paging import page_index_paging, skip_token_paging
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_query_time
from ansible_collections.backupops.jobs.plugins.module_utils._verify import Verified, comparable, contains_text, field

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


def region_endpoints(region):
    """(Graph API root, token URL) of a data-centre code, in any case and with blanks around it (US is us)."""
    code = str(region).strip().lower()
    if code not in REGIONS:
        raise OptionError('region: %r is not a data centre of AvePoint Online Services; give one of %s, or api_url'
                          % (region, ', '.join(sorted(REGIONS))), option='region', value=region)
    return REGIONS[code]


def identity_of(api_url):
    """The token URL of the environment whose Graph API root ``api_url`` is (any case), or None for another host."""
    for root, token_url in REGIONS.values():
        if root.lower() == api_url.rstrip('/').lower():
            return token_url
    return None


class JobApi:
    """One job-listing endpoint of the AvePoint Graph API.

    ``kinds`` tells what each job type does (only ``backup`` counts as a backup); ``verified`` maps each
    query parameter to how a returned record is checked against it (see _verify); ``renames`` the vendor keys
    returned under another name (see normalize_record); ``fields`` the keys of a job its module documents (what
    the fields option accepts, with _listing.COMMON_FIELDS); ``filters`` the query parameters of the filter
    options (see ``query``); ``requires_end``: the API refuses a query without the window's end.
    """

    def __init__(self, name, path, scope, paging, codes, outcomes, kinds, verified, reports_total, fields,
                 filters, renames=None, requires_end=False):
        self.name = name
        self._filters = filters
        self.requires_end = requires_end
        self.path = path
        self.scope = scope
        self.paging = paging
        self.codes = codes
        self.outcomes = outcomes
        self.kinds = kinds
        self.verified = verified
        self.reports_total = reports_total
        self.fields = fields
        self.renames = renames or {}

    def query(self, options, start, end):
        """The API's query for the filter options ``options`` (the module's option names; one not given is None or
        absent) and the window from ``start`` to ``end`` (datetimes, None for an open side), in whole seconds."""
        query = dict(self._filters(options), startTime=format_query_time(start),
                     finishTime=format_query_time(end, round_up=True))
        return dict((key, value) for key, value in query.items() if value is not None)

    @property
    def job_types(self):
        return self.codes[self.kinds.field]

    def normalize(self, raw, unreadable=None):
        """One job of this API as the modules return it (see normalize_record)."""
        return normalize_record(raw, self.codes, self.outcomes, TIME_FIELDS, self.renames, self.kinds, unreadable)


def _counters(counted):
    """Renames of the API's per-outcome counters to <outcome>_<what>_count: {'%s_entity': 'entity'} gives
    {'successful_entity': 'successful_entity_count', ...}. One spelling for every module's counters, and none
    named like the listing's own total_count."""
    return dict((vendor % outcome, '%s_%s_count' % (outcome, what)) for vendor, what in counted.items()
                for outcome in ('successful', 'failed', 'skipped', 'warning', 'total'))


def _split(job_types):
    """(CodeTable of the names, {code: kind}) from {code: (name, kind, ...)}."""
    return (CodeTable(dict((code, entry[0]) for code, entry in job_types.items())),
            dict((code, entry[1]) for code, entry in job_types.items()))


# An audit-log backup copies the audit log, not the organization's data, so it is not a backup of the organization.
DYNAMICS_JOB_TYPES, DYNAMICS_KINDS = _split({
    0: ('all', 'other'), 1: ('backup', 'backup'), 2: ('restore', 'restore'), 4: ('dryrun', 'other'),
    8: ('retention', 'deletion'), 16: ('audit_backup', 'other'), 32: ('export', 'export')})
DYNAMICS_STATUSES = CodeTable({2: 'in_progress', 3: 'finished', 4: 'failed', 7: 'finished_with_exception'})


def _dynamics_filters(options):
    return dict(type=DYNAMICS_JOB_TYPES.code_for('job_type', options.get('job_type')),
                status=DYNAMICS_STATUSES.code_for('status', options.get('status')),
                organizationId=check_guid('organization_id', options.get('organization_id')))


DYNAMICS = JobApi(
    name='Cloud Backup for Dynamics 365',
    path='/dynamicsbackup/jobs',
    scope='dynamics.readwrite.all',
    paging=page_index_paging(first_index=1),
    codes={'job_type': DYNAMICS_JOB_TYPES, 'status': DYNAMICS_STATUSES},
    outcomes=outcome_map({2: 'running', 3: 'success', 4: 'failed', 7: 'warning'}),
    kinds=kind_map('job_type', DYNAMICS_KINDS),
    verified={'organizationId': Verified('organization_id', field('organization_id')),
              'type': Verified('job_type', field('job_type'), unless=0),
              'status': Verified('status', field('status'))},
    reports_total=True,
    # The API's "type" is the job type, as the job_type option and the other modules call it.
    renames=dict(_counters({'%s_entity': 'entity', '%s_record': 'record'}), type='job_type'),
    fields=('job_id', 'module', 'job_type', 'job_type_name', 'status', 'status_name', 'duration_hours',
            'successful_entity_count', 'successful_record_count', 'organization_id', 'organization_name',
            'backup_size'),
    filters=_dynamics_filters,
    requires_end=True,
)

VM_SERVICE_TYPES = CodeTable({
    1: 'azure_virtual_machine', 2: 'entra_id', 4: 'azure_storage', 64: 'admin_portal_settings', 128: 'common',
    256: 'amazon_ec2', 512: 'native_azure_sql_backup_monitoring', 1024: 'azure_devops', 2048: 'azure_sql_backup',
    4096: 'azure_ad_b2c', 8192: 'google_cloud_platform', 16384: 'aws_setting', 20000: 'sql_server',
    21000: 'vmware', 23000: 'google_cloud_storage', 24000: 'azure_cosmos_database', 25000: 'azure_postgresql',
    26000: 'amazon_s3', 27000: 'entra_external_id'})
# jobType: (name, kind, the serviceType it belongs to). A job does not carry its service type, so the
# service of its job type is how the client checks the serviceType filter; retention and deletion jobs
# belong to no one service.
VM_JOBS = {
    1: ('azure_vm_backup', 'backup', 1), 2: ('azure_vm_restore', 'restore', 1),
    4: ('azure_vm_file_level_export', 'export', 1), 33: ('azure_vm_index_generation', 'other', 1),
    64: ('data_retention', 'deletion', None), 128: ('entra_id_backup', 'backup', 2),
    256: ('entra_id_restore', 'restore', 2), 257: ('entra_id_export', 'export', 2),
    1024: ('azure_storage_backup', 'backup', 4), 2048: ('azure_storage_restore', 'restore', 4),
    4096: ('azure_storage_export', 'export', 4), 20003: ('admin_portal_settings_backup', 'backup', 64),
    20004: ('aps_export', 'export', 64), 20006: ('aps_restore', 'restore', 64),
    20009: ('amazon_ec2_backup', 'backup', 256), 20010: ('ec2_restore', 'restore', 256),
    20012: ('native_azure_sql_backup_monitoring_backup', 'backup', 512),
    20013: ('native_azure_sql_backup_monitoring_restore', 'restore', 512),
    20014: ('azure_devops_backup', 'backup', 1024), 20015: ('devops_restore', 'restore', 1024),
    20016: ('azure_sql_database_backup', 'backup', 2048), 20017: ('azure_sql_database_restore', 'restore', 2048),
    20018: ('azure_vm_file_restore', 'restore', 1), 20019: ('azure_ad_b2c_backup', 'backup', 4096),
    20020: ('b2c_restore', 'restore', 4096), 20022: ('google_vm_instance_backup', 'backup', 8192),
    20023: ('google_vm_instance_restore', 'restore', 8192), 20024: ('google_vm_instance_generate_index', 'other', 8192),
    20025: ('google_vm_instance_file_level_export', 'export', 8192), 30003: ('data_deletion', 'deletion', None),
    40000: ('aws_platform_configurations_backup', 'backup', 16384),
    40001: ('aws_platform_configurations_job', 'other', 16384),
    60000: ('sql_server_backup', 'backup', 20000), 60001: ('sql_server_restore', 'restore', 20000),
    60010: ('azure_vmware_vm_backup', 'backup', 21000), 60011: ('azure_vmware_vm_restore', 'restore', 21000),
    60100: ('azure_postgresql_backup', 'backup', 25000), 60101: ('azure_postgresql_restore', 'restore', 25000),
    70010: ('google_cloud_storage_backup', 'backup', 23000), 70011: ('gcs_restore', 'restore', 23000),
    70012: ('gcs_export', 'export', 23000), 80000: ('azure_cosmos_db_backup', 'backup', 24000),
    80010: ('cosmos_db_restore', 'restore', 24000), 90000: ('entra_external_id_backup', 'backup', 27000),
    90001: ('entra_external_id_restore', 'restore', 27000), 90002: ('entra_external_id_export', 'export', 27000),
    90110: ('amazon_s3_backup', 'backup', 26000), 90120: ('amazon_s3_restore', 'restore', 26000)}
VM_JOB_TYPES, VM_KINDS = _split(VM_JOBS)
VM_STATUSES = CodeTable({0: 'not_started', 1: 'in_progress', 2: 'successful', 4: 'skipped', 8: 'exception',
                         16: 'failed', 32: 'waiting', 64: 'stopped'})


def _vm_service(record):
    """The serviceType a job belongs to, from its job type; None when the job type does not tell."""
    code = comparable(record.get('job_type'))
    return VM_JOBS.get(code, (None, None, None))[2]


def _vm_searched_text(record):
    """What searchText matches: the job ID and its description (the job's comments)."""
    text = ' '.join(str(record.get(key)) for key in ('job_id', 'comments') if record.get(key) is not None)
    return text or None


def _vm_filters(options):
    return dict(searchText=options.get('search_text') or None,
                serviceType=VM_SERVICE_TYPES.code_for('service_type', options.get('service_type')),
                jobType=VM_JOB_TYPES.code_for('job_type', options.get('job_type')))


VM = JobApi(
    name='Cloud Backup for IaaS + PaaS',
    path='/backup/vm/jobs',
    scope='platformbackup.readwrite.all',
    paging=skip_token_paging,
    codes={'job_type': VM_JOB_TYPES, 'status': VM_STATUSES},
    # "Exception" is AvePoint's finished-with-exceptions: the job ran, some objects did not back up.
    outcomes=outcome_map({0: 'queued', 1: 'running', 2: 'success', 4: 'skipped', 8: 'warning', 16: 'failed',
                          32: 'queued', 64: 'stopped'}),
    kinds=kind_map('job_type', VM_KINDS),
    verified={'searchText': Verified('search_text', _vm_searched_text, matches=contains_text),
              'serviceType': Verified('service_type', _vm_service),
              'jobType': Verified('job_type', field('job_type'))},
    reports_total=True,
    # The 2024 version of the page called the job's status "state". The job's own totalCount counts its objects,
    # not the listing's jobs; its duration is a .NET TimeSpan string, returned in seconds as duration_seconds.
    renames=dict(_counters({'%s_count': 'object'}), state='status', duration='duration_text'),
    fields=('job_id', 'job_type', 'job_type_name', 'status', 'status_name', 'duration_text',
            'successful_object_count', 'failed_object_count', 'skipped_object_count', 'total_object_count',
            'comments'),
    filters=_vm_filters,
)

GOOGLE_DATA_SOURCES = CodeTable({1: 'admin', 2: 'recenter'})
GOOGLE_APP_TYPES = CodeTable({
    1: 'gmail', 2: 'drive', 4: 'calendar', 8: 'contacts', 64: 'shared_drives', 128: 'classroom', 256: 'users',
    512: 'groups', 4096: 'chat', 8192: 'gmail_vault', 16384: 'drive_vault', 32768: 'shared_drives_vault'})
GOOGLE_JOB_TYPES, GOOGLE_KINDS = _split({
    1: ('backup', 'backup'), 2: ('restore', 'restore'), 3: ('export', 'export'), 4: ('delete', 'deletion'),
    5: ('retention', 'deletion'), 6: ('generate_report', 'other')})
GOOGLE_STATUSES = CodeTable({0: 'in_progress', 2: 'finished', 3: 'failed', 7: 'finished_with_exception'})


def _google_filters(options):
    status = GOOGLE_STATUSES.code_for('job_status', options.get('job_status'))
    # The parameter table names it jobStatus, the vendor's sample request sends status: both are sent.
    return dict(dataSource=GOOGLE_DATA_SOURCES.code_for('data_source', options.get('data_source')),
                appType=GOOGLE_APP_TYPES.code_for('app_type', options.get('app_type')),
                jobType=GOOGLE_JOB_TYPES.code_for('job_type', options.get('job_type')),
                jobStatus=status, status=status)


GOOGLE = JobApi(
    name='Cloud Backup for Google Workspace',
    path='/backup/google/admin/jobs',
    scope='gsuite.graph.read.all',
    paging=page_index_paging(first_index=0),
    codes={'data_source': GOOGLE_DATA_SOURCES, 'app_type': GOOGLE_APP_TYPES, 'job_type': GOOGLE_JOB_TYPES,
           'status': GOOGLE_STATUSES},
    outcomes=outcome_map({0: 'running', 2: 'success', 3: 'failed', 7: 'warning'}),
    kinds=kind_map('job_type', GOOGLE_KINDS),
    verified={'dataSource': Verified('data_source', field('data_source')),
              'appType': Verified('app_type', field('app_type')),
              'jobType': Verified('job_type', field('job_type')),
              'jobStatus': Verified('job_status', field('status'))},
    reports_total=False,
    fields=('job_id', 'app_type', 'app_type_name', 'job_type', 'job_type_name', 'data_source', 'data_source_name',
            'status', 'status_name', 'outcome', 'kind', 'progress', 'start_time', 'finish_time', 'operator'),
    filters=_google_filters,
)
