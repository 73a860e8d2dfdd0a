"""The emulator's Flask application: shared state, the identity service, and the control endpoints."""

import base64
import json
import secrets
import threading
import time
from email.utils import formatdate

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask, Response, g, jsonify, request

from emulator.avepoint import register as register_avepoint
from emulator.vb365 import register as register_vb365
from emulator.data import public
from emulator.objects import describe as describe_objects

CONTROL_PREFIX = '/_emulator/'


class Client:
    """An app registration: a secret or a certificate, the scopes granted, and whose data it sees."""

    def __init__(self, client_id, tenant, scopes, secret=None, certificate_pem=None):
        self.client_id = client_id
        self.tenant = tenant
        self.scopes = set(scope.lower() for scope in scopes)
        self.secret = secret
        self.certificate = x509.load_pem_x509_certificate(certificate_pem) if certificate_pem else None


class State:
    """Everything the emulator knows; guarded by one lock because the server runs a thread per request."""

    def __init__(self, tenants, clients, vb365, token_lifetime=3600, latency=0.0, ignored_filters=(),
                 tenant_vb365=None):
        self.tenants = tenants
        self.ignored_filters = set(name.lower() for name in ignored_filters)
        self.vb365 = vb365
        # A tenant's own VB365 server, by its login: made when the login is first used, so a tenant that never
        # logs in to VB365 costs nothing (a benchmark's 100,000 jobs are not built twice).
        self._tenant_vb365_makers = dict(tenant_vb365 or {})
        self._tenant_vb365 = {}
        self.clients = dict((client.client_id, client) for client in clients)
        self.token_lifetime = token_lifetime
        self.latency = latency
        self.tokens = {}
        self.requests = []
        self.faults = []
        self.lock = threading.Lock()
        self._selections = {}
        self.in_flight = 0
        self.most_in_flight = 0
        self.issued = set()

    def selection(self, key, compute):
        """The records a query selects, computed once per query: a listing of 100,000 jobs asks for the
        same selection once per page, and filtering it every time would make the emulator the bottleneck."""
        with self.lock:
            chosen = self._selections.get(key)
        if chosen is None:
            chosen = compute()
            with self.lock:
                if len(self._selections) > 256:
                    self._selections.clear()
                self._selections[key] = chosen
        return chosen

    def vb365_of(self, user):
        """The VB365 server a user logs in to: the shared one, a tenant's own, or None for an unknown user."""
        if user in self.vb365['users']:
            return self.vb365
        with self.lock:
            if user not in self._tenant_vb365 and user in self._tenant_vb365_makers:
                self._tenant_vb365[user] = self._tenant_vb365_makers[user]()
            return self._tenant_vb365.get(user)

    def vb365_servers(self):
        """The shared VB365 server and every tenant's own made so far."""
        with self.lock:
            return [self.vb365] + list(self._tenant_vb365.values())

    def forget_selections(self):
        with self.lock:
            self._selections.clear()

    def record(self):
        entry = dict(method=request.method, path=request.path, query=request.args.to_dict(flat=False),
                     headers=dict(request.headers), form=request.form.to_dict(flat=False),
                     json=request.get_json(silent=True) if request.is_json else None,
                     scheme=request.scheme, host=request.host, time=time.time(),
                     # The client's end of the connection: requests over one kept-alive connection share it.
                     client_port=int(request.environ.get('REMOTE_PORT') or 0))
        with self.lock:
            self.requests.append(entry)

    def take_fault(self, path):
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault['path']) and fault['remaining'] > 0:
                    if fault.get('after', 0) > 0:
                        fault['after'] -= 1
                        continue
                    fault['remaining'] -= 1
                    return dict(fault)
        return None

    def issue_token(self, client, scopes):
        token = 'emu-at-' + secrets.token_urlsafe(24)
        with self.lock:
            self.issued.add(token)
            self.tokens[token] = dict(client_id=client.client_id, tenant=client.tenant, scopes=scopes,
                                      expires=time.time() + self.token_lifetime)
        return token


