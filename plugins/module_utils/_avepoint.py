# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AvePoint job-info modules' common ground: connection options, the API client, and the run of a module.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A module gives its own options and a function from its parameters to the API's query; ``run`` does the
rest: connect, page through every job, normalise, summarise, and exit (or fail with a readable message).
"""

import threading
from collections import Counter
from datetime import datetime, timezone

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import (
    COMMERCIAL_IDENTITY_URL,
    DYNAMICS,
    DYNAMICS_JOB_TYPES,
    DYNAMICS_STATUSES,
    GOOGLE,
    GOOGLE_APP_TYPES,
    GOOGLE_DATA_SOURCES,
    GOOGLE_JOB_TYPES,
    GOOGLE_STATUSES,
    VM,
    VM_JOB_TYPES,
    VM_SERVICE_TYPES,
    identity_of,
    region_endpoints,
)
from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_auth import (
    ClientCertificate,
    ClientCredentialsToken,
    cryptography_import_error,
)
from ansible_collections.backupops.jobs.plugins.module_utils._errors import AuthenticationError, BackupOpsError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._http import (
    DEFAULT_MAX_WAIT,
    json_body,
    raise_for_status,
)
from ansible_collections.backupops.jobs.plugins.module_utils._listing import LISTING_ARGUMENT_SPEC, Listing
from ansible_collections.backupops.jobs.plugins.module_utils._module import BackupOpsModule
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import warn_unreadable
from ansible_collections.backupops.jobs.plugins.module_utils._options import (
    check_guid,
    check_range,
    check_url,
    from_env,
    time_window,
)
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Budget, Collector, Fetcher, Page
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_query_time, parse_timestamp
from ansible_collections.backupops.jobs.plugins.module_utils._verify import Verifier

MAX_PAGE_SIZE = 100


AVEPOINT_ARGUMENT_SPEC = dict(
    api_url=dict(type='str', fallback=from_env('AVEPOINT_API_URL')),
    region=dict(type='str', fallback=from_env('AVEPOINT_REGION')),
    identity_url=dict(type='str', fallback=from_env('AVEPOINT_IDENTITY_URL')),
    client_id=dict(type='str', fallback=from_env('AVEPOINT_CLIENT_ID')),
    client_secret=dict(type='str', no_log=True, fallback=from_env('AVEPOINT_CLIENT_SECRET')),
    certificate_path=dict(type='path', fallback=from_env('AVEPOINT_CERTIFICATE_PATH')),
    private_key_path=dict(type='path', no_log=False, fallback=from_env('AVEPOINT_PRIVATE_KEY_PATH')),
    access_token=dict(type='str', no_log=True, fallback=from_env('AVEPOINT_ACCESS_TOKEN')),
    scope=dict(type='str'),
    validate_certs=dict(type='bool', default=True, fallback=from_env('AVEPOINT_VALIDATE_CERTS')),
    ca_path=dict(type='path', fallback=from_env('AVEPOINT_CA_PATH')),
    timeout=dict(type='int', default=30, fallback=from_env('AVEPOINT_TIMEOUT')),
    retries=dict(type='int', default=3, fallback=from_env('AVEPOINT_RETRIES')),
    retry_max_wait=dict(type='int', default=DEFAULT_MAX_WAIT, fallback=from_env('AVEPOINT_RETRY_MAX_WAIT')),
    page_size=dict(type='int', default=MAX_PAGE_SIZE),
    limit=dict(type='int'),
)


def query_window(params, now, finish_default=None):
    """startTime and finishTime of a query from the start_time and finish_time options, in whole seconds."""
    start, finish = time_window(params, now)
    return dict(startTime=format_query_time(start),
                finishTime=format_query_time(finish or finish_default, round_up=True))


# Each API's query from the options of its module (an option not given is None or absent).
def dynamics_query(params, now):
    # The API requires both ends of the window.
    return dict(
        query_window(params, now, finish_default=now),
        type=DYNAMICS_JOB_TYPES.code_for('job_type', params.get('job_type')),
        status=DYNAMICS_STATUSES.code_for('status', params.get('status')),
        organizationId=check_guid('organization_id', params.get('organization_id')),
    )


def vm_query(params, now):
    return dict(
        query_window(params, now),
        searchText=params.get('search_text') or None,
        serviceType=VM_SERVICE_TYPES.code_for('service_type', params.get('service_type')),
        jobType=VM_JOB_TYPES.code_for('job_type', params.get('job_type')),
    )


def google_query(params, now):
    return dict(
        query_window(params, now),
        dataSource=GOOGLE_DATA_SOURCES.code_for('data_source', params.get('data_source')),
        appType=GOOGLE_APP_TYPES.code_for('app_type', params.get('app_type')),
        jobType=GOOGLE_JOB_TYPES.code_for('job_type', params.get('job_type')),
        # The parameter table names it jobStatus, the vendor's sample request sends status: both are sent.
        jobStatus=GOOGLE_STATUSES.code_for('job_status', params.get('job_status')),
        status=GOOGLE_STATUSES.code_for('job_status', params.get('job_status')),
    )


# The gate's sources on the AvePoint Graph API: the endpoint, its query, and what its module lists by default.
SOURCES = dict(dynamics=(DYNAMICS, dynamics_query, dict(job_type='backup')),
               vm=(VM, vm_query, {}),
               google=(GOOGLE, google_query, {}))


def _started(job):
    return parse_timestamp(job.get('start_time'))


class AvePointClient:
    """GET requests to one Graph API root with the run's token, read as pages of jobs."""

    def __init__(self, api_url, token, warn, max_concurrency=1, budget=None):
        self._api_url = api_url
        self._token = token
        self._warn = warn
        self._max_concurrency = max_concurrency
        self._budget = budget

    def get_page(self, path, params):
        response = self._token.get(self._api_url + path, params)
        if response.status_code == 403:
            raise_for_status(response, AuthenticationError, hint=(
                'The token lacks permission for %s: the app registration of client_id %s needs the scope %s'
                % (path, self._token.client_id or '(given token)', self._token.scope)))
        # A nextLink is never requested: it only says that there is more, or is the skip token of the next page.
        return Page.from_avepoint(json_body(response), path, self._warn, len(response.content))

    def list_jobs(self, api, query, page_size, limit=None, consume=None, given=None, on_limit=None):
        """Every job of the query, normalised, each once (or the newest ``limit``), and the API's total where it
        gives one. Jobs that do not answer a filter of the query as asked are dropped with a warning, which quotes
        the options as ``given`` (the user's own values).

        With ``consume`` (and no limit), each job that passes is handed to it as its page arrives, and none is
        kept: the list returned is empty."""
        unreadable = Counter()
        verifier = Verifier(query, api.verified, self._warn, given=given)
        sink = None
        if consume is not None:
            def sink(job):
                if verifier.keeps(job):
                    consume(job)
        collector = Collector('jobId', self._warn, limit=limit, time_of=_started, sink=sink,
                              shape=lambda raw: api.normalize(raw, unreadable), on_limit=on_limit, budget=self._budget)
        fetcher = Fetcher(lambda params: self.get_page(api.path, params), self._max_concurrency)
        api.paging(fetcher, query, page_size, collector)
        warn_unreadable(unreadable, self._warn)
        jobs = [job for job in collector.finish() if verifier.keeps(job)]
        verifier.report()
        return jobs, collector.total


