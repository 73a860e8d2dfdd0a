# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One HTTP session per module run.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Keep-alive through one ``requests.Session``, connect and read timeouts on every request, TLS verified
by default (``ca_path`` names a CA bundle), and retries with exponential back-off and jitter on
connection errors and on 429, 500, 502, 503 and 504, honouring ``Retry-After``, within a total wait per
request (``retry_max_wait``). urllib3's ``Retry`` does the retrying; the subclass below only adds a
warning per retry, the jitter and the wait budget.
"""

import json
import random
import traceback
from urllib.parse import urlsplit

from ansible_collections.backupops.jobs.plugins.module_utils._errors import (
    ApiConnectionError,
    ApiResponseError,
    UnexpectedResponseError,
)

try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import MaxRetryError, ResponseError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

RETRY_STATUSES = (429, 500, 502, 503, 504)
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 30.0
DEFAULT_MAX_WAIT = 120
BODY_QUOTE_LENGTH = 200


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
        if delay is None:
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


def quote_body(text):
    """The start of a body for an error message: one line, bounded, never the whole page."""
    flat = ' '.join((text or '').split())
    if len(flat) > BODY_QUOTE_LENGTH:
        return flat[:BODY_QUOTE_LENGTH] + '...'
    return flat


def api_message(response):
    """What the API said about its failure, from the keys AvePoint and Veeam use, else the body's start."""
    try:
        body = response.json()
    except ValueError:
        return quote_body(response.text) or None
    if not isinstance(body, dict):
        return quote_body(json.dumps(body))
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
    return '; '.join(parts) or quote_body(json.dumps(body))


class HttpClient:
    """A ``requests.Session`` with the collection's timeouts, TLS and retry policy."""

    def __init__(self, timeout, retries, validate_certs=True, ca_path=None, warn=None,
                 max_wait=DEFAULT_MAX_WAIT, connections=1):
        self.timeout = timeout
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
        adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=max(1, connections))
        self.session = requests.Session()
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
        """Send one request (retried by policy) and return the response, whatever its status."""
        origin = '{0.scheme}://{0.netloc}'.format(urlsplit(url))
        try:
            return self.session.request(method, url, timeout=self.timeout, verify=self._verify,
                                        allow_redirects=False, **kwargs)
        except requests.exceptions.SSLError as error:
            raise ApiConnectionError(
                'TLS verification of %s failed: %s. Set ca_path to the CA bundle that signed the server '
                'certificate, or validate_certs: false on a trusted network only.'
                % (origin, _innermost_reason(error)), url=origin)
        except requests.exceptions.RequestException as error:
            raise _no_answer(method, url, self.timeout, error)


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


def _origin(url):
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or '').lower(), parts.port or {'https': 443, 'http': 80}.get(parts.scheme)


def refuse_foreign_link(link, base_url, option):
    """A paging link to another scheme, host or port than ``base_url`` is an error: the token goes nowhere else."""
    parts = urlsplit(link)
    # Opaque skip tokens and relative links stay with the API; only a link that names an origin can leave it.
    if (parts.scheme.lower() in ('http', 'https') or parts.netloc) and _origin(link) != _origin(base_url):
        raise UnexpectedResponseError(
            'the API sent a next-page link to %s://%s, which is not the %s option %s; not followed, so the token '
            'goes nowhere else (if the server names itself by another host name, use that name in %s)'
            % (parts.scheme, parts.netloc, option, base_url, option), path=parts.path)


def raise_for_status(response, error_class=ApiResponseError, hint=''):
    """Turn a non-2xx response into a typed error naming the method, path, status and the API's words."""
    if 200 <= response.status_code < 300:
        return
    method = response.request.method if response.request is not None else 'GET'
    path = urlsplit(response.url).path
    said = api_message(response)
    attempts = _attempts(response)
    msg = '%s %s failed with HTTP %s %s' % (method, path, response.status_code, response.reason or '')
    msg = msg.rstrip()
    if attempts > 1:
        msg += ' after %d attempts' % attempts
    if said:
        msg += ': %s' % said
    if hint:
        msg += '. ' + hint
    raise error_class(msg, status=response.status_code, path=path, api_message=said)


def json_body(response):
    """The JSON body of a successful response, or a typed error that quotes what came instead."""
    raise_for_status(response)
    try:
        return response.json()
    except ValueError:
        raise UnexpectedResponseError(
            '%s %s answered HTTP %s with a body that is not JSON (Content-Type %s), starting: %s'
            % (response.request.method, urlsplit(response.url).path, response.status_code,
               response.headers.get('Content-Type', 'not given'), quote_body(response.text) or '(empty)'),
            path=urlsplit(response.url).path)
