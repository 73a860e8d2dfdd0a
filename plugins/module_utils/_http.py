# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One HTTP session per module run.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Keep-alive through one ``requests.Session``, a deadline on every answer (connect, headers and body within
``timeout``), a size cap on every body, TLS verified by default (``ca_path`` names a CA bundle), and
retries with exponential back-off and jitter on connection errors and on 429, 500, 502, 503 and 504,
honouring ``Retry-After``, within a total wait per request (``retry_max_wait``). urllib3's ``Retry`` does
the retrying; the subclass below only adds a warning per retry, the jitter and the wait budget.

Whatever a server sends is quoted in messages only through _egress (printable, bounded, and withheld whole
when it holds a secret of the run in any encoding), and its links never choose the host a request goes to.
"""

import json
import logging
import random
import re
import socket
import threading
import traceback
from http.client import HTTPException
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from ansible_collections.backupops.jobs.plugins.module_utils._egress import Secrets
from ansible_collections.backupops.jobs.plugins.module_utils._errors import (
    ApiConnectionError,
    ApiResponseError,
    StoppedError,
    UnexpectedResponseError,
)

try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

RETRY_STATUSES = (429, 500, 502, 503, 504)
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 30.0
DEFAULT_MAX_WAIT = 120
BODY_QUOTE_LENGTH = 200
# The most a body may hold, decompressed: a VB365 page of 10,000 sessions is about 30 MB.
MAX_BODY_BYTES = 64 * 1024 * 1024
BODY_CHUNK = 64 * 1024


class _AnnouncingRetry(Retry):
    """urllib3 Retry that warns before each retry, adds jitter, and keeps the waits of one request within
    ``max_wait`` seconds: a wait (a server's Retry-After included) that would pass it ends the retries."""

    def __init__(self, *args, **kwargs):
        self.on_retry = kwargs.pop('on_retry', None)
        self.on_give_up = kwargs.pop('on_give_up', None)
        self.max_wait = kwargs.pop('max_wait', DEFAULT_MAX_WAIT)
        self.waited = 0.0
        super().__init__(*args, **kwargs)
        # One draw per retry object, so the delay announced is the delay slept.
        self._jitter = random.uniform(0.0, 0.5)

    def new(self, **kw):
        retry = super().new(**kw)
        retry.on_retry, retry.on_give_up = self.on_retry, self.on_give_up
        retry.max_wait, retry.waited = self.max_wait, self.waited
        return retry

    def parse_retry_after(self, retry_after):
        # A Retry-After urllib3 cannot read (1.5, abc, -5) is no reason to give up: the own back-off applies.
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return None

    def get_backoff_time(self):
        # urllib3 retries the first failure at once; a throttled or restarting API needs a pause.
        attempts = len(self.history)
        if attempts == 0:
            return 0.0
        delay = min(BACKOFF_MAX, BACKOFF_FACTOR * (2 ** (attempts - 1)))
        return delay * (1.0 + self._jitter)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        path = urlsplit(url or '').path
        if response is not None and response.status:
            cause = 'HTTP %s' % response.status
            delay = retry.get_retry_after(response)
        else:
            cause = type(error).__name__ if error is not None else 'no answer'
            delay = None
        if not delay:  # urllib3 sleeps the back-off where Retry-After is absent, unreadable or 0
            delay = retry.get_backoff_time()
        if retry.waited + delay > self.max_wait:
            if self.on_give_up is not None:
                self.on_give_up(method, path, cause, delay, retry.waited, self.max_wait)
            # What urllib3 raises when the attempts run out: the last answer is returned, or the error raised.
            raise MaxRetryError(_pool, url, error or ResponseError(cause))
        retry.waited += delay
        if self.on_retry is not None:
            self.on_retry(method, path, cause, len(retry.history), retry.total, delay)
        return retry


def _attempts(response):
    retries = getattr(getattr(response, 'raw', None), 'retries', None)
    return 1 + len(getattr(retries, 'history', ()) or ())


def _causes(error):
    """The error and the errors it wraps, outermost first (requests wraps urllib3's, which wrap the socket's)."""
    reason = error
    for _depth in range(8):
        yield reason
        inner = getattr(reason, 'reason', None)
        if not isinstance(inner, Exception) and getattr(reason, 'args', None) and isinstance(reason.args[0], Exception):
            inner = reason.args[0]
        if not isinstance(inner, Exception) or inner is reason:
            return
        reason = inner


def _timed_out(error):
    """True when a requests error comes from a timeout, however deep: after retries, urllib3 wraps a read
    timeout in MaxRetryError and requests reports it as a ConnectionError."""
    for cause in _causes(error):
        if isinstance(cause, urllib3.exceptions.NewConnectionError):
            return False  # urllib3 2 makes it a ConnectTimeoutError, but it is a refusal
        if isinstance(cause, (TimeoutError, urllib3.exceptions.TimeoutError, requests.exceptions.Timeout)):
            return True
    return False


def _innermost_reason(error):
    """The root cause of a requests exception, without urllib3's pool and object reprs."""
    text = str(list(_causes(error))[-1])
    # urllib3 prefixes "<urllib3.connection.HTTPSConnection object at 0x...>: "; the tail is what matters.
    if text.startswith('<') and '>: ' in text:
        text = text.split('>: ', 1)[1]
    return text


def quote_body(text, secrets=None):
    """The start of a body for an error message: one line, printable, bounded, never the whole page; withheld
    whole when it holds a secret of the run (``secrets``, an _egress.Secrets), in any encoding."""
    return (secrets if secrets is not None else Secrets()).quote(text, BODY_QUOTE_LENGTH)


def api_message(response):
    """What the API said about its failure, from the keys AvePoint and Veeam use, else the body's start."""
    try:
        body = parse_json(response)
    except ValueError:
        return quote_body(response.text, response.secrets) or None
    if not isinstance(body, dict):
        return quote_body(json.dumps(body), response.secrets)
    parts = []
    for key in ('message', 'error_description', 'error', 'title', 'detail'):
        value = body.get(key)
        if isinstance(value, str) and value and value not in parts:
            parts.append(value)
    error_model = body.get('errorModel')
    if isinstance(error_model, dict):
        parts.append('errorModel: ' + ', '.join('%s=%s' % item for item in sorted(error_model.items())))
    elif isinstance(error_model, str) and error_model:
        parts.append('errorModel: ' + error_model)
    return quote_body('; '.join(parts) or json.dumps(body), response.secrets)


class _Deadline:
    """The end of one attempt's time: a server that drips its answer a byte at a time never lets a single read
    time out, so at the deadline a timer shuts the attempt's socket, which ends any read blocked on it."""

    attempt = threading.local()

    def __init__(self, seconds):
        self.expired = False
        self.sock = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    @classmethod
    def start(cls, seconds):
        """Arm the deadline of the attempt this thread starts (the one before it is over)."""
        cls.stop()
        cls.attempt.current = cls(seconds) if seconds is not None else None

    @classmethod
    def current(cls):
        return getattr(cls.attempt, 'current', None)

    @classmethod
    def stop(cls):
        """Disarm this thread's deadline; True when it had expired."""
        deadline = cls.current()
        cls.attempt.current = None
        if deadline is None:
            return False
        deadline._timer.cancel()
        return deadline.expired

    def _expire(self):
        self.expired = True
        if self.sock is not None:
            try:
                # socket.socket's own shutdown: an SSLSocket's would also drop its TLS state under the reader.
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)
            except OSError:
                pass  # closed already


