"""Hostile, broken or compromised servers on loopback, against the modules: no secret in any encoding, no
answer that takes longer than timeout or more memory than the size cap, no listing that never ends or
ends short without a word.

Each server is a small scripted one (tests/hostile.py); the emulator's own faults are in test_fault_matrix.
"""

import json
import resource
import time
from urllib.parse import parse_qs, quote, quote_plus

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils import _paging
from ansible_collections.backupops.jobs.plugins.module_utils._egress import PREFIX_LENGTH
from ansible_collections.backupops.jobs.plugins.modules import (
    backup_gate_info,
    dynamics_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)
from hostile import CLIENT_SECRET, PASSWORD, Answer, HostileServer, drip, drip_headers, gzip_bomb, token

pytestmark = pytest.mark.hostile

ISSUED = 'issued-TOKEN-abcdefghijklmnopqrstuvwxyz0123456789'
REFRESH = 'refresh-TOKEN-zyxwvutsrqponmlkjihgfedcba9876543210'


def forms(secret):
    """The forms a secret may be printed in, and its first characters in each (a cut through it)."""
    encoded = {secret, quote(secret, safe=''), quote_plus(secret), json.dumps(secret)[1:-1],
               json.dumps(secret, ensure_ascii=False)[1:-1]}
    return encoded | set(form[:8] for form in encoded)


def assert_secret_free(result, *secrets):
    text = json.dumps(result) + repr(result)
    for secret in secrets:
        for form in forms(secret):
            assert form not in text, (form, result.get('msg'))


def assert_clean_failure(result, *fragments):
    assert result.failed, result
    assert 'exception' not in result and 'Traceback' not in result['msg']
    for fragment in fragments:
        assert fragment in result['msg'], result['msg']


def jobs_page(ids, total=None, next_link=None):
    # An hour ago: inside the window of every listing, which the client checks on every job.
    started = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - 3600))
    body = dict(jobs=[dict(jobId=job_id, type=1, status=2, startTime=started) for job_id in ids])
    if total is not None:
        body['totalCount'] = total
    if next_link is not None:
        body['nextLink'] = next_link
    return Answer(body=body)


def echo(status, form, needle):
    """Answers ``status`` with a body that echoes the request (its form, else its Authorization header) as ``form``
    says. As sent and in HTML, the secret after ``needle`` starts 5 characters before the quote's cut at 200."""
    def answer(request):
        sent = request.body or request.headers.get('Authorization', '')
        if form == 'json ascii':
            return Answer(status, {'error': 'invalid_request', 'received': sent,
                                   'fields': dict((key, value[0]) for key, value in parse_qs(sent).items())})
        if form == 'json utf-8':
            return Answer(status, json.dumps({'detail': 'bad', 'fields': parse_qs(sent)}, ensure_ascii=False))
        head, tail = ('<html><body><pre>', '</pre></body></html>') if form == 'html' else ('', '')
        start = len(head) + sent.index(needle) + len(needle)
        return Answer(status, head + 'x' * (195 - start) + sent + tail, {'Content-Type': 'text/html'})
    return answer


@pytest.mark.parametrize('form', ['as sent', 'json ascii', 'json utf-8', 'html'])
def test_a_token_endpoint_that_echoes_the_client_secret_prints_it_in_no_encoding(run_module, form):
    with HostileServer(echo(400, form, 'client_secret=')) as server:
        result = run_module(vm_backup_job_info, **server.avepoint())
    assert_clean_failure(result, 'POST /connect/token failed with HTTP 400')
    assert_secret_free(result, CLIENT_SECRET)


@pytest.mark.parametrize('form', ['as sent', 'json ascii', 'json utf-8'])
def test_a_vb365_login_that_echoes_the_password_prints_it_in_no_encoding(run_module, form):
    with HostileServer(echo(500, form, 'password=')) as server:
        result = run_module(job_session_info, **server.vb365())
    assert_clean_failure(result, 'POST /v8/token failed with HTTP 500')
    assert_secret_free(result, PASSWORD)


