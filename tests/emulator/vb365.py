"""Veeam Backup for Microsoft 365 REST API v5 to v8, with the differences between versions that a client
meets: token fields and the antiforgery opt-out, routes, filters, field names, link styles, the paging
envelope and error bodies. Sessions come oldest first, since the order is undocumented."""

import secrets
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, request

from emulator.auth import query_args

VERSIONS = ('v5', 'v6', 'v7', 'v8')
MAX_LIMIT = 10000
SESSION_FIELDS = {
    'v5': ('id', 'creationTime', 'endTime', 'progress', 'status', 'statistics'),
    'v6': ('details', 'retryCount'),
    'v7': ('repositoryId', 'mainSessionId', 'jobWillBeRetried', 'jobType'),
    'v8': ('jobId', 'jobSessionConfigType', 'eTag', 'proxyId', 'proxyPoolId'),
}
V8_STATUS_FILTER = {'Stopped': 'Stopped', 'Running': 'Running', 'Succeeded': 'Success', 'Failed': 'Failed',
                    'Warning': 'Warning'}


class Refusal(Exception):
    def __init__(self, status, message, error_code=None):
        super().__init__(message)
        self.status = status
        self.error_code = error_code


def at_least(version, oldest):
    return VERSIONS.index(version) >= VERSIONS.index(oldest)


def error_body(version, status, message, error_code=None):
    body = dict(message=message)
    if at_least(version, 'v7'):
        # v7 documents a single error code, ProxyOffline; v8 the codes the emulator uses.
        body['errorCode'] = error_code if at_least(version, 'v8') else None
    if at_least(version, 'v8'):
        body['stackTrace'] = None
    return jsonify(body), status


def link(version, path):
    """v5 writes absolute links with the server's own address, which may be another name than the client
    used (--vb365-link-host); v6 and later write them relative."""
    href = '/%s%s' % (version, path)
    if version != 'v5':
        return dict(href=href)
    host = current_app.extensions['emulator'].vb365.get('link_host') or request.host
    return dict(href='%s://%s%s' % (request.scheme, host, href))


# .NET's DateTime.MinValue: the v6 schema has a non-nullable endTime, so a running session carries this.
DOTNET_MIN_DATE = '0001-01-01T00:00:00'


def shape_session(version, session):
    fields = [field for oldest in VERSIONS if at_least(version, oldest) for field in SESSION_FIELDS[oldest]]
    # mainSessionId is not nullable: only retry sessions carry it.
    shaped = dict((field, session[field]) for field in fields if not (field == 'mainSessionId' and not session[field]))
    if version == 'v6' and shaped['endTime'] is None:
        shaped['endTime'] = DOTNET_MIN_DATE
    job_route = '/CopyJobs/%s' if session['jobType'] == 'Copy' else '/Jobs/%s'
    shaped['_links'] = dict(self=link(version, '/JobSessions/%s' % session['id']),
                            job=link(version, job_route % session['jobId']),
                            log=link(version, '/JobSessions/%s/LogItems' % session['id']))
    return shaped


def shape_log_item(version, session_id, item):
    shaped = dict(id=item['id'], usn=item['usn'], creationTime=item['creationTime'], endTime=item['endTime'])
    if at_least(version, 'v8'):
        shaped.update(type={'Failed': 'Error'}.get(item['status'], item['status']), message=item['text'])
    else:
        shaped['title'] = '[%s] %s' % (item['status'], item['text'])
    shaped['_links'] = dict(jobsessions=link(version, '/JobSessions/%s' % session_id))
    return shaped


# The fields of RESTJobSchedulePolicy each version documents (v7 adds periodicallyWindowEnabled).
SCHEDULE_FIELDS = ('scheduleEnabled', 'backupWindowEnabled', 'periodicallyOffsetMinutes', 'type', 'periodicallyEvery',
                   'dailyType', 'dailyTime', 'retryEnabled', 'retryNumber', 'retryWaitInterval')


def shape_job(version, job):
    shaped = dict(id=job['id'], name=job['name'], description=job['description'], backupType=job['backupType'],
                  isEnabled=job['isEnabled'], lastRun=job['lastRun'], lastStatus=job['lastStatus'],
                  repositoryId=job['repositoryId'], nextRun=job.get('nextRun'))
    if at_least(version, 'v7'):
        shaped['lastBackup'] = job.get('lastBackup')
    policy = job.get('schedulePolicy')
    if policy is not None:
        fields = SCHEDULE_FIELDS + (('periodicallyWindowEnabled',) if at_least(version, 'v7') else ())
        shaped['schedulePolicy'] = dict((field, policy[field]) for field in fields if field in policy)
    shaped['_links'] = dict(self=link(version, '/Jobs/%s' % job['id']))
    return shaped


def _int(name, default, low=0, high=None):
    raw = request.args.get(name)
    if raw in (None, ''):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Refusal(400, '%s must be an integer' % name, 'ParameterValidationFailure')
    if value < low or (high is not None and value > high):
        raise Refusal(400, '%s must be between %s and %s' % (name, low, high), 'ParameterValidationFailure')
    return value