class _DeadlineMixin:
    """An urllib3 connection whose every attempt (request, headers, body) ends within its timeout."""

    def request(self, *args, **kwargs):
        # urllib3 sets the connection's timeout to the request's before each attempt.
        _Deadline.start(self.timeout if isinstance(self.timeout, (int, float)) else None)
        return super().request(*args, **kwargs)

    def getresponse(self, *args, **kwargs):
        deadline = _Deadline.current()
        if deadline is not None:
            # The response keeps reading this socket after http.client lets go of it (Connection: close).
            deadline.sock = self.sock
        try:
            response = super().getresponse(*args, **kwargs)
        except (OSError, HTTPException):
            if deadline is None or not deadline.expired:
                raise
            response = None
        # Headers cut off by the shut socket may even parse; either way urllib3 makes a TimeoutError a read
        # timeout: retried as one, and reported as one.
        if deadline is not None and deadline.expired:
            raise TimeoutError('no complete answer within %s s' % self.timeout)
        return response


class _DeadlineHTTPConnection(_DeadlineMixin, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_DeadlineMixin, HTTPSConnection):
    pass


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections that keep a deadline per attempt."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {'http': _DeadlineHTTPPool, 'https': _DeadlineHTTPSPool}


def _headers_as_given(request):
    """requests' auth hook that changes nothing. Without an auth of its own a session reads ~/.netrc (or $NETRC) on
    every request, and an entry for the host replaces the bearer token with that password: the API would refuse
    it, and the identity service would be sent a password kept for something else."""
    return request