@pytest.mark.parametrize('form', ['as sent', 'json ascii', 'html'])
def test_an_api_that_echoes_the_issued_tokens_prints_none_of_them(run_module, form):
    def answer(request):
        if request.path == '/v8/token':
            return token(ISSUED, refresh_token=REFRESH)
        if request.path == '/v8/token/logout':
            return Answer(500, 'logout failed for %s / %s' % (ISSUED, quote_plus(REFRESH)), {'Content-Type': 'text/plain'})
        return echo(502, form, 'Bearer ')(request)
    with HostileServer(answer) as server:
        result = run_module(job_session_info, **server.vb365())
    # The server's jobs are read first (they tell a session's kind): the first GET fails.
    assert_clean_failure(result, 'GET /v8/Jobs failed with HTTP 502')
    assert_secret_free(result, ISSUED, REFRESH)


def test_a_given_token_with_a_trailing_newline_is_sent_stripped_and_never_printed(run_module):
    given = 'given-TOKEN-0123456789abcdef\n'
    with HostileServer(echo(401, 'as sent', 'Bearer ')) as server:
        result = run_module(dynamics_backup_job_info, api_url=server.url, access_token=given, retries=0)
        sent = server.requests[0].headers['Authorization']
    assert sent == 'Bearer given-TOKEN-0123456789abcdef'
    assert_clean_failure(result, 'refused the token given in access_token')
    assert_secret_free(result, given, given.strip())


@pytest.mark.parametrize('option', ['api_url', 'identity_url', 'url'])
def test_a_url_with_credentials_is_refused_naming_the_option_never_the_password(run_module, option):
    url = 'https://admin:Pa55%2Fw0rd-99@127.0.0.1:9'
    if option == 'url':
        result = run_module(job_session_info, url=url, username='vbadmin', password=PASSWORD, validate_certs=False)
    else:
        options = dict(api_url='https://127.0.0.1:9', identity_url='https://127.0.0.1:9/connect/token',
                       client_id='app-1', client_secret=CLIENT_SECRET, validate_certs=False)
        options[option] = url + ('/connect/token' if option == 'identity_url' else '')
        result = run_module(vm_backup_job_info, **options)
    assert_clean_failure(result, '%s: the URL holds a user name or password' % option)
    assert_secret_free(result, 'Pa55%2Fw0rd-99', 'Pa55/w0rd-99')
    assert not any('Pa55' in warning for warning in result.warnings)


@pytest.mark.parametrize('module, options', [
    (vm_backup_job_info, lambda server: server.avepoint(timeout=2)),
    (job_session_info, lambda server: server.vb365(timeout=2)),
], ids=['avepoint', 'vb365'])
def test_a_body_dripped_a_byte_at_a_time_is_cut_off_at_the_timeout(run_module, module, options):
    stop_dripping = []

    def answer(request):
        if request.method == 'POST':
            return token()
        return drip([b'{"jobs": ['] + [b' '] * 120, 0.25, stop=stop_dripping[0])
    with HostileServer(answer) as server:
        stop_dripping.append(server.stop)
        started = time.monotonic()
        result = run_module(module, **options(server))
        took = time.monotonic() - started
    assert took < 4.5, took
    assert_clean_failure(result, 'no answer from %s within timeout=2 s' % server.url, 'timeout option')


def test_headers_dripped_a_byte_at_a_time_are_cut_off_at_the_timeout(run_module):
    stop_dripping = []
    with HostileServer(lambda request: drip_headers(0.25, stop_dripping[0])) as server:
        stop_dripping.append(server.stop)
        started = time.monotonic()
        result = run_module(job_session_info, **server.vb365(timeout=2))
        took = time.monotonic() - started
    assert took < 4.5, took
    assert_clean_failure(result, 'POST /v8/token', 'within timeout=2 s', server.url)


def test_dripped_headers_are_retried_like_a_slow_answer_each_attempt_within_the_timeout(run_module):
    stop_dripping = []

    def answer(request):
        if request.method == 'POST':
            return token()
        if len(server.paths()) == 1:
            return drip_headers(0.25, stop_dripping[0])
        return jobs_page(['a', 'b'], total=2)
    with HostileServer(answer) as server:
        stop_dripping.append(server.stop)
        result = run_module(dynamics_backup_job_info, **server.avepoint(timeout=1, retries=1))
    assert not result.failed, result.get('msg')
    assert [job['job_id'] for job in result['jobs']] == ['a', 'b']
    assert any('ReadTimeoutError; retry 1' in warning for warning in result.warnings), result.warnings


