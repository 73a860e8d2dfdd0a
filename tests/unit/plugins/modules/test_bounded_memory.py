"""Count, don't keep: a server whose listing never ends (a total of a billion, or a next link on every page, new IDs
on every page) stops every module with an error naming what to narrow, before the module's process reaches 1 GB.

The runs in a child process use the real bounds (_paging.MAX_KEPT and friends) and read the child's own peak
resident memory (a next link on every page is read one page after the other, about a minute for AvePoint's pages of
100, so here only VB365 has it); scripts/endless.py runs every API and kind, summary_only included, and prints the figures that
docs/performance.md gives.
"""

import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.backupops.jobs.plugins.module_utils import _normalize, _paging
from ansible_collections.backupops.jobs.plugins.modules import backup_gate_info, job_session_info
from endless import MODULES, endless_options, endless_server, gate_options, run_in_child

pytestmark = pytest.mark.hostile

GIB = 1024.0


@pytest.mark.parametrize('api, kind', [('dynamics', 'total'), ('vm', 'total'), ('google', 'total'), ('vb365', 'total'),
                                       ('vb365', 'next')])
def test_an_endless_listing_stops_at_the_bound_on_records_kept_under_1_gb(api, kind):
    with endless_server(api, kind) as server:
        run = run_in_child(MODULES[api], endless_options(api, server))
    assert run.result.get('failed'), run.result
    assert 'Traceback' not in run.stderr, run.stderr
    message = run.result['msg']
    # The bound counts every record the run keeps: a VB365 run keeps the server's jobs too (a session's kind).
    stopped_after = int(re.search(r'stopped after (\d+) ', message).group(1))
    assert _paging.MAX_KEPT - 10 < stopped_after <= _paging.MAX_KEPT + 1, message
    assert 'narrow the listing (start_time, the filters), or give summary_only: true' in message
    assert run.peak_mib < GIB, run.peak_mib


@pytest.mark.parametrize('api, kind', [('vb365', 'next'), ('dynamics', 'total')])
def test_the_gate_against_an_endless_listing_fails_its_check_naming_what_to_narrow_under_1_gb(api, kind):
    with endless_server(api, kind) as server:
        run = run_in_child('backup_gate_info', gate_options(api, server))
    assert not run.result.get('failed'), run.result.get('msg')
    [check] = run.result['checks']
    assert run.result['passed'] is False and check['passed'] is False
    assert 'a module run keeps at most %d records' % _paging.MAX_KEPT in check['error']
    assert 'narrow the check (its filters, max_age_hours)' in check['reason']
    # Only a cut of each backup is kept: far below what the listing modules reach at the same bound.
    assert run.peak_mib < GIB / 2, run.peak_mib


def test_the_gate_shares_one_bound_across_its_checks_with_include_records(run_module, monkeypatch):
    monkeypatch.setattr(_paging, 'MAX_KEPT', 2500)
    with endless_server('dynamics', 'total') as server:
        checks = [dict(name='check %d' % number, source='dynamics', max_age_hours=24) for number in range(3)]
        result = run_module(backup_gate_info, checks=checks, avepoint=server.avepoint(), include_records=True)
    assert not result.failed, result.get('msg')
    errors = [check['error'] for check in result['checks'] if check['error']]
    # Three checks at once may keep 2,500 records together, not each: at least one of them is stopped.
    assert errors and all('leave out include_records and history_days' in error for error in errors), errors
    assert sum(len(check['records']) for check in result['checks']) <= 2500 + 3 * 100


def test_summary_only_goes_on_past_the_bound_on_records_kept_and_stops_at_the_most_a_listing_tells_apart(
        run_module, monkeypatch):
    monkeypatch.setattr(_paging, 'MAX_KEPT', 300)
    monkeypatch.setattr(_paging, 'MAX_LISTED', 2000)
    with endless_server('vb365', 'next') as server:
        result = run_module(job_session_info, summary_only=True, **endless_options('vb365', server))
    assert result.failed
    assert 'the API listed more than 2000 sessions (its total: not given), the most one listing tells apart' \
        in result['msg'], result['msg']
    assert 'Narrow the listing (start_time, the filters)' in result['msg']


def test_a_limit_keeps_only_the_newest_records_as_the_listing_goes_and_chooses_as_a_sort_of_all_would():
    # Oldest first, so paging cannot stop at the limit: before, every record was kept until the end.
    rng = random.Random(7)
    pages = [[dict(id='%d-%d' % (page, n), at=rng.randrange(50)) for n in range(10)] for page in range(60)]
    collector = _paging.Collector('id', lambda text: None, limit=15, time_of=lambda record: _moment(record['at']))
    peak = 0
    for items in pages:
        collector.take(_paging.Page(items))
        peak = max(peak, len(collector.records))
    everything = sorted((record for items in pages for record in items), key=lambda record: -record['at'])
    assert collector.finish() == everything[:15]
    assert peak < 2 * 15 + 10


def _moment(hours):
    return datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=hours)


def test_the_snake_case_key_cache_stays_bounded_whatever_keys_a_server_sends():
    records = [{'hostileKey%d' % number: 1, 'Long' * 100 + str(number): 2} for number in range(3 * _normalize._SNAKE_MAX)]
    for record in records:
        snake = _normalize.snake_dict(record)
    assert snake == camel_dict_to_snake_dict(records[-1])
    assert len(_normalize._SNAKE) <= _normalize._SNAKE_MAX
    assert all(len(key) <= _normalize._SNAKE_LENGTH for key in _normalize._SNAKE)
