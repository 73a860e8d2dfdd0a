"""The emulator behaves like a production server: it keeps HTTP/1.1 connections alive and answers
concurrent requests in parallel, so the client's keep-alive is exercised and the benchmark's lower
bound can be reached."""

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from ansible_collections.backupops.jobs.plugins.modules import vm_backup_job_info

API_PATH = '/backup/vm/jobs'


def test_requests_over_one_session_share_one_kept_alive_connection(fresh_emulator):
    with requests.Session() as session:
        for _request in range(3):
            answer = session.get(fresh_emulator.url + API_PATH, verify=fresh_emulator.info['ca_path'], timeout=10)
            assert answer.status_code == 401
            assert answer.headers.get('Connection', '').lower() != 'close'
    ports = [entry['client_port'] for entry in fresh_emulator.requests(API_PATH)]
    assert len(ports) == 3 and len(set(ports)) == 1, ports


def test_two_slow_requests_are_answered_in_parallel(fresh_emulator):
    fresh_emulator.fault(API_PATH, delay=1.5, count=2)

    def slow(_number):
        return requests.get(fresh_emulator.url + API_PATH, verify=fresh_emulator.info['ca_path'], timeout=10)

    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(slow, range(2)))
    elapsed = time.monotonic() - started
    assert [answer.status_code for answer in answers] == [401, 401]
    assert fresh_emulator.most_in_flight() == 2
    assert elapsed < 2.7, 'one after the other would take 3 s; took %.2f s' % elapsed


def test_a_module_pages_over_no_more_connections_than_it_runs_at_once(fresh_emulator, run_module):
    result = run_module(vm_backup_job_info, start_time='30d', page_size=10, max_concurrency=2,
                        **fresh_emulator.avepoint_connection())
    assert not result.failed, result.get('msg')
    pages = fresh_emulator.requests(API_PATH)
    assert len(pages) > 10
    assert len(set(entry['client_port'] for entry in pages)) <= 2
