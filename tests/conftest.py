"""Fixtures shared by the unit and integration tests: one emulator per test session, and ways to run a
module in-process or through ansible-playbook and ansible."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

# The emulator package lives beside this file; ansible-test units loads this file without tests/ on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator.control import EmulatorProcess  # noqa: E402
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_RELEASE  # noqa: E402

# The tests run on the oldest and the newest ansible-core the collection supports (scripts/test.sh, part
# oldest-ansible); where the two differ in what they do for a module, a test asks which one it runs on.
ANSIBLE_CORE = tuple(int(part) for part in ANSIBLE_CORE_RELEASE.split('.')[:2])

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# scripts/reliability.py sets this: every module run and every secrets check is written to it as a line of JSON.
RELIABILITY_LOG = os.environ.get('BACKUPOPS_RELIABILITY_LOG')
SHARED = {}


def pytest_configure(config):
    for marker, meaning in (('fault', 'an injected API fault (make reliability counts these)'),
                            ('bad_input', 'a bad option value (make reliability counts these)'),
                            ('secrets', 'a search of all output for secrets (make reliability counts these)'),
                            ('hostile', 'a hostile server on loopback (make reliability counts these)'),
                            ('fuzz', 'arbitrary answers or options (make reliability counts these)'),
                            ('verdict', 'a verdict output of this run only (make reliability counts these)')):
        config.addinivalue_line('markers', '%s: %s' % (marker, meaning))


def record_for_reliability(test, **fields):
    if RELIABILITY_LOG:
        with open(RELIABILITY_LOG, 'a') as handle:
            handle.write(json.dumps(dict(fields, test=test)) + '\n')


def has_traceback(text):
    return 'Traceback (most recent call last)' in text


def pytest_sessionstart(session):
    """One emulator per test process, started before any test: ansible-test units runs each test in a forked
    child, which inherits it from here instead of starting one of its own."""
    if not hasattr(session.config, 'workerinput') and session.config.getoption('numprocesses', None):
        return  # the pytest-xdist controller runs no tests
    # A short token lifetime would make every test renew; the expiry tests expire tokens on demand instead.
    SHARED['emulator'] = EmulatorProcess(tempfile.mkdtemp(prefix='backupops-emulator-'), '--jobs', 240).start()
    SHARED['owner'] = os.getpid()


def pytest_sessionfinish(session):
    if SHARED.get('owner') == os.getpid():
        running = SHARED.pop('emulator')
        running.stop()
        shutil.rmtree(running.state_dir, ignore_errors=True)


@pytest.fixture(scope='session')
def emulator():
    return SHARED['emulator']


@pytest.fixture
def fresh_emulator(emulator):
    """The session's emulator with its request log and faults cleared."""
    emulator.clear()
    yield emulator
    emulator.clear()


class ModuleResult(dict):
    """What a module printed on exit, plus whether it failed."""

    @property
    def failed(self):
        return bool(self.get('failed'))

    @property
    def warnings(self):
        """Warning texts; ansible-core 2.19+ sends them as structured events, older ones as strings."""
        return [warning if isinstance(warning, str) else warning['event']['msg']
                for warning in self.get('warnings', [])]


def module_args(args):
    """The arguments a module run in this process reads: ansible-core 2.19+ has a helper that encodes them as it
    would; 2.17 and 2.18 read them as JSON from AnsibleModule's module-level copy."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:
        from unittest import mock
        from ansible.module_utils import basic
        return mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode())
    return patch_module_args(args)


@pytest.fixture
def run_module(capsys, monkeypatch, request):
    """Run a module's main() in this process with the given arguments and return its JSON result."""
    # Arguments come from the test alone: no AVEPOINT_* from the developer's shell.
    for name in list(os.environ):
        if name.startswith('AVEPOINT_') or name.startswith('VB365_'):
            monkeypatch.delenv(name)

    from ansible.module_utils.common import warnings

    def run(module, **args):
        capsys.readouterr()
        # A real module runs in a fresh process; in-process runs must not inherit each other's warnings.
        for store in ('_global_warnings', '_global_deprecations'):
            getattr(warnings, store).clear()
        # A module sets the switch interval of its own process; this process keeps its own.
        interval = sys.getswitchinterval()
        try:
            with module_args(args):
                with pytest.raises(SystemExit):
                    module.main()
        finally:
            sys.setswitchinterval(interval)
        out = capsys.readouterr().out
        result = ModuleResult(json.loads(out))
        record_for_reliability(request.node.nodeid, failed=result.failed,
                               traceback=has_traceback(out) or 'exception' in result)
        return result
    return run


def argument_spec(module, monkeypatch):
    """The module's argument spec, as main() builds it."""
    from ansible.module_utils import basic

    class Captured(Exception):
        pass

    def capture(self, argument_spec, **kwargs):
        raise Captured(argument_spec)
    monkeypatch.setattr(basic.AnsibleModule, '__init__', capture)
    try:
        module.main()
    except Captured as captured:
        return captured.args[0]
    raise AssertionError('main() built no AnsibleModule')


def ansible_env(extra=None):
    env = dict(os.environ)
    for name in list(env):
        if name.startswith('AVEPOINT_') or name.startswith('VB365_'):
            del env[name]
    env.update(ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    env.update(extra or {})
    return env


@pytest.fixture
def ansible_run(request):
    """Run ansible or ansible-playbook with the collection on its path; returns the CompletedProcess. With
    ``as_read=True`` its stderr is in its stdout, in the order written: what a terminal or a CI log shows."""
    bin_dir = os.path.dirname(sys.executable)

    def run(command, *args, env=None, cwd=None, as_read=False):
        done = subprocess.run([os.path.join(bin_dir, command)] + [str(arg) for arg in args],
                              env=ansible_env(env), cwd=cwd or COLLECTION_ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if as_read else subprocess.PIPE, text=True,
                              timeout=300, check=False)
        record_for_reliability(request.node.nodeid, failed=done.returncode != 0,
                               traceback=has_traceback(done.stdout + (done.stderr or '')))
        return done
    return run


def write_gate_play(work, hosts):
    """A play that runs the backup_gate role on ``hosts`` without enforcing it and writes each host's
    backup_gate_result to ``work/<host>.json``; returns its path."""
    play = os.path.join(str(work), 'gate.yml')
    with open(play, 'w') as handle:
        handle.write(GATE_PLAY % (hosts, work))
    return play


GATE_PLAY = '''
- hosts: %s
  gather_facts: false
  roles:
    - role: backupops.jobs.backup_gate
      backup_gate_enforce: false
  post_tasks:
    - ansible.builtin.copy:
        content: "{{ backup_gate_result | to_json }}"
        dest: "%s/{{ inventory_hostname }}.json"
      delegate_to: localhost
'''
