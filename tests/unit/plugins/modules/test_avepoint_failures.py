"""Bad options and refusals: each fails with a message naming the option or the cause, no traceback."""

from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    google_backup_job_info,
    vm_backup_job_info,
)


def assert_clean_failure(result, *fragments):
    assert result.failed, result
    assert 'exception' not in result and 'Traceback' not in result['msg']
    for fragment in fragments:
        assert fragment in result['msg'], result['msg']


# Each option's bad values are in test_bad_input_matrix.py; these are the combinations.
def test_a_window_that_runs_backwards(emulator, run_module):
    result = run_module(vm_backup_job_info, start_time='1d', finish_time='3d', **emulator.avepoint_connection())
    assert_clean_failure(result, 'finish_time (3d) is before start_time (1d)')


def test_api_url_and_region_together(emulator, run_module):
    result = run_module(vm_backup_job_info, **dict(emulator.avepoint_connection(), region='us'))
    assert_clean_failure(result, 'api_url', 'and region (us) both name the API', 'AVEPOINT_REGION')


def test_unknown_region_lists_the_regions(run_module):
    result = run_module(vm_backup_job_info, region='eu', client_id='x', client_secret='y')
    assert_clean_failure(result, 'region', 'eu', 'ne', 'we', 'gcp-us')


def test_no_api_at_all(run_module):
    assert_clean_failure(run_module(vm_backup_job_info, client_id='x', client_secret='y'),
                         'no API given', 'region', 'AVEPOINT_API_URL')


def test_no_credentials_names_every_way_to_give_them(emulator, run_module):
    result = run_module(vm_backup_job_info, api_url=emulator.url)
    assert_clean_failure(result, 'no credentials', 'client_id', 'AVEPOINT_CLIENT_SECRET', 'certificate_path',
                         'access_token', 'AVEPOINT_ACCESS_TOKEN')


def test_secret_and_certificate_together(emulator, run_module):
    certificate = emulator.avepoint_connection('certificate')
    result = run_module(vm_backup_job_info, client_secret='another', **certificate)
    assert_clean_failure(result, 'client_secret and certificate_path are both set')
    assert 'another' not in result['msg']


def test_certificate_without_key(emulator, run_module):
    certificate = emulator.avepoint_connection('certificate')
    del certificate['private_key_path']
    assert_clean_failure(run_module(vm_backup_job_info, **certificate), 'certificate_path', 'private_key_path')


def test_unreadable_and_mismatched_certificate_files(emulator, run_module, tmp_path):
    certificate = emulator.avepoint_connection('certificate')
    missing = dict(certificate, certificate_path=str(tmp_path / 'nope.pem'))
    assert_clean_failure(run_module(vm_backup_job_info, **missing), 'certificate_path: cannot read', 'nope.pem')
    not_pem = tmp_path / 'cert.txt'
    not_pem.write_text('hello')
    assert_clean_failure(run_module(vm_backup_job_info, **dict(certificate, certificate_path=str(not_pem))),
                         'is not a PEM certificate')
    # The server's key does not belong to the app's certificate.
    server_key = emulator.info['ca_path'].replace('ca.pem', 'server.key')
    assert_clean_failure(run_module(vm_backup_job_info, **dict(certificate, private_key_path=server_key)),
                         'does not belong to the certificate')


def test_wrong_secret_names_client_and_scope_not_secret(emulator, run_module):
    connection = dict(emulator.avepoint_connection(), client_secret='wrong-secret-value-123')
    result = run_module(dynamics_backup_job_info, **connection)
    assert_clean_failure(result, 'POST /connect/token failed with HTTP 400', 'invalid_client',
                         connection['client_id'], 'dynamics.readwrite.all')
    assert 'wrong-secret-value-123' not in repr(result)


def test_missing_scope_is_refused_with_the_scope_named(emulator, run_module):
    narrow = dict(emulator.avepoint_connection('narrow'))
    result = run_module(vm_backup_job_info, **narrow)
    assert_clean_failure(result, 'invalid_scope', narrow['client_id'], 'platformbackup.readwrite.all')


def test_forbidden_api_call_names_the_scope_needed(emulator, run_module):
    # A token for another service reaches the API: the API answers 403.
    narrow = dict(emulator.avepoint_connection('narrow'))
    result = run_module(vm_backup_job_info, scope='gsuite.graph.read.all', **narrow)
    assert_clean_failure(result, 'GET /backup/vm/jobs failed with HTTP 403', 'needs the scope gsuite.graph.read.all')


