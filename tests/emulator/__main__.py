"""Run the emulator: ``python -m emulator --state-dir DIR [--tenants contoso=fresh,...] [--jobs N] [--latency-ms MS]``.

It listens on loopback (HTTPS and plain HTTP, ports chosen by the system unless given), then writes
``DIR/emulator.json`` with its URLs, the CA to trust and the test credentials, and serves until it gets
SIGTERM or SIGINT, or until the process given by ``--owner-pid`` ends.
"""

import argparse
import datetime
import functools
import hashlib
import json
import os
import signal
import ssl
import sys
import threading

from cheroot.ssl.builtin import BuiltinSSLAdapter
from cheroot.wsgi import Server

from emulator.app import Client, ConnectionCut, State, create_app
from emulator.data import SHAPES, build_jobs, build_vb365
from emulator.objects import Objects
from emulator.tls import make_certificates, make_self_signed
from emulator.vb365 import new_server

AVEPOINT_SCOPES = ('dynamics.readwrite.all', 'platformbackup.readwrite.all', 'gsuite.graph.read.all')
# Test credentials of the emulator only; they open nothing anywhere else.
SECRET_CLIENT = dict(client_id='11111111-aaaa-4bbb-8ccc-000000000001', client_secret='emulator-secret-3f9c2d1b7a')
CERTIFICATE_CLIENT_ID = '11111111-aaaa-4bbb-8ccc-000000000002'
NARROW_CLIENT = dict(client_id='11111111-aaaa-4bbb-8ccc-000000000003', client_secret='emulator-narrow-5e8a0c4f21')
VB365_USER = dict(username='vbadmin@emulator.local', password='emulator-vb365-pw-7d41c2')


# Threads answering requests: a benchmark of 8 module processes with 4 checks of 4 pages each in flight needs 128;
# a keep-alive connection between requests holds none (cheroot parks it in a selector).
SERVER_THREADS = 160


class EmulatorServer(Server):
    """cheroot, a production WSGI server: HTTP/1.1 keep-alive, a thread pool that answers requests in
    parallel, TCP_NODELAY on every connection. The TLS handshake runs in the accepting thread, so a burst
    of new connections waits in the listen queue: with cheroot's default of 5, the kernel drops the rest
    of the burst and their clients retry only after a second; the queue is made long enough not to."""

    def __init__(self, host, port, app, tls=None, certificate=None):
        super().__init__((host, port), app, numthreads=SERVER_THREADS, request_queue_size=512)
        self.keep_alive_conn_limit = None  # a benchmark keeps hundreds of connections open between requests
        if tls is not None:
            self.ssl_adapter = BuiltinSSLAdapter(*certificate)
            self.ssl_adapter.context = tls

    @property
    def port(self):
        return self.bind_addr[1]

    def error_log(self, msg='', level=20, traceback=False):
        # A connection cut on purpose (the reset fault) is no error of the emulator's.
        if not isinstance(sys.exc_info()[1], ConnectionCut):
            super().error_log(msg, level, traceback)


def tenant_list(text):
    """'contoso=fresh,fabrikam=stale:3000' -> [('contoso', 'fresh', None), ('fabrikam', 'stale', 3000)]"""
    tenants = []
    for item in text.split(','):
        name, _sep, rest = item.strip().partition('=')
        shape, _sep, count = (rest or 'fresh').partition(':')
        if not name or shape not in SHAPES or (count and not count.isdigit()):
            raise argparse.ArgumentTypeError('%r: give name=shape[:jobs] with a shape of %s' % (item, ', '.join(SHAPES)))
        tenants.append((name, shape, int(count) if count else None))
    return tenants


def job_shapes(text):
    """'Exchange daily=failed' -> {'Exchange daily': 'failed'}"""
    shapes = {}
    for item in text.split(','):
        name, _sep, shape = item.partition('=')
        if not name.strip() or shape.strip() not in SHAPES:
            raise argparse.ArgumentTypeError('%r: give job name=shape with a shape of %s' % (item, ', '.join(SHAPES)))
        shapes[name.strip()] = shape.strip()
    return shapes


