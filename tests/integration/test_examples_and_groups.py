"""Every module's EXAMPLES, run as written against the emulator, and the action groups of meta/runtime.yml.

An example's connection options point at a real service; each is swapped for the emulator's value of the
same option (api_url for region, the emulator's certificate for certificate_path, and so on), wherever it
is written: in the task or in the task's module_defaults. Everything else - filters, windows, limits, the
assert and debug tasks that follow - runs unchanged, so an example that rots fails here.
"""

import importlib
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from conftest import COLLECTION_ROOT, ansible_env, write_gate_play
from emulator.control import EmulatorProcess

MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(COLLECTION_ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))
VENDOR_GROUP = {'dynamics_backup_job_info': 'avepoint', 'vm_backup_job_info': 'avepoint',
                'google_backup_job_info': 'avepoint', 'job_session_info': 'vb365', 'job_session': 'vb365',
                'backup_item_info': 'vb365'}
# Modules that read several vendors take each vendor's connection nested under its name, in no action group.
NESTED_CONNECTIONS = {'backup_gate_info': ('avepoint', 'vb365')}
AVEPOINT_CONNECTION = ('region', 'api_url', 'identity_url', 'client_id', 'client_secret', 'certificate_path',
                       'private_key_path', 'ca_path', 'access_token', 'validate_certs')
VB365_CONNECTION = ('url', 'username', 'password', 'ca_path', 'access_token', 'validate_certs')


def examples(module):
    return yaml.safe_load(importlib.import_module('ansible_collections.backupops.jobs.plugins.modules.' + module).EXAMPLES)


def emulator_connection(emulator, vendor, options):
    """The emulator's connection for options that name a connection the way ``options`` does."""
    if vendor == 'vb365':
        return emulator.vb365_connection(options.get('api_version', 'v8'))
    return emulator.avepoint_connection('certificate' if 'certificate_path' in options else 'secret')


def point_at_emulator(emulator, options, vendor):
    """``options`` with every connection option replaced by the emulator's (region becomes api_url)."""
    keys = VB365_CONNECTION if vendor == 'vb365' else AVEPOINT_CONNECTION
    if not any(key in options for key in keys):
        return options
    mine = emulator_connection(emulator, vendor, options)
    kept = dict((key, value) for key, value in options.items() if key not in keys)
    kept.update((key, value) for key, value in mine.items() if key != 'api_version' or 'api_version' not in kept)
    return kept


def runnable(emulator, task):
    task = dict(task)
    for key, value in list(task.items()):
        if key.startswith('backupops.jobs.') and key.rsplit('.', 1)[1] in NESTED_CONNECTIONS:
            task[key] = dict(value, **dict((vendor, point_at_emulator(emulator, value[vendor], vendor))
                                           for vendor in NESTED_CONNECTIONS[key.rsplit('.', 1)[1]] if vendor in value))
        elif key.startswith('backupops.jobs.') and isinstance(value, dict):
            vendor = VENDOR_GROUP[key.rsplit('.', 1)[1]]
            task[key] = point_at_emulator(emulator, value, vendor)
            if task[key] == value and 'module_defaults' not in task:
                # No connection in the example: it comes from module_defaults or the environment, as documented.
                task['module_defaults'] = {'group/backupops.jobs.' + vendor: emulator_connection(emulator, vendor, {})}
    if 'module_defaults' in task:
        task['module_defaults'] = dict(
            (group, point_at_emulator(emulator, options, group.rsplit('.', 1)[1]))
            for group, options in task['module_defaults'].items())
    return task