def _b64decode(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def _check_assertion(state, assertion, token_url):
    """The client of a valid RS256 client assertion, or an error message."""
    try:
        header_b64, claims_b64, signature_b64 = assertion.split('.')
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(claims_b64))
        signature = _b64decode(signature_b64)
    except ValueError:
        return None, 'client_assertion is not a JWT'
    client = state.clients.get(claims.get('iss'))
    if client is None or client.certificate is None:
        return None, 'unknown client %s' % claims.get('iss')
    if header.get('alg') != 'RS256':
        return None, 'client_assertion must be signed with RS256'
    thumbprint = client.certificate.fingerprint(hashes.SHA1())
    if header.get('x5t') != base64.urlsafe_b64encode(thumbprint).rstrip(b'=').decode():
        return None, 'x5t does not match the registered certificate'
    try:
        client.certificate.public_key().verify(signature, ('%s.%s' % (header_b64, claims_b64)).encode(),
                                               padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return None, 'client_assertion signature is invalid'
    now = time.time()
    if claims.get('sub') != client.client_id or claims.get('aud') != token_url:
        return None, 'client_assertion sub must be the client id and aud %s' % token_url
    if not claims.get('jti') or not claims.get('nbf', now + 1) <= now + 30 or not claims.get('exp', 0) > now:
        return None, 'client_assertion jti, nbf or exp is missing or out of date'
    return client, None


def change_records(state, fault):
    """Jobs that arrive (copies of the first, new ids, put first) or vanish (the first ones) mid-listing."""
    records = state.vb365['sessions'] if fault['tenant'] == 'vb365' else state.tenants[fault['tenant']][fault['api']]
    key = 'id' if fault['tenant'] == 'vb365' else 'jobId'
    with state.lock:
        for number in range(fault.get('arrive', 0)):
            records.insert(0, dict(records[0], **{key: '%s-arrived-%d-%d' % (records[0][key], number,
                                                                             int(time.time() * 1000))}))
        del records[:fault.get('vanish', 0)]
    state.forget_selections()


class ConnectionCut(Exception):
    """Raised inside a response body: the server drops the connection with the body half sent."""


def broken_response():
    """Headers promising a long JSON body, the first bytes of it, then the connection cut."""
    def body():
        yield b'{"totalCount": 240, "jobs": [{"jobId": "'
        raise ConnectionCut()
    return Response(body(), status=200, headers={'Content-Type': 'application/json', 'Content-Length': '100000'})


def create_app(state):
    app = Flask('backupops_emulator')
    app.config['JSON_SORT_KEYS'] = False
    app.json.sort_keys = False
    app.extensions['emulator'] = state

    @app.before_request
    def observe_and_disturb():
        if request.path.startswith(CONTROL_PREFIX):
            return None
        state.record()
        with state.lock:
            state.in_flight += 1
            state.most_in_flight = max(state.most_in_flight, state.in_flight)
        g.counted = True
        if state.latency:
            time.sleep(state.latency)
        fault = state.take_fault(request.path)
        if fault is None:
            return None
        g.fault = fault  # what a route reads of it: a page that ignores the offset, an item of another organization...
        if fault.get('delay'):
            time.sleep(fault['delay'])
        if fault.get('expire_tokens'):
            with state.lock:
                for record in state.tokens.values():
                    record['expires'] = 0
        if fault.get('arrive') or fault.get('vanish'):
            change_records(state, fault)
        if fault.get('reset'):
            return broken_response()
        if not fault.get('status'):
            return None
        headers = {}
        if fault.get('retry_after') is not None:
            headers['Retry-After'] = (formatdate(time.time() + fault['retry_after'], usegmt=True)
                                      if fault.get('retry_after_as_date') else str(fault['retry_after']))
        body = fault.get('body')
        if body is None:
            return jsonify(message='injected fault %s' % fault['status']), fault['status'], headers
        return body, fault['status'], dict(headers, **{'Content-Type': fault.get('content_type', 'text/html')})

    @app.teardown_request
    def count_out(_error):
        if g.pop('counted', False):
            with state.lock:
                state.in_flight -= 1

    @app.post('/connect/token')
    def token():
        form = request.form
        if form.get('grant_type') != 'client_credentials':
            return jsonify(error='unsupported_grant_type'), 400
        token_url = request.base_url
        if form.get('client_assertion'):
            if form.get('client_assertion_type') != 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer':
                return jsonify(error='invalid_client', error_description='unknown client_assertion_type'), 400
            client, problem = _check_assertion(state, form['client_assertion'], token_url)
            if client is None or (form.get('client_id') and form['client_id'] != client.client_id):
                return jsonify(error='invalid_client', error_description=problem or 'client_id mismatch'), 400
        else:
            client = state.clients.get(form.get('client_id', ''))
            if client is None or client.secret is None or not secrets.compare_digest(
                    client.secret, form.get('client_secret', '')):
                return jsonify(error='invalid_client'), 400
        asked = set(scope.lower() for scope in form.get('scope', '').split())
        if not asked or not asked <= client.scopes:
            return jsonify(error='invalid_scope'), 400
        access_token = state.issue_token(client, asked)
        return jsonify(access_token=access_token, token_type='Bearer', expires_in=state.token_lifetime,
                       ext_expires_in=state.token_lifetime, scope=' '.join(sorted(asked)))

    @app.get(CONTROL_PREFIX + 'health')
    def health():
        return jsonify(ok=True)

    @app.route(CONTROL_PREFIX + 'requests', methods=['GET', 'DELETE'])
    def requests_log():
        with state.lock:
            if request.method == 'DELETE':
                state.requests = []
            return jsonify(list(state.requests))

    @app.route(CONTROL_PREFIX + 'faults', methods=['POST', 'DELETE'])
    def faults():
        with state.lock:
            if request.method == 'DELETE':
                state.faults = []
            else:
                fault = dict(request.get_json())
                fault['remaining'] = fault.pop('count', 1)
                state.faults.append(fault)
            return jsonify(state.faults)

    @app.route(CONTROL_PREFIX + 'concurrency', methods=['GET', 'DELETE'])
    def concurrency():
        """The most API requests in progress at once since the last DELETE."""
        with state.lock:
            if request.method == 'DELETE':
                state.most_in_flight = state.in_flight
            return jsonify(most_in_flight=state.most_in_flight)

    @app.put(CONTROL_PREFIX + 'latency')
    def latency():
        state.latency = float(request.get_json()['ms']) / 1000.0
        return jsonify(ms=state.latency * 1000.0)

    @app.get(CONTROL_PREFIX + 'tokens')
    def issued_tokens():
        """Every access and refresh token issued so far: what a leak check looks for."""
        with state.lock:
            return jsonify(sorted(state.issued))

    @app.get(CONTROL_PREFIX + 'jobs/<tenant>/<api>')
    def ground_truth(tenant, api):
        return jsonify([public(job) for job in state.tenants[tenant][api]])

    @app.get(CONTROL_PREFIX + 'vb365')
    def vb365_ground_truth():
        """The shared server's data, or with ?user= that of the server this user logs in to."""
        server = state.vb365_of(request.args['user']) if 'user' in request.args else state.vb365
        if server is None:
            return jsonify(message='no VB365 user %s' % request.args['user']), 404
        return jsonify(jobs=server['jobs'], copy_jobs=server['copy_jobs'],
                       sessions=[public(session) for session in server['sessions']],
                       log_items=dict((key, [public(item) for item in items])
                                      for key, items in server['log_items'].items()))

    @app.get(CONTROL_PREFIX + 'vb365/objects')
    def vb365_objects_truth():
        """The organizations, repositories and story objects of the shared server, or with ?user= of the server this
        user logs in to: the names and IDs a test of the per-object checks starts from."""
        server = state.vb365_of(request.args['user']) if 'user' in request.args else state.vb365
        if server is None:
            return jsonify(message='no VB365 user %s' % request.args['user']), 404
        return jsonify(describe_objects(server['objects']))

    @app.errorhandler(404)
    def not_found(_error):
        return jsonify(message='No such resource: %s' % request.path), 404

    @app.post(CONTROL_PREFIX + 'tokens/expire')
    def expire_tokens():
        with state.lock:
            for record in state.tokens.values():
                record['expires'] = 0
        return jsonify(expired=len(state.tokens))

    register_avepoint(app, state)
    register_vb365(app, state)
    return app
