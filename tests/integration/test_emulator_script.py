"""scripts/emulator.sh as a newcomer meets it: a usage line, a hint to run the setup first, and exports for
the AVEPOINT_* and VB365_* options that the modules read."""

import os
import shlex
import subprocess

from conftest import COLLECTION_ROOT

SCRIPT = os.path.join(COLLECTION_ROOT, 'scripts', 'emulator.sh')


def script(*args, env=None):
    return subprocess.run(['bash', SCRIPT] + [str(arg) for arg in args], env=env or dict(os.environ),
                          capture_output=True, text=True, timeout=60, check=False)


def test_no_or_unknown_arguments_print_the_usage():
    for args in ((), ('start',), ('restart', '/tmp/x')):
        run = script(*args)
        assert run.returncode == 2 and run.stderr.startswith('usage: ') and 'start STATE_DIR' in run.stderr, run


def test_without_the_setup_environment_it_says_to_run_the_setup(tmp_path):
    run = script('start', tmp_path, env=dict(PATH='/usr/bin:/bin', HOME=str(tmp_path)))
    assert run.returncode == 1
    assert 'scripts/setup.sh' in run.stderr and 'command not found' not in run.stderr, run.stderr


def test_start_prints_avepoint_and_vb365_exports_that_work(tmp_path, ansible_run):
    run = script('start', tmp_path / 'state', '--jobs', 5)
    try:
        assert run.returncode == 0, run.stderr
        exports = dict(shlex.split(line)[1].split('=', 1) for line in run.stdout.splitlines())
        assert {'AVEPOINT_API_URL', 'AVEPOINT_CLIENT_SECRET', 'VB365_URL', 'VB365_USERNAME', 'VB365_PASSWORD',
                'VB365_CA_PATH'} <= set(exports)
        listed = ansible_run('ansible', 'localhost', '-m', 'backupops.jobs.job_session_info', '-a', 'start_time=1d',
                             env=exports)
        assert listed.returncode == 0 and '"sessions": [' in listed.stdout, listed.stdout + listed.stderr
    finally:
        script('stop', tmp_path / 'state')
