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
from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import normalize_record, snake_dict
from ansible_collections.backupops.jobs.plugins.module_utils._paging import dig
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import (
    format_query_time,
    format_timestamp,
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
