"""What the gate prints and writes for CI describes this run only, and a server's text in it is data.

Each test runs the backup_gate role through ansible-playbook with the gate callback and the files for CI:
- twice in one playbook, the first gate passing and the second refused before judging: the second must not be
  reported with the first one's pass;
- against a hostile VB365 server whose job names and API message carry terminal escapes, a right-to-left override,
  Markdown links and megabytes: the output shows them as escapes, links as text, and quotes them within a bound.
"""

import json
import os
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from conftest import ansible_env
from emulator.control import EmulatorProcess
from hostile import Answer, HostileServer, token

NO_VERDICT = 'the gate reached no verdict for this host (it failed before judging its checks)'
ESCAPES = '\x1b[2K\x1b[1A'
FAKE_PASS = ESCAPES + 'BACKUP GATE PASSED: every host passed'
RLO = '\u202e'
LINK = '[click](http://evil.example)'
BIDI_AND_CONTROLS = [chr(code) for code in list(range(0, 9)) + list(range(11, 32)) + list(range(127, 160))] + [
    '\u061c', '\u200e', '\u200f'] + [chr(code) for code in range(0x202a, 0x202f)] + [chr(code) for code in range(0x2066, 0x206a)]


def run_playbook(work, play, inventory):
    (work / 'inventory.json').write_text(json.dumps(inventory))
    (work / 'play.yml').write_text(play)
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'inventory.json',
                           'play.yml', '-e', 'backup_gate_junit_path=gate.xml', '-e', 'backup_gate_markdown_path=gate.md'],
                          env=ansible_env(dict(ANSIBLE_STDOUT_CALLBACK='backupops.jobs.gate')), cwd=str(work),
                          capture_output=True, text=True, timeout=300, check=False)


def closing_line(stdout):
    return [line for line in stdout.splitlines() if line.strip()][-1]


def junit_cases(path):
    root = ElementTree.fromstring(path.read_text().split('\n', 1)[1])
    return root, dict(((suite.get('name'), case.get('name')), next(
        ((child.tag, child.get('type'), child.get('message')) for child in case if child.tag in ('failure', 'error')),
        ('pass', None, None))) for suite in root.iter('testsuite') for case in suite.iter('testcase'))


# The same tenant judged twice: once as asked, then with a check the role refuses before any request.
TWICE = '''
- name: First gate
  hosts: tenants
  gather_facts: false
  roles:
    - role: backupops.jobs.backup_gate

- name: Second gate
  hosts: tenants
  gather_facts: false
  tasks:
    - name: Judge again, with a check that is refused
      ansible.builtin.include_role:
        name: backupops.jobs.backup_gate
      vars:
        backup_gate_checks: [{name: vm, source: vm, filters: {service_type: ''}}]
'''


@pytest.mark.verdict
def test_a_second_gate_that_fails_before_judging_is_no_pass(tmp_path):
    with EmulatorProcess(tmp_path / 'emulator', '--tenants', 'fresh=fresh', '--jobs', 30) as emulator:
        info = emulator.info
        avepoint = dict(api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
                        client_id=info['tenants']['fresh']['client_id'],
                        client_secret=info['tenants']['fresh']['client_secret'], retries=0)
        run = run_playbook(tmp_path, TWICE, dict(tenants=dict(hosts=dict(tenant=dict(
            backup_gate_checks=[dict(name='vm', source='vm')], backup_gate_avepoint=avepoint)))))
    out = run.stdout + run.stderr
    # The first gate passed: its table is printed before the second gate starts.
    assert 'tenant: BACKUP GATE PASSED: 1 check passed' in run.stdout, out[-3000:]
    assert run.returncode == 2, out[-3000:]
    assert closing_line(run.stdout) == 'BACKUP GATE REFUSED: tenant refused (failed before a verdict, see above)'
    root, cases = junit_cases(tmp_path / 'gate.xml')
    # The totals are the suites' (the strict Ant schema allows no attribute on testsuites).
    assert [(suite.get('tests'), suite.get('failures'), suite.get('errors')) for suite in root] == [('1', '0', '1')]
    assert cases == {('tenant', 'backup gate'): ('error', 'no_verdict', NO_VERDICT)}
    markdown = (tmp_path / 'gate.md').read_text()
    assert markdown.startswith('# Backup gate: BLOCKED\n') and '## tenant: BLOCKED' in markdown
    assert 'the gate reached no verdict for this host' in markdown and 'PASSED' not in markdown


def hostile_vb365(request):
    """A VB365 server whose job names carry escapes, a bidi override, a link and 3 MB, and whose sessions listing
    fails with an API message that paints a fake pass."""
    if request.path == '/v8/token':
        return token()
    if request.path == '/v8/token/logout':
        return Answer(body={})
    if request.path == '/v8/Jobs':
        names = [FAKE_PASS, RLO + 'exe.txt', LINK, 'z' * (3 * 1024 * 1024)]
        return Answer(body=dict(results=[dict(id='job-%d' % index, name=name, description='', isEnabled=True)
                                         for index, name in enumerate(names)], totalCount=len(names)))
    return Answer(status=500, body=dict(message='%s %s %s' % (FAKE_PASS, RLO + 'cod.exe', LINK)))


@pytest.mark.hostile
def test_a_hostile_servers_text_is_shown_as_data_within_a_bound(tmp_path):
    with HostileServer(hostile_vb365) as server:
        hosts = dict(
            # job_name matches none of the server's jobs: the error quotes what the server listed.
            names=dict(backup_gate_checks=[dict(name='mail', source='vb365', filters=dict(job_name='Exchange daily'))],
                       backup_gate_vb365=server.vb365()),
            # Every listing fails: the error quotes the API's message.
            message=dict(backup_gate_checks=[dict(name='mail', source='vb365')], backup_gate_vb365=server.vb365()))
        run = run_playbook(tmp_path, '- hosts: tenants\n  gather_facts: false\n  roles:\n'
                                     '    - role: backupops.jobs.backup_gate\n', dict(tenants=dict(hosts=hosts)))
    out = run.stdout + run.stderr
    assert run.returncode == 2, out[-3000:]
    assert closing_line(run.stdout) == 'BACKUP GATE BLOCKED: message, names blocked', out[-3000:]
    junit, markdown = (tmp_path / 'gate.xml').read_text(), (tmp_path / 'gate.md').read_text()
    for text in (run.stdout, junit, markdown):
        assert not [character for character in BIDI_AND_CONTROLS if character in text]
    # What the server sent is still there to read, as escapes: the reason quotes it.
    assert '\\u001b[2K\\u001b[1ABACKUP GATE PASSED' in run.stdout
    assert '\\u202eexe.txt' in run.stdout and '\\u202ecod.exe' in run.stdout
    # The fake closing line is no line of its own, and the 3 MB name is cut: every quote is bounded.
    assert not [line for line in run.stdout.splitlines() if line.startswith('BACKUP GATE PASSED')]
    assert 'z' * 400 not in out + junit + markdown
    assert len(run.stdout) < 10000 and len(junit) < 20000 and len(markdown) < 10000, len(run.stdout)
    _root, cases = junit_cases(tmp_path / 'gate.xml')
    assert cases[('names', 'mail')][0] == 'error' and "no job named 'Exchange daily'" in cases[('names', 'mail')][2]
    assert cases[('message', 'mail')][0] == 'error' and LINK in cases[('message', 'mail')][2]
    # In the Markdown the link is text, and neither it nor the bare URL can be followed.
    assert '](http' not in markdown and 'http://' not in markdown
    assert '\\[click\\]\\(http\\://evil.example\\)' in markdown