def endpoints(params, warn):
    """(Graph API root, token URL) from api_url or region, and identity_url."""
    if params['api_url'] and params['region']:
        raise OptionError('api_url (%s) and region (%s) both name the API; give one of them (check the '
                          'AVEPOINT_API_URL and AVEPOINT_REGION environment variables too)'
                          % (params['api_url'], params['region']), option='api_url')
    if params['api_url']:
        api_url = check_url('api_url', params['api_url'], warn)
        token_url = identity_of(api_url)
        if token_url is None and not params['identity_url']:
            token_url = COMMERCIAL_IDENTITY_URL
            warn('api_url %s is not the Graph API of a known AvePoint environment, so its token is requested '
                 'from the commercial identity service %s; set identity_url if the tenant\'s environment has '
                 'its own (Gov, AOS2 and FedRAMP do)' % (api_url, token_url))
    elif params['region']:
        api_url, token_url = region_endpoints(params['region'])
    else:
        raise OptionError('no API given: set region (or AVEPOINT_REGION) to the data centre of the tenant, '
                          'e.g. us, ne, we, au, gov, or api_url (or AVEPOINT_API_URL)', option='api_url')
    if params['identity_url']:
        token_url = check_url('identity_url', params['identity_url'], warn, root_only=False)
    return api_url, token_url


