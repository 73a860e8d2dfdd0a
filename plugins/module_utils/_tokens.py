# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The bearer token of one module run, whatever grant obtains it.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A token is obtained on first use, obtained again shortly before it expires and once after the API
refuses it (401), unless the user gave it (``access_token``), in which case there is nothing to renew.
Every token and refresh token obtained is passed to ``on_token`` so the module keeps it out of all output.
Pages may be fetched from several threads at once: a lock makes sure that a token refused by several of
them is renewed once, not once per thread.
"""

import re
import threading
import time

from ansible_collections.backupops.jobs.plugins.module_utils._errors import (
    AuthenticationError,
    OptionError,
    UnexpectedResponseError,
)
from ansible_collections.backupops.jobs.plugins.module_utils._http import parse_json, raise_for_status

# Obtain a new token this long before the old one expires, so no request goes out with a dying token.
REFRESH_MARGIN = 60
DEFAULT_TOKEN_LIFETIME = 3600
# A day: longer than any identity service issues; a 401 renews a token the server ends sooner.
MAX_TOKEN_LIFETIME = 86400
# What an Authorization header can carry (RFC 6750 b64token, and what servers issue in practice).
BEARER_TOKEN = re.compile(r'^[\x21-\x7e]+$')


class BearerToken:
    """Subclasses implement ``_obtain()``, which calls ``_post_form`` with their grant."""

    def __init__(self, http, token_url, access_token=None, on_token=None):
        self._http = http
        self.token_url = token_url
        self._given = access_token is not None
        if self._given:
            # A YAML block scalar ends the token with a newline; the header must not.
            access_token = access_token.strip()
            if not BEARER_TOKEN.match(access_token):
                raise OptionError('access_token: not a bearer token; give the token alone, printable ASCII without '
                                  'spaces (the value is not shown)', option='access_token')
        self._token = access_token
        self._refresh_at = None
        self._on_token = on_token
        self.refresh_token = None
        self._lock = threading.Lock()

    @property
    def given(self):
        """True when the user gave the token (access_token), so there is none to obtain again."""
        return self._given

    @property
    def secrets(self):
        """The run's secrets, which any quote of what a server sent must mask."""
        return self._http.secrets

    @property
    def obtained(self):
        """True when this run obtained a token (and so may have a session to log out of)."""
        return not self._given and self._token is not None

    def headers(self):
        with self._lock:
            if not self._given and (self._token is None or time.time() >= self._refresh_at):
                self._obtain()
            return self._bearer()

    def _bearer(self):
        return {'Authorization': 'Bearer %s' % self._token}

    def renew(self, refused_headers):
        """After a 401: obtain a new token once; False when the token was given and cannot be renewed.

        A token another thread has already replaced is not renewed again."""
        if self._given:
            return False
        with self._lock:
            if refused_headers == self._bearer():
                self._obtain()
        return True

    def get(self, url, params=None):
        """GET with the token. After a 401 the token is renewed once and the request repeated; a 401 that
        persists becomes an AuthenticationError saying whose token was refused. Other statuses are the caller's."""
        return self._send('GET', url, params=params)

    def post(self, url, body):
        """POST ``body`` as JSON with the token, renewed once after a 401 like ``get``. The few operations that change
        anything (starting a VB365 job) use it; its status is the caller's."""
        return self._send('POST', url, json=body)

    def _send(self, method, url, **request):
        headers = self.headers()
        response = self._http.request(method, url, headers=headers, **request)
        if response.status_code == 401 and self.renew(headers):
            response = self._http.request(method, url, headers=self.headers(), **request)
        if response.status_code == 401:
            raise_for_status(response, AuthenticationError, hint=(
                'The API refused the token given in access_token (expired, or not valid for this API?)'
                if self._given else 'The API refused a fresh token of %s' % self.holder))
        return response

    @property
    def holder(self):
        """Whose token this is, for messages: never a secret."""
        raise NotImplementedError

    def _obtain(self):
        raise NotImplementedError

    def _post_form(self, form, refused_hint):
        """POST a grant to the token URL; keep the token it returns. A refusal becomes AuthenticationError."""
        response = self._http.request('POST', self.token_url, data=form, headers={'Accept': 'application/json'})
        if response.status_code in (400, 401, 403):
            raise_for_status(response, AuthenticationError, hint=refused_hint)
        raise_for_status(response)
        try:
            body = parse_json(response)
        except ValueError:
            body = None
        token = body.get('access_token') if isinstance(body, dict) else None
        if not isinstance(token, str) or not BEARER_TOKEN.match(token):
            raise UnexpectedResponseError('POST %s answered HTTP %s without a usable access_token (printable ASCII '
                                          'without spaces)' % (self.token_url, response.status_code),
                                          path=self.token_url)
        refresh_token = body.get('refresh_token')
        refresh_token = refresh_token if isinstance(refresh_token, str) and refresh_token.strip() else None
        if self._on_token is not None:
            for secret in (token, refresh_token):
                if secret:
                    self._on_token(secret)
        try:
            lifetime = int(body.get('expires_in', DEFAULT_TOKEN_LIFETIME))
        except (TypeError, ValueError, OverflowError):
            lifetime = DEFAULT_TOKEN_LIFETIME
        # A lifetime is the server's word: held to what a token can sensibly live, before any arithmetic on it.
        lifetime = min(max(lifetime, 0), MAX_TOKEN_LIFETIME)
        self._token = token
        self.refresh_token = refresh_token
        self._refresh_at = time.time() + lifetime - min(REFRESH_MARGIN, lifetime / 4.0)
