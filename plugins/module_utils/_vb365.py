# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Veeam Backup for Microsoft 365 REST API, v5 to v8: tokens, the versions' differences, sessions and logs.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Sources: Veeam's Help Center pages for the REST API of VB365 5 to 8 and the published OpenAPI
documents of v6, v7 and v8 (see the collection's notes). Every field is treated as optional and
unknown status strings are passed through, as real servers send values the schemas lack.
"""

import re
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from urllib.parse import urlsplit

from ansible_collections.backupops.jobs.plugins.module_utils._codes import CodeTable, kind_map, outcome_map
from ansible_collections.backupops.jobs.plugins.module_utils._egress import ID_LIMIT, QUOTE_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import (
    AuthenticationError,
    BackupOpsError,
    OptionError,
    UnexpectedResponseError,
)
from ansible_collections.backupops.jobs.plugins.module_utils._http import (
    DEFAULT_MAX_WAIT,
    json_body,
    raise_for_status,
    rebase_link,
)
from ansible_collections.backupops.jobs.plugins.module_utils._module import BackupOpsModule
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import normalize_record, snake_dict, warn_unreadable
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_range, check_url, from_env
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Budget, Collector, Fetcher, Page, dig, offset_paging
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import (
    format_query_time,
    format_timestamp,
    parse_timestamp,
    shifted,
)
from ansible_collections.backupops.jobs.plugins.module_utils._tokens import BearerToken
from ansible_collections.backupops.jobs.plugins.module_utils._verify import Verified, Verifier, field

VERSIONS = ('v5', 'v6', 'v7', 'v8')
MAX_PAGE_SIZE = 10000
# A listing that is summarised holds only the pages in flight (max_concurrency, plus the one being read); at
# 10,000 sessions a page that was a quarter of a gigabyte. Smaller pages keep it to a few megabytes.
CONSUMED_PAGE_SIZE = 1000

SESSION_STATUSES = CodeTable({
    'Stopped': 'stopped', 'Running': 'running', 'Success': 'success', 'Warning': 'warning', 'Failed': 'failed',
    'NotConfigured': 'not_configured', 'Disconnected': 'disconnected', 'Queued': 'queued'})
SESSION_OUTCOMES = outcome_map({
    'Success': 'success', 'Warning': 'warning', 'Failed': 'failed', 'Disconnected': 'failed',
    'NotConfigured': 'failed', 'Running': 'running', 'Queued': 'queued', 'Stopped': 'stopped'})
# The v8 filter knows five statuses and spells the sessions' "Success" as "Succeeded".
V8_STATUS_FILTER = {'Success': 'Succeeded', 'Stopped': 'Stopped', 'Running': 'Running', 'Failed': 'Failed',
                    'Warning': 'Warning'}
SESSION_TIME_FIELDS = ('creation_time', 'end_time')
# From v7 a session says whether its job is a backup job or a backup copy job; v6 takes the same names as a filter.
SESSION_KINDS = kind_map('job_type', {'Backup': 'backup', 'Copy': 'copy'})
JOB_TYPE_FILTER = {'backup': 'Backup', 'copy': 'Copy'}
# How much earlier than the window endTimeLowerBound is sent, so that a session that began before the window
# and ended inside it is returned whether the server reads the bound as the end or as the creation time.
LOWER_BOUND_MARGIN = timedelta(days=2)
# The keys of a session job_session_info documents (what its fields option accepts, with _listing.COMMON_FIELDS).
SESSION_FIELDS = ('id', 'job_id', 'creation_time', 'end_time', 'progress', 'status', 'status_name', 'outcome', 'kind',
                  'statistics', 'details', 'retry_count', 'will_be_retried', 'main_session_id', 'job_type',
                  'log_items')
SESSION_FILTERS = {'jobId': Verified('job_id', field('job_id')), 'jobType': Verified('job_type', field('kind'))}
TITLE_PREFIX = re.compile(r'^\s*\[([^\]]+)\]\s*(.*)$', re.DOTALL)


def check_version(value):
    """The API version as the routes spell it - v8 from 8 (YAML's integer too), v8 or V8 - or an OptionError."""
    text = str(value).strip().lower()
    version = text if text.startswith('v') else 'v' + text
    if version not in VERSIONS:
        raise OptionError('api_version: %r is not a VB365 REST API version this collection speaks; give one of %s (or '
                          'the number alone, such as 8)' % (value, ', '.join(VERSIONS)), option='api_version',
                          value=value)
    return version


def _version_at_least(version, oldest):
    return VERSIONS.index(version) >= VERSIONS.index(oldest)


class PasswordToken(BearerToken):
    """A VB365 token from the password grant, renewed with the refresh token and, failing that, a new login."""

    def __init__(self, http, base_url, version, username, password, access_token=None, on_token=None):
        super().__init__(http, '%s/%s/token' % (base_url, version), access_token=access_token, on_token=on_token)
        self.username = username
        self._password = password
        self._version = version

    @property
    def holder(self):
        return 'user %s' % self.username

    def _grant(self, **form):
        # v7 and v8 want an antiforgery token with every call unless the client opts out; v5 and v6 know no such field.
        if _version_at_least(self._version, 'v7'):
            form['disable_antiforgery_token'] = 'true'
        return form

    def _obtain(self):
        if self.refresh_token:
            try:
                self._post_form(self._grant(grant_type='refresh_token', refresh_token=self.refresh_token), '')
                return
            except AuthenticationError:
                self.refresh_token = None  # the refresh token is spent or expired: log in again
        self._post_form(self._grant(grant_type='password', username=self.username, password=self._password),
                        'The VB365 REST API at %s refused user %s: check username and password, and that the REST '
                        'service is enabled' % (self.token_url, self.username))

    def logout(self, warn):
        """v7 and v8 end a session on request; best effort, since the token expires by itself anyway."""
        if not self.obtained or not _version_at_least(self._version, 'v7'):
            return
        try:
            response = self._http.request('POST', self.token_url + '/logout',
                                          headers=self._bearer())
            raise_for_status(response)
        except BackupOpsError as error:
            warn('logging out of the VB365 REST API failed (%s); the token expires by itself' % error.msg)


def normalize_session(raw, unreadable=None):
    """A session with its job's ID and, where it says so itself, its kind (see VB365Client.resolve_kinds) and
    whether the job will retry it (``will_be_retried``, the API's jobWillBeRetried)."""
    session = normalize_record(raw, {'status': SESSION_STATUSES}, SESSION_OUTCOMES, SESSION_TIME_FIELDS,
                               renames={'job_will_be_retried': 'will_be_retried'}, kinds=SESSION_KINDS,
                               unreadable=unreadable, id_field='id')
    if not session.get('job_id'):
        # Before v8 a session names its job only in its links: .../Jobs/{jobId} (a copy job's is elsewhere).
        href = dig(raw, '_links', 'job', 'href')
        segments = urlsplit(href).path.rstrip('/').split('/') if isinstance(href, str) else []
        session['job_id'] = segments[-1] if len(segments) >= 2 and segments[-2].lower() == 'jobs' else None
    return session


def normalize_log_item(raw):
    """One shape for every version: v5 to v7 write "[Success] text" as title, v8 writes type and message."""
    item = snake_dict(raw) if isinstance(raw, dict) else {}
    title = item.get('title')
    status, message = item.get('type'), item.get('message')
    if isinstance(title, str):
        match = TITLE_PREFIX.match(title)
        if match:
            status = status or match.group(1).strip()
            message = message if message is not None else match.group(2)
        elif message is None:
            message = title
    times = {}
    for field in SESSION_TIME_FIELDS:
        moment = parse_timestamp(item.get(field))
        times[field] = format_timestamp(moment) if moment is not None else item.get(field)
    return dict(id=item.get('id'), usn=item.get('usn'), status=status, message=message, title=title, **times)


def _logged_at(item):
    return parse_timestamp(item.get('creation_time'))


def _log_order(item):
    """Oldest first: by the API's order number where it gives one, else by time."""
    usn = item.get('usn')
    moment = _logged_at(item)
    return (not isinstance(usn, int), usn if isinstance(usn, int) else 0, moment is None,
            moment.timestamp() if moment is not None else 0)


def session_time(session):
    """When a session ended or, still running, when it began: the time its filters and order go by."""
    return parse_timestamp(session.get('end_time')) or parse_timestamp(session.get('creation_time'))


class VB365Client:
    """GET requests to one VB365 REST API version, with the routes each version has."""

    def __init__(self, base_url, version, token, warn, max_concurrency=1, budget=None):
        self._base_url = base_url
        # Every listing of the run (the jobs, the sessions, the log) keeps its records within one bound.
        self._budget = budget or Budget()
        self.version = version
        self._token = token
        self._warn = warn
        self._max_concurrency = max_concurrency
        self._jobs = None
        self._backup_jobs = None  # see _backup_job_ids
        # The gate lists several checks of one server at once; the first to need /Jobs reads it for all.
        self._jobs_lock = threading.Lock()
        # The number of sessions the API reported for the last listing of sessions; v8 and a single session give none.
        self.sessions_total = None

    def _url(self, path):
        return '%s/%s%s' % (self._base_url, self.version, path)

    def _page(self, url, params=None):
        response = self._token.get(url, params)
        return Page.from_vb365(json_body(response), urlsplit(url).path, self._warn, len(response.content))

    def _follow(self, href):
        """A page's next link, on the origin of the url option whatever host it names (v5 names the server's own
        other name), and only under the version's path."""
        return self._page(rebase_link(href, self._url(''), 'url', self._token.secrets))

    def list_all(self, path, query, page_size, noun, limit=None, shape=None, time_of=None, sink=None, on_limit=None):
        """(records, the API's total or None); with ``sink``, each record goes there instead of into the list."""
        collector = Collector('id', self._warn, noun=noun, limit=limit, shape=shape, time_of=time_of, sink=sink,
                              on_limit=on_limit, budget=self._budget)
        url = self._url(path)
        offset_paging(Fetcher(lambda params: self._page(url, params), self._max_concurrency, self._follow),
                      query, page_size, collector)
        return collector.finish(), collector.total

    def jobs(self, page_size):
        """The server's backup jobs (GET /Jobs lists no backup copy jobs), read once per run."""
        with self._jobs_lock:
            if self._jobs is None:
                if _version_at_least(self.version, 'v8'):
                    jobs, _total = self.list_all('/Jobs', {}, page_size, 'jobs')
                else:
                    jobs = Page.from_vb365(json_body(self._token.get(self._url('/Jobs'))), '/%s/Jobs' % self.version,
                                           self._warn).items
                self._jobs = jobs
            return self._jobs

    def job_id_named(self, name, page_size):
        """The ID of the job with this name (any case); an error listing the jobs when none or several match."""
        jobs = self.jobs(page_size)
        matches = [job for job in jobs if str(job.get('name', '')).lower() == name.lower()]
        if len(matches) == 1 and matches[0].get('id'):
            return matches[0]['id']
        # The server's names and IDs are quoted within a bound: a server may list thousands, or one of megabytes.
        quoted = printable(repr(name), limit=QUOTE_LIMIT)
        if not matches:
            known = ', '.join(sorted(printable(job.get('name'), limit=QUOTE_LIMIT) for job in jobs)) or 'none'
            raise OptionError('job_name: no job named %s on the server; its jobs are: %s'
                              % (quoted, printable(known, limit=QUOTE_LIMIT)), option='job_name', value=name)
        ids = ', '.join(printable(job.get('id'), limit=ID_LIMIT) for job in matches)
        raise OptionError('job_name: %d jobs are named %s (IDs %s); give job_id instead'
                          % (len(matches), quoted, printable(ids, limit=QUOTE_LIMIT)), option='job_name', value=name)

    def resolve_kinds(self, sessions, page_size):
        """A session is a backup only when its job is one of the server's backup jobs (GET /Jobs lists no backup
        copy jobs) and it does not say otherwise itself: before v7 a session does not say at all, and from v7
        one that says Backup while its job is no backup job contradicts itself. Any other session is ``other``
        (a copy job, a job since deleted), so it never counts as a backup it cannot be shown to be."""
        claimed = [session for session in sessions if session.get('kind') == 'backup' or session.get('job_type') is None]
        if claimed:
            backup_jobs = self._backup_job_ids(page_size)
            for session in claimed:
                known = str(session.get('job_id')).strip().lower() in backup_jobs
                session['kind'] = 'backup' if known else 'other'
        return sessions

    def _backup_job_ids(self, page_size):
        """The IDs of the server's backup jobs, lower case, gathered once like the jobs: a summarised listing asks
        once per session."""
        if self._backup_jobs is None:
            self._backup_jobs = frozenset(str(job.get('id')).strip().lower() for job in self.jobs(page_size)
                                          if job.get('id'))
        return self._backup_jobs

    def session(self, session_id):
        """One session, or None when the server does not know it."""
        response = self._token.get(self._url('/JobSessions/%s' % session_id))
        if response.status_code == 404:
            return None
        body = json_body(response)
        if not isinstance(body, dict):
            raise UnexpectedResponseError('GET /%s/JobSessions/%s answered with JSON %s, not a session'
                                          % (self.version, session_id, type(body).__name__))
        return body

    def sessions(self, job_id, job_type, statuses, start, end, page_size, consume=None, job_name=None):
        """Sessions of a job or of all jobs, normalised, with every filter this version supports sent to the server
        and the job and job type checked again on every session.

        With ``consume``, each session that passes those checks and ``statuses``, ``start`` and ``end`` (see
        ``select``) is handed to it as its page arrives, and none is kept: the list returned is empty."""
        query = {}
        if job_id and not _version_at_least(self.version, 'v7'):
            # The per-job route of v5 and v6 takes offset and limit only.
            path = '/Jobs/%s/JobSessions' % job_id
        else:
            path = '/JobSessions'
            query['jobId'] = job_id
            if job_type and _version_at_least(self.version, 'v6'):
                query['jobType'] = JOB_TYPE_FILTER[job_type]
            if start is not None and _version_at_least(self.version, 'v6'):
                # Described as "created after" though named for the end: early enough for both readings.
                query['endTimeLowerBound'] = format_query_time(shifted(start, -LOWER_BOUND_MARGIN))
            if end is not None and _version_at_least(self.version, 'v7'):
                query['endTimeUpperBound'] = format_query_time(end, round_up=True)
            if self.version == 'v8' and len(statuses) == 1 and statuses[0] in V8_STATUS_FILTER:
                query['status'] = V8_STATUS_FILTER[statuses[0]]
        query = dict((key, value) for key, value in query.items() if value is not None)
        unreadable = Counter()
        # A job the user named is quoted by its name, not by the ID it was resolved to.
        of_job = Verifier(dict(jobId=job_id), SESSION_FILTERS, self._warn, 'sessions',
                          given=dict(job_id=('job_name', job_name)) if job_name else None)
        of_type = Verifier(dict(jobType=job_type), SESSION_FILTERS, self._warn, 'sessions')
        sink = None
        if consume is not None:
            wanted = _wanted(statuses)

            def sink(session):
                if not of_job.keeps(session):
                    return
                self.resolve_kinds([session], page_size)
                if of_type.keeps(session) and _matches(session, wanted, start, end):
                    consume(session)
        sessions, self.sessions_total = self.list_all(path, query, page_size, 'sessions', sink=sink,
                                                      shape=lambda raw: normalize_session(raw, unreadable))
        warn_unreadable(unreadable, self._warn, 'sessions')
        sessions = self.resolve_kinds([session for session in sessions if of_job.keeps(session)], page_size)
        sessions = [session for session in sessions if of_type.keeps(session)]
        of_job.report()
        of_type.report()
        return sessions

    def log_items(self, session_id, page_size, limit):
        """(the log of a session, oldest first; whether ``limit`` cut it): with ``limit``, its newest ``limit``
        lines, since the last lines tell how a session ended. v8 is asked for the newest first; earlier versions
        are read to the end."""
        path = '/JobSessions/%s/LogItems' % session_id
        query = dict(orderAsc='false') if limit is not None and _version_at_least(self.version, 'v8') else {}
        cut = []
        items, _total = self.list_all(path, query, page_size, 'log items', limit=limit, shape=normalize_log_item,
                                      time_of=_logged_at, on_limit=lambda: cut.append(True))
        return sorted(items, key=_log_order), bool(cut)

    def logout(self):
        self._token.logout(self._warn)


def check_statuses(values):
    """The API's spellings of the status option's values."""
    return [SESSION_STATUSES.code_for('status', value) for value in values or []]


VB365_ARGUMENT_SPEC = dict(
    url=dict(type='str', fallback=from_env('VB365_URL')),
    api_version=dict(type='str', default='v8', fallback=from_env('VB365_API_VERSION')),
    username=dict(type='str', fallback=from_env('VB365_USERNAME')),
    password=dict(type='str', no_log=True, fallback=from_env('VB365_PASSWORD')),
    access_token=dict(type='str', no_log=True, fallback=from_env('VB365_ACCESS_TOKEN')),
    validate_certs=dict(type='bool', default=True, fallback=from_env('VB365_VALIDATE_CERTS')),
    ca_path=dict(type='path', fallback=from_env('VB365_CA_PATH')),
    timeout=dict(type='int', default=30, fallback=from_env('VB365_TIMEOUT')),
    retries=dict(type='int', default=3, fallback=from_env('VB365_RETRIES')),
    retry_max_wait=dict(type='int', default=DEFAULT_MAX_WAIT, fallback=from_env('VB365_RETRY_MAX_WAIT')),
    page_size=dict(type='int', default=MAX_PAGE_SIZE),
)


def _wanted(statuses):
    return set(status.lower() for status in statuses)


def _matches(session, wanted, start, end):
    """Whether a session is in one of the ``wanted`` statuses (any, when none) and ended (or, running, began)
    between ``start`` and ``end``."""
    moment = session_time(session)
    if wanted and str(session.get('status')).lower() not in wanted:
        return False
    if (start is not None or end is not None) and moment is None:
        return False
    return not ((start is not None and moment < start) or (end is not None and moment > end))


def select(sessions, statuses, start, end, limit, on_limit=None):
    """The sessions that match, newest first, at most ``limit`` of them (``on_limit`` is told when more matched)."""
    wanted = _wanted(statuses)
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    timed = [(session_time(session) or oldest, session) for session in sessions
             if _matches(session, wanted, start, end)]
    timed.sort(key=itemgetter(0), reverse=True)
    chosen = [session for _moment, session in timed]
    if limit is not None and len(chosen) > limit:
        if on_limit is not None:
            on_limit()
        chosen = chosen[:limit]
    return chosen


def read_sessions(client, params, statuses, start, end, consume=None, on_limit=None):
    """(sessions, message) as the options of job_session_info ask (an option not given is None or absent).

    With ``consume`` and no limit, the sessions of a listing are handed to it as they arrive instead of being
    returned (see VB365Client.sessions); one session asked for by ID is returned all the same. ``on_limit`` is told
    when more sessions matched than the limit returns."""
    if params.get('session_id'):
        raw = client.session(params['session_id'])
        if raw is None:
            return [], 'no session %s on the server' % params['session_id']
        return client.resolve_kinds([normalize_session(raw)], params['page_size']), None
    job_id = params.get('job_id')
    if params.get('job_name'):
        job_id = client.job_id_named(params['job_name'], params['page_size'])
    if consume is not None and params.get('limit') is None:
        page_size = min(params['page_size'], CONSUMED_PAGE_SIZE)
        return client.sessions(job_id, params.get('job_type'), statuses, start, end, page_size, consume,
                               params.get('job_name')), None
    sessions = client.sessions(job_id, params.get('job_type'), statuses, start, end, params['page_size'],
                               job_name=params.get('job_name'))
    return select(sessions, statuses, start, end, params.get('limit'), on_limit), None


def connect(params, module, connections=None, budget=None):
    """The VB365 client of the connection options ``params``, for ``module`` (its warnings and secrets)."""
    if not params['url']:
        raise OptionError('no server given: set url (or VB365_URL) to the REST API of Veeam Backup for '
                          'Microsoft 365, e.g. https://vb365.example.com:4443', option='url')
    base_url = check_url('url', params['url'], module.warn)
    if not params['access_token'] and not (params['username'] and params['password']):
        raise OptionError('no credentials: give username (or VB365_USERNAME) and password (or VB365_PASSWORD), '
                          'or access_token (or VB365_ACCESS_TOKEN)', option='username')
    check_range('page_size', params['page_size'], 1, MAX_PAGE_SIZE)
    version = check_version(params['api_version'])
    http = module.http_client(base_url, params, connections)
    token = PasswordToken(http, base_url, version, params['username'], params['password'],
                          access_token=params['access_token'] or None, on_token=module.add_secret)
    return VB365Client(base_url, version, token, module.warn, module.params['max_concurrency'], budget)


class VB365Module(BackupOpsModule):
    """A module with the VB365 connection options."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(VB365_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(spec, **kwargs)

    def connect(self):
        return connect(self.params, self)
