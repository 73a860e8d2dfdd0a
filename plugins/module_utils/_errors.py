# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Typed errors of the backupops.jobs client.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

Every failure a user can cause or meet (a bad option, an unreachable host, an API that says no, a body
that is not what the API documents) is one of these. Modules turn them into ``fail_json`` with
``to_fail_json()``; anything else is a bug and may show a traceback.
"""


class BackupOpsError(Exception):
    """An expected failure, with a message written for the person who runs the play."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def to_fail_json(self):
        result = dict(self.details)
        result['msg'] = self.msg
        return result


class OptionError(BackupOpsError):
    """An option value that cannot be used; the message names the option, the value and what is accepted."""


class ApiConnectionError(BackupOpsError):
    """No usable answer came back: refused connection, TLS failure, timeout."""


class ApiResponseError(BackupOpsError):
    """The API answered with an HTTP error status.

    ``status`` is the HTTP status, ``path`` the endpoint path (never the query, which may carry tokens),
    ``api_message`` what the API itself said, when it said anything readable.
    """

    def __init__(self, msg, status, path, api_message=None, **details):
        super().__init__(msg, status=status, path=path, api_message=api_message, **details)
        self.status = status
        self.path = path
        self.api_message = api_message


class AuthenticationError(ApiResponseError):
    """The token endpoint refused the credentials or the scope, or the API refused the token."""


class UnexpectedResponseError(BackupOpsError):
    """The API answered 2xx with a body that is not JSON or not of the documented shape."""


class StoppedError(BackupOpsError):
    """The caller asked its listings to stop (the event source was cancelled): no further request is sent."""


class MissingLibraryError(BackupOpsError):
    """A Python library an option needs is not installed: ``library``, the ``reason`` (the option), and the
    ``traceback`` of the failed import. A module words it as Ansible's missing_required_lib does."""

    def __init__(self, library, reason, traceback):
        super().__init__('the Python library %s is needed for %s and cannot be imported; install it where the '
                         'collection runs' % (library, reason))
        self.library = library
        self.reason = reason
        self.traceback = traceback
