"""Bad input to every option of every module: each fails with a message naming the option and the value
(and, where there is a list, what is accepted), before any request where it can, never with a traceback.

The matrix is checked against the modules' argument specs, so an option added later without a row fails
here. Options that take any text (a search text, a secret) are listed with the reason they have no row.
"""

import pytest

from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    google_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)
from conftest import ANSIBLE_CORE, argument_spec

pytestmark = pytest.mark.bad_input

AVEPOINT_MODULES = (dynamics_backup_job_info, vm_backup_job_info, google_backup_job_info)

# (option, bad value, fragments the message must hold); the connection is the emulator's, so a bad value
# is the only thing wrong.
AVEPOINT_CONNECTION_ROWS = [
    ('api_url', 'graph-us.avepointonlineservices.com', ['not a usable URL', 'https://host']),
    ('api_url', 'https://graph-us.avepointonlineservices.com/backup', ['has a path']),
    ('api_url', 'https://a..b', ["api_url: 'https://a..b' is not a usable URL"]),
    ('api_url', 'https://%s.example.com' % ('a' * 300), ['api_url:', 'is not a usable URL']),
    ('api_url', 'https://ho st', ["api_url: 'https://ho st' is not a usable URL"]),
    ('region', 'mars', ['region', 'mars', 'gcp-us']),
    ('identity_url', 'identity.avepointonlineservices.com/connect/token', ['identity_url', 'not a usable URL']),
    ('client_id', None, ['no credentials', 'AVEPOINT_CLIENT_ID', 'access_token']),
    ('client_secret', None, ['has no credential', 'AVEPOINT_CLIENT_SECRET', 'certificate_path']),
    ('certificate_path', '/nonexistent/app.pem', ['certificate_path', '/nonexistent/app.pem']),
    ('private_key_path', '/nonexistent/app.key', ['private_key_path', '/nonexistent/app.key']),
    ('access_token', 'forged-token', ['access_token']),
    ('scope', 'nosuch.scope.all', ['nosuch.scope.all']),
    ('validate_certs', 'perhaps', ['validate_certs', 'perhaps', 'bool']),
    ('ca_path', '/nonexistent/ca.pem', ['ca_path', '/nonexistent/ca.pem']),
    ('timeout', 0, ['timeout: 0 is out of range', 'from 1 to 3600']),
    ('timeout', 'soon', ['timeout', 'soon', 'int']),
    ('retries', 11, ['retries: 11 is out of range', 'from 0 to 10']),
    ('retry_max_wait', -1, ['retry_max_wait: -1 is out of range', 'from 0 to 3600']),
    ('page_size', 101, ['page_size: 101 is out of range', 'from 1 to 100']),
    ('max_concurrency', 17, ['max_concurrency: 17 is out of range', 'from 1 to 16']),
    ('limit', 0, ['limit: 0 is out of range']),
    ('limit', 'ten', ['limit', 'ten', 'int']),
    ('start_time', 'last week', ["start_time: cannot read 'last week'", '24h', '2026-11-24T06:00:00Z']),
    ('finish_time', '24x', ["finish_time: cannot read '24x'"]),
]
# What every listing module takes beside its connection (doc fragment backupops.jobs.listing).
LISTING_ROWS = [
    ('summary_only', 'perhaps', ['summary_only', 'perhaps', 'bool']),
    ('fields', ['outcome', 'nope'], ["fields: no field 'nope'", 'duration_seconds']),
]
MODULE_ROWS = {
    dynamics_backup_job_info: [
        ('job_type', 'nightly', ["job_type: unknown value 'nightly'", 'audit_backup']),
        ('status', 'done', ["status: unknown value 'done'", 'finished_with_exception']),
        ('organization_id', 'not-a-guid', ["organization_id: 'not-a-guid' is not a GUID"]),
    ],
    vm_backup_job_info: [
        ('service_type', 'azure', ["service_type: unknown value 'azure'", 'azure_virtual_machine']),
        ('job_type', 'snapshot', ["job_type: unknown value 'snapshot'", 'azure_vm_backup']),
    ],
    google_backup_job_info: [
        ('data_source', 'portal', ["data_source: unknown value 'portal'", 'recenter']),
        ('app_type', 'mail', ["app_type: unknown value 'mail'", 'gmail']),
        ('job_type', 'copy', ["job_type: unknown value 'copy'", 'generate_report']),
        ('job_status', 'done', ["job_status: unknown value 'done'", 'finished_with_exception']),
    ],
    job_session_info: [
        ('url', 'vb365.example.com:4443', ["url: 'vb365.example.com:4443' is not a usable URL"]),
        ('url', 'https://vb365.example.com:4443/v8', ['has a path']),
        ('url', 'https://ho st:4443', ["url: 'https://ho st:4443' is not a usable URL"]),
        ('url', None, ['no server given', 'VB365_URL']),
        ('api_version', 'v9', ['api_version', 'v9', 'v5, v6, v7, v8']),
        ('username', None, ['no credentials', 'VB365_USERNAME', 'VB365_ACCESS_TOKEN']),
        ('password', 'wrong-password-9', ['refused user vbadmin@emulator.local']),
        ('access_token', 'forged-token', ['access_token']),
        ('validate_certs', 'perhaps', ['validate_certs', 'perhaps', 'bool']),
        ('ca_path', '/nonexistent/ca.pem', ['ca_path', '/nonexistent/ca.pem']),
        ('timeout', 4000, ['timeout: 4000 is out of range']),
        ('retries', -1, ['retries: -1 is out of range']),
        ('retry_max_wait', 3601, ['retry_max_wait: 3601 is out of range']),
        ('page_size', 10001, ['page_size: 10001 is out of range', '10000']),
        ('max_concurrency', 0, ['max_concurrency: 0 is out of range']),
        ('session_id', 'not-a-guid', ["session_id: 'not-a-guid' is not a GUID"]),
        ('job_id', 'job-1', ["job_id: 'job-1' is not a GUID"]),
        ('job_name', 'Nightly', ["job_name: no job named 'Nightly'", 'Exchange daily, OneDrive weekends, SharePoint daily']),
        ('job_type', 'archive', ['job_type', 'archive', 'backup, copy']),
        ('status', ['done'], ["status: unknown value 'done'", 'not_configured']),
        ('start_time', 'recently', ["start_time: cannot read 'recently'"]),
        ('end_time', '2d', ['end_time (2d) is before start_time (1h)']),
        ('limit', 0, ['limit: 0 is out of range']),
        ('include_log_items', 'perhaps', ['include_log_items', 'perhaps', 'bool']),
        ('log_items_limit', 0, ['log_items_limit: 0 is out of range']),
    ],
}
# Options where any text is a valid value; what a wrong one does is covered elsewhere.
FREE_TEXT = {
    'search_text': 'any text is a valid search',
}
# Extra options a row needs so that its bad value is the only thing wrong.
CONTEXT = {'finish_time': dict(start_time='1d'), 'end_time': dict(start_time='1h')}