def test_a_refused_given_token_says_so(emulator, run_module):
    result = run_module(vm_backup_job_info, api_url=emulator.url, ca_path=emulator.info['ca_path'],
                        access_token='emu-at-not-a-real-token')
    assert_clean_failure(result, 'HTTP 401', 'refused the token given in access_token')
    assert 'emu-at-not-a-real-token' not in repr(result)


def test_api_errors_carry_status_path_and_the_apis_words(fresh_emulator, run_module):
    # The emulator enforces the documented maximum page size, so ask past the module's own check.
    fresh_emulator.fault('/backup/vm/jobs', 400, body='{"message": "bad filter", "errorModel": {"requestId": "r-1"}}',
                         content_type='application/json')
    result = run_module(vm_backup_job_info, **fresh_emulator.avepoint_connection())
    assert_clean_failure(result, 'GET /backup/vm/jobs failed with HTTP 400', 'bad filter', 'requestId=r-1')
    assert result['status'] == 400 and result['path'] == '/backup/vm/jobs'


def test_tls_is_verified_by_default(emulator, run_module):
    connection = emulator.avepoint_connection()
    del connection['ca_path']
    assert_clean_failure(run_module(vm_backup_job_info, **connection), 'TLS verification of', 'ca_path')


def test_validate_certs_false_works_and_warns(emulator, run_module):
    connection = emulator.avepoint_connection()
    del connection['ca_path']
    result = run_module(vm_backup_job_info, validate_certs=False, start_time='1d', **connection)
    assert not result.failed and result['jobs']
    assert any('validate_certs is false' in warning for warning in result.warnings)


def test_plain_http_works_and_warns(emulator, run_module):
    connection = emulator.avepoint_connection()
    connection.update(api_url=emulator.info['http_url'], identity_url=emulator.info['http_url'] + '/connect/token')
    result = run_module(google_backup_job_info, start_time='1d', **connection)
    assert not result.failed and result['jobs']
    assert any('plain http://' in warning for warning in result.warnings)


def test_retried_server_errors_warn_and_succeed(fresh_emulator, run_module):
    fresh_emulator.fault('/backup/google/admin/jobs', 503, count=2)
    result = run_module(google_backup_job_info, start_time='1d', **fresh_emulator.avepoint_connection())
    assert not result.failed, result.get('msg')
    retries = [warning for warning in result.warnings if 'answered HTTP 503; retry' in warning]
    assert len(retries) == 2


def test_persistent_server_errors_fail_with_the_attempts(fresh_emulator, run_module):
    fresh_emulator.fault('/backup/google/admin/jobs', 503, count=10)
    result = run_module(google_backup_job_info, retries=1, **fresh_emulator.avepoint_connection())
    assert_clean_failure(result, 'GET /backup/google/admin/jobs failed with HTTP 503', 'after 2 attempts')


def test_retry_after_is_honoured(fresh_emulator, run_module):
    fresh_emulator.fault('/backup/vm/jobs', 429, count=1, retry_after=1)
    result = run_module(vm_backup_job_info, start_time='1d', **fresh_emulator.avepoint_connection())
    assert not result.failed
    gets = [entry['time'] for entry in fresh_emulator.requests('/backup/vm/jobs')]
    assert gets[1] - gets[0] >= 0.95
    assert any('answered HTTP 429; retry 1 (2 left) in 1.0 s' in warning for warning in result.warnings)


def test_html_error_page_is_quoted_not_parsed(fresh_emulator, run_module):
    fresh_emulator.fault('/dynamicsbackup/jobs', 200, body='<html><body>Gateway login</body></html>')
    result = run_module(dynamics_backup_job_info, **fresh_emulator.avepoint_connection())
    assert_clean_failure(result, 'not JSON', 'text/html', '<html><body>Gateway login')


def test_connection_refused_names_the_host(run_module):
    result = run_module(vm_backup_job_info, api_url='https://127.0.0.1:9', identity_url='https://127.0.0.1:9/connect/token',
                        client_id='x', client_secret='y', retries=0)
    assert_clean_failure(result, 'cannot connect to https://127.0.0.1:9')
