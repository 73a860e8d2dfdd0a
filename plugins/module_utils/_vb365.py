# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The VB365 REST API client: one server and API version, its jobs, sessions and logs, read through the one
listing pipeline (_listing), and the connection made from the connection options.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

What each version's routes, filters and records are is in _vb365_apis; its tokens in _vb365_auth.
"""

import threading
import time
from urllib.parse import urlsplit

from ansible_collections.backupops.jobs.plugins.module_utils._egress import ID_LIMIT, QUOTE_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import (
    ApiResponseError,
    BackupOpsError,
    OptionError,
    UnexpectedResponseError,
)
from ansible_collections.backupops.jobs.plugins.module_utils._http import json_body, raise_for_status, rebase_link
from ansible_collections.backupops.jobs.plugins.module_utils._listing import CONSUMED_PAGE_SIZE, Window, list_records
from ansible_collections.backupops.jobs.plugins.module_utils._options import GUID, check_range, check_url
from ansible_collections.backupops.jobs.plugins.module_utils._paging import (
    Budget,
    Fetcher,
    Page,
    newest_first_key,
    offset_paging,
)
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import (
    ACTIVE_OUTCOMES,
    MAX_PAGE_SIZE,
    SESSION_FILTERS,
    check_version,
    log_order,
    logged_at,
    normalize_job,
    normalize_log_item,
    normalize_session,
    poll_delays,
    session_time,
    sessions_route,
    version_at_least,
)
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_auth import PasswordToken
from ansible_collections.backupops.jobs.plugins.module_utils._verify import Verifier


def _as_is(raw, _unreadable):
    return raw


class VB365Client:
    """GET requests to one VB365 REST API version, with the routes each version has, for ``context`` (a
    _context.Context: warnings, concurrency). ``page_size`` is the connection's."""

    def __init__(self, base_url, version, token, context, page_size=MAX_PAGE_SIZE, budget=None):
        self._base_url = base_url
        # Every listing of the run (the jobs, the sessions, the log) keeps its records within one bound.
        self._budget = budget or Budget()
        self.version = version
        self.page_size = page_size
        self._token = token
        self._warn = context.warn
        self._max_concurrency = context.max_concurrency
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

    def _list(self, path, query, noun, shape=_as_is, verifier=None, window=None, consume=None, **options):
        """(records, the API's total or None) of one listing of ``path`` (see _listing.list_records)."""
        url = self._url(path)
        page_size = self.page_size if consume is None else min(self.page_size, CONSUMED_PAGE_SIZE)
        fetcher = Fetcher(lambda params: self._page(url, params), self._max_concurrency, self._follow)
        return list_records(lambda collector: offset_paging(fetcher, query, page_size, collector), shape,
                            verifier or Verifier({}, {}, self._warn), window or Window(), self._warn, noun,
                            consume=consume, budget=self._budget, **options)

    def jobs(self):
        """The server's backup jobs (GET /Jobs lists no backup copy jobs), read once per run."""
        with self._jobs_lock:
            if self._jobs is None:
                if version_at_least(self.version, 'v8'):
                    jobs, _total = self._list('/Jobs', {}, 'jobs')
                else:
                    jobs = Page.from_vb365(json_body(self._token.get(self._url('/Jobs'))), '/%s/Jobs' % self.version,
                                           self._warn).items
                self._jobs = jobs
            return self._jobs

    def job_id_named(self, name):
        """The ID of the job with this name (any case); an error listing the jobs when none or several match."""
        jobs = self.jobs()
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

    def resolve_kind(self, session, backup_jobs):
        """A session is a backup only when its job is one of the server's backup jobs (``backup_jobs``, see
        _backup_job_ids) and it does not say otherwise itself: before v7 a session does not say at all, and from v7
        one that says Backup while its job is no backup job contradicts itself. Any other session is ``other``
        (a copy job, a job since deleted), so it never counts as a backup it cannot be shown to be."""
        if session.get('kind') == 'backup' or session.get('job_type') is None:
            session['kind'] = 'backup' if str(session.get('job_id')).strip().lower() in backup_jobs else 'other'
        return session

    def _backup_job_ids(self):
        """The IDs of the server's backup jobs, lower case, gathered once like the jobs. Read before a listing of
        sessions starts: a listing never starts another from inside its pages."""
        if self._backup_jobs is None:
            self._backup_jobs = frozenset(str(job.get('id')).strip().lower() for job in self.jobs() if job.get('id'))
        return self._backup_jobs

    def session(self, session_id):
        """One session, normalised with its kind, or None when the server does not know it."""
        response = self._token.get(self._url('/JobSessions/%s' % session_id))
        if response.status_code == 404:
            return None
        body = json_body(response)
        if not isinstance(body, dict):
            raise UnexpectedResponseError('GET /%s/JobSessions/%s answered with JSON %s, not a session'
                                          % (self.version, session_id, type(body).__name__))
        return self.resolve_kind(normalize_session(body), self._backup_job_ids())

    def sessions(self, job_id, job_type, statuses, start, end, consume=None, job_name=None, limit=None,
                 on_limit=None):
        """Sessions of a job or of all jobs, normalised, newest first, with every filter this version supports sent
        to the server, and the job, the job type, the statuses and the window checked again on every session.

        With ``consume``, each session that passes is handed to it as its page arrives, and none is kept: the list
        returned is empty. With ``limit``, the newest ``limit`` (``on_limit`` is told when more matched)."""
        path, query = sessions_route(self.version, job_id, job_type, statuses, start, end)
        backup_jobs = self._backup_job_ids()
        # A job the user named is quoted by its name, not by the ID it was resolved to.
        verifier = Verifier(dict(jobId=job_id, jobType=job_type, status=','.join(statuses) or None), SESSION_FILTERS,
                            self._warn, 'sessions', given=dict(job_id=('job_name', job_name)) if job_name else None,
                            unsent=() if 'status' in query else ('status',))
        sessions, self.sessions_total = self._list(
            path, query, 'sessions', lambda raw, unreadable: self.resolve_kind(normalize_session(raw, unreadable),
                                                                               backup_jobs),
            verifier, Window(start, end, asked_wider=True), consume, time_of=session_time, limit=limit,
            on_limit=on_limit, newest_first=True)
        return sessions

    def log_items(self, session_id, limit):
        """(the log of a session, oldest first; whether ``limit`` cut it): with ``limit``, its newest ``limit``
        lines, since the last lines tell how a session ended. v8 is asked for the newest first; earlier versions
        are read to the end."""
        path = '/JobSessions/%s/LogItems' % session_id
        query = dict(orderAsc='false') if limit is not None and version_at_least(self.version, 'v8') else {}
        cut = []
        items, _total = self._list(path, query, 'log items', lambda raw, _unreadable: normalize_log_item(raw),
                                   limit=limit, time_of=logged_at, on_limit=lambda: cut.append(True))
        return sorted(items, key=log_order), bool(cut)

    def logout(self):
        self._token.logout(self._warn)

    # Starting a job and following its session (job_session; the gate's refresh), and a job's schedule.

    def job(self, job_id):
        """One job (GET /Jobs/{jobId}, see _vb365_apis.normalize_job: its schedule_policy, last_run, next_run,
        last_backup, is_enabled), or None when the server does not know it. An answer about another job is refused."""
        path = '/Jobs/%s' % job_id
        response = self._token.get(self._url(path))
        if response.status_code == 404:
            return None
        body = json_body(response)
        if not isinstance(body, dict):
            raise UnexpectedResponseError('GET /%s%s answered with JSON %s, not a job'
                                          % (self.version, path, type(body).__name__))
        job = normalize_job(body)
        if str(job.get('id') or '').strip().lower() != str(job_id).strip().lower():
            raise UnexpectedResponseError('GET /%s%s answered with job %s, not the job asked for; not trusted'
                                          % (self.version, path, printable(job.get('id'), limit=ID_LIMIT)))
        return job

    def job_sessions_now(self, job_id):
        """(the IDs of every session of the job, lower case; its sessions running or queued, newest first): what a
        start is judged against. The job's whole listing, each session let go as it arrives."""
        ids, active = set(), []

        def keep(session):
            ids.add(str(session.get('id')).strip().lower())
            if session.get('outcome') in ACTIVE_OUTCOMES:
                active.append(session)
        self.sessions(job_id, None, [], None, None, consume=keep)
        active.sort(key=newest_first_key(session_time))
        return ids, active

    def start_job(self, job_id, full=False):
        """POST /Jobs/{jobId}/start (v6 and later): the session the server answered with (v8), normalised and checked
        to be of this job, or None when it answered without one (204, v6 and v7). A refusal is an ApiResponseError
        with the server's words."""
        path = '/Jobs/%s/start' % job_id
        # Counted before it is sent: whatever comes back, the job may have started (a caller reports a change).
        self.start_requests = getattr(self, 'start_requests', 0) + 1
        response = self._token.post(self._url(path), dict(full=bool(full)))
        raise_for_status(response)
        if response.status_code == 204 or not response.content.strip():
            return None
        body = json_body(response)
        if not isinstance(body, dict):
            raise UnexpectedResponseError('POST /%s%s answered with JSON %s, not a session'
                                          % (self.version, path, type(body).__name__))
        session = self.resolve_kind(normalize_session(body), self._backup_job_ids())
        return self.session_of_job(session, job_id, 'POST /%s%s' % (self.version, path))

    def followed_session(self, session_id, job_id):
        """The session ``session_id`` as the server has it now, checked to be that session and of ``job_id``."""
        session = self.session(session_id)
        where = 'GET /%s/JobSessions/%s' % (self.version, session_id)
        if session is None:
            raise UnexpectedResponseError('%s: the server no longer knows the session it started' % where)
        if str(session.get('id') or '').strip().lower() != session_id.lower():
            raise UnexpectedResponseError('%s answered with session %s, not the one asked for; not trusted'
                                          % (where, printable(session.get('id'), limit=ID_LIMIT)))
        return self.session_of_job(session, job_id, where)

    def session_of_job(self, session, job_id, where):
        """``session`` when its ID is a GUID and the job it names, if it names one, is ``job_id``; never a session of
        another job. One that names no job is the job's by the server's word, with a warning."""
        if not GUID.match(str(session.get('id') or '')):
            raise UnexpectedResponseError('%s answered with a session whose ID is no GUID (%s); not followed'
                                          % (where, printable(session.get('id'), limit=ID_LIMIT)))
        named = session.get('job_id')
        if named is None:
            self._warn('%s: session %s names no job; it is taken as job %s\'s, whose start it answers'
                       % (where, session['id'], job_id))
        elif str(named).strip().lower() != str(job_id).strip().lower():
            raise UnexpectedResponseError('%s answered with session %s of job %s, not of job %s; not trusted'
                                          % (where, session['id'], printable(named, limit=ID_LIMIT), job_id))
        return session


