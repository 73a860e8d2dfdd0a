"""Small hostile servers on loopback: each test scripts what the server answers, the server records what it got.

    with HostileServer(answer) as server:   # answer(request) -> Answer, or a callable that writes the raw reply
        run_module(..., api_url=server.url, identity_url=server.url + '/connect/token')
        server.requests                       # [Request(method, path, query, headers, body)]

Plain HTTP on 127.0.0.1 only; the modules warn about http://, which these tests ignore. Every handler
thread is a daemon and every socket is closed on exit, so a test that gives up on a dripping answer
leaves nothing running.
"""

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ansible_collections.backupops.jobs.plugins.module_utils._egress import PREFIX_LENGTH

# Options of every AvePoint module and of job_session_info that point at a hostile server.
CLIENT_SECRET = 'Zq8~Xy+Abc/D\u00e4=secret'
PASSWORD = 'VB pass+w\u00f6rd/&%"\\'


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body

    def __repr__(self):
        return '%s %s' % (self.method, self.path)


class Answer:
    """A reply: status, headers and body (bytes, text, or anything JSON)."""

    def __init__(self, status=200, body=b'', headers=None):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        self.status = status
        self.body = body.encode('utf-8') if isinstance(body, str) else body
        self.headers = dict({'Content-Type': 'application/json'}, **(headers or {}))

    def write(self, handler):
        handler.send_response(self.status)
        for name, value in self.headers.items():
            handler.send_header(name, value)
        handler.send_header('Content-Length', str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


def first_characters(secret):
    """The first characters of a secret that a quote must not show (_egress.Secrets sees them as the secret): 8 as
    read (a run of white space is one), or on to the first that is not a letter, since a word alone ('Password') is
    no secret."""
    def read(text):
        return ' '.join(text.casefold().split())
    length = PREFIX_LENGTH
    while length < len(secret) and (len(read(secret[:length])) < PREFIX_LENGTH or read(secret[:length]).isalpha()):
        length += 1
    return secret[:length]


def token(value='hostile-token-0123456789', **extra):
    return Answer(body=dict(dict(access_token=value, token_type='bearer', expires_in=3600), **extra))


def drip(chunks, interval, status=200, headers=None, stop=None):
    """A reply written a piece at a time, ``interval`` seconds apart, until ``stop`` is set or the client leaves."""
    def write(handler):
        handler.send_response(status)
        for name, value in (headers or {'Content-Type': 'application/json'}).items():
            handler.send_header(name, value)
        handler.end_headers()
        for chunk in chunks:
            if stop is not None and stop.is_set():
                return
            handler.wfile.write(chunk)
            handler.wfile.flush()
            time.sleep(interval)
    return write


def drip_headers(interval, stop):
    """A status line, then header bytes one at a time: the headers never end while the client listens."""
    def write(handler):
        handler.wfile.write(b'HTTP/1.1 200 OK\r\n')
        for _count in range(600):
            if stop.is_set():
                return
            handler.wfile.write(b'X')
            handler.wfile.flush()
            time.sleep(interval)
    return write


def gzip_bomb(decompressed_mib):
    """A gzip body of about 1 KiB per MiB that inflates to ``decompressed_mib`` MiB of zeros: one compressed MiB,
    repeated as gzip members (a reader inflates them one after the other)."""
    member = gzip.compress(b'0' * (1024 * 1024), compresslevel=9)
    return Answer(body=member * decompressed_mib, headers={'Content-Encoding': 'gzip'})


class HostileServer:
    """A threaded HTTP server on 127.0.0.1 whose every answer ``answer(request)`` decides."""

    def __init__(self, answer):
        self.requests = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length).decode('utf-8', 'replace') if length else ''
                parts = urlsplit(self.path)
                request = Request(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body)
                server.requests.append(request)
                reply = answer(request)
                try:
                    (reply.write if isinstance(reply, Answer) else reply)(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            do_GET = do_POST = _handle

        self._server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self._server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def avepoint(self, **options):
        """Connection options of an AvePoint module for this server, with a client secret."""
        return dict(dict(api_url=self.url, identity_url=self.url + '/connect/token', client_id='app-1',
                         client_secret=CLIENT_SECRET, retries=0, timeout=5), **options)

    def vb365(self, version='v8', **options):
        """Connection options of job_session_info for this server."""
        return dict(dict(url=self.url, api_version=version, username='vbadmin', password=PASSWORD, retries=0,
                         timeout=5), **options)

    def paths(self, method='GET'):
        return [request.path for request in self.requests if request.method == method]
