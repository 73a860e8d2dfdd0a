"""A VB365 job by ID with its schedule, and starting a backup job: ``POST /v{6,7,8}/Jobs/{jobId}/start``.

v8 answers 200 with the new session (RESTJobSession); v6 and v7 answer 204, and the session is among the job's
sessions (``Jobs/{id}/JobSessions`` on v6, ``JobSessions?jobId=`` on v7). The body is RESTStartJobOptions
(``{"full": false}``), required by every document. A started session runs for ``--vb365-start-seconds`` (or what
``PUT /_emulator/vb365/starts`` says) and then ends as the next planned outcome says: Success unless a plan says
Failed or Warning, with log items that say why.

What the documents leave open, chosen here (the module does not depend on either): a job that is running answers
409 with errorCode OperationConflict (v8; v7 documents no code for it, so null; v6 has no errorCode), a disabled job
the same with its own message. An unknown job is 404 ResourceNotFound; v5 has no such route here (404).

Faults (``EmulatorProcess.fault('/v8/Jobs/ID/start', ...)``): ``other_job=True`` makes the 200 answer carry the
session as if of another job (the start itself happens), ``phantom=True`` answers as if started but starts nothing.
"""

import datetime
import secrets
import threading
import uuid

from flask import g, jsonify, request

from emulator.data import iso, next_run, schedule_policy
from emulator.vb365 import Refusal, at_least, shape_job, shape_session

NO_ROUTE = 'No HTTP resource was found that matches the request URI.'
DEFAULT_START_SECONDS = 3.0
OUTCOMES = ('Success', 'Warning', 'Failed')
DEFAULT_ERRORS = {
    'Failed': ['Processing mailbox megan.bowen@contoso.onmicrosoft.com failed: The remote server returned an error: '
               '(503) Server Unavailable', 'Processing failed: the organization did not answer'],
    'Warning': ['Item "Q3 forecast.xlsx" of site Finance was skipped: the file is locked'],
}
FINAL = {'Success': 'Processing finished', 'Warning': 'Processing finished with warnings',
         'Failed': 'Job finished with errors'}


class Starts:
    """How long a started session runs (``seconds``) and how the next ones end (``plans``, used in turn; when none is
    left, Success after ``seconds``)."""

    def __init__(self, seconds):
        self.default_seconds = seconds
        self.reset()

    def reset(self, seconds=None):
        self.seconds = self.default_seconds if seconds is None else seconds
        self.plans = []

    def take(self):
        plan = dict(status='Success', seconds=self.seconds)
        if self.plans:
            plan.update(self.plans.pop(0))
        plan.setdefault('errors', DEFAULT_ERRORS.get(plan['status'], []))
        return plan

    def describe(self):
        return dict(seconds=self.seconds, plans=list(self.plans))


def _line(session_id, usn, status, text, moment):
    return {'id': str(uuid.uuid5(uuid.NAMESPACE_URL, '%s/%d' % (session_id, usn))), 'usn': usn, 'status': status,
            'text': text, 'creationTime': iso(moment, 7), 'endTime': iso(moment, 7)}


def find_job(server, job_id):
    for job in server['jobs']:
        if job['id'].lower() == job_id.lower():
            return job
    raise Refusal(404, 'Job %s was not found.' % job_id, 'ResourceNotFound')


def conflict(version, message):
    return Refusal(409, message, 'OperationConflict' if at_least(version, 'v8') else None)


def new_session(job, full, now):
    return {
        'id': str(uuid.UUID(bytes=secrets.token_bytes(16), version=4)), 'jobId': job['id'],
        'creationTime': iso(now, 7), 'endTime': None, 'progress': 0, 'status': 'Running',
        'statistics': {'processingRateBytesPS': 0, 'processingRateItemsPS': 0, 'readRateBytesPS': 0,
                       'writeRateBytesPS': 0, 'transferredDataBytes': 0, 'processedObjects': 0, 'bottleneck': 'NA'},
        'details': '', 'retryCount': 0, 'repositoryId': job['repositoryId'], 'mainSessionId': None,
        'jobWillBeRetried': False, 'jobType': 'Backup', 'jobSessionConfigType': 'Full' if full else 'Incremental',
        'eTag': 0, 'proxyId': None, 'proxyPoolId': None, '_started': now, '_ended': None, '_duration': None,
    }


