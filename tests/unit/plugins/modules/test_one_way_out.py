"""Every module of the collection leaves through the one egress filter (_egress.Secrets.withhold): its result on
success and its failure, whatever fails (Ansible's own option checks included), so no text reaches a person or a
log except through it."""

import importlib
import os

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._egress import Secrets

pytestmark = pytest.mark.secrets

MODULES_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith('.py') and not name.startswith('_'))
OPTIONS = dict(
    backup_gate_info=lambda emulator: dict(checks=[dict(name='crm', source='dynamics')],
                                           avepoint=emulator.avepoint_connection()),
    job_session_info=lambda emulator: dict(emulator.vb365_connection(), limit=1),
    # Check mode: the session's emulator is shared, and a job started here would run on under other tests.
    job_session=lambda emulator: dict(emulator.vb365_connection(), job_name='Exchange daily', _ansible_check_mode=True),
    backup_item_info=lambda emulator: dict(emulator.vb365_connection(), users=['megan.bowen@contoso.onmicrosoft.com']),
)


@pytest.fixture
def filtered(monkeypatch):
    """What passed the egress filter, in the order it passed."""
    passed = []
    withhold = Secrets.withhold

    def spy(self, value):
        passed.append(value)
        return withhold(self, value)
    monkeypatch.setattr(Secrets, 'withhold', spy)
    return passed


def test_every_module_is_listed():
    assert MODULES == ['backup_gate_info', 'backup_item_info', 'dynamics_backup_job_info', 'google_backup_job_info',
                       'job_session', 'job_session_info', 'vm_backup_job_info']


@pytest.mark.parametrize('name', MODULES)
def test_a_failure_leaves_through_the_filter_even_when_ansible_refuses_an_option(run_module, filtered, name):
    module = importlib.import_module('ansible_collections.backupops.jobs.plugins.modules.' + name)
    result = run_module(module, no_such_option='x')
    assert result.failed and any(said in result['msg'] for said in (
        'no_such_option', 'missing required arguments', 'one of the following is required'))
    assert any(isinstance(value, dict) and value.get('msg') == result['msg'] for value in filtered)


@pytest.mark.parametrize('name', MODULES)
def test_a_result_leaves_through_the_filter(run_module, fresh_emulator, filtered, name):
    module = importlib.import_module('ansible_collections.backupops.jobs.plugins.modules.' + name)
    options = OPTIONS.get(name, lambda emulator: dict(emulator.avepoint_connection(), limit=1))(fresh_emulator)
    result = run_module(module, **options)
    assert not result.failed, result.get('msg')
    assert any(isinstance(value, dict) and 'changed' in value for value in filtered)
