# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection does the same way: read only, check mode, an HTTP client built
from the connection options, and expected failures turned into a readable fail_json.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.
"""

import os
import sys
import threading

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.backupops.jobs.plugins.module_utils._egress import Secrets, scalar_texts, secret_forms
from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, HttpClient
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_range, url_password

# Pages in flight at once: enough to hide a long round trip, few enough not to look like a flood to an API.
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
# The options of doc fragment backupops.jobs.paging.
PAGING_ARGUMENT_SPEC = dict(max_concurrency=dict(type='int', default=DEFAULT_CONCURRENCY))
# How long a thread keeps the interpreter while others wait (Python's default is 5 ms). A module's threads mostly
# wait on the network; with a short switch interval one whose answer has arrived reads it at once, instead of
# waiting behind the thread that is normalising a page. It cut a 96-page sequential listing by a tenth.
SWITCH_INTERVAL = 0.001
# Options that name a server; a password written into one is a secret like the others.
URL_OPTIONS = ('api_url', 'identity_url', 'url')


class BackupOpsModule(AnsibleModule):
    """An AnsibleModule that only reads, so it supports check mode fully."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(argument_spec, **PAGING_ARGUMENT_SPEC)
        # Before AnsibleModule's own checks, which may already warn or fail.
        self.secrets = Secrets()
        super().__init__(argument_spec=spec, supports_check_mode=True, **kwargs)
        # The module is a process of its own, so the setting changes no one else's threads.
        sys.setswitchinterval(SWITCH_INTERVAL)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        try:
            check_given(self, spec, self.params)
        except OptionError as error:
            self.fail_on(error)

    def add_secret(self, value):
        """Keep ``value`` (any type) out of all output: every text that holds it, in any encoding, is withheld on
        the way out, and Ansible masks its usual forms in what it logs itself (the invocation)."""
        self.secrets.add(value)
        for text in scalar_texts(value):
            if text.strip():  # masking blanks would garble every message and hide nothing
                self.no_log_values.update(secret_forms(text))

    # The way out of a module: its result, its failure and its warnings pass the run's one filter (_egress).
    def exit_json(self, **kwargs):
        super().exit_json(**self.secrets.withhold(kwargs))

    def fail_json(self, msg, **kwargs):
        kwargs = self.secrets.withhold(dict(kwargs, msg=msg))
        super().fail_json(**kwargs)

    def warn(self, warning):
        super().warn(self.secrets.withhold(warning))

    def fail_on(self, error):
        """End the module with an expected failure's message; never a traceback."""
        if not isinstance(error, BackupOpsError):
            raise error
        self.fail_json(**error.to_fail_json())

    def http_client(self, target, params=None, connections=None):
        """The HTTP client of the timeout, retries, validate_certs and ca_path options (of ``params``, the module's
        own by default), for ``target``, with a pool of ``connections`` (max_concurrency by default)."""
        return build_http_client(self, self.params if params is None else params, target, connections)


class Caller:
    """What the client needs of the code that calls it, outside a module (the EDA event source): a place for
    warnings and secrets, and the concurrency of its listings. It duck-types BackupOpsModule for the client."""

    def __init__(self, max_concurrency=DEFAULT_CONCURRENCY, secrets=None):
        self.params = dict(max_concurrency=max_concurrency)
        self.warnings = []
        self.secrets = secrets.copy() if secrets is not None else Secrets()
        # Set to stop this caller's listings at their next request (an event source that is cancelled).
        self.stop = threading.Event()

    def warn(self, warning):
        self.warnings.append(warning)

    def add_secret(self, value):
        self.secrets.add(value)

    def mask(self, value):
        """``value`` (a text, an event) through the run's one filter: every text that holds a secret withheld."""
        return self.secrets.withhold(value)

    def fail_json(self, msg, **_details):
        raise BackupOpsError(msg)

    def http_client(self, target, params, connections=None):
        return build_http_client(self, params, target, connections)


def mask_secrets(caller, spec, params):
    """Mask every secret of ``params`` (options of ``spec``) in all its forms for ``caller``, in nested options too:
    the values of no_log options, and a password written into a URL option."""
    for option, value in params.items():
        entry = spec.get(option, {})
        if entry.get('options') and isinstance(value, dict):
            mask_secrets(caller, entry['options'], value)
        elif entry.get('no_log') and value is not None and entry.get('type') != 'dict':
            # A secret written as a number, a list or a mapping is secret in each of its texts. A no_log dict of
            # options without a spec of its own (backup_gate_info's connections) is left to its vendor's spec.
            caller.add_secret(value)
        elif option in URL_OPTIONS and isinstance(value, str):
            for secret in url_password(value):
                caller.add_secret(secret)


def check_given(caller, spec, params, prefix=''):
    """``mask_secrets``, then refuse empty text, in nested options too: an OptionError naming the option."""
    mask_secrets(caller, spec, params)
    _refuse_empty(spec, params, prefix)


def _refuse_empty(spec, params, prefix):
    for option, value in sorted(params.items()):
        entry = spec.get(option, {})
        if entry.get('options') and isinstance(value, dict):
            _refuse_empty(entry['options'], value, prefix + option + '.')
    for option, value in sorted(params.items()):
        # An empty value is a template or variable gone wrong; sent on, the API would answer without naming it.
        if spec.get(option, {}).get('type', 'str') in ('str', 'path') and isinstance(value, str) and not value.strip():
            raise OptionError('%s: the value is empty; give a value or leave the option out' % (prefix + option),
                              option=prefix + option, value=value)


def build_http_client(caller, params, target, connections=None):
    """The HTTP client of the timeout, retries, validate_certs and ca_path of ``params``, for ``target``."""
    check_range('timeout', params['timeout'], 1, 3600)
    check_range('retries', params['retries'], 0, 10)
    check_range('retry_max_wait', params['retry_max_wait'], 0, 3600)
    check_range('max_concurrency', caller.params['max_concurrency'], 1, MAX_CONCURRENCY)
    if params['ca_path'] and not os.path.isfile(params['ca_path']):
        raise OptionError('ca_path: %s is not a readable file; give the PEM bundle of the CA certificates to trust'
                          % params['ca_path'], option='ca_path', value=params['ca_path'])
    if not params['validate_certs']:
        caller.warn('validate_certs is false: the TLS certificate of %s is not checked, so anyone on the path can '
                    'read the credentials and forge the answers' % target)
    return HttpClient(params['timeout'], params['retries'], params['validate_certs'], params['ca_path'],
                      warn=caller.warn, max_wait=params['retry_max_wait'],
                      connections=connections or caller.params['max_concurrency'], secrets=caller.secrets,
                      stop=getattr(caller, 'stop', None))
