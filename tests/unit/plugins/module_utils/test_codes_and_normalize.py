from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import (
    DYNAMICS,
    GOOGLE,
    VM,
    VM_SERVICE_TYPES,
)
from ansible_collections.backupops.jobs.plugins.module_utils._codes import OUTCOMES
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._gate import decide
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import normalize_session
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import (
    duration_seconds,
    summarize,
)

NOW = datetime(2024, 10, 28, 0, 0, tzinfo=timezone.utc)

# The vendors' own response samples (AvePoint Graph API pages), one job each.
DYNAMICS_SAMPLE = {
    "module": "Customer Engagement", "type": 1, "jobId": "DCIB2022081903124382222110",
    "startTime": "2022-08-19T03:12:43.823Z", "finishTime": "2022-08-19T03:13:46.633Z",
    "durationHours": 0.01744722222222222, "status": 3, "successfulEntity": 1, "failedEntity": 0,
    "backupSize": 180832, "organizationId": "6cccccc-ffff-bbb-88888-aabbccdeee", "organizationName": "uatorg123"}
VM_SAMPLE = {
    "jobId": "IB20241025160014096", "jobType": 1, "status": 2, "failedCount": 0, "successfulCount": 10,
    "skippedCount": 35, "totalCount": 45, "startTime": "2024-10-25T16:00:14Z", "finishTime": "2024-10-27T08:00:58Z",
    "duration": "1.16:00:44", "comments": ""}
GOOGLE_SAMPLE = {
    "jobId": "GDIG20241009053431", "appType": 1, "jobType": 5, "dataSource": 1, "status": 2, "progress": 100.0,
    "startTime": "2024-10-09T05:34:31+00:00", "finishTime": "2024-10-09T05:50:36.008+00:00", "operator": "System"}


def normalize(raw, api):
    return api.normalize(raw)


def test_dynamics_sample_job():
    job = normalize(DYNAMICS_SAMPLE, DYNAMICS)
    assert job['job_id'] == 'DCIB2022081903124382222110'
    # The API's "type" is returned as job_type, as the option and the other modules call it.
    assert (job['job_type'], job['job_type_name'], job['status'], job['status_name'], job['outcome']) == \
        (1, 'backup', 3, 'finished', 'success')
    assert 'type' not in job and 'type_name' not in job
    assert job['start_time'] == '2022-08-19T03:12:43Z'
    assert job['successful_entity_count'] == DYNAMICS_SAMPLE['successfulEntity'] and 'successful_entity' not in job
    assert job['organization_name'] == 'uatorg123' and job['duration_hours'] == DYNAMICS_SAMPLE['durationHours']


def test_vm_sample_job_with_a_day_long_duration():
    job = normalize(VM_SAMPLE, VM)
    assert (job['job_type_name'], job['status_name'], job['outcome']) == ('azure_vm_backup', 'successful', 'success')
    assert job['duration_seconds'] == 144044 and job['duration_text'] == '1.16:00:44' and 'duration' not in job
    # The job's own totalCount counts its objects: never under the listing's name total_count.
    assert job['total_object_count'] == 45 and 'total_count' not in job


def test_google_sample_job():
    job = normalize(GOOGLE_SAMPLE, GOOGLE)
    assert (job['app_type_name'], job['job_type_name'], job['data_source_name']) == ('gmail', 'retention', 'admin')
    assert job['finish_time'] == '2024-10-09T05:50:36Z'


def test_vm_status_spelled_state_in_the_2024_page_is_read():
    raw = dict(VM_SAMPLE)
    raw['state'] = raw.pop('status')
    assert normalize(raw, VM)['outcome'] == 'success'


@pytest.mark.parametrize('api, status, outcome', [
    (DYNAMICS, 2, 'running'), (DYNAMICS, 4, 'failed'), (DYNAMICS, 7, 'warning'),
    (VM, 0, 'queued'), (VM, 1, 'running'), (VM, 4, 'skipped'), (VM, 8, 'warning'), (VM, 16, 'failed'),
    (VM, 32, 'queued'), (VM, 64, 'stopped'),
    (GOOGLE, 0, 'running'), (GOOGLE, 3, 'failed'), (GOOGLE, 7, 'warning'),
])
def test_documented_statuses_map_to_common_outcomes(api, status, outcome):
    assert normalize(dict(jobId='x', status=status), api)['outcome'] == outcome