def read_sessions(client, params, statuses, start, end, consume=None, on_limit=None):
    """(sessions, message) as the options of job_session_info ask (an option not given is None or absent).

    With ``consume`` and no limit, the sessions of a listing are handed to it as they arrive instead of being
    returned (see VB365Client.sessions); one session asked for by ID is returned all the same. ``on_limit`` is told
    when more sessions matched than the limit returns."""
    if params.get('session_id'):
        session = client.session(params['session_id'])
        if session is None:
            return [], 'no session %s on the server' % params['session_id']
        return [session], None
    job_id = params.get('job_id')
    if params.get('job_name'):
        job_id = client.job_id_named(params['job_name'])
    limit = params.get('limit')
    return client.sessions(job_id, params.get('job_type'), statuses, start, end, consume if limit is None else None,
                           params.get('job_name'), limit, on_limit), None


def connect(params, context, connections=None, budget=None):
    """The VB365 client of the connection options ``params``, for ``context`` (a _context.Context)."""
    if not params['url']:
        raise OptionError('no server given: set url (or VB365_URL) to the REST API of Veeam Backup for '
                          'Microsoft 365, e.g. https://vb365.example.com:4443', option='url')
    base_url = check_url('url', params['url'], context.warn)
    if not params['access_token'] and not (params['username'] and params['password']):
        raise OptionError('no credentials: give username (or VB365_USERNAME) and password (or VB365_PASSWORD), '
                          'or access_token (or VB365_ACCESS_TOKEN)', option='username')
    check_range('page_size', params['page_size'], 1, MAX_PAGE_SIZE)
    version = check_version(params['api_version'])
    http = context.http_client(base_url, params, connections)
    token = PasswordToken(http, base_url, version, params['username'], params['password'],
                          access_token=params['access_token'] or None, on_token=context.add_secret)
    return VB365Client(base_url, version, token, context, params['page_size'], budget)


