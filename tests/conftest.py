"""Fixtures shared by the unit and integration tests: one emulator per test session, and ways to run a
module in-process or through ansible-playbook and ansible."""

import json
import os
import subprocess
import sys

import pytest

from emulator.control import EmulatorProcess

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    # A short token lifetime would make every test renew; the expiry tests expire tokens on demand instead.
    with EmulatorProcess(tmp_path_factory.mktemp('emulator'), '--jobs', 240) as running:
        yield running


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


@pytest.fixture
def run_module(capsys, monkeypatch):
    """Run a module's main() in this process with the given arguments and return its JSON result."""
    from ansible.module_utils.testing import patch_module_args

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
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        out = capsys.readouterr().out
        return ModuleResult(json.loads(out))
    return run


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
def ansible_run():
    """Run ansible or ansible-playbook with the collection on its path; returns the CompletedProcess."""
    bin_dir = os.path.dirname(sys.executable)

    def run(command, *args, env=None, cwd=None):
        return subprocess.run([os.path.join(bin_dir, command)] + [str(arg) for arg in args],
                              env=ansible_env(env), cwd=cwd or COLLECTION_ROOT, capture_output=True, text=True,
                              timeout=300, check=False)
    return run
