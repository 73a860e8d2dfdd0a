# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection knows of the VB365 REST API, v5 to v8: the versions, their routes and filters for sessions,
the statuses, outcomes and kinds of a session, and the shape of a session and of a log item.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Sources: Veeam's Help Center pages for the REST API of VB365 5 to 8 and the published OpenAPI
documents of v6, v7 and v8 (see the collection's notes). Every field is treated as optional and
unknown status strings are passed through, as real servers send values the schemas lack.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from ansible_collections.backupops.jobs.plugins.module_utils._codes import CodeTable, kind_map, outcome_map
from ansible_collections.backupops.jobs.plugins.module_utils._egress import ID_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import normalize_record, snake_dict
from ansible_collections.backupops.jobs.plugins.module_utils._paging import dig
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import (
    format_query_time,
    format_timestamp,
    hours_between,
    parse_timestamp,
    shifted,
)
from ansible_collections.backupops.jobs.plugins.module_utils._verify import Verified, field

VERSIONS = ('v5', 'v6', 'v7', 'v8')
MAX_PAGE_SIZE = 10000

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


def version_at_least(version, oldest):
    return VERSIONS.index(version) >= VERSIONS.index(oldest)


def _any_status(asked, answer):
    return str(answer).strip().lower() in asked.lower().split(',')


# How each filter of a listing of sessions is checked again on every session (see _verify): the job, the job's
# kind once resolved (see VB365Client.resolve_kind), and the statuses, which only v8 takes, and one at a time.
SESSION_FILTERS = {'jobId': Verified('job_id', field('job_id')), 'jobType': Verified('job_type', field('kind')),
                   'status': Verified('status', field('status'), matches=_any_status)}


def sessions_route(version, job_id, job_type, statuses, start, end):
    """(path, query) of a listing of sessions: every filter ``version`` supports, sent to the server."""
    query = {}
    if job_id and not version_at_least(version, 'v7'):
        # The per-job route of v5 and v6 takes offset and limit only.
        return '/Jobs/%s/JobSessions' % job_id, query
    query['jobId'] = job_id
    if job_type and version_at_least(version, 'v6'):
        query['jobType'] = JOB_TYPE_FILTER[job_type]
    if start is not None and version_at_least(version, 'v6'):
        # Described as "created after" though named for the end: early enough for both readings.
        query['endTimeLowerBound'] = format_query_time(shifted(start, -LOWER_BOUND_MARGIN))
    if end is not None and version_at_least(version, 'v7'):
        query['endTimeUpperBound'] = format_query_time(end, round_up=True)
    if version == 'v8' and len(statuses) == 1 and statuses[0] in V8_STATUS_FILTER:
        query['status'] = V8_STATUS_FILTER[statuses[0]]
    return '/JobSessions', dict((key, value) for key, value in query.items() if value is not None)


def normalize_session(raw, unreadable=None):
    """A session with its job's ID and, where it says so itself, its kind (see VB365Client.resolve_kind) and
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


def logged_at(item):
    return parse_timestamp(item.get('creation_time'))


def log_order(item):
    """Oldest first: by the API's order number where it gives one, else by time."""
    usn = item.get('usn')
    moment = logged_at(item)
    return (not isinstance(usn, int), usn if isinstance(usn, int) else 0, moment is None,
            moment.timestamp() if moment is not None else 0)


def session_time(session):
    """When a session ended or, still running, when it began: the time its filters and order go by."""
    return parse_timestamp(session.get('end_time')) or parse_timestamp(session.get('creation_time'))


def check_statuses(values):
    """The API's spellings of the status option's values."""
    return [SESSION_STATUSES.code_for('status', value) for value in values or []]


# Starting a job and waiting for its session (job_session; the gate's refresh). The start route exists from v6; v8
# answers with the new session, v6 and v7 with 204 and the session appears among the job's.
START_FROM = 'v6'
# A session in one of these outcomes has not ended; one that ends in FAILED_OUTCOMES made no backup.
ACTIVE_OUTCOMES = ('running', 'queued')
FAILED_OUTCOMES = ('failed', 'stopped')
# The waits between two polls of a session: from POLL_FIRST seconds, growing by POLL_FACTOR, at most POLL_CEILING.
POLL_FIRST = 2.0
POLL_FACTOR = 1.5
POLL_CEILING = 30.0
# Log lines of these statuses say why a session failed (v8 writes Error, v5 to v7 titles say Failed or Error).
ERROR_STATUSES = ('failed', 'error')
WARNING_STATUSES = ('warning',)


def poll_delays(timeout, first=POLL_FIRST, factor=POLL_FACTOR, ceiling=POLL_CEILING):
    """The waits between polls within ``timeout`` seconds: ``first``, growing by ``factor`` up to ``ceiling``, the last
    cut so that they add up to ``timeout`` and never more; none for a timeout of 0. With a ceiling of 30 s a day's
    wait is under 3,000 polls."""
    delays, total, delay = [], 0.0, float(first)
    while timeout - total > 1e-6:
        step = min(delay, ceiling, timeout - total)
        delays.append(step)
        total += step
        delay = min(delay * factor, ceiling)
    return delays


def log_reasons(items, statuses=ERROR_STATUSES, limit=5, length=300):
    """What ``items`` (normalised log items, oldest first) say went wrong: the messages of the lines in ``statuses``,
    newest last, at most ``limit`` of them (the last ones, which tell how the session ended), each one line, printable
    and at most ``length`` characters; server text, so quoted only through this bound."""
    found = [item for item in items if str(item.get('status') or '').strip().lower() in statuses]
    return [printable(item.get('message') if item.get('message') is not None else item.get('title'), limit=length)
            for item in found[-limit:]] if limit > 0 else []


def normalize_job(raw):
    """A job (GET /Jobs/{jobId}) in snake_case: ``schedule_policy`` (type, periodically_every, daily_type, daily_time,
    retry_enabled, retry_number, retry_wait_interval...), ``last_run``, ``next_run``, ``last_backup`` (v7 and later),
    ``is_enabled``; every key the API sends, as sent."""
    return snake_dict(raw) if isinstance(raw, dict) else {}


# Backed-up items: the users, sites, teams and groups a repository holds (backup_item_info, the gate's vb365_item).

ITEM_KINDS = ('user', 'site', 'team', 'group')
# The API's word for each kind: its backed-up data (BackupRepositories/{id}/UserData...), the organization's
# directory (Organizations/{id}/Users...) and the type ProcessedObjects gives.
ITEM_DATA = dict(user='UserData', site='SiteData', team='TeamData', group='GroupData')
ITEM_DIRECTORY = dict(user='Users', site='Sites', team='Teams', group='Groups')
ITEM_TYPES = dict(user='User', site='Site', team='Team', group='Group')
# The services of each kind: (name, the time it was last backed up, the flag that says whether it is backed up).
# A site and a team are one service each, named after the kind; a group has its mailbox and its site.
ITEM_SERVICES = dict(
    user=(('mailbox', 'mailboxBackedUpTime', 'isMailboxBackedUp'),
          ('archive', 'archiveBackedUpTime', 'isArchiveBackedUp'),
          ('onedrive', 'oneDriveBackedUpTime', 'isOneDriveBackedUp'),
          ('personal_site', 'personalSiteBackedUpTime', 'isPersonalSiteBackedUp')),
    site=(('site', 'backedUpTime', None),),
    team=(('team', 'backedUpTime', None),),
    group=(('mailbox', 'mailboxBackedUpTime', 'isMailboxBackedUp'), ('site', 'siteBackedUpTime', 'isSiteBackedUp')),
)
SERVICE_NAMES = tuple(sorted(set(name for services in ITEM_SERVICES.values() for name, _time, _flag in services)))
# The outcome of an item in a session (ProcessedObjects' status, v7 and later).
ITEM_OUTCOMES = dict(success='success', warning='warning', failed='failed')
# The keys of an item backup_item_info documents (what its fields option accepts, with _listing.COMMON_FIELDS).
ITEM_FIELDS = ('id', 'kind', 'name', 'display_name', 'organization', 'organization_id', 'repository', 'repository_id',
               'protected', 'deleted', 'account_id', 'services', 'outcome', 'session_id', 'session_time', 'found')
# How the age of an item (hours since the stalest of its backed-up services) is counted in a summary.
AGE_BUCKETS = ((24, 'within_24h'), (72, 'within_72h'), (168, 'within_7d'))
GUID = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')
# The longest name, URL or ID of an item a record or a message repeats: the server writes them.
ITEM_TEXT_LIMIT = 1000


def item_text(value, limit=ITEM_TEXT_LIMIT):
    """A server's text as a record or a message repeats it: printable and bounded; None stays None."""
    return None if value is None else printable(value, limit=limit)


def is_guid(value):
    return isinstance(value, str) and bool(GUID.match(value.strip()))


def item_ids(raw):
    """Every ID an item is known by, lower case: its id, its accountId (backed-up data) and its msid (v8) - the
    documents do not say which of them ProcessedObjects carries, so each is looked for."""
    return frozenset(str(raw.get(key)).strip().lower() for key in ('id', 'accountId', 'msid')
                     if isinstance(raw, dict) and isinstance(raw.get(key), (str, int)) and str(raw.get(key)).strip())


def item_name(kind, raw):
    """What a person calls an item: a user's or a group's e-mail address, a site's URL, a team's name."""
    if kind == 'site':
        return raw.get('url') or raw.get('title')
    if kind == 'team':
        return raw.get('displayName') or raw.get('mail')
    return raw.get('email') or raw.get('name') or raw.get('displayName')


def item_services(kind, raw, now):
    """{service: {backed_up, last_backup_time, hours_since_backup}} of one item of backed-up data. A service is
    backed up when the API gives a readable time no later than now (a flag that says so without a time is not
    believed; a time in the future is not a backup)."""
    services = {}
    for name, time_field, flag_field in ITEM_SERVICES[kind]:
        moment = parse_timestamp(raw.get(time_field))
        believed = moment is not None and moment <= now and (flag_field is None or raw.get(flag_field) is not False)
        services[name] = dict(backed_up=believed, last_backup_time=format_timestamp(moment) if moment else None,
                              hours_since_backup=hours_between(moment, now) if believed else None)
    return services


def normalize_item(kind, raw, organization, repository, now):
    """One item of one repository's backed-up data as backup_item_info returns it. ``organization`` and
    ``repository`` are {id, name}; ``raw`` is the API's item (None: an item no repository holds, see
    unprotected_item)."""
    services = item_services(kind, raw, now)
    times = [service['last_backup_time'] for service in services.values() if service['backed_up']]
    return dict(id=item_text(raw.get('id'), ID_LIMIT), kind=kind, name=item_text(item_name(kind, raw)),
                display_name=item_text(raw.get('displayName') or raw.get('title')),
                organization=organization['name'], organization_id=organization['id'],
                repository=repository['name'], repository_id=repository['id'], protected=True,
                deleted=raw.get('isDeleted') if isinstance(raw.get('isDeleted'), bool) else None,
                account_id=item_text(raw.get('accountId'), ID_LIMIT), services=services, outcome='unknown',
                session_id=None, session_time=None, found=True, status_name=None, start_time=None,
                finish_time=max(times) if times else None, duration_seconds=None)


def unprotected_item(kind, given, found, organization):
    """The record of a named item that no repository holds: ``found`` is the organization's object (None when the
    organization does not know the name either)."""
    found = found or {}
    return dict(id=item_text(found.get('id'), ID_LIMIT), kind=kind,
                name=item_text(item_name(kind, found) if found else given), display_name=item_text(
                    found.get('displayName') or found.get('title')), organization=organization['name'],
                organization_id=organization['id'], repository=None, repository_id=None, protected=False,
                deleted=None, account_id=None,
                services=dict((name, dict(backed_up=False, last_backup_time=None, hours_since_backup=None))
                              for name, _time, _flag in ITEM_SERVICES[kind]),
                outcome='unknown', session_id=None, session_time=None, found=bool(found), status_name=None,
                start_time=None, finish_time=None, duration_seconds=None)


def item_age_bucket(record):
    """The summary's age of an item: by the stalest of its backed-up services; ``never`` when none is."""
    hours = [service['hours_since_backup'] for service in (record.get('services') or {}).values()
             if isinstance(service, dict) and service.get('backed_up') and service.get('hours_since_backup') is not None]
    if not hours:
        return 'never'
    stalest = max(hours)
    return next((name for limit, name in AGE_BUCKETS if stalest <= limit), 'older')


class ItemAges:
    """The summary's ``by_age`` of items added one at a time."""

    def __init__(self):
        self.counts = dict((name, 0) for _limit, name in AGE_BUCKETS)
        self.counts.update(older=0, never=0)

    def add(self, record):
        self.counts[item_age_bucket(record)] += 1

    def result(self):
        return dict(self.counts)


def processed_status(raw):
    """(IDs lower case, type, outcome) of one object of ProcessedObjects; outcome None for a status not known."""
    raw = raw if isinstance(raw, dict) else {}
    ident = raw.get('id')
    ids = frozenset([str(ident).strip().lower()]) if isinstance(ident, (str, int)) and str(ident).strip() else frozenset()
    kind = raw.get('type') if isinstance(raw.get('type'), str) else None
    return ids, kind, ITEM_OUTCOMES.get(str(raw.get('status')).strip().lower())


def judge_item(label, items, services, processed, accept, now, max_age_hours, processed_known, job_of_time=None,
               unlisted_at=None, covered_at=None):
    """The verdict of one vb365_item check: {passed, reason, latest_success, hours_since_success, jobs_considered,
    services}.

    ``items`` are the normalised records of the item, one per repository that holds it (none: not protected);
    ``services`` the services that must be backed up; ``processed`` the sessions that processed the item, each
    {id, job_id, end_time (datetime), outcome} (ProcessedObjects, v7 and later); ``processed_known`` False on v6,
    which has none. ``job_of_time(moment)`` is the job of the session that ran at a service's backup time, where
    known; ``unlisted_at(moment)`` the ID of a session that ran at a backup time and does not list the item under
    any of its IDs (None when every such session lists it, or none is known); ``covered_at(moment)`` whether an
    ended session of a backup job the server lists ran at that moment (v7 and later: a backup time no such session
    explains - a session still running, of a job since deleted, or none at all - cannot be confirmed, and fails).

    Fail closed where the API is vague: whether a failed object's backup time moves is undocumented, so a backup
    counts only when no session that ended at or after it reports the item failed (or with warnings, unless
    ``accept`` has warning) - which is right whether the time moved with the failure or not. ProcessedObjects gives
    one status per item, not per service: a session counts against every service it may have written (its job wrote
    the service at its last backup time, or that is not known)."""
    accept = tuple(accept)
    window = '%g h' % max_age_hours
    verdict = dict(passed=False, latest_success=None, hours_since_success=None, jobs_considered=len(processed),
                   services={})
    if not items:
        verdict['reason'] = '%s: not in any backup repository (not protected)' % label
        return verdict
    start = now - timedelta(hours=max_age_hours)
    problems, oldest, where = [], None, set()
    for service in services:
        times = [(parse_timestamp(item['services'].get(service, {}).get('last_backup_time')), str(item['repository']))
                 for item in items if item['services'].get(service, {}).get('backed_up')]
        newest = max(moment for moment, _repository in times) if times else None
        where.update(repository for moment, repository in times if moment == newest)
        verdict['services'][service] = dict(last_backup_time=format_timestamp(newest) if newest else None,
                                            hours_since_backup=hours_between(newest, now) if newest else None)
        if newest is None:
            problems.append('%s never backed up' % service)
            continue
        if newest < start:
            # Stale already: a failure since would only repeat that it fails.
            problems.append('%s last backed up %s h ago' % (service, hours_between(newest, now)))
            continue
        if covered_at is not None and not covered_at(newest):
            problems.append('%s was backed up at %s by no ended session of a backup job the server lists, so its outcome '
                            'cannot be confirmed' % (service, format_timestamp(newest)))
            continue
        unlisted = unlisted_at(newest) if unlisted_at is not None else None
        if unlisted is not None:
            # The session that wrote the time does not name the item under any ID known: ProcessedObjects carries
            # another ID than those read, so no failure since could be seen either.
            problems.append('%s: session %s, which backed it up at %s, does not list the item under any of its IDs, '
                            'so its outcome cannot be read' % (service, item_text(unlisted, ID_LIMIT),
                                                               format_timestamp(newest)))
            continue
        job = job_of_time(newest) if job_of_time is not None else None
        against = [session for session in processed if session['end_time'] is not None
                   and session['end_time'] >= newest and session['outcome'] in ('failed', 'warning')
                   and (session['outcome'] == 'failed' or 'warning' not in accept)
                   and (job is None or session.get('job_id') is None or session['job_id'] == job)]
        if against:
            worst = max(against, key=lambda session: session['end_time'])
            problems.append('%s %s in session %s at %s' % (
                service, 'failed' if worst['outcome'] == 'failed' else 'ended with warnings', item_text(
                    worst['id'], ID_LIMIT), format_timestamp(worst['end_time'])))
            continue
        oldest = newest if oldest is None or newest < oldest else oldest
    if oldest is not None and not problems:
        verdict.update(latest_success=dict(id=items[0]['id'], finish_time=format_timestamp(oldest), outcome='success'),
                       hours_since_success=hours_between(oldest, now))
    if problems:
        verdict['reason'] = '%s: %s' % (label, '; '.join(problems))
    else:
        verdict.update(passed=True, reason='%s: %s backed up within the last %s (stalest %s h old; newest in %s)' % (
            label, ', '.join(services), window, verdict['hours_since_success'], ', '.join(sorted(where))))
    if not processed_known:
        verdict['reason'] += ' (v6: decided on the backup times alone; v6 has no per-object session outcome)'
    return verdict