class _RetryAnnouncedOnce(logging.Filter):
    """Drops urllib3's own warning of a retry after a broken connection when this client makes it: the client
    announces each retry through its caller already (masked, with its wait). Seen where logging goes somewhere, as in
    ansible-rulebook, which runs the event source."""

    def filter(self, record):
        return not (record.args and isinstance(record.args[0], _AnnouncingRetry))


def _announce_retries_once():
    pool_logger = logging.getLogger('urllib3.connectionpool')
    if not any(isinstance(found, _RetryAnnouncedOnce) for found in pool_logger.filters):
        pool_logger.addFilter(_RetryAnnouncedOnce())


class HttpClient:
    """A ``requests.Session`` with the collection's timeouts, TLS and retry policy.

    ``secrets`` is the run's _egress.Secrets: a quote of an answer that holds one is withheld.
    ``stop``, a ``threading.Event``, ends the run's listings once set: every later request raises StoppedError, so a
    listing stops within the one request it has in flight.
    """

    def __init__(self, timeout, retries, validate_certs=True, ca_path=None, warn=None,
                 max_wait=DEFAULT_MAX_WAIT, connections=1, secrets=None, stop=None):
        self.timeout = timeout
        self._stop = stop
        _announce_retries_once()
        self.secrets = secrets if secrets is not None else Secrets()
        self._warn = warn
        # requests lets REQUESTS_CA_BUNDLE override Session.verify; passing verify per request keeps ca_path in charge.
        self._verify = (ca_path or True) if validate_certs else False
        if not validate_certs:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        retry = _AnnouncingRetry(
            total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
            status_forcelist=RETRY_STATUSES, allowed_methods=None, respect_retry_after_header=True,
            raise_on_status=False, raise_on_redirect=False,
            on_retry=self._announce_retry, on_give_up=self._announce_give_up, max_wait=max_wait)
        # One keep-alive connection per concurrent request, reused for the whole run.
        adapter = _DeadlineAdapter(max_retries=retry, pool_connections=2, pool_maxsize=max(1, connections))
        self.session = requests.Session()
        self.session.auth = _headers_as_given
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)

    def _announce_retry(self, method, path, cause, attempt, remaining, delay):
        if self._warn is not None:
            self._warn('%s %s answered %s; retry %d (%s left) in %.1f s'
                       % (method, path, cause, attempt, remaining, delay))

    def _announce_give_up(self, method, path, cause, delay, waited, max_wait):
        if self._warn is not None:
            self._warn('%s %s answered %s; waiting %.1f s more (after %.1f s) would pass retry_max_wait=%s s, so it '
                       'is not retried' % (method, path, cause, delay, waited, max_wait))

    def request(self, method, url, **kwargs):
        """Send one request (retried by policy) and return the response, whatever its status, with its body
        read within the deadline and the size cap."""
        origin = '{0.scheme}://{0.netloc}'.format(urlsplit(url))
        if self._stop is not None and self._stop.is_set():
            raise StoppedError('stopped before %s %s: the listing was cancelled' % (method, urlsplit(url).path))
        try:
            try:
                response = self.session.request(method, url, timeout=self.timeout, verify=self._verify,
                                                allow_redirects=False, stream=True, **kwargs)
                with response:
                    body = self._read_body(method, url, response)
            finally:
                expired = _Deadline.stop()
        except requests.exceptions.SSLError as error:
            raise ApiConnectionError(join_sentences(
                'TLS verification of %s failed: %s' % (origin, _innermost_reason(error)),
                'Set ca_path to the CA bundle that signed the server certificate, or validate_certs: false on a '
                'trusted network only.'), url=origin)
        except requests.exceptions.RequestException as error:
            raise _no_answer(method, url, self.timeout, TimeoutError('no complete answer') if expired else error)
        if expired:  # the socket shut at the deadline ends a body without a length as if it were complete
            raise _no_answer(method, url, self.timeout, TimeoutError('no complete answer'))
        # What Response.content does after reading; here the body was read in bounded chunks instead.
        response._content, response._content_consumed = body, True  # pylint: disable=protected-access
        # Every quote of this answer (raise_for_status, json_body) withholds what holds a secret of the run.
        response.secrets = self.secrets
        return response

    def _read_body(self, method, url, response):
        body = bytearray()
        for chunk in response.iter_content(BODY_CHUNK):
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                parts = urlsplit(url)
                raise UnexpectedResponseError(
                    '%s %s: the answer of %s://%s passed %d MiB (decompressed), the most a page may hold; not '
                    'read further. Lower page_size if the pages are real.'
                    % (method, parts.path, parts.scheme, parts.netloc, MAX_BODY_BYTES // (1024 * 1024)),
                    path=parts.path)
        # urllib3 2 ends a body cut short of its Content-Length with an error; urllib3 1.26, which the older requests
        # releases we support install, returns what came, which would then read as a bad or, worse, a short answer.
        length = response.headers.get('Content-Length', '')
        if length.isdigit() and response.raw.tell() < int(length):
            raise requests.exceptions.ChunkedEncodingError(urllib3.exceptions.ProtocolError(
                'Connection broken: IncompleteRead(%d bytes read, %d more expected)'
                % (response.raw.tell(), int(length) - response.raw.tell())))
        return bytes(body)


def _no_answer(method, url, timeout, error):
    """The ApiConnectionError of a request that got no usable answer: timed out, not connected, or cut off."""
    parts = urlsplit(url)
    origin = '%s://%s' % (parts.scheme, parts.netloc)
    if _timed_out(error):
        return ApiConnectionError('%s %s: no answer from %s within timeout=%s s (%s); raise the timeout option if '
                                  'the API is slow.' % (method, parts.path, origin, timeout, _innermost_reason(error)),
                                  url=origin)
    if isinstance(error, requests.exceptions.ConnectionError):
        return ApiConnectionError('%s %s: cannot connect to %s: %s'
                                  % (method, parts.path, origin, _innermost_reason(error)), url=origin)
    return ApiConnectionError('%s %s to %s failed: %s' % (method, parts.path, origin, _innermost_reason(error)),
                              url=origin)


def rebase_link(link, base_url, option, secrets=None):
    """The URL of a server's next-page link: its path and query on the origin of ``base_url``, never the scheme,
    host or port the link names (a server may name itself by another host name; the token goes to the
    configured one only). A link whose path leaves the path of ``base_url`` is refused."""
    base = urlsplit(base_url)
    try:
        parts = urlsplit(urljoin(base_url + '/', link.strip()))
    except ValueError:
        parts = None
    prefix = base.path.rstrip('/') + '/'
    # Dot segments, however encoded, would climb out of the prefix on the server.
    segments = re.split(r'[/\\]', unquote(parts.path)) if parts is not None else ['..']
    if parts is None or not parts.path.startswith(prefix) or '.' in segments or '..' in segments:
        raise UnexpectedResponseError(
            'the API sent a next-page link outside %s of the %s option (%s); not followed, so the token goes to '
            'the API only' % (prefix, option, quote_body(link, secrets)), path=base.path)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ''))


