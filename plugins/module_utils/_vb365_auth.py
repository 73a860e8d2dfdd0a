# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VB365 REST API tokens: the password grant, renewed with the refresh token, and the logout of v7 and v8.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.
"""

from ansible_collections.backupops.jobs.plugins.module_utils._errors import AuthenticationError, BackupOpsError
from ansible_collections.backupops.jobs.plugins.module_utils._http import raise_for_status
from ansible_collections.backupops.jobs.plugins.module_utils._tokens import BearerToken
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import version_at_least


class PasswordToken(BearerToken):
    """A VB365 token from the password grant, renewed with the refresh token and, failing that, a new login."""

    def __init__(self, http, base_url, version, username, password, access_token=None, on_token=None):
        super().__init__(http, '%s/%s/token' % (base_url, version), access_token=access_token, on_token=on_token)
        self.username = username
        self._password = password
        self._version = version

    @property
    def holder(self):
        return 'user %s' % self.username

    def _grant(self, **form):
        # v7 and v8 want an antiforgery token with every call unless the client opts out; v5 and v6 know no such field.
        if version_at_least(self._version, 'v7'):
            form['disable_antiforgery_token'] = 'true'
        return form

    def _obtain(self):
        if self.refresh_token:
            try:
                self._post_form(self._grant(grant_type='refresh_token', refresh_token=self.refresh_token), '')
                return
            except AuthenticationError:
                self.refresh_token = None  # the refresh token is spent or expired: log in again
        self._post_form(self._grant(grant_type='password', username=self.username, password=self._password),
                        'The VB365 REST API at %s refused user %s: check username and password, and that the REST '
                        'service is enabled' % (self.token_url, self.username))

    def logout(self, warn):
        """v7 and v8 end a session on request; best effort, since the token expires by itself anyway."""
        if not self.obtained or not version_at_least(self._version, 'v7'):
            return
        try:
            response = self._http.request('POST', self.token_url + '/logout',
                                          headers=self._bearer())
            raise_for_status(response)
        except BackupOpsError as error:
            warn('logging out of the VB365 REST API failed (%s); the token expires by itself' % error.msg)