class JobRunningError(BackupOpsError):
    """The job asked to start is running already and the caller wants no wait (if_running=fail)."""


def start_session(client, job_id, if_running='wait', full=False, check_mode=False, find_timeout=60,
                  sleep=time.sleep, clock=time.monotonic):
    """Start job ``job_id`` unless it is running: (session, started, was_running).

    A job whose session is running or queued is not started: with ``if_running='fail'`` that is a JobRunningError,
    otherwise its newest active session is returned (``was_running``). In check mode nothing is started and the
    session is None. A start the server refuses (any 4xx: some servers say "already running" that way, and a start
    retried after a lost answer meets the session of its first attempt) is looked at again: a session now active is
    the job's running one; else the refusal stands. Without a session in the answer (204, v6 and v7) the job's new
    session is looked for within ``find_timeout`` seconds."""
    known, active = client.job_sessions_now(job_id)
    where = 'the sessions of job %s' % job_id
    if active:
        return _running(client.session_of_job(active[0], job_id, where), job_id, if_running), False, True
    if check_mode:
        return None, False, False
    try:
        session = client.start_job(job_id, full)
    except ApiResponseError as error:
        if error.status is None or not 400 <= error.status < 500:
            raise
        _known, active = client.job_sessions_now(job_id)
        if not active:
            raise
        return _running(client.session_of_job(active[0], job_id, where), job_id, if_running), False, True
    if session is None:
        session = _new_session(client, job_id, known, find_timeout, sleep, clock)
    return session, True, False


