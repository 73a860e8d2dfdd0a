"""Concurrent paging and the limit option, through the modules against the emulator.

The emulator counts how many API requests it answers at once; with an injected latency, a module that
fetched its pages one by one never has two in flight, and one that ignored max_concurrency has more.
"""

import pytest

from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    google_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)

AVEPOINT = {'dynamics': dynamics_backup_job_info, 'vm': vm_backup_job_info}


@pytest.mark.parametrize('api', sorted(AVEPOINT))
@pytest.mark.parametrize('max_concurrency', [1, 3])
def test_pages_are_fetched_concurrently_up_to_max_concurrency(fresh_emulator, run_module, api, max_concurrency):
    fresh_emulator.set_latency(40)
    result = run_module(AVEPOINT[api], start_time='30d', page_size=10, max_concurrency=max_concurrency,
                        **fresh_emulator.avepoint_connection())
    assert not result.failed, result.get('msg')
    assert len(result['jobs']) == result['total_count'] > 100
    assert len(set(job['job_id'] for job in result['jobs'])) == len(result['jobs'])
    starts = [job['start_time'] for job in result['jobs']]
    assert starts == sorted(starts, reverse=True), 'pages out of the server order'
    assert fresh_emulator.most_in_flight() == max_concurrency


def test_vb365_pages_by_offset_concurrently_where_the_version_gives_a_total(fresh_emulator, run_module):
    fresh_emulator.set_latency(40)
    result = run_module(job_session_info, page_size=50, max_concurrency=4, start_time='60d',
                        **fresh_emulator.vb365_connection('v6'))
    assert not result.failed, result.get('msg')
    truth = fresh_emulator.vb365()['sessions']
    assert len(result['sessions']) == len(truth) > 200
    offsets = [entry['query']['offset'][0] for entry in fresh_emulator.requests('/v6/JobSessions')]
    assert sorted(int(offset) for offset in offsets) == list(range(0, len(truth), 50))
    assert fresh_emulator.most_in_flight() == 4


def test_v8_without_a_total_follows_its_links_one_page_at_a_time(fresh_emulator, run_module):
    fresh_emulator.set_latency(20)
    result = run_module(job_session_info, page_size=100, max_concurrency=4, start_time='60d',
                        **fresh_emulator.vb365_connection('v8'))
    assert not result.failed, result.get('msg')
    assert len(result['sessions']) == len(fresh_emulator.vb365()['sessions'])
    assert fresh_emulator.most_in_flight() == 1


def test_google_has_no_total_so_its_pages_come_one_after_the_other(fresh_emulator, run_module):
    fresh_emulator.set_latency(20)
    result = run_module(google_backup_job_info, start_time='30d', page_size=20, max_concurrency=4,
                        **fresh_emulator.avepoint_connection())
    assert not result.failed and len(result['jobs']) > 100
    assert fresh_emulator.most_in_flight() == 1


def test_limit_returns_the_newest_jobs_and_stops_paging_early(fresh_emulator, run_module):
    everything = run_module(dynamics_backup_job_info, start_time='30d', page_size=10, job_type='all',
                            **fresh_emulator.avepoint_connection())
    fresh_emulator.clear()
    result = run_module(dynamics_backup_job_info, start_time='30d', page_size=10, job_type='all', limit=15,
                        **fresh_emulator.avepoint_connection())
    assert [job['job_id'] for job in result['jobs']] == [job['job_id'] for job in everything['jobs'][:15]]
    # What the user asked for is said in the result, not warned about.
    assert result['limited'] is True and not any('limit' in warning for warning in result.warnings)
    assert everything['limited'] is False
    pages = len(fresh_emulator.requests('/dynamicsbackup/jobs'))
    assert pages <= 2 + 4 < everything['total_count'] // 10
    assert result['summary']['count'] == 15


@pytest.mark.parametrize('value', [0, 17, -1])
def test_max_concurrency_out_of_range_is_refused_before_any_request(fresh_emulator, run_module, value):
    result = run_module(vm_backup_job_info, max_concurrency=value, **fresh_emulator.avepoint_connection())
    assert result.failed and 'max_concurrency' in result['msg'] and str(value) in result['msg']
    assert '1' in result['msg'] and '16' in result['msg']
    assert fresh_emulator.requests() == []


def test_limit_below_one_is_refused(fresh_emulator, run_module):
    result = run_module(google_backup_job_info, limit=0, **fresh_emulator.avepoint_connection())
    assert result.failed and 'limit' in result['msg'] and '0' in result['msg']
