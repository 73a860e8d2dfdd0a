"""The report's reason for a check is the gate's reason, word for word: the report lists its days (history_hours),
the gate only the check's window, and neither what else the report listed nor how far back it looked may change the
words. Judged at one fixed moment against emulator tenants whose jobs of other kinds lie outside the window."""

from datetime import datetime, timezone

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._context import Context
from ansible_collections.backupops.jobs.plugins.module_utils._gate_run import evaluate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._module import connection_params
from emulator.control import EmulatorProcess

CHECKS = [
    dict(name='Dynamics', source='dynamics', filters=dict(job_type='backup'), max_age_hours=24),
    dict(name='every VM', source='vm', filters={}, max_age_hours=24),
    dict(name='Gmail, 3 days', source='google', filters=dict(app_type='gmail'), max_age_hours=72),
    dict(name='Exchange', source='vb365', filters=dict(job_name='Exchange daily'), max_age_hours=24),
    dict(name='every VB365 job', source='vb365', filters={}, max_age_hours=6),
]
CHECKS = [dict(check, accept=['success'], min_successes=1) for check in CHECKS]


@pytest.fixture(scope='module')
def tenants(tmp_path_factory):
    with EmulatorProcess(tmp_path_factory.mktemp('report-reason'), '--tenants', 'stale=stale,failed=failed,fresh=fresh') as running:
        yield running


@pytest.mark.parametrize('tenant', ['stale', 'failed', 'fresh'])
def test_the_reports_reason_is_the_gates_reason(tenants, tenant):
    info = tenants.info
    now = datetime.now(timezone.utc)

    def judge(history_hours):
        context = Context()
        avepoint = connection_params('avepoint', dict(
            api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
            client_id=info['tenants'][tenant]['client_id'], client_secret=info['tenants'][tenant]['client_secret']), context)
        vb365 = connection_params('vb365', tenants.vb365_connection(tenant=tenant), context)
        return evaluate_checks(CHECKS, context, dict(avepoint=avepoint, vb365=vb365), now=now, history_hours=history_hours,
                               keep_records=history_hours is not None)

    gate = judge(None)
    assert all(verdict['error'] is None for verdict in gate), gate
    for days in (7, 30):
        report = judge(days * 24)
        assert [verdict['reason'] for verdict in report] == [verdict['reason'] for verdict in gate]
        # The report still holds the jobs of its days, those of other kinds and before the window included.
        assert any(record['kind'] != 'backup' for verdict in report for record in verdict['records'])
