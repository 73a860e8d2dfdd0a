# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a vendor client needs of whoever runs it - a module, the gate, the event source: where its warnings go,
the run's secrets, how many pages it may have in flight, and a signal to stop.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

The clients take a Context and nothing of Ansible: a module hands over its own warn and secret registry, the
event source a Context that collects its warnings and can be stopped.
"""

import os

from ansible_collections.backupops.jobs.plugins.module_utils._egress import Secrets
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._http import HttpClient
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_range

# Pages in flight at once: enough to hide a long round trip, few enough not to look like a flood to an API.
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16


class Context:
    """``warn`` (a function of one text; None: the warnings are kept in ``warnings``), ``secrets`` (the run's
    _egress.Secrets; a new one when None), ``max_concurrency`` (pages in flight per listing), ``stop`` (a
    threading.Event that ends the run's listings at their next request) and ``on_secret`` (told of each secret the
    clients learn, such as a token, besides ``secrets``)."""

    def __init__(self, warn=None, secrets=None, max_concurrency=DEFAULT_CONCURRENCY, stop=None, on_secret=None):
        self.warnings = []
        self.warn = warn if warn is not None else self.warnings.append
        self.secrets = secrets if secrets is not None else Secrets()
        self.max_concurrency = max_concurrency
        self.stop = stop
        self._on_secret = on_secret

    def add_secret(self, value):
        """Keep ``value`` (a token the run obtained, say) out of every output from now on."""
        if self._on_secret is not None:
            self._on_secret(value)
        else:
            self.secrets.add(value)

    def mask(self, value):
        """``value`` (a text, an event) through the run's one filter: every text that holds a secret withheld."""
        return self.secrets.withhold(value)

    def http_client(self, target, params, connections=None):
        """The HTTP client of the timeout, retries, retry_max_wait, validate_certs and ca_path of ``params`` (a
        vendor's connection options), for ``target``, with a pool of ``connections`` (max_concurrency by default)."""
        check_range('timeout', params['timeout'], 1, 3600)
        check_range('retries', params['retries'], 0, 10)
        check_range('retry_max_wait', params['retry_max_wait'], 0, 3600)
        check_range('max_concurrency', self.max_concurrency, 1, MAX_CONCURRENCY)
        if params['ca_path'] and not os.path.isfile(params['ca_path']):
            raise OptionError('ca_path: %s is not a readable file; give the PEM bundle of the CA certificates to trust'
                              % params['ca_path'], option='ca_path', value=params['ca_path'])
        if not params['validate_certs']:
            self.warn('validate_certs is false: the TLS certificate of %s is not checked, so anyone on the path can '
                      'read the credentials and forge the answers' % target)
        return HttpClient(params['timeout'], params['retries'], params['validate_certs'], params['ca_path'],
                          warn=self.warn, max_wait=params['retry_max_wait'],
                          connections=connections or self.max_concurrency, secrets=self.secrets, stop=self.stop)