def test_unknown_status_passes_through_as_unknown():
    job = normalize(dict(jobId='x', status=5, newField='kept'), DYNAMICS)
    assert (job['status'], job['status_name'], job['outcome'], job['new_field']) == (5, None, 'unknown', 'kept')
    assert normalize(dict(jobId='y'), DYNAMICS)['outcome'] == 'unknown'


@pytest.mark.parametrize('text, seconds', [('00:04:01', 241), ('1.16:00:44', 144044), ('13:02:26', 46946),
                                           ('00:00:01.5', 1), ('n/a', None), (None, None)])
def test_durations(text, seconds):
    assert duration_seconds(text) == seconds


def test_option_names_and_codes():
    assert VM_SERVICE_TYPES.code_for('service_type', 'azure_virtual_machine') == 1
    assert VM_SERVICE_TYPES.code_for('service_type', 'Azure Virtual Machine') == 1
    assert VM_SERVICE_TYPES.code_for('service_type', '99999') == 99999
    assert VM_SERVICE_TYPES.code_for('service_type', None) is None
    with pytest.raises(OptionError) as caught:
        VM_SERVICE_TYPES.code_for('service_type', 'azure_vm')
    assert "service_type: unknown value 'azure_vm'" in caught.value.msg
    assert 'azure_virtual_machine' in caught.value.msg and 'entra_external_id' in caught.value.msg


def job(job_id, outcome_status, start, finish, job_type=1):
    return normalize(dict(jobId=job_id, status=outcome_status, startTime=start, finishTime=finish, jobType=job_type), VM)


def test_summary_counts_outcomes_and_finds_latest_success():
    jobs = [job('running', 1, '2024-10-27T23:00:00Z', None),
            job('failed', 16, '2024-10-27T20:00:00Z', '2024-10-27T21:00:00Z'),
            job('ok-old', 2, '2024-10-26T20:00:00Z', '2024-10-26T22:00:00Z'),
            job('ok-new-finish', 2, '2024-10-26T10:00:00Z', '2024-10-27T12:00:00Z')]
    summary = summarize(jobs, NOW)
    assert summary['count'] == 4
    assert set(summary['by_outcome']) == set(OUTCOMES)
    assert (summary['by_outcome']['success'], summary['by_outcome']['failed'], summary['by_outcome']['running']) == (2, 1, 1)
    assert summary['latest']['job_id'] == 'running'
    # Newest by finish time, not by start time.
    assert summary['latest_success']['job_id'] == 'ok-new-finish'
    assert summary['hours_since_success'] == 12.0


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=100 * 3600 * 1000))
def test_a_summary_says_the_age_the_gate_says(milliseconds):
    """One age, rounded once: a listing's summary and the gate's verdict give the same hours for the same job,
    to a tenth (a summary rounded to a hundredth: 3.25 h beside the gate's 3.2 h)."""
    finish = format_timestamp(NOW - timedelta(milliseconds=milliseconds))
    record = dict(id='j', kind='backup', outcome='success', start_time=finish, finish_time=finish)
    summary = summarize([record], NOW)
    verdict = decide([record], NOW, 101)
    assert summary['hours_since_success'] == verdict['hours_since_success']
    assert summary['hours_since_success'] == round(summary['hours_since_success'], 1)


def test_summary_without_success_has_no_hours():
    summary = summarize([job('failed', 16, '2024-10-27T20:00:00Z', '2024-10-27T21:00:00Z')], NOW)
    assert summary['latest_success'] is None and summary['hours_since_success'] is None
    assert summarize([], NOW)['latest'] is None