def tenant_client(name):
    """The secret-authenticated app of a further tenant; test credentials of the emulator only."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    return dict(client_id='%s-%s-4%s-8%s-%s' % (digest[:8], digest[8:12], digest[13:16], digest[17:20], digest[20:32]),
                client_secret='emulator-secret-%s-%s' % (name, digest[32:40]))


def tenant_vb365_user(name):
    """The login of a tenant's own VB365 server; test credentials of the emulator only."""
    digest = hashlib.sha256(('vb365-' + name).encode()).hexdigest()
    return dict(username='vbadmin@%s.emulator.local' % name, password='emulator-vb365-%s-%s' % (name, digest[:8]))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m emulator', description=__doc__.splitlines()[0])
    parser.add_argument('--state-dir', required=True, help='where certificates and emulator.json are written')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--https-port', type=int, default=0)
    parser.add_argument('--http-port', type=int, default=0)
    parser.add_argument('--vb365-port', type=int, default=0, help='HTTPS with a self-signed certificate, like VB365')
    parser.add_argument('--jobs', type=int, default=240, help='jobs per API per tenant, and sessions per VB365 job')
    parser.add_argument('--tenants', type=tenant_list, default=tenant_list('contoso=fresh'),
                        help='AvePoint tenants as name=shape[:jobs],... with shapes %s; the first one also gets '
                             'the certificate and narrow-scope apps. Each tenant also has a VB365 server of its own '
                             'shape, behind its own login on the VB365 listener (tenants.NAME.vb365 in '
                             'emulator.json)' % ', '.join(SHAPES))
    parser.add_argument('--vb365-shape', choices=sorted(SHAPES), default='fresh')
    parser.add_argument('--vb365-link-host', help='the host[:port] v5 writes in its links, as a server that names '
                                                  'itself otherwise than the client does (default: the request\'s)')
    parser.add_argument('--vb365-bounds', choices=('ended', 'created'), default='ended',
                        help='how endTimeLowerBound/UpperBound are read: by end time, or by creation time as the '
                             'OpenAPI documents describe them')
    parser.add_argument('--vb365-job-shapes', type=job_shapes, default={},
                        help='shapes of single VB365 jobs, as name=shape,...: Exchange daily=failed')
    parser.add_argument('--vb365-jobs', type=int, help='sessions per VB365 job (of three); default --jobs')
    parser.add_argument('--vb365-users', type=int, default=40,
                        help='users of the organization of each VB365 server (NAME.onmicrosoft.com, contoso for the '
                             'shared server), the story users among them; made when asked for, so 50000 cost little')
    parser.add_argument('--vb365-processed-id', choices=('id', 'msid', 'accountId'), default='id',
                        help='which ID of a user, site, team or group ProcessedObjects carries (undocumented)')
    parser.add_argument('--vb365-failed-advances', action='store_true',
                        help='an object that failed in a session counts as backed up then (undocumented; by default '
                             'its backed-up time stays at its last success or warning)')
    parser.add_argument('--vb365-start-seconds', type=float, default=3.0,
                        help='how long a session of a started VB365 job runs before it ends (as planned through '
                             'PUT /_emulator/vb365/starts; Success by default)')
    parser.add_argument('--owner-pid', type=int,
                        help='exit when this process ends, however it ends (even killed, or a forked test process '
                             'that skips its teardown); default: serve until SIGTERM or SIGINT')
    parser.add_argument('--seed', default='backupops')
    parser.add_argument('--interval-hours', type=float, default=2.0, help='hours between seeded jobs')
    parser.add_argument('--latency-ms', type=float, default=0.0, help='delay added to every API request')
    parser.add_argument('--token-lifetime', type=int, default=3600, help='seconds an access token lives')
    parser.add_argument('--ignore-filters', type=lambda text: [name.strip() for name in text.split(',') if name.strip()],
                        default=[], help='query parameters to ignore, like a server that drops filters: '
                                         'organizationId,type,jobId,jobType,...')
    return parser.parse_args(argv)


