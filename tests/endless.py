"""Servers whose listings never end, for every API, and module runs in a child process whose peak memory is read.

    with endless_server('vb365', 'next') as server:
        run = run_in_child('job_session_info', endless_options('vb365', server))
        run.result, run.peak_mib, run.seconds

A listing never ends in one of two ways: a total of a billion (pages fetched by number, concurrently), or a next link
on every page; either way every page has new IDs. The records are the emulator's, in the window of any check (finished
an hour ago), so a gate counts every one of them. Used by tests/unit/plugins/modules/test_bounded_memory.py and
scripts/endless.py.
"""

import datetime
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from emulator import data
from emulator.vb365 import shape_session
from hostile import Answer, HostileServer, token

APIS = ('dynamics', 'vm', 'google', 'vb365')
KINDS = ('total', 'next')
MODULES = dict(dynamics='dynamics_backup_job_info', vm='vm_backup_job_info', google='google_backup_job_info',
               vb365='job_session_info')
PAGE_SIZES = dict(dynamics=100, vm=100, google=100, vb365=10000)
BILLION = 10 ** 9


def _templates(api, pad):
    """Records of ``api`` as the emulator serves them, finished an hour ago, each with ``pad`` more characters."""
    now = datetime.datetime.now(datetime.timezone.utc)
    start, finish = data.iso(now - datetime.timedelta(hours=2), 0), data.iso(now - datetime.timedelta(hours=1), 0)
    if api == 'vb365':
        server = data.build_vb365('endless', 25, now)
        records = [shape_session('v8', session) for session in server['sessions']]
        for record in records:
            record.update(creationTime=start, endTime=finish, status='Success', jobType='Backup',
                          jobId=server['jobs'][0]['id'])
        jobs = server['jobs']
    else:
        records = [data.public(job) for job in data.build_jobs('endless', 100, now)[api]]
        for record in records:
            record.update(startTime=start, finishTime=finish)
        jobs = None
    for record in records:
        record['comments'] = 'x' * pad
    return records, jobs


def endless_server(api, kind, pad=0):
    """A HostileServer whose listing of ``api`` never ends (``kind``: 'total' or 'next'), with new IDs on every page."""
    templates, jobs = _templates(api, pad)
    pages = itertools.count()
    lock = threading.Lock()

    def page_of(size):
        with lock:
            number = next(pages)
        records = []
        for index in range(size):
            record = dict(templates[index % len(templates)])
            record['id' if api == 'vb365' else 'jobId'] = 'endless-%d-%d' % (number, index)
            records.append(record)
        return number, records

    def answer(request):
        if request.method == 'POST':
            return token('endless-token-0123456789')
        vb365 = api == 'vb365'
        if vb365 and request.path == '/v8/Jobs':
            return Answer(body=dict(results=jobs))
        if vb365 and request.path.endswith('/logout'):
            return Answer(body={})
        size = int(request.query.get('limit' if vb365 else 'pageSize', ['1000' if vb365 else '100'])[0])
        number, records = page_of(size)
        body = {('results' if vb365 else 'jobs'): records}
        if kind == 'total':
            body['totalCount'] = BILLION
        elif vb365:
            body['_links'] = dict(next=dict(href='/v8/JobSessions?offset=%d&limit=%d' % ((number + 1) * size, size)))
        else:
            body['nextLink'] = 'token-%d' % (number + 1)
        return Answer(body=body)
    return HostileServer(answer)


def endless_options(api, server):
    """The options of ``api``'s module for ``server``."""
    if api == 'vb365':
        return server.vb365(validate_certs=False)
    return server.avepoint()


def gate_options(api, server):
    """backup_gate_info's options with one check of ``api`` against ``server``."""
    check = dict(name='endless', source=api, max_age_hours=24)
    if api == 'vb365':
        return dict(checks=[check], vb365=endless_options(api, server))
    return dict(checks=[check], avepoint=endless_options(api, server))


class ChildRun:
    def __init__(self, result, peak_mib, seconds, stderr):
        self.result, self.peak_mib, self.seconds, self.stderr = result, peak_mib, seconds, stderr


def _child_environment():
    """This process's environment, with the folder that holds this collection's ansible_collections on the path:
    ansible-test finds the collection through an import hook of its own, which a child process does not inherit."""
    import ansible_collections.backupops.jobs.plugins.module_utils._paging as paging  # pylint: disable=import-outside-toplevel
    collections = os.path.abspath(os.path.join(os.path.dirname(paging.__file__), *(['..'] * 5)))
    path = os.environ.get('PYTHONPATH')
    return dict(os.environ, PYTHONPATH=collections + (os.pathsep + path if path else ''))


def run_in_child(module, args, timeout=600):
    """Run ``module`` (a module's name) with ``args`` in a child Python, as Ansible would; its result, its own peak
    resident memory (from wait4, so no other child counts) and its wall time."""
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump(dict(ANSIBLE_MODULE_ARGS=args), handle)
    started = time.monotonic()
    try:
        child = subprocess.Popen([sys.executable, '-m', 'ansible_collections.backupops.jobs.plugins.modules.' + module,
                                  handle.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_child_environment())
        output = {}
        readers = [threading.Thread(target=lambda name=name: output.__setitem__(name, getattr(child, name).read()))
                   for name in ('stdout', 'stderr')]
        for reader in readers:
            reader.start()
        killer = threading.Timer(timeout, child.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join()
    finally:
        os.unlink(handle.name)
    seconds = time.monotonic() - started
    stdout = output['stdout'].decode('utf-8', 'replace')
    try:
        result = json.loads(stdout[stdout.index('{'):])
    except ValueError:
        result = dict(failed=True, msg='no JSON result: %s' % stdout[-2000:])
    return ChildRun(result, usage.ru_maxrss / 1024.0, seconds, output['stderr'].decode('utf-8', 'replace'))
