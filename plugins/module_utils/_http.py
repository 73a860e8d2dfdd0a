# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One HTTP session per module run.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Keep-alive through one ``requests.Session``, connect and read timeouts on every request, TLS verified
by default (``ca_path`` names a CA bundle), and retries with exponential back-off and jitter on
connection errors and on 429, 500, 502, 503 and 504, honouring ``Retry-After`` up to a cap. urllib3's
``Retry`` does the retrying; the subclass below only adds a warning per retry, the jitter and the cap.
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
RETRY_AFTER_CAP = 60.0
BODY_QUOTE_LENGTH = 200


class _AnnouncingRetry(Retry):
    """urllib3 Retry that warns before each retry, adds jitter, and caps a server's Retry-After."""

    def __init__(self, *args, **kwargs):
        self.on_retry = kwargs.pop('on_retry', None)
        self.retry_after_cap = kwargs.pop('retry_after_cap', RETRY_AFTER_CAP)
        super().__init__(*args, **kwargs)
        # One draw per retry object, so the delay announced is the delay slept.
        self._jitter = random.uniform(0.0, 0.5)

    def new(self, **kw):
        retry = super().new(**kw)
        retry.on_retry = self.on_retry
        retry.retry_after_cap = self.retry_after_cap
        return retry

    def get_backoff_time(self):
        # urllib3 retries the first failure at once; a throttled or restarting API needs a pause.
        attempts = len(self.history)
        if attempts == 0:
            return 0.0
        delay = min(BACKOFF_MAX, BACKOFF_FACTOR * (2 ** (attempts - 1)))
        return delay * (1.0 + self._jitter)

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        if seconds is None:
            return None
        return min(float(seconds), self.retry_after_cap)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if self.on_retry is not None:
            if response is not None and response.status:
                cause = 'HTTP %s' % response.status
                delay = retry.get_retry_after(response)
            else:
                cause = type(error).__name__ if error is not None else 'no answer'
                delay = None
            if delay is None:
                delay = retry.get_backoff_time()
            self.on_retry(method, urlsplit(url or '').path, cause, len(retry.history), retry.total, delay)
        return retry


def _attempts(response):
    retries = getattr(getattr(response, 'raw', None), 'retries', None)
    return 1 + len(getattr(retries, 'history', ()) or ())


def _innermost_reason(error):
    """The root cause of a requests exception, without urllib3's pool and object reprs."""
    reason = error
    while True:
        inner = getattr(reason, 'reason', None)
        if not isinstance(inner, Exception) and reason.args and isinstance(reason.args[0], Exception):
            inner = reason.args[0]
        if not isinstance(inner, Exception) or inner is reason:
            break
        reason = inner
    text = str(reason)
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
                 retry_after_cap=RETRY_AFTER_CAP, connections=1):
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
            on_retry=self._announce_retry, retry_after_cap=retry_after_cap)
        # One keep-alive connection per concurrent request, reused for the whole run.
        adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=max(1, connections))
        self.session = requests.Session()
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)

    def _announce_retry(self, method, path, cause, attempt, remaining, delay):
        if self._warn is not None:
            self._warn('%s %s answered %s; retry %d (%s left) in %.1f s'
                       % (method, path, cause, attempt, remaining, delay))

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
        except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout) as error:
            raise ApiConnectionError(
                '%s %s: no answer from %s within timeout=%s s (%s); raise the timeout option if the API is '
                'slow.' % (method, urlsplit(url).path, origin, self.timeout, _innermost_reason(error)), url=origin)
        except requests.exceptions.ConnectionError as error:
            raise ApiConnectionError('%s %s: cannot connect to %s: %s'
                                     % (method, urlsplit(url).path, origin, _innermost_reason(error)), url=origin)
        except requests.exceptions.RequestException as error:
            raise ApiConnectionError('%s %s to %s failed: %s'
                                     % (method, urlsplit(url).path, origin, _innermost_reason(error)), url=origin)


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