def rows():
    for module in AVEPOINT_MODULES:
        for option, value, fragments in AVEPOINT_CONNECTION_ROWS + LISTING_ROWS + MODULE_ROWS[module]:
            name = module.__name__.rsplit('.', 1)[1]
            yield pytest.param(module, option, value, fragments, id='%s-%s-%s' % (name, option, value))
    for option, value, fragments in LISTING_ROWS + MODULE_ROWS[job_session_info]:
        yield pytest.param(job_session_info, option, value, fragments, id='job_session_info-%s-%s' % (option, value))


def connection(emulator, module, option):
    if module is job_session_info:
        return emulator.vb365_connection()
    if option in ('certificate_path', 'private_key_path'):
        return emulator.avepoint_connection('certificate')
    options = emulator.avepoint_connection()
    if option in ('region', 'access_token'):
        options.pop('api_url' if option == 'region' else 'client_secret')
        if option == 'access_token':
            options.pop('client_id')
    return options


@pytest.mark.parametrize("module, option, value, fragments", list(rows()))
def test_a_bad_value_fails_naming_the_option_and_the_value(
        fresh_emulator, run_module, module, option, value, fragments):
    options = dict(connection(fresh_emulator, module, option), **CONTEXT.get(option, {}))
    if value is None:
        options.pop(option, None)
    else:
        options[option] = value
    result = run_module(module, **options)
    assert result.failed, result
    assert 'exception' not in result and 'Traceback' not in result['msg']
    # Before 2.19, ansible-core's own message for a value that is no integer names the option and the type only.
    unquoted = ANSIBLE_CORE < (2, 19) and 'unable to convert to int' in result['msg']
    for fragment in fragments:
        assert fragment in result['msg'] or unquoted and fragment == value, result['msg']
    if value is not None and option not in ('password', 'access_token') and not unquoted:
        assert str(value if not isinstance(value, list) else value[0]) in result['msg']
    for secret in ('wrong-password-9', 'forged-token'):
        assert secret not in repr(result)


@pytest.mark.parametrize('module', AVEPOINT_MODULES + (job_session_info,), ids=lambda module: module.__name__)
def test_every_option_has_a_row(module, monkeypatch):
    covered = set(option for option, _value, _fragments in LISTING_ROWS + MODULE_ROWS[module])
    if module is not job_session_info:
        covered |= set(option for option, _value, _fragments in AVEPOINT_CONNECTION_ROWS)
    missing = set(argument_spec(module, monkeypatch)) - covered - set(FREE_TEXT)
    assert missing == set()


def test_every_text_option_refuses_an_empty_value_naming_it(emulator, run_module):
    """An empty value (a template that rendered to nothing) is never sent on: the API would answer without
    naming the option, or take it as no filter at all."""
    for module in AVEPOINT_MODULES + (job_session_info,):
        with pytest.MonkeyPatch.context() as patch:
            spec = argument_spec(module, patch)
        texts = sorted(option for option, settings in spec.items() if settings.get('type', 'str') in ('str', 'path'))
        assert 'job_type' in texts or module is job_session_info
        for option in texts:
            # ansible-core refuses what is not among the choices itself, naming the option.
            said = ('value of %s must be one of' if spec[option].get('choices') else '%s: the value is empty') % option
            for empty in ('', '  '):
                options = dict(connection(emulator, module, option), **{option: empty})
                result = run_module(module, **options)
                assert result.failed and result['msg'].startswith(said), (option, result)
                assert 'exception' not in result
