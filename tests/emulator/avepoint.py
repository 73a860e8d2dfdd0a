"""The three AvePoint Graph API job endpoints, with the documented names, defaults, paging and shapes.

Query names are matched without regard to case (the vendor's own samples mix camelCase and lower case).
A job is in a window when it started inside it. Lists are newest first, as the vendor's samples are.
"""

import base64
import json
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

from flask import jsonify, request

from emulator.auth import bearer, error, query_args
from emulator.data import public

MAX_PAGE_SIZE = 100


class BadRequest(Exception):
    pass


def _args(state):
    return dict((key.lower(), value) for key, value in query_args(state).items())


def _int(args, name, default=None, low=None, high=None):
    raw = args.get(name.lower())
    if raw in (None, ''):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest('%s must be an integer, got %r' % (name, raw))
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadRequest('%s must be between %s and %s, got %s' % (name, low, high, value))
    return value


def _time(args, name, required=False):
    raw = args.get(name.lower())
    if raw in (None, ''):
        if required:
            raise BadRequest('%s is required' % name)
        return None
    try:
        moment = datetime.fromisoformat(raw.replace('Z', '+00:00'))
    except ValueError:
        raise BadRequest('%s must be an ISO 8601 time, got %r' % (name, raw))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _started_within(job, start, finish):
    started = job['_started']
    return (start is None or started >= start) and (finish is None or started <= finish)


def _skip_token(offset):
    """Opaque and percent-encoded like the vendor's sample; base64 padding guarantees a '%3D' in it, so a
    client that encodes the token a second time is caught."""
    raw = json.dumps(dict(offset=offset))
    while len(raw) % 3 == 0:
        raw += ' '
    return quote(base64.b64encode(raw.encode()).decode(), safe='')


PAGING_ARGS = ('pageindex', 'pagenumber', 'pagesize', 'skiptoken')


def _jobs_of(state, token, api):
    """The tenant's jobs, and a key for the selection a query makes of them (its filters, not its page)."""
    filters = tuple(sorted((key, value) for key, value in _args(state).items() if key not in PAGING_ARGS))
    return state.tenants[token['tenant']][api], (token['tenant'], api, filters)


def register(app, state):

    def endpoint(scope, api, error_shape):
        def decorate(handler):
            def view():
                token, refusal = bearer(state, scope)
                if refusal is not None:
                    return refusal
                try:
                    jobs, key = _jobs_of(state, token, api)
                    return handler(_args(state), lambda select: state.selection(key, lambda: [job for job in jobs if select(job)]))
                except BadRequest as problem:
                    return error_shape(str(problem))
            view.__name__ = handler.__name__
            return view
        return decorate

    def plain_error(message):
        return error(400, message)

    def vm_error(message):
        return error(400, message, errorModel=dict(requestId=str(uuid.uuid4()), statusCode=400,
                                                   date=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())))

    @app.get('/dynamicsbackup/jobs')
    @endpoint('dynamics.readwrite.all', 'dynamics', plain_error)
    def dynamics(args, selection):
        page_index = _int(args, 'pageIndex', 1, low=1)
        page_size = _int(args, 'pageSize', 10, low=1, high=MAX_PAGE_SIZE)
        job_type = _int(args, 'type')
        if job_type is None and 'type' in state.ignored_filters:
            job_type = 0
        if job_type is None:
            raise BadRequest('type is required')
        start, finish = _time(args, 'startTime', True), _time(args, 'finishTime', True)
        status = _int(args, 'status')
        organization = args.get('organizationid')
        selected = selection(lambda job: (job_type == 0 or job['type'] == job_type)
                             and (status is None or job['status'] == status)
                             and (not organization or job['organizationId'] == organization.lower())
                             and _started_within(job, start, finish))
        first = (page_index - 1) * page_size
        page = selected[first:first + page_size]
        next_link = None
        if first + page_size < len(selected):
            # As documented: relative, and without the /dynamicsbackup prefix.
            query = dict((key, value) for key, value in request.args.items() if key.lower() != 'pageindex')
            next_link = '/jobs?' + urlencode(dict(pageIndex=page_index + 1, **query))
        return jsonify(totalCount=len(selected), nextLink=next_link, jobs=[public(job) for job in page],
                       pageIndex=page_index, pageSize=page_size)

    @app.get('/backup/vm/jobs')
    @endpoint('platformbackup.readwrite.all', 'vm', vm_error)
    def vm(args, selection):
        page_size = _int(args, 'pageSize', 10, low=1, high=MAX_PAGE_SIZE)
        skiptoken = args.get('skiptoken')
        if skiptoken:
            # Flask has decoded the query once; a token the client encoded twice still holds '%' here.
            try:
                position = json.loads(base64.b64decode(skiptoken, validate=True))
                offset = int(position['offset'])
            except (ValueError, KeyError, TypeError):
                raise BadRequest('skiptoken is not valid')
        else:
            offset = _int(args, 'pageNumber', 0, low=0) * page_size
        start, finish = _time(args, 'startTime'), _time(args, 'finishTime')
        service_type, job_type = _int(args, 'serviceType'), _int(args, 'jobType')
        text = (args.get('searchtext') or '').lower()
        selected = selection(lambda job: (service_type is None or job['_serviceType'] == service_type)
                             and (job_type is None or job['jobType'] == job_type)
                             and (not text or text in job['jobId'].lower() or text in job['comments'].lower())
                             and _started_within(job, start, finish))
        page = selected[offset:offset + page_size]
        next_link = None
        if offset + page_size < len(selected):
            next_link = _skip_token(offset + page_size)
        return jsonify(totalCount=len(selected), jobs=[public(job) for job in page], nextLink=next_link)

    @app.get('/backup/google/admin/jobs')
    @endpoint('gsuite.graph.read.all', 'google', plain_error)
    def google(args, selection):
        page_index = _int(args, 'pageIndex', 0, low=0)
        page_size = _int(args, 'pageSize', 100, low=1, high=MAX_PAGE_SIZE)
        data_source = _int(args, 'dataSource', 1)
        app_type, job_type = _int(args, 'appType'), _int(args, 'jobType')
        status = _int(args, 'jobStatus', _int(args, 'status'))
        start, finish = _time(args, 'startTime'), _time(args, 'finishTime')
        selected = selection(lambda job: job['dataSource'] == data_source
                             and (app_type is None or job['appType'] == app_type)
                             and (job_type is None or job['jobType'] == job_type)
                             and (status is None or job['status'] == status) and _started_within(job, start, finish))
        first = page_index * page_size
        page = selected[first:first + page_size]
        more = first + page_size < len(selected)
        next_link = quote(base64.b64encode(('page=%d' % (page_index + 1)).encode()).decode(), safe='') if more else ''
        return jsonify(status=200, message='', jobs=[public(job) for job in page], nextLink=next_link)
