"""Start, stop and steer an emulator process from Python (tests and scripts)."""

import json
import os
import signal
import subprocess
import sys
import time

import requests

EMULATOR_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class EmulatorProcess:
    """A running emulator: its URLs and credentials (from emulator.json) and its control endpoints."""

    def __init__(self, state_dir, *options):
        self.state_dir = str(state_dir)
        self.options = [str(option) for option in options]
        self.process = None
        self.info = None

    # It starts in about a second; the wait is only a ceiling, wide enough for a 2-core machine under load (a
    # fresh-clone run sharing the machine with a stress test once took over 15 s).
    def start(self, wait=60.0):
        path = os.path.join(self.state_dir, 'emulator.json')
        if os.path.exists(path):
            os.remove(path)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([EMULATOR_ROOT, os.environ.get('PYTHONPATH', '')]))
        # Tied to this process: a test runner that forks each test (ansible-test units) ends the fork without
        # the fixture's teardown, and a script may be killed before its finally; the emulator goes with it.
        self.process = subprocess.Popen([sys.executable, '-m', 'emulator', '--state-dir', self.state_dir,
                                         '--owner-pid', str(os.getpid())] + self.options,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + wait
        while not os.path.exists(path):
            if self.process.poll() is not None:
                raise RuntimeError('emulator exited: %s' % self.process.stderr.read().decode())
            if time.time() > deadline:
                self.stop()
                raise RuntimeError('emulator did not start within %s s' % wait)
            time.sleep(0.05)
        with open(path) as handle:
            self.info = json.load(handle)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return self.info['https_url']

    def _control(self, method, path, **kwargs):
        response = requests.request(method, self.url + '/_emulator/' + path, verify=self.info['ca_path'],
                                    timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def requests(self, path_prefix='/'):
        """Requests the API endpoints got (control calls excluded), oldest first."""
        return [entry for entry in self._control('GET', 'requests') if entry['path'].startswith(path_prefix)]

    def clear(self):
        self._control('DELETE', 'requests')
        self._control('DELETE', 'faults')
        self._control('DELETE', 'concurrency')
        self._control('DELETE', 'vb365/starts')
        self.set_latency(0)

    def set_latency(self, ms):
        """Delay every API request by ``ms`` milliseconds from now on."""
        return self._control('PUT', 'latency', json=dict(ms=ms))

    def most_in_flight(self):
        """The most API requests the emulator was answering at once since the last clear()."""
        return self._control('GET', 'concurrency')['most_in_flight']

    def fault(self, path, status=None, count=1, **details):
        """Disturb the next ``count`` requests to ``path`` (a prefix), after letting ``after`` of them through:
        answer with ``status`` (and ``body``, ``retry_after``), or ``delay`` seconds first, ``reset`` the
        connection mid-body, ``expire_tokens``, or make jobs ``arrive`` or ``vanish`` (of ``tenant`` and
        ``api``) and then answer normally."""
        return self._control('POST', 'faults', json=dict(path=path, status=status, count=count, **details))

    def issued_tokens(self):
        """Every access and refresh token the emulator has issued."""
        return self._control('GET', 'tokens')

    def expire_tokens(self):
        return self._control('POST', 'tokens/expire')

    def jobs(self, api, tenant='contoso'):
        """The tenant's jobs of one API as the emulator holds them (camelCase, newest first)."""
        return self._control('GET', 'jobs/%s/%s' % (tenant, api))

    def vb365(self, tenant=None):
        """The shared VB365 server's (or a tenant's own server's) jobs, sessions (all fields, oldest first) and log
        items by session."""
        params = dict(user=self.info['tenants'][tenant]['vb365']['username']) if tenant else None
        return self._control('GET', 'vb365', params=params)

    def vb365_objects(self, tenant=None):
        """The shared VB365 server's (or a tenant's own server's) organizations, repositories, jobs and story objects
        with their names and IDs (emulator.objects.describe)."""
        params = dict(user=self.info['tenants'][tenant]['vb365']['username']) if tenant else None
        return self._control('GET', 'vb365/objects', params=params)

    def plan_starts(self, seconds=None, plans=()):
        """How VB365 job starts go from now on (every server): started sessions run ``seconds``, and the next ones end
        as ``plans`` say in turn (dicts of ``status`` Success, Warning or Failed, optional ``errors``, the log lines
        that say why, and ``seconds``); then Success. clear() goes back to --vb365-start-seconds and Success."""
        asked = dict(plans=list(plans))
        if seconds is not None:
            asked['seconds'] = seconds
        return self._control('PUT', 'vb365/starts', json=asked)

    def set_vb365_job(self, job_id, tenant=None, **fields):
        """Change a VB365 job of the shared server (or of a tenant's own): ``schedulePolicy`` (completed with VB365's
        defaults), ``isEnabled``, ``lastRun``, ``lastBackup``, ``nextRun`` (else it follows the schedule)."""
        params = dict(user=self.info['tenants'][tenant]['vb365']['username']) if tenant else None
        return self._control('PATCH', 'vb365/jobs/%s' % job_id, params=params, json=fields)

    def vb365_connection(self, version='v8', tenant=None):
        """Connection options of job_session_info for this emulator's VB365 listener: the shared server, or with
        ``tenant`` the tenant's own."""
        server = self.info['vb365']
        login = self.info['tenants'][tenant]['vb365'] if tenant else server
        return dict(url=server['url'], api_version=version, username=login['username'], password=login['password'],
                    ca_path=server['certificate'])

    def avepoint_connection(self, auth='secret'):
        """Connection options of the AvePoint modules for this emulator, with secret or certificate auth."""
        options = dict(api_url=self.url, identity_url=self.info['token_url'], ca_path=self.info['ca_path'])
        options.update(self.info['clients'][auth])
        return options