def build_state(args, certificates):
    now = datetime.datetime.now(datetime.timezone.utc)
    with open(certificates['client_cert'], 'rb') as handle:
        client_pem = handle.read()
    first = args.tenants[0][0]
    clients = [
        Client(SECRET_CLIENT['client_id'], first, AVEPOINT_SCOPES, secret=SECRET_CLIENT['client_secret']),
        Client(CERTIFICATE_CLIENT_ID, first, AVEPOINT_SCOPES, certificate_pem=client_pem),
        Client(NARROW_CLIENT['client_id'], first, ('gsuite.graph.read.all',), secret=NARROW_CLIENT['client_secret']),
    ]
    tenants, described, tenant_vb365 = {}, {}, {}
    for name, shape, count in args.tenants:
        tenants[name] = build_jobs('%s-%s' % (args.seed, name), count or args.jobs, now, args.interval_hours, shape)
        credentials = SECRET_CLIENT if name == first else tenant_client(name)
        if name != first:
            clients.append(Client(credentials['client_id'], name, AVEPOINT_SCOPES, secret=credentials['client_secret']))
        login = tenant_vb365_user(name)
        tenant_vb365[login['username']] = functools.partial(
            vb365_server, args, '%s-%s' % (args.seed, name), count or args.vb365_jobs or args.jobs, now, shape, {},
            login, name)
        described[name] = dict(shape=shape, jobs_per_api=count or args.jobs, vb365=login, **credentials)
    vb365 = vb365_server(args, args.seed, args.vb365_jobs or args.jobs, now, args.vb365_shape, args.vb365_job_shapes,
                         VB365_USER)
    state = State(tenants, clients, vb365, token_lifetime=args.token_lifetime, latency=args.latency_ms / 1000.0,
                  ignored_filters=args.ignore_filters, tenant_vb365=tenant_vb365)
    return state, described


def vb365_server(args, seed, count, now, shape, job_shapes, login, organization='contoso'):
    """A VB365 server of jobs of this shape that ``login`` logs in to, backing up ORGANIZATION.onmicrosoft.com."""
    build = build_vb365(seed, count, now, args.interval_hours, shape, job_shapes)
    objects = Objects(seed, build, organization, args.vb365_users, processed_id=args.vb365_processed_id,
                      failed_advances=args.vb365_failed_advances)
    return new_server(build, {login['username']: login['password']}, link_host=args.vb365_link_host,
                      bounds=args.vb365_bounds, objects=objects)


def serve(server):
    server.prepare()  # listening once this returns, so the port is known
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    return thread


def tls_context(certificate, key):
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.minimum_version = ssl.TLSVersion.TLSv1_2
    tls.load_cert_chain(certificate, key)
    return tls


def watch_owner(pid, stop, interval=0.1):
    """Set ``stop`` once process ``pid`` has ended. When it is the emulator's parent, being orphaned is the sign: a
    dead parent may linger as a zombie, which still answers kill(pid, 0), and its number may be reused."""
    parent = os.getppid() == pid

    def gone():
        if parent:
            return os.getppid() != pid
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # alive, and another user's
        return False

    def watch():
        while not stop.wait(interval):
            if gone():
                stop.set()
    if gone():
        stop.set()
    threading.Thread(target=watch, daemon=True).start()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.owner_pid:
        watch_owner(args.owner_pid, stop)
    os.makedirs(args.state_dir, exist_ok=True)
    certificates = make_certificates(args.state_dir)
    state, tenants = build_state(args, certificates)
    state.start_seconds = args.vb365_start_seconds
    app = create_app(state)
    server_pair = (certificates['server_cert'], certificates['server_key'])
    https = EmulatorServer(args.host, args.https_port, app, tls_context(*server_pair), server_pair)
    http = EmulatorServer(args.host, args.http_port, app)
    vb365_cert, vb365_key = make_self_signed(args.state_dir, 'vb365')
    vb365 = EmulatorServer(args.host, args.vb365_port, app, tls_context(vb365_cert, vb365_key), (vb365_cert, vb365_key))
    servers = (https, http, vb365)
    for server in servers:
        serve(server)
    https_url = 'https://%s:%d' % (args.host, https.port)
    description = dict(
        pid=os.getpid(),
        https_url=https_url,
        http_url='http://%s:%d' % (args.host, http.port),
        token_url=https_url + '/connect/token',
        ca_path=certificates['ca_path'],
        jobs_per_api=args.jobs,
        tenants=tenants,
        clients=dict(
            secret=SECRET_CLIENT,
            certificate=dict(client_id=CERTIFICATE_CLIENT_ID, certificate_path=certificates['client_cert'],
                             private_key_path=certificates['client_key']),
            narrow=NARROW_CLIENT,
        ),
        vb365=dict(url='https://%s:%d' % (args.host, vb365.port), certificate=vb365_cert, **VB365_USER),
    )
    path = os.path.join(args.state_dir, 'emulator.json')
    with open(path + '.tmp', 'w') as handle:
        json.dump(description, handle, indent=2)
    os.replace(path + '.tmp', path)

    stop.wait()
    for server in servers:
        server.stop()


if __name__ == '__main__':
    main()