@pytest.mark.parametrize('module', MODULES)
def test_every_example_runs_against_the_emulator(emulator, ansible_run, tmp_path, module):
    tasks = examples(module)
    assert any('backupops.jobs.' + module in task for task in tasks)
    play = [dict(
        name='EXAMPLES of %s' % module, hosts='localhost', gather_facts=False,
        vars=dict(avepoint_client_id='unused', avepoint_client_secret='unused', vb365_username='unused',
                  vb365_password='unused'),
        tasks=[runnable(emulator, task) for task in tasks])]
    path = tmp_path / 'examples.yml'
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    run = ansible_run('ansible-playbook', path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'failed=0' in run.stdout and 'ok=%d' % len(tasks) in run.stdout


def runtime():
    with open(os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml')) as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize('module', sorted(VENDOR_GROUP))
def test_every_module_is_in_its_vendor_group_and_in_all(module):
    groups = runtime()['action_groups']
    assert module in groups[VENDOR_GROUP[module]]
    members = set()
    for entry in groups['all']:
        if isinstance(entry, dict):
            for extended in entry['metadata']['extend_group']:
                members.update(groups[extended.rsplit('.', 1)[-1]])
        else:
            members.add(entry)
    assert module in members


@pytest.mark.parametrize('group', ['avepoint', 'all'])
def test_module_defaults_of_a_group_supply_the_connection_of_every_avepoint_module(
        emulator, ansible_run, tmp_path, group):
    avepoint = [module for module in MODULES if VENDOR_GROUP.get(module) == 'avepoint']
    out = tmp_path / 'results.json'
    play = [dict(hosts='localhost', gather_facts=False,
                 module_defaults={'group/backupops.jobs.%s' % group: emulator.avepoint_connection()},
                 tasks=[dict(name=module, register=module, **{'backupops.jobs.' + module: dict(start_time='24h')})
                        for module in avepoint] + [
                     {'ansible.builtin.copy': dict(content='{{ %s | to_json }}' % (
                         '{%s}' % ', '.join("'%s': %s" % (module, module) for module in avepoint)), dest=str(out))}])]
    path = tmp_path / 'play.yml'
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    run = ansible_run('ansible-playbook', path)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.read_text())
    for module in avepoint:
        assert results[module]['summary']['count'] > 0, module


def test_every_module_is_in_a_vendor_group_or_takes_its_connections_nested():
    assert not set(VENDOR_GROUP) & set(NESTED_CONNECTIONS)
    assert sorted(set(VENDOR_GROUP) | set(NESTED_CONNECTIONS)) == MODULES
    groups = runtime()['action_groups']
    for module in NESTED_CONNECTIONS:
        assert not [group for group, members in groups.items() if module in members]


def test_the_demo_tenants_verdicts_match_the_stories_the_inventory_tells(tmp_path):
    """examples/emulator: contoso passes every check; fabrikam (no backup for 36 h) and northwind (backups failing)
    fail every one of theirs, VB365 included, each on its own data."""
    examples_dir = os.path.join(COLLECTION_ROOT, 'examples', 'emulator')
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 60,
                         '--tenants', 'contoso=fresh,fabrikam=stale,northwind=failed') as emulator:
        run = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i',
             os.path.join(examples_dir, 'inventory.yml'), '-e', '@' + os.path.join(examples_dir, 'checks.yml'),
             write_gate_play(tmp_path, 'tenants')],
            env=ansible_env(dict(BACKUPOPS_EMULATOR=emulator.state_dir)), capture_output=True, text=True, timeout=300,
            check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    verdicts = dict((tenant, json.loads((tmp_path / ('%s.json' % tenant)).read_text()))
                    for tenant in ('contoso', 'fabrikam', 'northwind'))
    assert [check['passed'] for check in verdicts['contoso']['checks']] == [True] * 4
    for tenant, said in (('fabrikam', 'no backup job in the last 24 h'), ('northwind', 'failed')):
        checks = verdicts[tenant]['checks']
        assert len(checks) == 4 and not any(check['passed'] for check in checks), (tenant, checks)
        assert all(said in check['reason'] for check in checks), (tenant, checks)


def test_the_take_a_backup_example_passes_after_taking_the_backup_and_starts_nothing_in_check_mode(tmp_path):
    """examples/emulator/take_a_backup.yml on fabrikam, as the demo and its own comment run it: in check mode nothing
    is started and the change is blocked; then the job is started once, and the check passes on that backup, its age
    derived from the job's schedule."""
    examples_dir = os.path.join(COLLECTION_ROOT, 'examples', 'emulator')
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), 'backupops.jobs.pre_change_backup_check',
               '-i', os.path.join(examples_dir, 'inventory.yml'),
               '-e', '@' + os.path.join(examples_dir, 'take_a_backup.yml'), '-e', 'backup_gate_hosts=tenants',
               '--limit', 'fabrikam']
    with EmulatorProcess(tmp_path / 'emulator', '--jobs', 60,
                         '--tenants', 'contoso=fresh,fabrikam=stale,northwind=failed') as emulator:
        env = ansible_env(dict(BACKUPOPS_EMULATOR=emulator.state_dir, ANSIBLE_STDOUT_CALLBACK='backupops.jobs.gate'))
        checked = subprocess.run(command + ['--check'], env=env, capture_output=True, text=True, timeout=300,
                                 check=False)
        assert [entry for entry in emulator.requests() if entry['path'].endswith('/start')] == []
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        starts = [entry['path'] for entry in emulator.requests() if entry['path'].endswith('/start')]
        exchange = next(job for job in emulator.vb365(tenant='fabrikam')['jobs'] if job['name'] == 'Exchange daily')
    assert checked.returncode == 2, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert checked.stdout.splitlines()[-1] == 'BACKUP GATE BLOCKED: fabrikam blocked', checked.stdout
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert starts == ['/v8/Jobs/%s/start' % exchange['id']]
    assert re.search(r'ok +Exchange Online \(VB365\) +vb365 +backup taken before judging \(session [0-9a-f-]{36}, '
                     r'success\); newest success is 0.0 h old \(1 accepted in the last 30.5 h\) \(max_age_hours: 30.5 h '
                     r'from the schedule of job Exchange daily', run.stdout), run.stdout
    assert run.stdout.splitlines()[-1] == 'BACKUP GATE PASSED: fabrikam passed', run.stdout