def _running(session, job_id, if_running):
    if if_running == 'fail':
        raise JobRunningError('job %s is running already (session %s, %s since %s), so it was not started again; '
                              'if_running=wait waits for that session, if_running=return returns it'
                              % (job_id, printable(session.get('id'), limit=ID_LIMIT),
                                 printable(session.get('status'), limit=ID_LIMIT),
                                 printable(session.get('creation_time'), limit=ID_LIMIT)),
                              session_id=session.get('id'))
    return session


def _new_session(client, job_id, known, timeout, sleep, clock):
    """The newest session of the job that was not there before its start (``known``), looked for at once and then
    with back-off within ``timeout`` seconds."""
    deadline = clock() + timeout
    for delay in [0.0] + poll_delays(timeout, first=1.0):
        if delay:
            sleep(max(0.0, min(delay, deadline - clock())))
        found = _sessions_not_in(client, job_id, known)
        if found:
            found.sort(key=newest_first_key(session_time))
            return client.session_of_job(found[0], job_id, 'the new sessions of job %s' % job_id)
        if clock() >= deadline:
            break
    raise UnexpectedResponseError('job %s was started (POST /%s/Jobs/%s/start answered without a session), but no new '
                                  'session of it appeared within %d s; look for it with job_session_info'
                                  % (job_id, client.version, job_id, timeout))


def _sessions_not_in(client, job_id, known):
    found = []

    def keep(session):
        if str(session.get('id')).strip().lower() not in known:
            found.append(session)
    client.sessions(job_id, None, [], None, None, consume=keep)
    return found


def wait_session(client, session, job_id, timeout, sleep=time.sleep, clock=time.monotonic):
    """(the session as last read, whether it ended): ``session`` polled (GET /JobSessions/{id}, each answer checked to
    be that session of job ``job_id``) with back-off until it is no longer running or queued, for at most ``timeout``
    seconds (see _vb365_apis.poll_delays)."""
    deadline = clock() + timeout
    if session.get('outcome') not in ACTIVE_OUTCOMES:
        return session, True
    for delay in poll_delays(timeout):
        sleep(max(0.0, min(delay, deadline - clock())))
        session = client.followed_session(session['id'], job_id)
        if session.get('outcome') not in ACTIVE_OUTCOMES:
            return session, True
        if clock() >= deadline:
            break
    return session, False
