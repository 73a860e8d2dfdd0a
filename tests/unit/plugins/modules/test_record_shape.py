"""One record shape across the four listing modules: over the emulator's data of every tenant shape and every
VB365 version, each job or session carries the common keys with their types, every time has one precision,
and each module's RETURN documents the common keys as the shared fragment words them."""

import re

import pytest
import yaml

from ansible_collections.backupops.jobs.plugins.doc_fragments.records import ModuleDocFragment
from ansible_collections.backupops.jobs.plugins.module_utils._codes import OUTCOMES
from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    google_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)

from emulator.control import EmulatorProcess
from emulator.data import SHAPES

AVEPOINT = {'dynamics': dynamics_backup_job_info, 'vm': vm_backup_job_info, 'google': google_backup_job_info}
LISTS = {dynamics_backup_job_info: 'jobs', vm_backup_job_info: 'jobs', google_backup_job_info: 'jobs',
         job_session_info: 'sessions'}
COMMON = yaml.safe_load(ModuleDocFragment.COMMON_KEYS)
WHOLE_SECOND = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$')
LOOKS_LIKE_TIME = re.compile(r'^\d{4}-\d{2}-\d{2}T')
SNAKE = re.compile(r'^_?[a-z][a-z0-9_]*$')  # VB365's HAL _links keeps its underscore
# Keys a module documents that only some records carry: a retry session's main session, log items on request.
CONDITIONAL = {job_session_info: {'main_session_id', 'log_items', 'log_items_limited'}}
TENANTS = ','.join('%s=%s' % (shape, shape) for shape in SHAPES)


@pytest.fixture(scope='module')
def shapes_emulator(tmp_path_factory):
    """A tenant of every shape, each with its own VB365 server of that shape; the shared VB365 server has a job
    of each shape too."""
    job_shapes = 'Exchange daily=running,SharePoint daily=warning,Teams hourly=failed'
    with EmulatorProcess(tmp_path_factory.mktemp('shapes'), '--jobs', 30, '--tenants', TENANTS,
                         '--vb365-job-shapes', job_shapes) as running:
        yield running


def avepoint_connection(emulator, tenant):
    tenant_info = emulator.info['tenants'][tenant]
    return dict(emulator.avepoint_connection(), client_id=tenant_info['client_id'],
                client_secret=tenant_info['client_secret'])


def times_in(value, path=''):
    """(path, text) of every string in a record that reads as a time, at any depth."""
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in times_in(item, '%s.%s' % (path, key))]
    if isinstance(value, list):
        return [found for item in value for found in times_in(item, path + '[]')]
    return [(path, value)] if isinstance(value, str) and LOOKS_LIKE_TIME.match(value) else []


def assert_record_shape(record):
    assert isinstance(record['id'], str) and record['id'], record
    assert record['kind'] in COMMON['kind']['choices'], record
    assert record['outcome'] in OUTCOMES, record
    for key in ('start_time', 'finish_time'):
        assert record[key] is None or WHOLE_SECOND.match(record[key]), (key, record)
    assert record['start_time'] is not None, record
    duration = record['duration_seconds']
    assert duration is None or (isinstance(duration, int) and not isinstance(duration, bool) and duration >= 0), record
    assert (duration is None) == (record['finish_time'] is None), record
    assert all(SNAKE.match(key) for key in record), sorted(record)
    for path, text in times_in(record):
        assert WHOLE_SECOND.match(text), (path, text)


def assert_result_shape(module, result):
    assert not result.failed, result.get('msg')
    records = result[LISTS[module]]
    assert records
    for record in records:
        assert_record_shape(record)
    for key in ('latest', 'latest_success'):
        if result['summary'][key] is not None:
            assert_record_shape(result['summary'][key])
    return records


@pytest.mark.parametrize('tenant', sorted(SHAPES))
def test_every_avepoint_record_has_the_common_keys(shapes_emulator, run_module, tenant):
    for api, module in sorted(AVEPOINT.items()):
        result = run_module(module, start_time='30d', **avepoint_connection(shapes_emulator, tenant))
        jobs = assert_result_shape(module, result)
        assert [job['id'] for job in jobs] == [str(job['job_id']) for job in jobs]
        # The listing's total counts jobs; no job carries a key of that name (the IaaS job's own is its objects').
        assert all('total_count' not in job and 'type' not in job and 'duration' not in job for job in jobs)
        if api != 'google':
            assert isinstance(result['total_count'], int) and result['total_count'] == len(jobs)


@pytest.mark.parametrize('version', ['v5', 'v6', 'v7', 'v8'])
def test_every_vb365_session_has_the_common_keys(shapes_emulator, run_module, version):
    servers = [shapes_emulator.vb365_connection(version)] + [shapes_emulator.vb365_connection(version, tenant)
                                                             for tenant in sorted(SHAPES)]
    for connection in servers:
        result = run_module(job_session_info, start_time='30d', **connection)
        sessions = assert_result_shape(job_session_info, result)
        assert [(session['start_time'], session['finish_time']) for session in sessions] == \
            [(session['creation_time'], session['end_time']) for session in sessions]
        # v5 to v7 pages give the API's total of the query; v8 gives none, and none is made up.
        if version == 'v8':
            assert 'total_count' not in result
        else:
            assert result['total_count'] >= len(sessions)


def test_one_session_by_id_has_the_common_keys(shapes_emulator, run_module):
    session = shapes_emulator.vb365(tenant='running')['sessions'][-1]
    result = run_module(job_session_info, session_id=session['id'], include_log_items=True,
                        **shapes_emulator.vb365_connection('v6', tenant='running'))
    [returned] = assert_result_shape(job_session_info, result)
    assert returned['id'] == session['id'] and 'total_count' not in result


def test_each_tenant_has_a_vb365_server_of_its_own_shape(shapes_emulator, run_module):
    """The demo's story holds for VB365 too: a tenant whose backups fail has failing sessions, not another's."""
    outcomes = {}
    for tenant in ('fresh', 'failed'):
        result = run_module(job_session_info, job_name='Exchange daily', start_time='24h',
                            **shapes_emulator.vb365_connection('v8', tenant))
        outcomes[tenant] = set(session['outcome'] for session in result['sessions'])
    assert 'success' in outcomes['fresh'] and outcomes['failed'] == {'failed'}


@pytest.mark.parametrize('module', sorted(LISTS, key=lambda module: module.__name__))
def test_return_docs_give_the_common_keys_as_the_fragment_words_them(shapes_emulator, run_module, module):
    documented = yaml.safe_load(module.RETURN)[LISTS[module]]['contains']
    for key, entry in COMMON.items():
        mine = documented[key]
        assert (mine['type'], mine.get('choices')) == (entry['type'], entry.get('choices')), key
        wording = entry['description'] if isinstance(entry['description'], list) else [entry['description']]
        said = mine['description'] if isinstance(mine['description'], list) else [mine['description']]
        assert all(line in said for line in wording), key
    assert 'backupops.jobs.records' in yaml.safe_load(module.DOCUMENTATION)['extends_documentation_fragment']
    # Every key the module documents is one its records carry.
    connection = (shapes_emulator.vb365_connection('v8') if module is job_session_info
                  else avepoint_connection(shapes_emulator, 'fresh'))
    result = run_module(module, start_time='30d', **connection)
    returned = set(key for record in result[LISTS[module]] for key in record)
    assert set(documented) - returned <= CONDITIONAL.get(module, set())
