"""Seeded job data, as the AvePoint APIs return it (camelCase, integer codes).

Jobs are spaced back in time from ``now``: the newest starts 30 minutes ago, one every
``interval_hours`` before it. The same seed, count and now give the same jobs. Fields that the API
filters on but does not return (the IaaS + PaaS service type) are kept under keys starting with '_'
and stripped before a job is sent.
"""

import datetime
import random
import uuid
from collections.abc import Mapping

ORGANIZATIONS = (
    ('0f8fad5b-d9cb-469f-a165-70867728950e', 'contoso-prod'),
    ('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'contoso-test'),
)
# (serviceType, jobType) pairs of IaaS + PaaS jobs the seed draws from: mostly backups, and the restores,
# exports and deletions of the same services that a real tenant runs beside them.
VM_SERVICES = ((1, 1), (1, 1), (1, 1), (2, 128), (4, 1024), (256, 20009), (2048, 20016),
               (1, 2), (1, 4), (1, 30003))
VM_BACKUP_TYPES = (1, 128, 1024, 20009, 20016)
APIS = ('dynamics', 'vm', 'google')


def iso(moment, digits=3):
    text = moment.strftime('%Y-%m-%dT%H:%M:%S')
    if digits:
        # .NET writes seven fraction digits; Python keeps six.
        text += '.' + ('%06d0' % moment.microsecond)[:digits]
    return text + 'Z'


def public(job):
    return dict((key, value) for key, value in job.items() if not key.startswith('_'))


# How a tenant's backups look. Every shape but fresh leaves no successful backup in the last day:
#   stale    nothing at all in the last 36 hours (older jobs succeeded);
#   failed   every backup of the last 48 hours failed;
#   running  the newest backup is still running, the ones before it in the last 48 hours failed;
#   warning  every backup of the last 48 hours ended with warnings.
# In every shape the jobs that are not backups (restores, exports, deletions, copies) succeed, as they
# do on a tenant whose backups fail: a gate must not take them for backups.
SHAPES = {
    'fresh': dict(offset_hours=0, recent=None, newest='success'),
    'stale': dict(offset_hours=36, recent=None, newest='success'),
    'failed': dict(offset_hours=0, recent='failed', newest='failed'),
    'running': dict(offset_hours=0, recent='failed', newest='running'),
    'warning': dict(offset_hours=0, recent='warning', newest='warning'),
}
RECENT_HOURS = 48


def _outcome(rng, index, hours_ago, shape, backup=True):
    """success, warning, failed or running, as the shape wants it for a job this many hours old."""
    if not backup:
        return 'success'
    if index == 0:
        return shape['newest']
    if shape['recent'] and hours_ago <= RECENT_HOURS:
        return shape['recent']
    return rng.choices(('success', 'warning', 'failed'), weights=(84, 8, 8))[0]


def _times(now, index, interval_hours, rng, shape, backup=True):
    """(start, finish, duration, outcome) of the index-th newest job of a tenant of this shape."""
    start = now - datetime.timedelta(minutes=30, hours=interval_hours * index + shape['offset_hours'])
    # Up to a quarter of the interval (at most 15 minutes) late, so the jobs stay newest first however dense.
    start -= datetime.timedelta(seconds=rng.randint(0, min(900, int(interval_hours * 900))),
                                microseconds=rng.randint(0, 999) * 1000)
    outcome = _outcome(rng, index, (now - start).total_seconds() / 3600.0, shape, backup)
    duration = datetime.timedelta(seconds=rng.randint(60, 1500))
    return start, (None if outcome == 'running' else start + duration), duration, outcome


def dynamics_jobs(count, now, rng, interval_hours, shape):
    status = {'success': 3, 'warning': 7, 'failed': 4, 'running': 2}
    jobs = []
    for index in range(count):
        # The newest job is a backup, so each shape's newest outcome is a backup's.
        job_type = 1 if index == 0 else rng.choices((1, 2, 8, 32), weights=(85, 5, 5, 5))[0]
        start, finish, duration, outcome = _times(now, index, interval_hours, rng, shape, backup=job_type == 1)
        organization_id, organization_name = ORGANIZATIONS[index % len(ORGANIZATIONS)]
        records = rng.randint(100, 50000)
        failed = records // 50 if outcome in ('failed', 'warning') else 0
        jobs.append({
            'module': 'Customer Engagement', 'type': job_type,
            'jobId': 'DCIB%s%04d' % (start.strftime('%Y%m%d%H%M%S'), index),
            'startTime': iso(start), 'finishTime': iso(finish) if finish else None,
            'durationHours': round(duration.total_seconds() / 3600.0, 6) if finish else None,
            'status': status[outcome],
            'successfulEntity': 40, 'failedEntity': 1 if failed else 0, 'skippedEntity': 0, 'warningEntity': 0,
            'totalEntity': 40 + (1 if failed else 0),
            'successfulRecord': records - failed, 'failedRecord': failed, 'skippedRecord': 0, 'warningRecord': 0,
            'totalRecord': records, 'backupSize': records * 1800,
            'organizationId': organization_id, 'organizationName': organization_name,
        })
    return jobs


def _timespan(duration):
    seconds = int(duration.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return ('%d.' % days if days else '') + '%02d:%02d:%02d' % (hours, minutes, seconds)


def vm_jobs(count, now, rng, interval_hours, shape):
    status = {'success': 2, 'warning': 8, 'failed': 16, 'running': 1}
    jobs = []
    for index in range(count):
        service_type, job_type = VM_SERVICES[0] if index == 0 else rng.choice(VM_SERVICES)
        start, finish, duration, outcome = _times(now, index, interval_hours, rng, shape,
                                                  backup=job_type in VM_BACKUP_TYPES)
        total = rng.randint(1, 90)
        failed = 1 if outcome in ('failed', 'warning') else 0
        jobs.append({
            'jobId': '%s%s%03d' % ('FB' if index % 3 else 'IB', start.strftime('%Y%m%d%H%M%S'), index % 1000),
            'jobType': job_type, 'status': status[outcome],
            'failedCount': failed, 'successfulCount': total - failed, 'skippedCount': 0, 'totalCount': total,
            'startTime': iso(start, 0), 'finishTime': iso(finish, 0) if finish else None,
            'duration': _timespan(duration) if finish else None,
            'comments': 'nightly %s' % ('VM' if service_type == 1 else 'platform'),
            '_serviceType': service_type,
        })
    return jobs


def google_jobs(count, now, rng, interval_hours, shape):
    status = {'success': 2, 'warning': 7, 'failed': 3, 'running': 0}
    jobs = []
    for index in range(count):
        job_type = 1 if index == 0 else rng.choices((1, 2, 5), weights=(86, 7, 7))[0]
        start, finish, _duration, outcome = _times(now, index, interval_hours, rng, shape, backup=job_type == 1)
        jobs.append({
            'jobId': 'GDIG%s%03d' % (start.strftime('%Y%m%d%H%M%S'), index % 1000),
            # Apps in turn, so each has jobs every few hours whatever the seed draws.
            'appType': (1, 2, 4, 64)[index % 4], 'jobType': job_type,
            'dataSource': rng.choices((1, 2), weights=(95, 5))[0], 'status': status[outcome],
            'progress': 100.0 if finish else round(rng.uniform(5, 95), 1),
            'startTime': start.strftime('%Y-%m-%dT%H:%M:%S+00:00'),
            'finishTime': finish.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + '+00:00' if finish else None,
            'operator': 'System',
        })
    return jobs


GENERATORS = {'dynamics': dynamics_jobs, 'vm': vm_jobs, 'google': google_jobs}


def build_jobs(seed, count, now, interval_hours=2.0, shape='fresh'):
    """{api: [jobs newest first]} for one tenant; each job keeps its start as a datetime in '_started'."""
    tenant = {}
    for api in APIS:
        jobs = GENERATORS[api](count, now, random.Random('%s-%s' % (seed, api)), interval_hours, SHAPES[shape])
        for job in jobs:
            job['_started'] = datetime.datetime.fromisoformat(job['startTime'].replace('Z', '+00:00'))
        tenant[api] = jobs
    return tenant


VB365_JOBS = ('Exchange daily', 'SharePoint daily', 'Teams hourly')
# A backup copy job: GET /Jobs does not list it (copy jobs have /CopyJobs), but its sessions are among
# /JobSessions, of jobType Copy, and they succeed even when the backups fail.
VB365_COPY_JOB = 'Exchange daily copy'
VB365_STATUS = {'success': 'Success', 'warning': 'Warning', 'failed': 'Failed', 'running': 'Running'}
# Each job's schedule (RESTJobSchedulePolicy, every field of v8; the routes drop what a version lacks). The seeded
# sessions keep their own rhythm (--interval-hours); the schedules are what GET /Jobs/{jobId} says.
VB365_SCHEDULES = {
    'Exchange daily': dict(type='Daily', dailyType='Everyday', dailyTime='22:00:00', retryEnabled=True,
                           retryNumber=3, retryWaitInterval=10),
    'SharePoint daily': dict(type='Daily', dailyType='Workdays', dailyTime='01:30:00', retryEnabled=True,
                             retryNumber=3, retryWaitInterval=10),
    'Teams hourly': dict(type='Periodically', periodicallyEvery='Hours1', retryEnabled=True, retryNumber=2,
                         retryWaitInterval=5),
}
# Two more backup jobs, with no sessions: one run by hand only, and one disabled (its schedule kept, as VB365 keeps it).
VB365_MORE_JOBS = (
    ('Archive mailboxes', True, dict(type='ManualOnly', retryEnabled=False, retryNumber=0, retryWaitInterval=0)),
    ('OneDrive weekends', False, dict(type='Daily', dailyType='Weekends', dailyTime='03:00:00', retryEnabled=True,
                                      retryNumber=3, retryWaitInterval=10)),
)
WEEKDAYS = ('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')
RUN_DAYS = dict(dict((day, (index,)) for index, day in enumerate(WEEKDAYS)), Everyday=tuple(range(7)),
                Workdays=tuple(range(5)), Weekends=(5, 6))
PERIODS = {'Minutes5': 5, 'Minutes10': 10, 'Minutes15': 15, 'Minutes30': 30, 'Hours1': 60, 'Hours2': 120,
           'Hours4': 240, 'Hours8': 480, 'Hours12': 720}


def schedule_policy(**given):
    """A whole RESTJobSchedulePolicy from the fields that matter; the rest as VB365 writes them by default."""
    policy = dict(scheduleEnabled=given.get('type') != 'ManualOnly', backupWindowEnabled=False,
                  periodicallyWindowEnabled=False, periodicallyOffsetMinutes=0, type='Daily', periodicallyEvery=None,
                  dailyType=None, dailyTime='00:00:00', retryEnabled=False, retryNumber=0, retryWaitInterval=0)
    policy.update(given)
    return policy


def next_run(policy, enabled, now):
    """When the job runs next by its schedule (UTC), or None: run by hand only, or disabled."""
    if not enabled or policy.get('type') not in ('Daily', 'Periodically'):
        return None
    if policy['type'] == 'Periodically':
        minutes = PERIODS.get(policy.get('periodicallyEvery'), 60)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = (now - midnight).total_seconds() // 60
        return midnight + datetime.timedelta(minutes=(elapsed // minutes + 1) * minutes)
    hours, minutes, seconds = (int(part) for part in (policy.get('dailyTime') or '00:00:00').split(':'))
    days = RUN_DAYS.get(policy.get('dailyType'), RUN_DAYS['Everyday'])
    for ahead in range(8):
        day = (now + datetime.timedelta(days=ahead)).replace(hour=hours, minute=minutes, second=seconds, microsecond=0)
        if day > now and day.weekday() in days:
            return day
    return None


LOG_TYPE = {'Success': 'Success', 'Warning': 'Warning', 'Failed': 'Error', 'Running': 'Running'}


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def vb365_log_items(rng, session, started):
    """What a session logged: start, connection, processing, and a last line that tells its outcome."""
    final = {'Success': 'Processing finished', 'Warning': 'Processing finished with warnings: 2 items skipped',
             'Failed': 'Processing failed: the organization did not answer', 'Running': 'Processing mailboxes'}
    lines = [('Success', 'Job started at %s' % started.strftime('%m/%d/%Y %I:%M:%S %p')),
             ('Success', 'Connected to organization'),
             ('Success', 'Found %d objects to process' % rng.randint(10, 900)),
             (session['status'], final[session['status']])]
    items = []
    for usn, (status, text) in enumerate(lines, start=1):
        moment = started + datetime.timedelta(seconds=usn * 7)
        items.append({'id': _uuid(rng), 'usn': usn, 'status': status, 'text': text,
                      'creationTime': iso(moment, 7), 'endTime': iso(moment + datetime.timedelta(seconds=3), 7)})
    return items


class LogItems(Mapping):
    """Session id -> its log items, made when first asked for: a server with 100,000 sessions would
    otherwise hold 400,000 log items that hardly any request reads."""

    def __init__(self, seed, sessions):
        self._seed = seed
        self._sessions = dict((session['id'], session) for session in sessions)
        self._made = {}

    def __getitem__(self, session_id):
        if session_id not in self._made:
            session = self._sessions[session_id]
            rng = random.Random('%s-log-%s' % (self._seed, session_id))
            self._made[session_id] = vb365_log_items(rng, session, session['_started'])
        return self._made[session_id]

    def put(self, session_id, session, items):
        """The log of a session made after the seed (a job started): written, not drawn."""
        self._sessions[session_id] = session
        self._made[session_id] = items

    def __iter__(self):
        return iter(self._sessions)

    def __len__(self):
        return len(self._sessions)


def build_vb365(seed, count, now, interval_hours=2.0, shape='fresh', job_shapes=None):
    """{jobs, sessions (oldest first, every field of v8), log_items by session id} for one server; each
    backup job's sessions have ``shape``, or the shape ``job_shapes`` gives the job by name."""
    rng = random.Random('%s-vb365' % seed)
    repository = _uuid(rng)
    jobs = [dict(id=_uuid(rng), name=name, description='%s backup' % name, repositoryId=repository,
                 backupType='EntireOrganization', isEnabled=True) for name in VB365_JOBS]
    copy_job = dict(id=_uuid(rng), name=VB365_COPY_JOB, description='copy of Exchange daily', repositoryId=repository,
                    backupType='EntireOrganization', isEnabled=True)
    sessions = []
    for job_index, job in enumerate(jobs + [copy_job]):
        is_copy = job is copy_job
        for index in range(count):
            job_shape = SHAPES[(job_shapes or {}).get(job['name'], shape)]
            start, finish, duration, outcome = _times(now, index, interval_hours, rng, job_shape, backup=not is_copy)
            start -= datetime.timedelta(minutes=7 * job_index)
            finish = finish - datetime.timedelta(minutes=7 * job_index) if finish else None
            status = VB365_STATUS[outcome]
            items = rng.randint(50, 5000)
            session = {
                'id': _uuid(rng), 'jobId': job['id'], 'creationTime': iso(start, 7),
                'endTime': iso(finish, 7) if finish else None, 'progress': items, 'status': status,
                'statistics': {'processingRateBytesPS': items * 900, 'processingRateItemsPS': items // 60,
                               'readRateBytesPS': items * 2000, 'writeRateBytesPS': items * 1500,
                               'transferredDataBytes': items * 40000, 'processedObjects': items,
                               'bottleneck': rng.choice(('Source', 'Target', 'NA'))},
                'details': 'Transferred: %d KB (%d items)' % (items * 40, items), 'retryCount': 0,
                'repositoryId': repository, 'mainSessionId': None, 'jobWillBeRetried': outcome == 'failed',
                'jobType': 'Copy' if is_copy else 'Backup', 'jobSessionConfigType': 'Incremental', 'eTag': index, 'proxyId': None,
                'proxyPoolId': None, '_started': start, '_ended': finish, '_duration': duration,
            }
            sessions.append(session)
        newest = max((session for session in sessions if session['jobId'] == job['id']),
                     key=lambda session: session['_started'])
        job.update(lastRun=newest['creationTime'], lastStatus=newest['status'])
    for job in jobs:
        job['schedulePolicy'] = schedule_policy(**VB365_SCHEDULES[job['name']])
        ended = [session for session in sessions if session['jobId'] == job['id'] and session['status'] in ('Success', 'Warning')]
        job['lastBackup'] = max(ended, key=lambda session: session['_ended'])['endTime'] if ended else None
    for name, enabled, policy in VB365_MORE_JOBS:
        jobs.append(dict(id=_uuid(rng), name=name, description='%s backup' % name, repositoryId=repository,
                         backupType='EntireOrganization', isEnabled=enabled, lastRun=None, lastStatus=None,
                         lastBackup=None, schedulePolicy=schedule_policy(**policy)))
    for job in jobs:
        moment = next_run(job['schedulePolicy'], job['isEnabled'], now)
        job['nextRun'] = iso(moment, 7) if moment else None
    sessions.sort(key=lambda session: session['_started'])
    return dict(jobs=jobs, copy_jobs=[copy_job], sessions=sessions, log_items=LogItems(seed, sessions))
