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
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
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
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp, parse_timestamp, shifted
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import (
    ACTIVE_OUTCOMES,
    ITEM_DATA,
    ITEM_DIRECTORY,
    ITEM_KINDS,
    ITEM_SERVICES,
    ITEM_TYPES,
    MAX_PAGE_SIZE,
    SESSION_FILTERS,
    check_version,
    is_guid,
    item_ids,
    item_name,
    item_text,
    judge_item,
    log_order,
    logged_at,
    normalize_job,
    normalize_log_item,
    normalize_item,
    normalize_session,
    poll_delays,
    processed_status,
    session_time,
    sessions_route,
    unprotected_item,
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

    def _list(self, path, query, noun, shape=_as_is, verifier=None, window=None, consume=None, page_size=None,
              concurrency=None, **options):
        """(records, the API's total or None) of one listing of ``path`` (see _listing.list_records), in pages of
        ``page_size`` (the connection's; smaller when consumed) with ``concurrency`` pages in flight."""
        url = self._url(path)
        if page_size is None:
            page_size = self.page_size if consume is None else min(self.page_size, CONSUMED_PAGE_SIZE)
        fetcher = Fetcher(lambda params: self._page(url, params), concurrency or self._max_concurrency, self._follow)
        return list_records(lambda collector: offset_paging(fetcher, query, page_size, collector), shape,
                            verifier or Verifier({}, {}, self._warn), window or Window(), self._warn, noun,
                            consume=consume, budget=self._budget, **options)

    def records(self, path, query, noun):
        """Every record of a listing that v5 to v7 answer as an array and v8 as a page."""
        if version_at_least(self.version, 'v8'):
            records, _total = self._list(path, query, noun)
            return records
        body = json_body(self._token.get(self._url(path), query or None))
        return Page.from_vb365(body, '/%s%s' % (self.version, path), self._warn).items

    def get_object(self, path, noun='an object'):
        """The JSON object at ``path``, or None when the server answers 404; anything but an object is refused."""
        response = self._token.get(self._url(path))
        if response.status_code == 404:
            return None
        body = json_body(response)
        if not isinstance(body, dict):
            raise UnexpectedResponseError('GET /%s%s answered with JSON %s, not %s'
                                          % (self.version, path, type(body).__name__, noun))
        return body

    def jobs(self):
        """The server's backup jobs (GET /Jobs lists no backup copy jobs), read once per run."""
        with self._jobs_lock:
            if self._jobs is None:
                self._jobs = self.records('/Jobs', {}, 'jobs')
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
        body = self.get_object('/JobSessions/%s' % session_id, 'a session')
        if body is None:
            return None
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
        body = self.get_object(path, 'a job')
        if body is None:
            return None
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


# Backed-up items: organizations, repositories, the users, sites, teams and groups they hold, and what the sessions
# did to each (backup_item_info, the gate's vb365_item source). Requests per named item and repository - resolve the
# name, read the item - never a listing of the organization; a listing of every item pages like the sessions.


def _quoted_names(records, key='name'):
    return printable(', '.join(sorted(printable(record.get(key), limit=QUOTE_LIMIT) for record in records)) or 'none',
                     limit=QUOTE_LIMIT)


def item_organization(client, given):
    """{id, name} of the organization named by ``given`` (its name, such as contoso.onmicrosoft.com, or its ID);
    without ``given``, of the one organization the server backs up. OptionError listing the organizations."""
    listed = client.records('/Organizations', dict(extendedView='true'), 'organizations')
    organizations = [record for record in listed if isinstance(record, dict)]
    if given:
        wanted = str(given).strip().lower()
        matches = [record for record in organizations
                   if wanted in (str(record.get('id')).lower(), str(record.get('name')).lower(),
                                 str(record.get('officeName')).lower())]
    else:
        matches = [record for record in organizations if record.get('isBackedup') is True]
    if len(matches) == 1 and matches[0].get('id'):
        return dict(id=str(matches[0]['id']), name=item_text(matches[0].get('name')))
    if given and not matches:
        raise OptionError('organization: no organization %s on the server; its organizations are: %s'
                          % (printable(repr(given), limit=QUOTE_LIMIT), _quoted_names(organizations)),
                          option='organization', value=given)
    raise OptionError('organization: %s; give organization (its name or ID) - the server\'s organizations are: %s'
                      % ('%d organizations match %s' % (len(matches), printable(repr(given), limit=QUOTE_LIMIT))
                         if given else 'the server backs up %d organizations, not one' % len(matches),
                         _quoted_names(organizations)), option='organization', value=given)


def item_repositories(client, organization, given=None):
    """[{id, name}] of the backup repositories (those named by ``given``, names or IDs; by default all)."""
    query = dict(organizationId=organization['id']) if version_at_least(client.version, 'v8') else {}
    repositories = [dict(id=str(record['id']), name=item_text(record.get('name')))
                    for record in client.records('/BackupRepositories', query, 'repositories')
                    if isinstance(record, dict) and isinstance(record.get('id'), str) and record['id'].strip()]
    if not given:
        return repositories
    chosen = []
    for name in given:
        wanted = str(name).strip().lower()
        matches = [repository for repository in repositories
                   if wanted in (repository['id'].lower(), str(repository['name']).lower())]
        if len(matches) != 1:
            raise OptionError('repositories: %s %s; the server\'s repositories are: %s' % (
                '%d repositories match' % len(matches) if matches else 'no repository', printable(
                    repr(name), limit=QUOTE_LIMIT), _quoted_names(repositories)), option='repositories', value=name)
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def _directory_matches(client, organization, kind, given):
    """The organization's objects of ``kind`` that ``given`` names: an ID, a user's or group's address, a site's
    URL, a team's or group's display name."""
    base = '/Organizations/%s/%s' % (organization['id'], ITEM_DIRECTORY[kind])
    text = str(given).strip()
    if is_guid(text):
        found = client.get_object('%s/%s' % (base, text))
        return [found] if found is not None and str(found.get('id', '')).lower() == text.lower() else []
    if any(character in text for character in '*?'):
        raise OptionError('%ss: %s has a wildcard; name one %s exactly' % (kind, printable(repr(given), limit=QUOTE_LIMIT),
                                                                           kind), option=kind + 's', value=given)
    if kind == 'user':
        query, field = (dict(userName=text), 'name') if '@' in text else (dict(displayName=text), 'displayName')
    elif kind == 'site':
        # Sites are looked for by a word of the URL (v7 and later; v6 documents no filter, and lists the organization's
        # sites, which are few: personal sites are left out) and matched on the whole URL (or the title) here.
        word = text.rstrip('/').rsplit('/', maxsplit=1)[-1] or text
        query, field = (dict(filter=word) if version_at_least(client.version, 'v7') else {}), 'url'
    elif kind == 'group' and '@' in text:
        query, field = dict(groupName=text), 'name'
    else:
        query, field = dict(displayName=text), 'displayName'
    records, _total = client._list(base, query, ITEM_DIRECTORY[kind].lower())
    wanted = text.lower().rstrip('/')

    def named(record):
        values = [record.get(field)] + ([record.get('title')] if kind == 'site' else [])
        return any(isinstance(value, str) and value.strip().lower().rstrip('/') == wanted for value in values)
    # A server that ignores the filter answers the whole directory: only exact matches count.
    return [record for record in records if isinstance(record, dict) and named(record)]


def resolve_item(client, organization, kind, given):
    """(the organization's object named ``given``, or None when it knows no such name); OptionError when the name
    matches several, listing them."""
    matches = _directory_matches(client, organization, kind, given)
    if len(matches) > 1:
        listed = ', '.join('%s (%s)' % (item_text(item_name(kind, record), QUOTE_LIMIT),
                                        item_text(record.get('id'), ID_LIMIT)) for record in matches[:20])
        raise OptionError('%ss: %s names %d %ss of %s: %s; give the one meant by its ID%s' % (
            kind, printable(repr(given), limit=QUOTE_LIMIT), len(matches), kind, organization['name'],
            printable(listed, limit=4 * QUOTE_LIMIT), ' or address' if kind in ('user', 'group') else ''),
            option=kind + 's', value=given)
    return matches[0] if matches else None


def _foreign(client, raw, organization, where):
    """Whether ``raw`` is another organization's item: dropped with a warning (a server must not answer one)."""
    owner = raw.get('organizationId')
    if owner is None or str(owner).strip().lower() == organization['id'].lower():
        return False
    client._warn('%s answered an item of another organization (%s, not %s); it was dropped, not counted'
                 % (where, item_text(owner, ID_LIMIT), organization['name']))
    return True


def read_item(client, organization, repository, kind, item_id, now):
    """The normalised item ``item_id`` of ``repository``, or None when the repository does not hold it. An answer
    for another item or another organization is dropped with a warning."""
    path = '/BackupRepositories/%s/%s/%s' % (repository['id'], ITEM_DATA[kind], item_id)
    raw = client.get_object(path)
    if raw is None:
        return None
    where = 'GET /%s%s' % (client.version, path)
    if str(raw.get('id', '')).strip().lower() != str(item_id).strip().lower():
        client._warn('%s answered another item (%s); it was dropped, not counted'
                     % (where, item_text(raw.get('id'), ID_LIMIT)))
        return None
    if _foreign(client, raw, organization, where):
        return None
    record = normalize_item(kind, raw, organization, repository, now)
    record['_ids'] = item_ids(raw)
    return record


def list_items(client, organization, repository, kind, now, consume=None):
    """Every item of ``kind`` that ``repository`` holds for ``organization``, normalised, through the one listing
    pipeline (pages fetched concurrently); with ``consume``, each is handed to it as it arrives."""
    path = '/BackupRepositories/%s/%s' % (repository['id'], ITEM_DATA[kind])
    where = 'GET /%s%s' % (client.version, path)

    def shape(raw, _unreadable):
        if not isinstance(raw, dict) or _foreign(client, raw, organization, where):
            return None
        record = normalize_item(kind, raw, organization, repository, now)
        record['_ids'] = item_ids(raw)
        return record
    sink = None if consume is None else (lambda record: record is not None and consume(record))
    records, _total = client._list(path, {}, ITEM_DATA[kind].lower(), shape, consume=sink)
    return [record for record in records if record is not None]


def processed_sessions(client, start, end):
    """The ended backup sessions of ``start`` to ``end`` (v7 and later: those that list ProcessedObjects), newest
    first; [] before v7."""
    if not version_at_least(client.version, 'v7'):
        return []
    return [session for session in client.sessions(None, 'backup', [], start, end)
            if session.get('outcome') not in ('running', 'queued') and session_time(session) is not None]


def processed_objects(client, session, wanted=None, each=None, concurrency=None):
    """[(IDs, type, outcome)] of the objects ``session`` processed (v7 and later); with ``wanted`` (IDs, lower
    case), only those of them; with ``each``, each is handed to it instead (none is kept).

    Read in pages of the connection's page size, not the smaller pages of a consumed listing: an object is three short
    fields, and the pages of a session of 50,000 objects would otherwise be fifty."""
    path = '/JobSessions/%s/ProcessedObjects' % session['id']
    found = []

    def consume(raw):
        ids, kind, outcome = processed_status(raw)
        if ids and (wanted is None or ids & wanted):
            (each or found.append)((ids, kind, outcome))
    client._list(path, {}, 'processed objects', consume=consume, page_size=client.page_size, concurrency=concurrency,
                 id_key=None)
    return found


def _session_entry(session, outcome):
    return dict(id=session.get('id'), job_id=str(session.get('job_id') or '').lower() or None, outcome=outcome,
                end_time=session_time(session), start_time=parse_timestamp(session.get('start_time')))


def _read_named(client, organization, repositories, named, sessions, now):
    """The records of the ``named`` items (kind, name), each with the outcome of the newest of ``sessions`` (newest
    first) that processed it. Each session's ProcessedObjects is read once for all the items, and no older session
    is read once every item has been found."""
    workers = max(1, client._max_concurrency)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Every name resolved at once, then every (item, repository) read at once: two rounds of requests.
        resolved = list(pool.map(lambda pair: _item_id(client, organization, pair[0], pair[1]), named))
        reads = [(number, repository) for number, (_found, item_id) in enumerate(resolved) if item_id
                 for repository in repositories]
        found_in = list(pool.map(lambda read: read_item(client, organization, read[1], named[read[0]][0],
                                                        resolved[read[0]][1], now), reads))
    items = []
    for number, ((kind, given), (found, _ident)) in enumerate(zip(named, resolved)):
        held = [record for (owner, _repository), record in zip(reads, found_in) if owner == number and record]
        ids = frozenset().union(*(record.pop('_ids') for record in held)) | item_ids(found or {}) if held else None
        items.append((kind, given, found, held, ids))
    wanted = dict(((ITEM_TYPES[kind], ident), number) for number, (kind, _given, _found, _held, ids) in enumerate(items)
                  if ids for ident in ids)
    newest = {}
    # The newest session that processed an item ended at or after its newest backup (the session that wrote it):
    # older sessions are not read for it.
    backed_up = dict((number, max([parse_timestamp(record['finish_time']) for record in held if record['finish_time']]
                                  or [None], key=lambda moment: moment or OLDEST))
                     for number, (_kind, _given, _found, held, ids) in enumerate(items) if ids)

    def relevant(session):
        return [number for number in backed_up if number not in newest
                and (backed_up[number] is None or session_time(session) >= backed_up[number])]
    remaining = list(sessions)
    while remaining:
        # max_concurrency sessions at a time, each read one page after the other, newest first.
        batch = [session for session in remaining if relevant(session)][:max(1, client._max_concurrency)]
        if not batch:
            break
        remaining = remaining[remaining.index(batch[-1]) + 1:]
        ids_sought = frozenset(key[1] for key, number in wanted.items() if number not in newest)
        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            read = list(pool.map(lambda session: processed_objects(client, session, ids_sought, concurrency=1), batch))
        for session, objects in zip(batch, read):
            for ids, found_type, outcome in objects:
                # An object without a type may be any kind of item.
                for key in [(item_type, ident) for ident in ids
                            for item_type in ((found_type,) if found_type else tuple(ITEM_TYPES.values()))]:
                    number = wanted.get(key)
                    if number is not None and outcome is not None and number not in newest \
                            and number in relevant(session):
                        newest[number] = _session_entry(session, outcome)
    records = []
    for number, (kind, given, found, held, _ids) in enumerate(items):
        if not held:
            records.append(unprotected_item(kind, given, found, organization))
        records.extend(_with_outcome(record, [newest[number]] if number in newest else []) for record in held)
    return records


def _with_outcome(record, entries):
    """``record`` with the outcome and session of the newest session that processed it (``entries``, newest first)."""
    if entries:
        record.update(outcome=entries[0]['outcome'], session_id=item_text(entries[0]['id'], ID_LIMIT),
                      session_time=format_timestamp(entries[0]['end_time']))
    return record


def _named_items(params):
    return [(kind, value) for kind in ITEM_KINDS for value in params.get(kind + 's') or []]


def _held(client, organization, repositories, kind, item_id, now):
    """The normalised records of ``item_id`` in each of ``repositories`` that holds it, read concurrently."""
    workers = max(1, min(client._max_concurrency, len(repositories)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = list(pool.map(lambda repository: read_item(client, organization, repository, kind, item_id, now),
                              repositories))
    return [record for record in found if record is not None]


def _item_id(client, organization, kind, given):
    """(the organization's object named ``given`` or None, the ID to read the item by or None)."""
    found = resolve_item(client, organization, kind, given)
    item_id = found.get('id') if found is not None else (str(given).strip() if is_guid(str(given)) else None)
    return found, item_id.strip() if isinstance(item_id, str) and item_id.strip() else None


def find_item(client, organization, repositories, kind, given, now):
    """(the organization's object or None, [the item's record in each repository that holds it]) of the item named
    by ``given``. A GUID the organization does not know (a user deleted from it) is still looked for by ID."""
    found, item_id = _item_id(client, organization, kind, given)
    if item_id is None:
        return found, []
    return found, _held(client, organization, repositories, kind, item_id, now)


def read_items(client, params, now, consume=None):
    """The items the options of backup_item_info ask for, normalised; with ``consume`` (and no names), each is
    handed to it as it arrives and none is returned. Named items are resolved and read one by one; without names,
    every item of every repository is listed."""
    organization = item_organization(client, params.get('organization'))
    repositories = item_repositories(client, organization, params.get('repositories'))
    named = _named_items(params)
    hours = params.get('outcome_hours') or 24
    sessions = processed_sessions(client, shifted(now, -timedelta(hours=hours)), now)
    if named:
        return _read_named(client, organization, repositories, named, sessions, now)
    newest = {}
    for session in sessions:
        # One entry per session and outcome, shared by its objects: 50,000 objects keep 50,000 keys, not entries.
        entries = dict((outcome, _session_entry(session, outcome)) for outcome in ('success', 'warning', 'failed'))
        processed_objects(client, session, each=_noting(newest, entries))
    records = []

    def add(record):
        matches = [newest[(ITEM_TYPES[record['kind']], ident)] for ident in record.pop('_ids', ())
                   if (ITEM_TYPES[record['kind']], ident) in newest]
        matches.sort(key=lambda entry: entry['end_time'], reverse=True)
        _with_outcome(record, matches)
        (consume or records.append)(record)
    for repository in repositories:
        for kind in ITEM_KINDS:
            list_items(client, organization, repository, kind, now, add)
    return records


def _noting(newest, entries):
    """What notes each processed object of one session in ``newest`` ((type, ID): the session's entry of its
    outcome, ``entries``), unless a newer session noted it first."""
    def note(processed):
        ids, found_type, outcome = processed
        if outcome is not None:
            for ident in ids:
                newest.setdefault((found_type, ident), entries[outcome])
    return note


def _job_of_time(sessions):
    """The job of the one session that ran at a moment (its start to its end), or None when none or several did."""
    def job_of(moment):
        jobs = set(entry['job_id'] for entry in sessions if entry['start_time'] is not None
                   and entry['end_time'] is not None and entry['start_time'] <= moment <= entry['end_time'])
        return jobs.pop() if len(jobs) == 1 else None
    return job_of


def _covered_by(sessions):
    """Whether one of ``sessions`` (ended, of the server's backup jobs) ran at a moment (its start to its end)."""
    def covered(moment):
        return any(entry['start_time'] is not None and entry['end_time'] is not None
                   and entry['start_time'] <= moment <= entry['end_time'] for entry in sessions)
    return covered


def judge_item_check(client, filters, accept, now, max_age_hours):
    """The verdict of one vb365_item check (see _vb365_apis.judge_item): the item resolved by name, read in every
    repository, and, from v7 on, the ProcessedObjects of the sessions that ended after its stalest needed backup."""
    organization = item_organization(client, filters.get('organization'))
    kind = next(kind for kind in ITEM_KINDS if filters.get(kind))
    given = filters[kind]
    label = item_text(given, QUOTE_LIMIT)
    repositories = item_repositories(client, organization)
    found, held = find_item(client, organization, repositories, kind, given, now)
    if found is None and not held:
        verdict = judge_item(label, [], [], [], accept, now, max_age_hours, True)
        verdict['reason'] += '; %s knows no %s %s' % (organization['name'], kind, label)
        return verdict
    services = list(filters.get('services') or [])
    if not services:
        services = [name for name, _time, _flag in ITEM_SERVICES[kind]
                    if any(record['services'][name]['backed_up'] for record in held)] or [
                        name for name, _time, _flag in ITEM_SERVICES[kind]]
    unknown = [name for name in services if name not in dict((entry[0], 1) for entry in ITEM_SERVICES[kind])]
    if unknown:
        raise OptionError('services: a %s has the services %s, not %s' % (
            kind, ', '.join(name for name, _time, _flag in ITEM_SERVICES[kind]), ', '.join(unknown)), option='services')
    processed_known = version_at_least(client.version, 'v7')
    entries = []
    job_of = unlisted_at = covered_at = None
    if held and processed_known:
        times = [parse_timestamp(record['services'][name]['last_backup_time']) for record in held
                 for name in services if record['services'][name]['backed_up']]
        start = shifted(now, -timedelta(hours=max_age_hours))
        since = max(start, min(times)) if times else start
        sessions = processed_sessions(client, start, now)
        known = [_session_entry(session, None) for session in sessions]
        job_of, covered_at = _job_of_time(known), _covered_by(known)
        later = [session for session in sessions if session_time(session) >= since]
        ids = frozenset().union(*(record['_ids'] for record in held)) | item_ids(found or {})
        entries = _processed_by_all(client, later, kind, ids)
        unlisted_at = _unlisted_at([_session_entry(session, None) for session in later],
                                   set(entry['id'] for entry in entries))
    return judge_item(label, held, services, entries, accept, now, max_age_hours, processed_known, job_of,
                      unlisted_at, covered_at if processed_known and held else None)


def _unlisted_at(sessions, listing):
    """The ID of a session that ran at a moment and does not list the item (``listing``: the IDs of the sessions
    that do), when none that ran then lists it; None otherwise."""
    def unlisted(moment):
        ran = [entry['id'] for entry in sessions if entry['start_time'] is not None and entry['end_time'] is not None
               and entry['start_time'] <= moment <= entry['end_time']]
        return ran[0] if ran and not any(ident in listing for ident in ran) else None
    return unlisted


def _processed_by_all(client, sessions, kind, ids):
    """Every session of ``sessions`` that processed the item known by ``ids``, each a _session_entry."""
    entries = []
    workers = max(1, min(client._max_concurrency, len(sessions)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        read = list(pool.map(lambda session: processed_objects(client, session, ids, concurrency=1), sessions))
    for session, objects in zip(sessions, read):
        outcomes = [outcome for _found, found_type, outcome in objects
                    if found_type in (None, ITEM_TYPES[kind]) and outcome is not None]
        if outcomes:
            worst = 'failed' if 'failed' in outcomes else 'warning' if 'warning' in outcomes else 'success'
            entries.append(_session_entry(session, worst))
    return entries


# The earliest moment, for ordering times where one may be missing.
OLDEST = datetime.min.replace(tzinfo=timezone.utc)
