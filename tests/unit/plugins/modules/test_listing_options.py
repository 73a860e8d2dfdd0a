"""summary_only and fields on the four listing modules, against the emulator."""

import pytest

from ansible_collections.backupops.jobs.plugins.modules import (
    dynamics_backup_job_info,
    google_backup_job_info,
    job_session_info,
    vm_backup_job_info,
)

MODULES = {'dynamics': (dynamics_backup_job_info, 'jobs', 'job_id'), 'vm': (vm_backup_job_info, 'jobs', 'job_id'),
           'google': (google_backup_job_info, 'jobs', 'job_id'), 'vb365': (job_session_info, 'sessions', 'id')}


def run(run_module, emulator, name, **options):
    module, _key, _id = MODULES[name]
    connection = emulator.vb365_connection() if name == 'vb365' else emulator.avepoint_connection()
    return run_module(module, start_time='30d', **dict(connection, **options))


def without_age(summary):
    """The summary without hours_since_success, which moves with the clock between two runs."""
    return dict((key, value) for key, value in summary.items() if key != 'hours_since_success')


@pytest.mark.parametrize('name', sorted(MODULES))
def test_summary_only_returns_the_summary_of_the_full_listing_and_no_list(fresh_emulator, run_module, name):
    _module, key, _id = MODULES[name]
    full = run(run_module, fresh_emulator, name)
    only = run(run_module, fresh_emulator, name, summary_only=True)
    assert not full.failed and not only.failed, (full.get('msg'), only.get('msg'))
    assert key not in only
    assert without_age(only['summary']) == without_age(full['summary'])
    assert abs(only['summary']['hours_since_success'] - full['summary']['hours_since_success']) < 0.1
    assert only['total_count'] == only['summary']['count'] == len(full[key]) > 100


@pytest.mark.parametrize('name', sorted(MODULES))
def test_fields_return_only_the_keys_asked_of_each_record(fresh_emulator, run_module, name):
    _module, key, record_id = MODULES[name]
    full = run(run_module, fresh_emulator, name)
    chosen = run(run_module, fresh_emulator, name, fields=[record_id, 'outcome', 'finish_time'])
    assert chosen[key] == [dict((field, record[field]) for field in (record_id, 'outcome', 'finish_time'))
                           for record in full[key]]
    assert without_age(chosen['summary']) == without_age(full['summary'])


@pytest.mark.bad_input
@pytest.mark.parametrize('name', sorted(MODULES))
@pytest.mark.parametrize('options, fragments', [
    (dict(fields=['outcome', 'Outcome']), ["fields: no field 'Outcome'", 'finish_time, id, ', 'outcome']),
    (dict(fields=[]), ['fields: the list names no field']),
    (dict(fields=['outcome'], summary_only=True), ['fields (outcome) and summary_only=true exclude each other']),
])
def test_bad_fields_are_refused_before_any_request(fresh_emulator, run_module, name, options, fragments):
    result = run(run_module, fresh_emulator, name, **options)
    assert result.failed and result['option'] == 'fields'
    for fragment in fragments:
        assert fragment in result['msg']
    assert fresh_emulator.requests() == []


@pytest.mark.bad_input
def test_log_items_cannot_be_added_to_sessions_summary_only_does_not_return(fresh_emulator, run_module):
    result = run(run_module, fresh_emulator, 'vb365', summary_only=True, include_log_items=True)
    assert result.failed and result['option'] == 'include_log_items'
    assert 'summary_only=true returns no session' in result['msg']
    assert fresh_emulator.requests() == []


def test_a_vb365_summary_asks_for_at_most_1000_sessions_a_request_whatever_the_page_size(fresh_emulator, run_module):
    fresh_emulator.clear()
    only = run(run_module, fresh_emulator, 'vb365', summary_only=True, page_size=10000)
    full = run(run_module, fresh_emulator, 'vb365', page_size=10000)
    limits = [int(entry['query']['limit'][0]) for entry in fresh_emulator.requests('/v8/JobSessions')]
    assert not only.failed, only.get('msg')
    assert limits == [1000] * (len(limits) - 1) + [10000]
    assert only['summary']['count'] == full['summary']['count']