def join_sentences(text, sentence):
    """``text`` followed by another sentence, with one full stop between them whether or not ``text`` (often a
    server's words) ends with one: never "incorrect.. The"."""
    text = text.rstrip()
    return '%s%s %s' % (text, '' if text.endswith(('.', '!', '?')) else '.', sentence)


def raise_for_status(response, error_class=ApiResponseError, hint=''):
    """Turn a non-2xx response into a typed error naming the method, path, status and the API's words."""
    if 200 <= response.status_code < 300:
        return
    method = response.request.method if response.request is not None else 'GET'
    path = urlsplit(response.url).path
    said = api_message(response)
    attempts = _attempts(response)
    reason = quote_body(response.reason, response.secrets)
    msg = ('%s %s failed with HTTP %s %s' % (method, path, response.status_code, reason)).rstrip()
    if attempts > 1:
        msg += ' after %d attempts' % attempts
    if said:
        msg += ': %s' % said
    if hint:
        msg = join_sentences(msg, hint)
    raise error_class(msg, status=response.status_code, path=path, api_message=said)


def json_body(response):
    """The JSON body of a successful response, or a typed error that quotes what came instead."""
    raise_for_status(response)
    try:
        return parse_json(response)
    except ValueError:
        raise UnexpectedResponseError(
            '%s %s answered HTTP %s with a body that is not JSON (Content-Type %s), starting: %s'
            % (response.request.method, urlsplit(response.url).path, response.status_code,
               quote_body(response.headers.get('Content-Type', 'not given'), response.secrets),
               quote_body(response.text, response.secrets) or '(empty)'),
            path=urlsplit(response.url).path)


def parse_json(response):
    """The body as JSON; a ValueError too when it nests deeper than Python's parser goes."""
    try:
        return response.json()
    except RecursionError:
        raise ValueError('JSON nested too deeply to read')