def _peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@pytest.mark.parametrize('kind', ['plain', 'gzip bomb'])
def test_an_answer_past_the_size_cap_is_refused_and_memory_stays_bounded(run_module, kind):
    body = gzip_bomb(1024) if kind == 'gzip bomb' else Answer(body=b'[' + b'0,' * (33 * 1024 * 1024) + b'0]')

    def answer(request):
        return token() if request.method == 'POST' else body
    with HostileServer(answer) as server:
        before = _peak_rss_mib()
        result = run_module(dynamics_backup_job_info, **server.avepoint(timeout=30))
        grew = _peak_rss_mib() - before
    assert_clean_failure(result, 'GET /dynamicsbackup/jobs', 'passed 64 MiB (decompressed)', server.url)
    assert grew < 400, grew


@pytest.mark.parametrize('total', [0, -1, '0', 'many', 1e400])
def test_a_total_that_cannot_be_one_is_ignored_and_links_and_full_pages_are_followed(run_module, total):
    def answer(request):
        if request.method == 'POST':
            return token()
        index = int(request.query['pageIndex'][0])
        ids = ['job-%d-%d' % (index, number) for number in range(100 if index <= 3 else 0)]
        return jobs_page(ids, total=total, next_link='/jobs?pageIndex=%d' % (index + 1) if index <= 3 else None)
    with HostileServer(answer) as server:
        result = run_module(dynamics_backup_job_info, **server.avepoint())
    assert not result.failed, result.get('msg')
    assert len(result['jobs']) == 300
    assert any('which cannot be the total; paging on without a total' in warning for warning in result.warnings)


@pytest.mark.parametrize('module, options, answer_for', [
    (dynamics_backup_job_info, lambda server: server.avepoint(), lambda index: jobs_page(
        ['job-%d-%d' % (index, n) for n in range(100)], next_link='/jobs?pageIndex=%d' % (index + 1))),
    (job_session_info, lambda server: server.vb365(), lambda index: Answer(body=dict(
        results=[dict(id='s-%d-%d' % (index, n), status='Success') for n in range(10000)],
        _links=dict(next=dict(href='/v8/JobSessions?offset=%d&limit=10000' % ((index + 1) * 10000)))))),
], ids=['avepoint', 'vb365'])
def test_a_next_link_on_every_page_ends_at_the_page_cap_with_an_error_naming_it(
        run_module, monkeypatch, module, options, answer_for):
    monkeypatch.setattr(_paging, 'MAX_PAGES', 6)

    def answer(request):
        if request.method == 'POST':
            return token()
        query = request.query
        index = int(query['pageIndex'][0]) if 'pageIndex' in query else int(query.get('offset', ['0'])[0]) // 10000
        return answer_for(index)
    with HostileServer(answer) as server:
        result = run_module(module, **options(server))
    assert_clean_failure(result, 'after 6 pages, the most one listing reads')
    # The page after the last one read may have been asked for already, as pages are fetched one ahead.
    assert 6 <= len(server.paths()) <= 7


def test_a_total_of_a_billion_with_new_ids_on_every_page_ends_at_the_page_cap(run_module, monkeypatch):
    monkeypatch.setattr(_paging, 'MAX_PAGES', 8)

    def answer(request):
        if request.method == 'POST':
            return token()
        index = request.query['pageIndex'][0]
        return jobs_page(['job-%s-%d' % (index, number) for number in range(100)], total=10 ** 9)
    with HostileServer(answer) as server:
        result = run_module(dynamics_backup_job_info, max_concurrency=4, **server.avepoint())
    assert_clean_failure(result, 'after 8 pages', 'total 1000000000')
    assert len(server.paths()) <= 8 + 4


def test_pages_past_what_the_total_promised_stop_with_a_warning(run_module):
    # A total of 150 at 100 a page promises two pages; a server that keeps adding a few new ones each page
    # is read a little past that, then stopped, and the shortfall is named.
    def answer(request):
        if request.method == 'POST':
            return token()
        index = int(request.query['pageIndex'][0])
        return jobs_page(['job-0-%d' % number for number in range(99)] + ['new-%d' % index], total=150,
                         next_link='/jobs?pageIndex=%d' % (index + 1))
    with HostileServer(answer) as server:
        result = run_module(dynamics_backup_job_info, max_concurrency=1, **server.avepoint())
    assert not result.failed, result.get('msg')
    assert len(server.paths()) == 4
    assert any('page 4 still had more; paging stopped there' in warning for warning in result.warnings)
    assert any('reported 150 jobs in total but listed 103' in warning for warning in result.warnings)


