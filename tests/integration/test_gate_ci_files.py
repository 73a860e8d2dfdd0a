"""The backup_gate role writes its verdicts for CI and dashboards: JUnit XML (backup_gate_junit_path), Markdown
(backup_gate_markdown_path) and Prometheus metrics (backup_gate_prometheus_path), one file each for all tenants,
from one run against emulator tenants that pass, fail, cannot be listed, and never reach a verdict."""

import io
import json
import os
import subprocess
import sys
import time
from xml.etree import ElementTree

import junitparser
import pytest
import xmlschema
import xunitparser
from prometheus_client.parser import text_string_to_metric_families

from conftest import ansible_env
from emulator.control import EmulatorProcess

SCHEMAS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'schemas')
SCHEMA = os.path.join(SCHEMAS, 'junit-10.xsd')
TENANTS = {
    # host: (emulator tenant, checks)
    'passing': ('fresh', [dict(name='Azure VMs', source='vm'), dict(name='Exchange', source='vb365')]),
    'blocked': ('failed', [dict(name='Azure VMs', source='vm'), dict(name='Dynamics', source='dynamics')]),
    'unreachable': ('fresh', [dict(name='Azure VMs', source='vm')]),
    'invalid': ('fresh', [dict(name='Azure VMs', source='vm', filters=dict(search_text=''))]),
}
# The role writes the files itself, after every host's verdict and before it fails the play (here it does not).
PLAY = '''
- hosts: tenants
  gather_facts: false
  roles:
    - role: backupops.jobs.backup_gate
      backup_gate_enforce: false
'''


@pytest.fixture(scope='module')
def reports(tmp_path_factory):
    work = tmp_path_factory.mktemp('gate-reports')
    with EmulatorProcess(work / 'emulator', '--tenants', 'fresh=fresh,failed=failed', '--jobs', 30,
                         '--vb365-shape', 'fresh') as emulator:
        info = emulator.info
        hosts = {}
        for host, (tenant, checks) in TENANTS.items():
            avepoint = dict(api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
                            client_id=info['tenants'][tenant]['client_id'],
                            client_secret=info['tenants'][tenant]['client_secret'], retries=0)
            if host == 'unreachable':
                avepoint.update(api_url='https://127.0.0.1:9', identity_url='https://127.0.0.1:9/connect/token')
            hosts[host] = dict(backup_gate_checks=checks, backup_gate_avepoint=avepoint,
                               backup_gate_vb365=emulator.vb365_connection())
        secrets = [host['backup_gate_avepoint']['client_secret'] for host in hosts.values()] + [
            emulator.vb365_connection()['password']]
        (work / 'inventory.json').write_text(json.dumps(dict(tenants=dict(hosts=hosts))))
        (work / 'plays').mkdir()
        (work / 'textfile').mkdir()
        (work / 'plays' / 'play.yml').write_text(PLAY)
        # The Markdown path is relative: it is written relative to the directory ansible-playbook runs in, not to
        # the playbook's (for pre_change_backup_check that would be inside the installed collection).
        run = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                              '-i', str(work / 'inventory.json'), '-f', '4', str(work / 'plays' / 'play.yml'),
                              '-e', 'backup_gate_junit_path=%s' % (work / 'gate.xml'),
                              '-e', 'backup_gate_markdown_path=gate.md',
                              '-e', 'backup_gate_prometheus_path=%s' % (work / 'textfile' / 'backupops.prom')],
                             env=ansible_env(), cwd=str(work), capture_output=True, text=True, timeout=300, check=False)
    assert (work / 'gate.xml').exists(), run.stdout[-4000:] + run.stderr[-2000:]
    assert not (work / 'plays' / 'gate.md').exists()
    return dict(junit=(work / 'gate.xml').read_text(), markdown=(work / 'gate.md').read_text(), secrets=secrets,
                textfile=sorted(os.listdir(work / 'textfile')),
                prometheus=(work / 'textfile' / 'backupops.prom').read_text())


def cases(junit):
    root = ElementTree.fromstring(junit.split('\n', 1)[1])
    found = {}
    for suite in root.iter('testsuite'):
        for case in suite.iter('testcase'):
            state = next((child for child in case if child.tag in ('failure', 'error')), None)
            found[(suite.get('name'), case.get('name'))] = (
                (state.tag, state.get('message')) if state is not None else ('pass', None))
    return found


def test_the_junit_file_validates_and_holds_every_tenant_and_check(reports):
    xmlschema.XMLSchema(SCHEMA).validate(reports['junit'])
    xmlschema.XMLSchema(os.path.join(SCHEMAS, 'ant-junit.xsd')).validate(reports['junit'])
    found = cases(reports['junit'])
    assert set(found) == {('passing', 'Azure VMs'), ('passing', 'Exchange'), ('blocked', 'Azure VMs'),
                          ('blocked', 'Dynamics'), ('unreachable', 'Azure VMs'), ('invalid', 'backup gate')}
    assert found[('passing', 'Azure VMs')] == ('pass', None) and found[('passing', 'Exchange')] == ('pass', None)
    state, message = found[('blocked', 'Azure VMs')]
    assert state == 'failure' and 'jobs failed' in message
    assert message.startswith('every IaaS + PaaS backup job of the tenant: last '), message
    state, message = found[('unreachable', 'Azure VMs')]
    assert state == 'error' and 'cannot connect to https://127.0.0.1:9' in message
    state, message = found[('invalid', 'backup gate')]
    assert state == 'error' and 'no verdict' in message


