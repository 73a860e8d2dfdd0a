"""No process outlives the run that started it: not the emulators of tests that ansible-test units runs in forked
processes (whose teardown never runs), not an emulator whose starting script is killed, and make's targets end
and name whatever a command left behind (scripts/no-leftovers.py)."""

import os
import signal
import subprocess
import sys
import time

import ansible_test
import pytest

from conftest import COLLECTION_ROOT

pytestmark = pytest.mark.skipif(not os.path.isdir('/proc/self'), reason='processes are listed from /proc (Linux)')

FORKED_PLUGINS = os.path.join(os.path.dirname(ansible_test.__file__), '_util', 'target', 'pytest', 'plugins')
NO_LEFTOVERS = os.path.join(COLLECTION_ROOT, 'scripts', 'no-leftovers.py')


def processes_naming(path):
    """{pid: command line} of the running processes whose command line names ``path`` or a file under it."""
    found = {}
    path = str(path)
    for name in os.listdir('/proc'):
        try:
            with open('/proc/%s/cmdline' % name, 'rb') as handle:
                cmdline = handle.read().replace(b'\0', b' ').decode('utf-8', 'replace')
            with open('/proc/%s/stat' % name) as handle:
                zombie = handle.read().rsplit(')', 1)[1].split()[0] == 'Z'
        except (OSError, IndexError):
            continue
        if (path + ' ' in cmdline + ' ' or path + os.sep in cmdline) and not zombie:
            found[int(name)] = cmdline
    return found


def still_running(path, within=10.0):
    """The processes naming ``path`` that are still there after ``within`` seconds (to let them notice and end);
    they are ended here, so that a failing test leaves nothing behind either."""
    deadline = time.monotonic() + within
    while processes_naming(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = processes_naming(path)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def test_tests_forked_by_ansible_test_leave_no_emulator(tmp_path):
    # As scripts/ansible-test.sh units runs them: pytest-xdist, and each test in a fork of its own (ansible-test's
    # ansible_forked plugin). Two tests sharing a module-scoped emulator: each fork starts one, and the forks
    # end with os._exit, so only the last one's teardown runs.
    env = dict(os.environ, TMPDIR=str(tmp_path), PYTEST_PLUGINS='ansible_forked',
               PYTHONPATH=os.pathsep.join([os.environ.get('PYTHONPATH', ''), FORKED_PLUGINS]))
    assert not processes_naming(tmp_path)
    run = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-n', '1', '-q',
                          '--basetemp', str(tmp_path / 'base'), '-k', 'one_session or each_tenant',
                          'tests/unit/plugins/modules/test_record_shape.py'],
                         cwd=COLLECTION_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    left = still_running(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert '2 passed' in run.stdout, run.stdout[-3000:]
    started = [name for name in os.listdir(tmp_path / 'base' / 'popen-gw0') if name.startswith('shapes')]
    assert len(started) == 2, started  # one emulator per forked test, besides the session's
    assert left == {}


def test_an_emulator_ends_with_the_script_that_started_it_even_when_killed(tmp_path):
    owner = subprocess.Popen(['sleep', '300'])
    try:
        started = subprocess.run(['bash', os.path.join(COLLECTION_ROOT, 'scripts', 'emulator.sh'), 'start',
                                  tmp_path / 'state', '--jobs', '5', '--owner-pid', str(owner.pid)],
                                 capture_output=True, text=True, timeout=120, check=False)
        assert started.returncode == 0, started.stderr
        assert processes_naming(tmp_path)
    finally:
        owner.kill()  # as a script is when its trap cannot run
        owner.wait()
    assert still_running(tmp_path) == {}


def test_no_leftovers_ends_and_names_what_a_command_left_running(tmp_path):
    marker = tmp_path / 'left-behind'
    sleeper = '"$0" -c "import time; time.sleep(300)" %s & exit 0' % marker
    run = subprocess.run([sys.executable, NO_LEFTOVERS, 'bash', '-c', sleeper, sys.executable],
                         env=dict(os.environ, BACKUPOPS_LEFTOVER_GRACE='0.5'), capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 1
    assert 'no-leftovers: bash left 1 process(es) running; ending them:' in run.stderr
    assert 'time.sleep(300) %s' % marker in run.stderr
    assert processes_naming(marker) == {}


def test_no_leftovers_passes_on_the_exit_status_of_a_tidy_command():
    run = subprocess.run([sys.executable, NO_LEFTOVERS, 'bash', '-c', 'sleep 0.2 & wait; exit 3'],
                         capture_output=True, text=True, timeout=60, check=False)
    assert (run.returncode, run.stderr) == (3, '')
