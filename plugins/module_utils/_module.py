# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection does the same way: read only, check mode, an HTTP client built
from the connection options, and expected failures turned into a readable fail_json.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._http import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    HttpClient,
    secret_forms,
)
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_range, url_password

# Pages in flight at once: enough to hide a long round trip, few enough not to look like a flood to an API.
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
# The options of doc fragment backupops.jobs.paging.
PAGING_ARGUMENT_SPEC = dict(max_concurrency=dict(type='int', default=DEFAULT_CONCURRENCY))
# Options that name a server; a password written into one is a secret like the others.
URL_OPTIONS = ('api_url', 'identity_url', 'url')


class BackupOpsModule(AnsibleModule):
    """An AnsibleModule that only reads, so it supports check mode fully."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(argument_spec, **PAGING_ARGUMENT_SPEC)
        super().__init__(argument_spec=spec, supports_check_mode=True, **kwargs)
        for option, value in self.params.items():
            if spec[option].get('no_log') and isinstance(value, str):
                self.add_secret(value)
            elif option in URL_OPTIONS and value is not None:
                for secret in url_password(value):
                    self.add_secret(secret)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        for option, value in sorted(self.params.items()):
            # An empty value is a template or variable gone wrong; sent on, the API would answer without naming it.
            if spec[option].get('type', 'str') in ('str', 'path') and isinstance(value, str) and not value.strip():
                self.fail_on(OptionError('%s: the value is empty; give a value or leave the option out' % option,
                                         option=option, value=value))

    def add_secret(self, value):
        """Keep ``value`` out of all output, in every form it may come back in (see ``secret_forms``)."""
        if value.strip():  # masking blanks would garble every message and hide nothing
            self.no_log_values.update(secret_forms(value))

    def fail_on(self, error):
        """End the module with an expected failure's message; never a traceback."""
        if not isinstance(error, BackupOpsError):
            raise error
        self.fail_json(**error.to_fail_json())

    def http_client(self, target):
        """The HTTP client of the timeout, retries, validate_certs and ca_path options, for ``target``."""
        params = self.params
        check_range('timeout', params['timeout'], 1, 3600)
        check_range('retries', params['retries'], 0, 10)
        check_range('retry_max_wait', params['retry_max_wait'], 0, 3600)
        check_range('max_concurrency', params['max_concurrency'], 1, MAX_CONCURRENCY)
        if params['ca_path'] and not os.path.isfile(params['ca_path']):
            raise OptionError('ca_path: %s is not a readable file; give the PEM bundle of the CA certificates to trust'
                              % params['ca_path'], option='ca_path', value=params['ca_path'])
        if not params['validate_certs']:
            self.warn('validate_certs is false: the TLS certificate of %s is not checked, so anyone on the path can '
                      'read the credentials and forge the answers' % target)
        return HttpClient(params['timeout'], params['retries'], params['validate_certs'], params['ca_path'],
                          warn=self.warn, max_wait=params['retry_max_wait'], connections=params['max_concurrency'],
                          secrets=self.no_log_values)
