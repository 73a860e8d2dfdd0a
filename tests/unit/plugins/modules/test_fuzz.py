"""No traceback from any answer and any option: hypothesis feeds every parser (tokens, pages, records,
links, error bodies) JSON of any shape and type through a hostile server on loopback, and every option
of every module arbitrary values. The only outcomes allowed are a result or a fail_json with a message.

Each example is one in-process module run of a few milliseconds; the example counts keep the whole set
within about half a minute.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils import _paging
from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    google_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)
from conftest import argument_spec
from hostile import Answer, HostileServer

pytestmark = pytest.mark.fuzz

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                    st.sampled_from(['', '0', '-1', '1e400', 'Success', '2026-11-24T01:00:00Z', '00:04:01',
                                     '/v8/JobSessions?offset=1', 'https://127.0.0.1:1/x', '../../admin']))
ANY_JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                        max_leaves=12)


def shaped(required=None, **optional):
    """An object with the ``required`` keys and some of the ``optional`` ones, each value of its strategy: deep
    enough to reach the parsers behind the first check, loose enough to break each of them."""
    return st.fixed_dictionaries(required or {}, optional=optional)


def listed(record):
    return st.lists(st.one_of(record, record, record, ANY_JSON), max_size=4)


AVEPOINT_JOB = shaped(dict(jobId=st.one_of(st.text(max_size=8), ANY_JSON)), status=ANY_JSON, type=ANY_JSON,
                      startTime=ANY_JSON, finishTime=ANY_JSON, jobType=ANY_JSON, serviceType=ANY_JSON,
                      duration=ANY_JSON, objectName=ANY_JSON, dataSource=ANY_JSON, appType=ANY_JSON)
AVEPOINT_PAGE = st.one_of(shaped(dict(jobs=st.one_of(listed(AVEPOINT_JOB), ANY_JSON)), totalCount=ANY_JSON,
                                 nextLink=ANY_JSON, totalNumber=ANY_JSON, status=ANY_JSON, message=ANY_JSON),
                          shaped(dict(result=listed(AVEPOINT_JOB)), totalNumber=ANY_JSON, nextlink=ANY_JSON),
                          ANY_JSON)
LINKS = st.one_of(ANY_JSON, shaped(job=shaped(href=ANY_JSON), next=st.one_of(ANY_JSON, shaped(dict(href=ANY_JSON)))))
VB365_RECORD = shaped(dict(id=st.one_of(st.text(max_size=8), ANY_JSON)), status=ANY_JSON, creationTime=ANY_JSON,
                      endTime=ANY_JSON, jobId=ANY_JSON, name=ANY_JSON, statistics=ANY_JSON, progress=ANY_JSON,
                      details=ANY_JSON, retryCount=ANY_JSON, _links=LINKS, title=ANY_JSON, type=ANY_JSON,
                      message=ANY_JSON, usn=ANY_JSON)
VB365_PAGE = st.one_of(
    shaped(dict(results=st.one_of(listed(VB365_RECORD), ANY_JSON)), totalCount=ANY_JSON, offset=ANY_JSON,
           limit=ANY_JSON, _links=LINKS),
    listed(VB365_RECORD), VB365_RECORD, ANY_JSON)
TOKEN = st.one_of(shaped(dict(access_token=st.one_of(st.just('fuzz-token-1'), ANY_JSON)), refresh_token=ANY_JSON,
                         expires_in=ANY_JSON, token_type=ANY_JSON), ANY_JSON)
ERROR = st.one_of(shaped(message=ANY_JSON, error=ANY_JSON, error_description=ANY_JSON, title=ANY_JSON,
                         detail=ANY_JSON, errorModel=ANY_JSON), ANY_JSON, st.text(max_size=300))
ERROR_STATUS = st.sampled_from([400, 401, 403, 404, 409, 429, 500, 502])
VALID_TOKEN = dict(access_token='fuzz-token-1', expires_in=3600)


class Script:
    """What the fuzzed server answers: the token endpoint's body and every other request's status and body."""
    token = VALID_TOKEN
    page = None
    status = 200


@pytest.fixture
def fuzz_server(monkeypatch):
    # A body that repeats records without ids, with a next link, never stalls: the page cap ends it.
    monkeypatch.setattr(_paging, 'MAX_PAGES', 4)
    script = Script()

    def answer(request):
        if request.path.endswith('/token'):
            return Answer(200, script.token)
        if request.path.endswith('/logout'):
            return Answer(204, b'')
        return Answer(script.status, script.page, {'Retry-After': '0'})
    with HostileServer(answer) as server:
        server.script = script
        yield server


def assert_result_or_clean_failure(result):
    assert 'exception' not in result, result
    if result.failed:
        assert isinstance(result.get('msg'), str) and result['msg'], result
    json.dumps(result)


AVEPOINT_MODULES = [dynamics_backup_job_info, vm_backup_job_info, google_backup_job_info]
NAME = dict(ids=lambda module: module.__name__.rsplit('.', 1)[1])
VB365_ASKS = st.sampled_from([{}, dict(job_name='Nightly'), dict(session_id='69cb1ecc-f8e8-439b-8077-a4b7fd45e87f'),
                              dict(include_log_items=True, limit=2)])


def run_avepoint(run_module, server, module, page_size=100, concurrency=1):
    return run_module(module, start_time='30d', page_size=page_size, max_concurrency=concurrency,
                      **server.avepoint(retries=0))


@pytest.mark.parametrize('module', AVEPOINT_MODULES, **NAME)
@FUZZ
@given(page=AVEPOINT_PAGE, page_size=st.sampled_from([1, 2, 100]), concurrency=st.sampled_from([1, 4]))
def test_any_avepoint_page_is_a_result_or_a_clean_failure(fuzz_server, run_module, module, page, page_size,
                                                          concurrency):
    fuzz_server.script.page = page
    assert_result_or_clean_failure(run_avepoint(run_module, fuzz_server, module, page_size, concurrency))


@FUZZ
@given(page=VB365_PAGE, version=st.sampled_from(['v5', 'v6', 'v7', 'v8']), ask=VB365_ASKS)
def test_any_vb365_page_is_a_result_or_a_clean_failure(fuzz_server, run_module, page, version, ask):
    fuzz_server.script.page = page
    result = run_module(job_session_info, page_size=2, **dict(fuzz_server.vb365(version, retries=0), **ask))
    assert_result_or_clean_failure(result)


@FUZZ
@given(body=TOKEN, vb365=st.booleans())
def test_any_token_answer_is_a_result_or_a_clean_failure(fuzz_server, run_module, body, vb365):
    fuzz_server.script.token, fuzz_server.script.page = body, dict(jobs=[], results=[])
    result = (run_module(job_session_info, **fuzz_server.vb365(retries=0)) if vb365
              else run_avepoint(run_module, fuzz_server, vm_backup_job_info))
    assert_result_or_clean_failure(result)


@FUZZ
@given(body=ERROR, status=ERROR_STATUS, vb365=st.booleans())
def test_any_error_answer_is_a_clean_failure(fuzz_server, run_module, body, status, vb365):
    fuzz_server.script.page, fuzz_server.script.status = body, status
    result = (run_module(job_session_info, **fuzz_server.vb365(retries=0)) if vb365
              else run_avepoint(run_module, fuzz_server, dynamics_backup_job_info))
    assert_result_or_clean_failure(result)
    assert result.failed


# Not infinity or NaN: ansible-core's own int check raises OverflowError on them before the module runs.
OPTION_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                           st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                           st.sampled_from(['', ' ', '0', '-1', 'https://a..b', 'https://u:p@h', 'http://ho st']))
OPTION_VALUES = st.one_of(OPTION_SCALARS, st.lists(OPTION_SCALARS, max_size=3),
                          st.dictionaries(st.text(max_size=5), OPTION_SCALARS, max_size=2))


def option_names(module):
    with pytest.MonkeyPatch.context() as patch:
        return sorted(argument_spec(module, patch))


@pytest.mark.parametrize('module', AVEPOINT_MODULES + [job_session_info], **NAME)
def test_any_option_value_is_a_result_or_a_clean_failure(fuzz_server, run_module, module):
    names = option_names(module)
    fuzz_server.script.page = dict(results=[], jobs=[])

    @FUZZ
    @given(changes=st.dictionaries(st.sampled_from(names), OPTION_VALUES, min_size=1, max_size=3))
    def run(changes):
        base = fuzz_server.vb365() if module is job_session_info else fuzz_server.avepoint()
        base.update(timeout=3)
        result = run_module(module, **dict(base, **changes))
        assert_result_or_clean_failure(result)
    run()