def test_a_netrc_entry_for_the_api_host_never_replaces_the_token_or_leaves_the_machine(run_module, tmp_path, monkeypatch):
    # requests lets ~/.netrc override an Authorization header; the API would get the netrc password instead.
    netrc = tmp_path / 'netrc'
    netrc.write_text('machine 127.0.0.1 login netrc-user password netrc-PASSWORD-0123\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))

    def answer(request):
        return token(ISSUED) if request.path == '/connect/token' else Answer(body=dict(jobs=[], totalCount=0))
    with HostileServer(answer) as server:
        result = run_module(vm_backup_job_info, **server.avepoint())
    assert not result.failed, result
    assert [request.headers.get('Authorization') for request in server.requests] == [None, 'Bearer ' + ISSUED]


def sessions_echoing_secrets_as_keys(request):
    """A VB365 server that issues a token, then lists a session whose keys are the password it was sent (lower-cased
    by the client's snake_case) and, inside its statistics, the token."""
    if request.path == '/v8/token':
        return token(ISSUED)
    if request.path == '/v8/Jobs':
        return Answer(body=dict(results=[dict(id='8e4f8e3c-4c4a-4b55-9a0b-3b8c1e1d2f10', name='Exchange daily')]))
    session = {PASSWORD: 1, 'statistics': {ISSUED: 1, 'processedObjects': 3}, 'id': 's-1', 'status': 'Success',
               'jobId': '8e4f8e3c-4c4a-4b55-9a0b-3b8c1e1d2f10', 'jobType': 'Backup',
               'creationTime': '2026-12-06T01:00:00Z', 'endTime': '2026-12-06T01:10:00Z'}
    return Answer(body=dict(results=[session], offset=0, limit=100))


@pytest.mark.parametrize('options', [dict(), dict(summary_only=True)], ids=['list', 'summary_only'])
def test_a_secret_echoed_as_a_json_key_is_withheld_in_every_result(run_module, options):
    with HostileServer(sessions_echoing_secrets_as_keys) as server:
        result = run_module(job_session_info, start_time='30d', **dict(server.vb365(), **options))
    assert not result.failed, result.get('msg')
    text = json.dumps(result, ensure_ascii=False)
    for secret in (PASSWORD, ISSUED):
        for form in (secret, secret.lower(), quote_plus(secret), secret[:PREFIX_LENGTH].lower()):
            assert form not in text, form


def test_the_gate_withholds_a_secret_echoed_as_a_key_in_the_records_it_returns(run_module):
    with HostileServer(sessions_echoing_secrets_as_keys) as server:
        result = run_module(backup_gate_info, include_records=True, vb365=server.vb365(), checks=[
            dict(name='mail', source='vb365', filters=dict(job_name='Exchange daily'), max_age_hours=8760)])
    assert not result.failed, result.get('msg')
    assert result['checks'][0]['records'], result['checks'][0]
    text = json.dumps(result, ensure_ascii=False)
    for secret in (PASSWORD, ISSUED):
        assert secret not in text and secret.lower() not in text and secret[:PREFIX_LENGTH].lower() not in text


@pytest.mark.parametrize('module', [dynamics_backup_job_info, vm_backup_job_info])
def test_an_avepoint_job_that_echoes_secrets_as_keys_and_values_prints_none_of_them(run_module, module):
    def answer(request):
        if request.path == '/connect/token':
            return token(ISSUED)
        page = jobs_page(['job-1'], total=1)
        body = json.loads(page.body)
        body['jobs'][0].update({CLIENT_SECRET: 1, 'details': {ISSUED.upper(): quote(CLIENT_SECRET).lower()},
                                'comment': 'token %s' % ISSUED[:PREFIX_LENGTH]})
        return Answer(body=body)
    with HostileServer(answer) as server:
        result = run_module(module, start_time='30d', **server.avepoint())
    assert not result.failed, result.get('msg')
    assert len(result['jobs']) == 1
    text = json.dumps(result, ensure_ascii=False).lower()
    for secret in (CLIENT_SECRET, ISSUED):
        assert secret.lower() not in text and secret[:PREFIX_LENGTH].lower() not in text
        assert quote(secret).lower() not in text