def test_a_success_finishing_in_the_future_is_not_trusted():
    warnings = []
    jobs = [job('from-the-future', 2, '2024-10-28T01:00:00Z', '2024-10-28T02:00:00Z'),
            job('real', 2, '2024-10-27T01:00:00Z', '2024-10-27T02:00:00Z')]
    summary = summarize(jobs, NOW, warn=warnings.append)
    assert summary['latest_success']['job_id'] == 'real'
    assert 'from-the-future' in warnings[0] and 'not counted' in warnings[0]


def test_only_a_backup_is_the_latest_success():
    jobs = [job('restore', 2, '2024-10-27T22:00:00Z', '2024-10-27T23:00:00Z', job_type=2),
            job('deletion', 2, '2024-10-27T21:00:00Z', '2024-10-27T22:00:00Z', job_type=30003),
            job('unknown-type', 2, '2024-10-27T20:00:00Z', '2024-10-27T21:00:00Z', job_type=99999),
            job('backup', 2, '2024-10-26T01:00:00Z', '2024-10-26T02:00:00Z')]
    summary = summarize(jobs, NOW)
    assert [record['kind'] for record in jobs] == ['restore', 'deletion', 'other', 'backup']
    assert summary['latest_success']['job_id'] == 'backup' and summary['hours_since_success'] == 46.0
    assert summary['by_outcome']['success'] == 4


@pytest.mark.parametrize('api, kinds', [
    (DYNAMICS, {'backup': [1], 'restore': [2], 'deletion': [8], 'export': [32], 'other': [0, 4, 16]}),
    (GOOGLE, {'backup': [1], 'restore': [2], 'export': [3], 'deletion': [4, 5], 'other': [6]}),
])
def test_every_documented_job_type_has_its_kind(api, kinds):
    documented = sorted(api.job_types.code_for('job_type', name) for name in api.job_types.names)
    assert sorted(code for codes in kinds.values() for code in codes) == documented
    for kind, codes in kinds.items():
        for code in codes:
            assert api.normalize({'jobId': 'j', api.kinds.field.replace('job_type', 'jobType'): code})['kind'] == kind


def test_every_iaas_job_type_is_a_backup_exactly_when_its_name_says_so():
    for name in VM.job_types.names:
        code = VM.job_types.code_for('job_type', name)
        kind = VM.normalize({'jobId': 'j', 'jobType': code})['kind']
        expected = next((kind for suffix, kind in (('_backup', 'backup'), ('_restore', 'restore'), ('_export', 'export'))
                         if name.endswith(suffix)), None)
        if expected:
            assert kind == expected, name
        else:
            assert kind in ('deletion', 'other'), name
    assert VM.normalize({'jobId': 'j', 'jobType': 424242})['kind'] == 'other'


@pytest.mark.parametrize('finish', ['0001-01-01T00:00:00', '0001-01-01T00:00:00+01:00', '0001-01-01T00:00:00-05:00',
                                    '0001-01-01T00:00:00.0000000Z'])
def test_dotnet_minimum_date_means_not_finished(finish):
    record = job('j', 2, '2024-10-27T20:00:00Z', finish)
    assert record['finish_time'] is None and record['outcome'] == 'running'
    assert summarize([record], NOW)['latest_success'] is None


def test_a_vendor_key_of_a_common_name_cannot_set_it():
    session = normalize_session({'id': 's1', 'status': 'Success', 'creationTime': '2024-10-27T20:00:00Z',
                                 'endTime': None, 'finishTime': '2024-10-27T21:00:00Z', 'kind': 'backup'})
    assert session['finish_time'] is None and session['start_time'] == '2024-10-27T20:00:00Z'
    assert session['kind'] == 'other' and session['id'] == 's1'
    dynamics = DYNAMICS.normalize(dict(DYNAMICS_SAMPLE, finishTime=None, endTime='2022-08-19T03:13:46Z', id='forged'))
    assert dynamics['finish_time'] is None and dynamics['id'] == DYNAMICS_SAMPLE['jobId']
    assert dynamics['duration_seconds'] == int(round(DYNAMICS_SAMPLE['durationHours'] * 3600))
