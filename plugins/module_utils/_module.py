# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Ansible face of the collection: the argument specs (built from one connection spec per vendor, with their
environment fallbacks), the module classes, and what a module does alike - read only, check mode, every output
through the run's one filter, expected failures turned into a readable fail_json.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

This is the only module_utils file that knows AnsibleModule. The vendor clients below it take a _context.Context:
a module hands over its warn, its secret registry and its max_concurrency (``BackupOpsModule.context``).
"""

import sys
from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint import MAX_PAGE_SIZE as AVEPOINT_MAX_PAGE_SIZE
from ansible_collections.backupops.jobs.plugins.module_utils._avepoint import AvePointConnection
from ansible_collections.backupops.jobs.plugins.module_utils._checks import kind_of
from ansible_collections.backupops.jobs.plugins.module_utils._context import DEFAULT_CONCURRENCY, Context
from ansible_collections.backupops.jobs.plugins.module_utils._egress import Secrets, scalar_texts, secret_forms
from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError, MissingLibraryError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._http import DEFAULT_MAX_WAIT, HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.backupops.jobs.plugins.module_utils._listing import Listing
from ansible_collections.backupops.jobs.plugins.module_utils._options import time_window, url_password
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import connect as connect_vb365
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import MAX_PAGE_SIZE as VB365_MAX_PAGE_SIZE

# How long a thread keeps the interpreter while others wait (Python's default is 5 ms). A module's threads mostly
# wait on the network; with a short switch interval one whose answer has arrived reads it at once, instead of
# waiting behind the thread that is normalising a page. It cut a 96-page sequential listing by a tenth.
SWITCH_INTERVAL = 0.001
# Options that name a server; a password written into one is a secret like the others.
URL_OPTIONS = ('api_url', 'identity_url', 'url')


def from_env(*names):
    """An argument-spec fallback to the first of these environment variables that is set."""
    return (env_fallback, list(names))


def connection_spec(prefix, **options):
    """The connection options of a vendor (doc fragments backupops.jobs.avepoint and vb365): its own ``options``,
    then the transport options every vendor has, each falling back to the environment variable PREFIX_OPTION."""
    spec = dict(options)
    spec.update(
        validate_certs=dict(type='bool', default=True, fallback=from_env(prefix + '_VALIDATE_CERTS')),
        ca_path=dict(type='path', fallback=from_env(prefix + '_CA_PATH')),
        timeout=dict(type='int', default=30, fallback=from_env(prefix + '_TIMEOUT')),
        retries=dict(type='int', default=3, fallback=from_env(prefix + '_RETRIES')),
        retry_max_wait=dict(type='int', default=DEFAULT_MAX_WAIT, fallback=from_env(prefix + '_RETRY_MAX_WAIT')),
    )
    return spec


AVEPOINT_ARGUMENT_SPEC = connection_spec(
    'AVEPOINT',
    api_url=dict(type='str', fallback=from_env('AVEPOINT_API_URL')),
    region=dict(type='str', fallback=from_env('AVEPOINT_REGION')),
    identity_url=dict(type='str', fallback=from_env('AVEPOINT_IDENTITY_URL')),
    client_id=dict(type='str', fallback=from_env('AVEPOINT_CLIENT_ID')),
    client_secret=dict(type='str', no_log=True, fallback=from_env('AVEPOINT_CLIENT_SECRET')),
    certificate_path=dict(type='path', fallback=from_env('AVEPOINT_CERTIFICATE_PATH')),
    private_key_path=dict(type='path', no_log=False, fallback=from_env('AVEPOINT_PRIVATE_KEY_PATH')),
    access_token=dict(type='str', no_log=True, fallback=from_env('AVEPOINT_ACCESS_TOKEN')),
    scope=dict(type='str'),
    page_size=dict(type='int', default=AVEPOINT_MAX_PAGE_SIZE),
    limit=dict(type='int'),
)
VB365_ARGUMENT_SPEC = connection_spec(
    'VB365',
    url=dict(type='str', fallback=from_env('VB365_URL')),
    api_version=dict(type='str', default='v8', fallback=from_env('VB365_API_VERSION')),
    username=dict(type='str', fallback=from_env('VB365_USERNAME')),
    password=dict(type='str', no_log=True, fallback=from_env('VB365_PASSWORD')),
    access_token=dict(type='str', no_log=True, fallback=from_env('VB365_ACCESS_TOKEN')),
    page_size=dict(type='int', default=VB365_MAX_PAGE_SIZE),
)
# The connection options of each vendor (see _sources.VENDORS), as the gate takes them in one dict per vendor.
CONNECTION_SPECS = dict(avepoint=AVEPOINT_ARGUMENT_SPEC, vb365=VB365_ARGUMENT_SPEC)
# The options of doc fragment backupops.jobs.paging.
PAGING_ARGUMENT_SPEC = dict(max_concurrency=dict(type='int', default=DEFAULT_CONCURRENCY))
# The options of doc fragment backupops.jobs.listing.
LISTING_ARGUMENT_SPEC = dict(
    summary_only=dict(type='bool', default=False),
    fields=dict(type='list', elements='str'),
)


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
        if isinstance(error, MissingLibraryError):
            self.fail_json(msg=missing_required_lib(error.library, reason=error.reason), exception=error.traceback)
        if not isinstance(error, BackupOpsError):
            raise error
        self.fail_json(**error.to_fail_json())

    @property
    def context(self):
        """What the vendor clients need of this module: its warnings, its secrets, its max_concurrency."""
        return Context(warn=self.warn, secrets=self.secrets, max_concurrency=self.params['max_concurrency'],
                       on_secret=self.add_secret)


def mask_secrets(context, spec, params):
    """Mask every secret of ``params`` (options of ``spec``) in all its forms for ``context``, in nested options too:
    the values of no_log options, and a password written into a URL option."""
    for option, value in params.items():
        entry = spec.get(option, {})
        if entry.get('options') and isinstance(value, dict):
            mask_secrets(context, entry['options'], value)
        elif entry.get('no_log') and value is not None and entry.get('type') != 'dict':
            # A secret written as a number, a list or a mapping is secret in each of its texts. A no_log dict of
            # options without a spec of its own (backup_gate_info's connections) is left to its vendor's spec.
            context.add_secret(value)
        elif option in URL_OPTIONS and isinstance(value, str):
            for secret in url_password(value):
                context.add_secret(secret)


def check_given(context, spec, params, prefix=''):
    """``mask_secrets``, then refuse empty text, in nested options too: an OptionError naming the option."""
    mask_secrets(context, spec, params)
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


def connection_params(vendor, given, context):
    """The connection options of ``vendor`` from ``given`` (a dict, or None), with the listing modules' defaults
    and environment fallbacks; every secret among them is masked for ``context`` (a module, or a _context.Context).
    OptionError naming the vendor."""
    spec = CONNECTION_SPECS[vendor]
    if given is not None and not isinstance(given, dict):
        # Not quoted: a connection written as text (key=value, JSON) carries its secrets in the quote.
        raise OptionError('%s: give a dict of connection options, not a %s' % (vendor, kind_of(given)), option=vendor)
    given = dict(given or {})
    # Masked before anything can quote them; the environment's values after they are read.
    mask_secrets(context, spec, given)
    result = ArgumentSpecValidator(spec).validate(given)
    if result.error_messages:
        raise OptionError('%s: %s' % (vendor, '; '.join(result.error_messages)), option=vendor)
    check_given(context, spec, result.validated_parameters, vendor + '.')
    return result.validated_parameters


def mask_connections(module, params):
    """The connection dicts of a module's ``params`` (one option per vendor of CONNECTION_SPECS) are marked no_log,
    so that Ansible never logs nor returns them whole: only the vendors' specs know which of their values are
    secret. Ansible masks every value of them, which would garble every message naming a URL or a number; here only
    the secrets stay masked, in every form, of each vendor given, whether or not a check reads it. A connection that
    is no dict stays masked whole."""
    given = dict((vendor, params.get(vendor)) for vendor in CONNECTION_SPECS if isinstance(params.get(vendor), dict))
    for connection in given.values():
        module.no_log_values.difference_update(scalar_texts(connection))
    for vendor, connection in given.items():
        mask_secrets(module, CONNECTION_SPECS[vendor], connection)


class AvePointJobModule(BackupOpsModule):
    """A module with the AvePoint connection options, for the read-only job-info modules of one endpoint (``api``,
    an _avepoint_apis.JobApi)."""

    def __init__(self, api, argument_spec):
        spec = dict(AVEPOINT_ARGUMENT_SPEC, **LISTING_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(spec, required_together=[('certificate_path', 'private_key_path')])
        self.api = api

    def run(self):
        """List the jobs the module's options ask for; exit with jobs, total_count and summary (or what
        summary_only and fields ask)."""
        now = datetime.now(timezone.utc)
        try:
            listing = Listing(self.params, self.api.fields, now, self.warn)
            start, end = time_window(self.params, now)
            if end is None and self.api.requires_end:
                end = now
            connection = AvePointConnection(self.params, self.context)
            jobs, total = connection.list_jobs(self.api, self.params, start, end, listing.consume, self.params,
                                               listing.note_limited)
        except BackupOpsError as error:
            self.fail_on(error)
        result = listing.result('jobs', jobs)
        if self.api.reports_total and not listing.summary_only:
            result['total_count'] = total
        self.exit_json(changed=False, **result)


class VB365Module(BackupOpsModule):
    """A module with the VB365 connection options."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(VB365_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(spec, **kwargs)

    def connect(self):
        """The VB365 client of the module's connection options (see _vb365.connect)."""
        return connect_vb365(self.params, self.context)
