# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AvePoint Graph API client: one tenant's root and identity service, a token per scope, and the jobs of an
endpoint read through the one listing pipeline (_listing).

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

What each endpoint is (path, scope, paging, codes, query) is in _avepoint_apis; its tokens in _avepoint_auth.
"""

import threading
from datetime import datetime, timezone

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import (
    COMMERCIAL_IDENTITY_URL,
    identity_of,
    region_endpoints,
)
from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_auth import (
    ClientCertificate,
    ClientCredentialsToken,
    cryptography_import_error,
)
from ansible_collections.backupops.jobs.plugins.module_utils._errors import (
    AuthenticationError,
    MissingLibraryError,
    OptionError,
)
from ansible_collections.backupops.jobs.plugins.module_utils._http import json_body, raise_for_status
from ansible_collections.backupops.jobs.plugins.module_utils._listing import Window, list_records
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_range, check_url
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Budget, Fetcher, Page
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import parse_timestamp
from ansible_collections.backupops.jobs.plugins.module_utils._verify import Verifier

MAX_PAGE_SIZE = 100


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

    def list_jobs(self, api, query, window, page_size, limit=None, consume=None, given=None, on_limit=None):
        """Every job of the query inside ``window``, normalised, each once (or the newest ``limit``), and the API's
        total where it gives one (see _listing.list_records). Jobs that do not answer a filter of the query as
        asked are dropped with a warning, which quotes the options as ``given`` (the user's own values)."""
        fetcher = Fetcher(lambda params: self.get_page(api.path, params), self._max_concurrency)
        return list_records(lambda collector: api.paging(fetcher, query, page_size, collector), api.normalize,
                            Verifier(query, api.verified, self._warn, given=given), window, self._warn, 'jobs',
                            id_key='jobId', time_of=_started, limit=limit, consume=consume, on_limit=on_limit,
                            budget=self._budget)


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
    client per scope, so that listings of several APIs (each with its own scope) share what they can.

    ``params`` are the connection options (doc fragment backupops.jobs.avepoint), ``context`` a _context.Context."""

    def __init__(self, params, context, connections=None, budget=None):
        self._params = params
        # Every listing of the run keeps its records within one bound, whichever scope it reads.
        self._budget = budget or Budget()
        self._context = context
        self.api_url, self._token_url = endpoints(params, context.warn)
        check_credentials(params)
        check_range('page_size', params['page_size'], 1, MAX_PAGE_SIZE)
        check_range('limit', params['limit'], 1, 1000000)
        self.limit = params['limit']
        self._certificate = None if params['access_token'] else self._load_certificate()
        self._http = context.http_client(self.api_url, params, connections)
        self._clients = {}
        self._lock = threading.Lock()

    def _load_certificate(self):
        if not self._params['certificate_path']:
            return None
        import_error = cryptography_import_error()
        if import_error:
            raise MissingLibraryError('cryptography', 'certificate_path', import_error)
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
                    on_token=self._context.add_secret)
                self._clients[scope] = AvePointClient(self.api_url, token, self._context.warn,
                                                      self._context.max_concurrency, self._budget)
            return self._clients[scope]

    def list_jobs(self, api, options, start, end, consume=None, given=None, on_limit=None):
        """(jobs, the API's total) of ``api`` for the filter options ``options`` (see JobApi.query) from ``start``
        to ``end`` (datetimes; None for an open side), as the connection's page_size and limit say."""
        if end is None and api.requires_end:
            end = datetime.now(timezone.utc)
        return self.client(api).list_jobs(api, api.query(options, start, end), Window(start, end),
                                          self._params['page_size'], self.limit, consume, given, on_limit)
