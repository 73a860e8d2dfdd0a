"""The gate's closing words and ansible-playbook's exit codes agree on every path, and with the README's table.

Each path is one run of backupops.jobs.pre_change_backup_check through the gate callback against the emulator:
passed, blocked (a failing check, and a listing that failed), refused (a check refused, a missing connection
option), not enforced, unreachable, no host to judge and --skip-tags. The README's exit code table is then read
row by row and must hold exactly the (exit code, closing word) pairs the runs produced.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import COLLECTION_ROOT, ansible_env
from emulator.control import EmulatorProcess

FRESH = [dict(name='vm', source='vm')]
MAIL = [dict(name='mail', source='vb365', filters=dict(job_name='Exchange daily'))]
# path: (hosts {host: (tenant, checks, extra host vars)}, extra arguments, expected exit code, expected closing line)
PATHS = {
    'passed': (dict(fresh=('fresh', FRESH, {})), [], 0, 'BACKUP GATE PASSED: fresh passed'),
    'blocked': (dict(stale=('stale', FRESH, {}), fresh=('fresh', FRESH, {})), [], 2,
                'BACKUP GATE BLOCKED: stale blocked; fresh passed'),
    'listing_failed': (dict(down=('fresh', FRESH, dict(api_url='https://127.0.0.1:9'))), [], 2,
                       'BACKUP GATE BLOCKED: down blocked'),
    'refused_check': (dict(bad=('fresh', [dict(name='vm', source='vm', filters=dict(service_type=''))], {}),
                           fresh=('fresh', FRESH, {})), [], 2,
                      'BACKUP GATE REFUSED: bad refused (failed before a verdict, see above); fresh passed'),
    # The environment of the runs has no VB365_URL, and the host gives no backup_gate_vb365.
    'missing_connection': (dict(novb=('fresh', MAIL, None), stale=('stale', FRESH, {})), [], 2,
                           'BACKUP GATE REFUSED: novb refused (failed before a verdict, see above); stale blocked'),
    'not_enforced': (dict(stale=('stale', FRESH, {})), ['-e', 'backup_gate_enforce=false'], 0,
                     'BACKUP GATE NOT ENFORCED: stale blocked, not enforced (backup_gate_enforce is false)'),
    # The gate's module runs delegated to localhost: a localhost that cannot be reached leaves every host unjudged.
    'unreachable': (dict(fresh=('fresh', FRESH, {}), localhost=None), [], 4,
                    'BACKUP GATE NO VERDICT: no verdict for fresh (unreachable, see above)'),
    'no_host': (dict(fresh=('fresh', FRESH, {})), ['-e', 'backup_gate_hosts=nosuch'], 4,
                "BACKUP GATE NO VERDICT: the backup gate host pattern 'nosuch' matches no inventory host"),
    'skip_tags': (dict(fresh=('fresh', FRESH, {})), ['--skip-tags', 'backup_gate'], 4,
                  'BACKUP GATE NO VERDICT: the backup gate cannot be skipped: --skip-tags backup_gate would skip it'),
}


def write_inventory(emulator, hosts, path):
    info = emulator.info
    tenants, others = {}, {}
    for host, spec in hosts.items():
        if spec is None:
            # Unreachable: nothing listens on port 9.
            others[host] = dict(ansible_connection='ssh', ansible_host='127.0.0.1', ansible_port=9)
            continue
        tenant, checks, connection = spec
        variables = dict(backup_gate_checks=checks)
        if connection is not None:
            variables.update(
                backup_gate_avepoint=dict(dict(api_url=info['https_url'], identity_url=info['token_url'],
                                               ca_path=info['ca_path'], client_id=info['tenants'][tenant]['client_id'],
                                               client_secret=info['tenants'][tenant]['client_secret'], retries=0),
                                          **connection),
                backup_gate_vb365=emulator.vb365_connection(tenant=tenant))
        tenants[host] = variables
    path.write_text(json.dumps(dict(tenants=dict(hosts=tenants), others=dict(hosts=others))))
    return path


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """{path: (exit code, closing line)}: the last line of the output, or the run's error when it ends before a play."""
    work = tmp_path_factory.mktemp('words')
    done = {}
    with EmulatorProcess(work / 'emulator', '--tenants', 'fresh=fresh,stale=stale', '--vb365-shape', 'fresh') as emulator:
        for name, (hosts, extra, _code, _line) in PATHS.items():
            inventory = write_inventory(emulator, hosts, work / ('%s.json' % name))
            run = subprocess.run(
                [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), 'backupops.jobs.pre_change_backup_check',
                 '-i', str(inventory), '-e', 'backup_gate_hosts=tenants'] + extra,
                env=ansible_env(dict(ANSIBLE_STDOUT_CALLBACK='backupops.jobs.gate')), cwd=COLLECTION_ROOT,
                capture_output=True, text=True, timeout=300, check=False)
            lines = [line for line in run.stdout.splitlines() if line.strip()]
            errors = [line[line.index('BACKUP GATE'):] for line in run.stderr.splitlines() if 'BACKUP GATE' in line]
            closing = errors[0] if errors and not lines else (lines[-1] if lines else '')
            done[name] = (run.returncode, closing, run.stdout + run.stderr)
    return done


@pytest.mark.parametrize('path', sorted(PATHS))
def test_each_path_exits_with_the_code_of_its_closing_word(runs, path):
    code, closing, out = runs[path]
    assert (code, closing[:len(PATHS[path][3])]) == (PATHS[path][2], PATHS[path][3]), out[-3000:]


def readme_exit_codes():
    """(exit code, closing word) of each row of the README's exit code table that names a closing word."""
    with open(os.path.join(COLLECTION_ROOT, 'README.md')) as handle:
        text = handle.read()
    table = text[text.index('| exit code |'):]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.strip().startswith('|'):
            break
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        word = re.match(r'`(BACKUP GATE [A-Z ]+)`', cells[1])
        if word:
            rows.append((int(cells[0]), word.group(1)))
    return rows


def test_the_readme_table_gives_each_closing_word_the_code_the_runs_exit_with(runs):
    produced = set((code, re.match(r'BACKUP GATE [A-Z ]+(?=:)', closing).group()) for code, closing, _out in runs.values())
    rows = readme_exit_codes()
    assert len(rows) == len(set(word for _code, word in rows)), rows
    assert set(rows) == produced