def test_the_junit_file_reads_in_test_views_failures_first_with_times_and_the_figures_the_gate_saw(reports):
    root = ElementTree.fromstring(reports['junit'].split('\n', 1)[1])
    # Blocked tenants first, the one that passed last; every case and suite has the time its checks took.
    assert [suite.get('name') for suite in root][-1] == 'passing'
    assert [case.get('name') for case in root.find("testsuite[@name='blocked']")
            if case.tag == 'testcase'] == ['Azure VMs', 'Dynamics']
    assert all(float(element.get('time')) >= 0 for element in root.iter() if element.tag in ('testsuite', 'testcase'))
    assert float(root.find("testsuite[@name='passing']/testcase").get('time')) > 0
    out = root.find("testsuite[@name='passing']/system-out").text
    assert 'Azure VMs: ok\n' in out and 'jobs_considered: ' in out
    failure = root.find("testsuite[@name='blocked']/testcase[@name='Dynamics']/failure").text
    assert 'newest accepted job: ' in failure and 'hours since: ' in failure
    # The parsers CI tools are built on read it whole, several tenants in one file.
    _suite, outcome = xunitparser.parse(io.StringIO(reports['junit']))
    assert (outcome.testsRun, len(outcome.failures), len(outcome.errors)) == (6, 2, 2)
    read = junitparser.JUnitXml.fromstring(reports['junit'].encode())
    assert sorted(suite.name for suite in read) == ['blocked', 'invalid', 'passing', 'unreachable']


def test_the_markdown_summary_shows_each_tenant_and_the_overall_verdict(reports):
    markdown = reports['markdown']
    assert markdown.startswith('# Backup gate: BLOCKED')
    for heading in ('## passing: PASSED', '## blocked: BLOCKED', '## unreachable: BLOCKED', '## invalid: BLOCKED'):
        assert heading in markdown.splitlines(), heading
    assert sum(1 for line in markdown.splitlines() if line.startswith('| ok | ')) == 2
    assert any(line.startswith('| FAIL | Dynamics | dynamics | every Dynamics 365 backup job of the tenant: last ') for line in markdown.splitlines())
    headings = [line for line in markdown.splitlines() if line.startswith('## ')]
    assert headings[-1] == '## passing: PASSED'
    # Every row of a blocked check says how old its newest accepted job is.
    for line in markdown.splitlines():
        if line.startswith('| FAIL |'):
            cells = line.split(' | ')
            assert cells[4] and cells[5], line


def test_the_metrics_file_is_written_whole_and_reads_in_prometheus(reports):
    assert reports['textfile'] == ['backupops.prom']  # no temporary file left beside it
    found = {}
    for family in text_string_to_metric_families(reports['prometheus']):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    check = (('check', 'Azure VMs'), ('source', 'vm'), ('tenant', 'passing'))
    assert found[('backupops_check_passed', check)] == 1
    assert 0 <= found[('backupops_check_hours_since_success', check)] < 24
    assert found[('backupops_check_passed', (('check', 'Dynamics'), ('source', 'dynamics'), ('tenant', 'blocked')))] == 0
    assert found[('backupops_check_passed', (('check', 'Azure VMs'), ('source', 'vm'), ('tenant', 'unreachable')))] == 0
    assert dict((labels[0][1], value) for (name, labels), value in found.items() if name == 'backupops_gate_passed') == {
        'passing': 1, 'blocked': 0, 'unreachable': 0, 'invalid': 0}
    for tenant in ('passing', 'blocked', 'unreachable', 'invalid'):
        assert abs(found[('backupops_gate_run_timestamp_seconds', (('tenant', tenant),))] - time.time()) < 600


@pytest.mark.bad_input
@pytest.mark.parametrize('name', ['gate_junit', 'gate_markdown', 'gate_prometheus'])
def test_the_filters_refuse_what_is_not_a_mapping_of_host_results(name):
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-m',
                          'ansible.builtin.debug', '-a', 'msg={{ [1] | backupops.jobs.%s }}' % name],
                         env=ansible_env(), capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode != 0
    assert '%s: the input must be a mapping of host: backup_gate_result, got the list [1]' % name in run.stdout
    assert 'Traceback' not in run.stdout + run.stderr


@pytest.mark.bad_input
def test_the_table_filter_refuses_what_is_not_one_hosts_result():
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-m',
                          'ansible.builtin.debug', '-a', 'msg={{ {"passed": true} | backupops.jobs.gate_table }}'],
                         env=ansible_env(), capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode != 0
    assert 'gate_table: the input must be a backup_gate_result (a mapping with a list of checks)' in run.stdout
    assert 'Traceback' not in run.stdout + run.stderr


def test_no_secret_reaches_the_files(reports):
    for text in (reports['junit'], reports['markdown']):
        for secret in reports['secrets']:
            assert secret not in text


def test_the_files_are_written_when_no_tenant_reaches_a_verdict(tmp_path):
    hosts = dict(broken=dict(backup_gate_checks=[dict(name='Azure VMs', source='vm', filters=dict(search_text=''))]))
    (tmp_path / 'inventory.json').write_text(json.dumps(dict(tenants=dict(hosts=hosts))))
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'inventory.json',
                          'backupops.jobs.pre_change_backup_check', '-e', 'backup_gate_hosts=tenants',
                          '-e', 'backup_gate_junit_path=gate.xml'],
                         env=ansible_env(), cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 2, run.stdout[-3000:]
    found = cases((tmp_path / 'gate.xml').read_text())
    assert found[('broken', 'backup gate')][0] == 'error'