def _time(name):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace('Z', '+00:00'))
    except ValueError:
        raise Refusal(400, '%s must be a date and time' % name, 'ParameterValidationFailure')
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def page(version, path, records, shape, total=True, set_id=None):
    """The offset + limit envelope; v8 drops totalCount (and v5 log items never had it); links to first, prev
    and next pages. ``records`` may be any sequence that slices (a lazy one for big listings). An injected fault
    may make the page ignore the offset (the first page, whatever is asked), ignore the limit (everything from the
    offset), or point its next link to another host (``ignore_offset``, ``ignore_limit``, ``next_link_host``)."""
    offset, limit = _int('offset', 0), _int('limit', 30, low=1, high=MAX_LIMIT)
    fault = g.get('fault') or {}
    start = 0 if fault.get('ignore_offset') else offset
    chosen = records[start:len(records) if fault.get('ignore_limit') else start + limit]
    query = dict((key, value) for key, value in request.args.items() if key not in ('offset', 'limit'))
    extra = ''.join('&%s=%s' % item for item in query.items())

    def at(start):
        return link(version, '%s?offset=%d&limit=%d%s' % (path, start, limit, extra))
    links = dict(self=at(offset), first=at(0))
    if offset > 0:
        links['prev'] = at(max(0, offset - limit))
    if offset + limit < len(records):
        links['next'] = at(offset + limit)
        if fault.get('next_link_host'):
            target = urlsplit(links['next']['href'])
            links['next'] = dict(href='%s://%s%s?%s' % (request.scheme, fault['next_link_host'], target.path, target.query))
    body = dict(offset=offset, limit=limit)
    if set_id is not None:
        body['setId'] = set_id
    body.update(results=[shape(record) for record in chosen], _links=links)
    if total and not at_least(version, 'v8'):
        body['totalCount'] = len(records)
    return body