def check_credentials(params):
    if params['access_token']:
        return
    if not params['client_id']:
        raise OptionError('no credentials: give client_id (or AVEPOINT_CLIENT_ID) with client_secret (or '
                          'AVEPOINT_CLIENT_SECRET), or with certificate_path and private_key_path (or '
                          'AVEPOINT_CERTIFICATE_PATH and AVEPOINT_PRIVATE_KEY_PATH); or give access_token '
                          '(or AVEPOINT_ACCESS_TOKEN)', option='client_id')
    if params['client_secret'] and params['certificate_path']:
        raise OptionError('client_secret and certificate_path are both set; client_id %s authenticates with one '
                          'of them (check AVEPOINT_CLIENT_SECRET and AVEPOINT_CERTIFICATE_PATH too)'
                          % params['client_id'], option='client_secret')
    if not params['client_secret'] and not params['certificate_path']:
        raise OptionError('client_id %s has no credential: give client_secret (or AVEPOINT_CLIENT_SECRET), or '
                          'certificate_path and private_key_path' % params['client_id'], option='client_secret')
    if bool(params['certificate_path']) != bool(params['private_key_path']):
        raise OptionError('certificate_path and private_key_path go together; give both or neither',
                          option='certificate_path' if params['certificate_path'] else 'private_key_path')


class AvePointConnection:
    """One tenant on the AvePoint Graph API: its root, its identity service, one pool of connections, and a
    client per scope, so that listings of several APIs (each with its own scope) share what they can."""

    def __init__(self, params, module, connections=None, budget=None):
        self._params = params
        # Every listing of the run keeps its records within one bound, whichever scope it reads.
        self._budget = budget or Budget()
        self._module = module
        self.api_url, self._token_url = endpoints(params, module.warn)
        check_credentials(params)
        check_range('page_size', params['page_size'], 1, MAX_PAGE_SIZE)
        check_range('limit', params['limit'], 1, 1000000)
        self._certificate = None if params['access_token'] else self._load_certificate()
        self._http = module.http_client(self.api_url, params, connections)
        self._clients = {}
        self._lock = threading.Lock()

    def _load_certificate(self):
        if not self._params['certificate_path']:
            return None
        import_error = cryptography_import_error()
        if import_error:
            self._module.fail_json(msg=missing_required_lib('cryptography', reason='certificate_path'),
                                   exception=import_error)
        return ClientCertificate(self._params['certificate_path'], self._params['private_key_path'])

    def client(self, api):
        """The client of ``api``'s scope (the scope option, when given, for every API)."""
        params = self._params
        scope = params['scope'] or api.scope
        with self._lock:
            if scope not in self._clients:
                token = ClientCredentialsToken(
                    self._http, self._token_url, params['client_id'], scope, client_secret=params['client_secret'],
                    certificate=self._certificate, access_token=params['access_token'] or None,
                    on_token=self._module.add_secret)
                self._clients[scope] = AvePointClient(self.api_url, token, self._module.warn,
                                                      self._module.params['max_concurrency'], self._budget)
            return self._clients[scope]

    def list_jobs(self, api, query, consume=None, given=None, on_limit=None):
        return self.client(api).list_jobs(api, query, self._params['page_size'], self._params['limit'], consume, given,
                                          on_limit)


class AvePointJobModule(BackupOpsModule):
    """A module with the AvePoint connection options, for the read-only job-info modules."""

    def __init__(self, api, argument_spec):
        spec = dict(AVEPOINT_ARGUMENT_SPEC, **LISTING_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(spec, required_together=[('certificate_path', 'private_key_path')])
        self.api = api

    def run(self, build_query):
        """List the jobs ``build_query(params, now)`` asks for; exit with jobs, total_count and summary (or what
        summary_only and fields ask)."""
        now = datetime.now(timezone.utc)
        try:
            listing = Listing(self.params, self.api.fields, now, self.warn)
            query = dict((key, value) for key, value in build_query(self.params, now).items() if value is not None)
            jobs, total = AvePointConnection(self.params, self).list_jobs(self.api, query, listing.consume, self.params,
                                                                          listing.note_limited)
        except BackupOpsError as error:
            self.fail_on(error)
        result = listing.result('jobs', jobs)
        if self.api.reports_total and not listing.summary_only:
            result['total_count'] = total
        self.exit_json(changed=False, **result)