def register(app, api, state):
    starts = Starts(getattr(state, 'start_seconds', DEFAULT_START_SECONDS))
    state.vb365_starts = starts

    @api('/Jobs/<job_id>')
    def one_job(version, server, job_id):
        return jsonify(shape_job(version, find_job(server, job_id)))

    def finish(server, job, session, plan):
        end = datetime.datetime.now(datetime.timezone.utc)
        status = plan['status']
        items = 120 if status != 'Failed' else 0
        lines = list(server['log_items'][session['id']][:2])
        kind = 'Failed' if status == 'Failed' else 'Warning'
        for text in plan['errors']:
            lines.append(_line(session['id'], len(lines) + 1, kind, text, end))
        lines.append(_line(session['id'], len(lines) + 1, status, FINAL[status], end))
        with state.lock:
            session.update(status=status, endTime=iso(end, 7), _ended=end, _duration=end - session['_started'],
                           progress=items, details='Transferred: %d KB (%d items)' % (items * 40, items))
            session['statistics'] = dict(session['statistics'], processedObjects=items,
                                         transferredDataBytes=items * 40000)
            job['lastStatus'] = status
            if status in ('Success', 'Warning'):
                job['lastBackup'] = session['endTime']
            server['log_items'].put(session['id'], session, lines)
        state.forget_selections()

    @api('/Jobs/<job_id>/start', methods=('POST',))
    def start(version, server, job_id):
        if not at_least(version, 'v6'):
            raise Refusal(404, NO_ROUTE)
        job = find_job(server, job_id)
        options = request.get_json(silent=True)
        if not isinstance(options, dict) or not isinstance(options.get('full', False), bool):
            raise Refusal(400, 'The request body must be the start options, such as {"full": false}.',
                          'ParameterValidationFailure')
        fault = g.get('fault') or {}
        if any(session['jobId'] == job['id'] and session['status'] == 'Running' for session in server['sessions']):
            raise conflict(version, 'Job %s is already running.' % job['name'])
        if not job['isEnabled']:
            raise conflict(version, 'Job %s is disabled; enable it to start it.' % job['name'])
        if fault.get('phantom'):
            return '', 204
        now = datetime.datetime.now(datetime.timezone.utc)
        session = new_session(job, options.get('full', False), now)
        plan = starts.take()
        lines = [_line(session['id'], 1, 'Success', 'Job started at %s' % now.strftime('%m/%d/%Y %I:%M:%S %p'), now),
                 _line(session['id'], 2, 'Success', 'Connected to organization', now),
                 _line(session['id'], 3, 'Running', 'Processing mailboxes', now)]
        with state.lock:
            server['log_items'].put(session['id'], session, lines)
            # A new list: the per-object data (objects.Objects) keeps the seeded sessions it was built from.
            server['sessions'] = server['sessions'] + [session]
            job.update(lastRun=session['creationTime'], lastStatus='Running')
        state.forget_selections()
        timer = threading.Timer(max(0.0, float(plan['seconds'])), finish, args=(server, job, session, plan))
        timer.daemon = True
        timer.start()
        if not at_least(version, 'v8'):
            return '', 204
        shaped = shape_session(version, session)
        if fault.get('other_job'):
            other = next(other for other in server['jobs'] if other['id'] != job['id'])
            shaped['jobId'] = other['id']
            shaped['_links']['job']['href'] = shaped['_links']['job']['href'].replace(job['id'], other['id'])
        return jsonify(shaped)

    def server_of_request():
        return state.vb365_of(request.args['user']) if 'user' in request.args else state.vb365

    @app.route('/_emulator/vb365/starts', methods=['GET', 'PUT', 'DELETE'])
    def plan_starts():
        """PUT {seconds, plans: [{status, errors, seconds}, ...]}: how long started sessions run and how the next
        ones end; DELETE: back to --vb365-start-seconds and Success."""
        with state.lock:
            if request.method == 'DELETE':
                starts.reset()
            elif request.method == 'PUT':
                asked = request.get_json()
                plans = asked.get('plans', [])
                if any(plan.get('status') not in OUTCOMES for plan in plans):
                    return jsonify(message='a plan status is one of %s' % ', '.join(OUTCOMES)), 400
                starts.seconds = float(asked.get('seconds', starts.seconds))
                starts.plans = [dict(plan) for plan in plans]
            return jsonify(starts.describe())

    @app.route('/_emulator/vb365/jobs/<job_id>', methods=['GET', 'PATCH'])
    def steer_job(job_id):
        """PATCH {schedulePolicy: {...}, isEnabled, lastRun, lastBackup, nextRun}: a job as a test wants it; the
        schedule is completed with VB365's defaults, and nextRun follows it unless given. ?user= as for vb365."""
        server = server_of_request()
        try:
            job = find_job(server, job_id)
        except Refusal as refusal:
            return jsonify(message=str(refusal)), 404
        if request.method == 'PATCH':
            asked = dict(request.get_json())
            with state.lock:
                if 'schedulePolicy' in asked:
                    job['schedulePolicy'] = schedule_policy(**asked.pop('schedulePolicy'))
                job.update((key, asked[key]) for key in ('isEnabled', 'lastRun', 'lastBackup', 'nextRun', 'lastStatus')
                           if key in asked)
                if 'nextRun' not in asked:
                    moment = next_run(job['schedulePolicy'], job['isEnabled'], datetime.datetime.now(datetime.timezone.utc))
                    job['nextRun'] = iso(moment, 7) if moment else None
        return jsonify(job)