def register(app, state):
    def authorised(version):
        """The server of the request's token: the shared one, or the tenant's own its user logs in to."""
        header = request.headers.get('Authorization', '')
        with state.lock:
            token = state.tokens.get(header[len('Bearer '):]) if header.startswith('Bearer ') else None
        if token is None or token.get('kind') != 'vb365' or token['expires'] < time.time():
            raise Refusal(401, 'Authorization has been denied for this request.')
        if token['antiforgery']:
            raise Refusal(403, 'The required antiforgery cookie is not present.')
        return state.vb365_of(token['user'])

    def api(rule, methods=('GET',), anonymous=False):
        def decorate(handler):
            def view(version, **kwargs):
                if version not in VERSIONS:
                    return error_body('v8', 404, 'No API version %s' % version)
                try:
                    if anonymous:
                        return handler(version, **kwargs)
                    return handler(version, authorised(version), **kwargs)
                except Refusal as refusal:
                    return error_body(version, refusal.status, str(refusal), refusal.error_code)
            view.__name__ = 'vb365_' + handler.__name__
            app.add_url_rule('/<version>' + rule, view_func=view, methods=list(methods))
            return handler
        return decorate

    def issue(version, server, user, antiforgery_disabled):
        access, refresh = 'emu-vb-at-' + secrets.token_urlsafe(24), 'emu-vb-rt-' + secrets.token_urlsafe(24)
        now = time.time()
        with state.lock:
            state.issued.update((access, refresh))
            state.tokens[access] = dict(kind='vb365', user=user, expires=now + state.token_lifetime,
                                        antiforgery=at_least(version, 'v7') and not antiforgery_disabled)
            server['refresh_tokens'][refresh] = user
        return jsonify({'access_token': access, 'refresh_token': refresh, 'token_type': 'bearer',
                        'expires_in': state.token_lifetime, 'userName': user,
                        '.issued': time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(now)),
                        '.expires': time.strftime('%a, %d %b %Y %H:%M:%S GMT',
                                                  time.gmtime(now + state.token_lifetime))})

    @api('/token', methods=('POST',), anonymous=True)
    def token(version):
        form = request.form
        flag = form.get('disable_antiforgery_token')
        if flag is not None and not at_least(version, 'v7'):
            raise Refusal(400, 'The request is invalid: unknown parameter disable_antiforgery_token')
        disabled = str(flag).lower() == 'true'
        if form.get('grant_type') == 'password':
            user = form.get('username', '')
            server = state.vb365_of(user)
            known = server['users'].get(user) if server is not None else None
            if known is None or not secrets.compare_digest(known, form.get('password', '')):
                raise Refusal(400, 'The user name or password is incorrect.')
            return issue(version, server, user, disabled)
        if form.get('grant_type') == 'refresh_token':
            # A refresh token is the shared server's or a tenant server's; each is known to one of them only.
            for server in state.vb365_servers():
                with state.lock:
                    user = server['refresh_tokens'].pop(form.get('refresh_token', ''), None)
                if user is not None:
                    return issue(version, server, user, disabled)
            raise Refusal(400, 'The refresh token is invalid or expired.')
        raise Refusal(400, 'unsupported grant_type')

    @api('/token/logout', methods=('POST',))
    def logout(version, server):
        if not at_least(version, 'v7'):
            raise Refusal(404, 'No such resource')
        with state.lock:
            state.tokens.pop(request.headers['Authorization'][len('Bearer '):], None)
        return '', 204

    @api('/Jobs')
    def jobs(version, server):
        if at_least(version, 'v8'):
            return jsonify(page(version, '/Jobs', server['jobs'], lambda job: shape_job(version, job)))
        return jsonify([shape_job(version, job) for job in server['jobs']])

    def select_sessions(version, server, job_id, route_filters=True):
        args = query_args(state) if route_filters else {}
        if 'jobid' in state.ignored_filters:
            job_id = None  # a server that ignores the job, in the path as in the query
        filters = tuple(sorted((key, value) for key, value in args.items() if key not in ('offset', 'limit')))
        return state.selection(('vb365', id(server), version, job_id, filters),
                               lambda: filter_sessions(version, server, job_id, args))

    def filter_sessions(version, server, job_id, args):
        sessions = server['sessions']
        if job_id is not None:
            sessions = [session for session in sessions if session['jobId'] == job_id]
        if at_least(version, 'v6') and args.get('jobType'):
            if args['jobType'] not in ('Backup', 'Copy'):
                raise Refusal(400, 'jobType must be Backup or Copy', 'ParameterValidationFailure')
            sessions = [session for session in sessions if session['jobType'] == args['jobType']]
        if at_least(version, 'v6'):
            lower = _time('endTimeLowerBound')
            if lower is not None and server.get('bounds') == 'created':
                sessions = [session for session in sessions if session['_started'] >= lower]
            elif lower is not None:
                sessions = [session for session in sessions if session['_ended'] is None or session['_ended'] >= lower]
        if at_least(version, 'v7'):
            upper = _time('endTimeUpperBound')
            if upper is not None and server.get('bounds') == 'created':
                sessions = [session for session in sessions if session['_started'] <= upper]
            elif upper is not None:
                sessions = [session for session in sessions if session['_ended'] is not None and session['_ended'] <= upper]
            if args.get('jobId'):
                sessions = [session for session in sessions if session['jobId'] == args['jobId']]
        if at_least(version, 'v8') and args.get('status'):
            if args['status'] not in V8_STATUS_FILTER:
                raise Refusal(400, 'status must be one of %s' % ', '.join(V8_STATUS_FILTER), 'ParameterValidationFailure')
            sessions = [session for session in sessions if session['status'] == V8_STATUS_FILTER[args['status']]]
        return sessions

    @api('/JobSessions')
    def job_sessions(version, server):
        return jsonify(page(version, '/JobSessions', select_sessions(version, server, None),
                            lambda session: shape_session(version, session)))

    @api('/Jobs/<job_id>/JobSessions')
    def sessions_of_job(version, server, job_id):
        if at_least(version, 'v7'):
            raise Refusal(404, 'No HTTP resource was found that matches the request URI.')
        if not any(job['id'] == job_id for job in server['jobs']):
            raise Refusal(404, 'Job not found', 'ResourceNotFound')
        # The per-job route takes offset and limit only; other parameters are not applied.
        return jsonify(page(version, '/Jobs/%s/JobSessions' % job_id, select_sessions(version, server, job_id, False),
                            lambda session: shape_session(version, session)))

    def find_session(server, session_id):
        for session in server['sessions']:
            if session['id'] == session_id:
                return session
        raise Refusal(404, 'Job session %s was not found.' % session_id, 'ResourceNotFound')

    @api('/JobSessions/<session_id>')
    def one_session(version, server, session_id):
        return jsonify(shape_session(version, find_session(server, session_id)))

    @api('/JobSessions/<session_id>/LogItems')
    def log_items(version, server, session_id):
        find_session(server, session_id)
        items = server['log_items'][session_id]
        # v8 sorts by orderAsc, true (oldest first) unless asked otherwise; earlier versions know no order.
        if at_least(version, 'v8') and request.args.get('orderAsc', 'true').lower() == 'false':
            items = items[::-1]
        return jsonify(page(version, '/JobSessions/%s/LogItems' % session_id, items,
                            lambda item: shape_log_item(version, session_id, item), total=version != 'v5'))

    # The organizations, repositories and backed-up data, on the same routes' rules (vb365_objects imports this module).
    from emulator.vb365_objects import register as register_objects
    register_objects(api, state, find_session)
    # A job by ID, and starting one (vb365_starts imports this module too).
    from emulator.vb365_starts import register as register_starts
    register_starts(app, api, state)


def new_server(build, users, link_host=None, bounds='ended', objects=None):
    """The VB365 part of the emulator's state; ``objects`` its organizations and repositories (objects.Objects)."""
    return dict(build, users=dict(users), refresh_tokens={}, link_host=link_host, bounds=bounds, objects=objects)
