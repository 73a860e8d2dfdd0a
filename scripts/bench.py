#!/usr/bin/env python
"""Benchmark: each module through ansible-playbook, against the uri loop a user would write without the
collection, and against the lower bound the network allows.

    make bench                                    # N = 10,000 and 100,000 jobs, 20 ms round trip
    scripts/bench.py --jobs 10000 --runs 5        # (with the environment of scripts/setup.sh)

For every N it starts the emulator with N jobs per AvePoint API and N sessions on the VB365 server, and
an injected latency on every request. Per API it prints a table:

  module      the collection's module via ansible-playbook (max_concurrency 4, the largest page size);
  uri loop    ansible.builtin.uri: a token, the first page, then a loop over the other pages, same page
              size (run only up to --uri-max-jobs, since it takes minutes beyond);
  lower bound module start (ansible-playbook with one ansible.builtin.ping, run in turn with the module's runs,
              as this shared machine's speed drifts over minutes) + one token request +
              ceil(pages / concurrency) round trips, where concurrency is 1 for listings that only
              allow one page after the other (Google Workspace, VB365 v8);
  floor       what Ansible itself costs to return the same records: a module that reads them from a
              file and exits with them (no API), through ansible-playbook;
  bound + floor  the lower bound with the round trips added to the floor instead of to module start:
              the least a module that returns every record can take;
  summary_only  the same module with summary_only: true, which returns the summary and no list.

Then the gate (the backup_gate role through playbook pre_change_backup_check, forks 8) across 1, 8 and 50
tenants of 4 checks each (Dynamics, IaaS + PaaS, Google Workspace, VB365; one emulator, a tenant per
AvePoint app), against its floor: a playbook of one backupops.jobs.backup_gate_info task per tenant with
the same checks, the same inventory and forks.

Then backup_item_info (VB365 v8, the items of one organization) in organizations of --items-users users
(1,000 and 50,000 by default): checking 10 named users, against the lower bound: ansible-playbook's start plus
the same requests replayed by the leanest client (python-requests, a token, then every GET the module made,
max_concurrency at a time, none waiting for another) (their count should not grow with the organization:
only ProcessedObjects, which the API cannot filter, has more pages in a larger one); and listing every item of
the organization with summary_only, whose peak memory should stay under 100 MB.

Columns: median wall time of --runs runs, API requests made (the emulator's count), peak resident
memory of the module process (the largest process the interpreter wrapper saw), and the module's
ratios to the uri loop and to the lower bound. It prints figures; it asserts nothing.
"""

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from emulator.control import EmulatorProcess  # noqa: E402  (tests/ is put on the path just above)

AVEPOINT_PAGE, VB365_PAGE, CONCURRENCY = 100, 10000, 4
VB365_VERSION = 'v7'  # the newest version whose pages carry a total, so offsets can be fetched concurrently
APIS = {
    'dynamics': dict(module='backupops.jobs.dynamics_backup_job_info', path='/dynamicsbackup/jobs',
                     args=dict(job_type='all'), query=dict(type=0), page_param='pageIndex', first=1, step=1,
                     concurrent=True),
    'vm': dict(module='backupops.jobs.vm_backup_job_info', path='/backup/vm/jobs', args={}, query={},
               page_param='pageNumber', first=0, step=1, concurrent=True),
    'google': dict(module='backupops.jobs.google_backup_job_info', path='/backup/google/admin/jobs', args={},
                   query={}, page_param='pageIndex', first=0, step=1, concurrent=False),
    'vb365': dict(module='backupops.jobs.job_session_info', path='/%s/JobSessions' % VB365_VERSION, args={},
                  query={}, page_param='offset', first=0, step=VB365_PAGE, concurrent=True),
}
MODULE_PLAYBOOK = '''---
- name: List every job with the collection's module
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List the jobs
      %(module)s: %(args)s
      register: listing
    - name: Count the jobs
      ansible.builtin.debug:
        msg: "listed={{ listing.summary.count }}"
    - name: Keep the records for the floor measurement (not in the timed runs)
      ansible.builtin.copy:
        content: "{{ listing.%(items)s | to_json }}"
        dest: "{{ capture_path }}"
        mode: "0600"
      when: capture_path is defined
'''
FLOOR_PLAYBOOK = '''---
- name: Return the same records through Ansible, without any API
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Return the records
      echo_records:
        path: "{{ records_path }}"
        key: %(items)s
        secret: not-a-real-secret
      register: listing
    - name: Count the jobs
      ansible.builtin.debug:
        msg: "listed={{ listing.%(items)s | length }}"
'''
GATE_FLOOR_PLAYBOOK = '''---
- name: One backup_gate_info run per tenant, the least the gate can cost
  hosts: tenants
  gather_facts: false
  tasks:
    - name: Judge the checks of the tenant
      backupops.jobs.backup_gate_info:
        checks: "{{ backup_gate_checks }}"
        avepoint: "{{ backup_gate_avepoint }}"
        vb365: "{{ backup_gate_vb365 }}"
      delegate_to: localhost
      register: gate
    - name: Fail unless it passed
      ansible.builtin.assert:
        that: gate.passed
        quiet: true
'''
GATE_CHECKS = [dict(name='Dynamics 365', source='dynamics', max_age_hours=24),
               dict(name='Azure VMs', source='vm', max_age_hours=24),
               dict(name='Google Workspace', source='google', max_age_hours=24),
               dict(name='Exchange', source='vb365', filters=dict(job_name='Exchange daily'), max_age_hours=24)]
PING_PLAYBOOK = '''---
- name: Start one module
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
'''
# Runs the module's interpreter as a child and records the child's peak resident memory.
RSS_WRAPPER = '''#!%(python)s
import resource, subprocess, sys
code = subprocess.call([%(python)r] + sys.argv[1:])
with open(%(out)r, 'a') as handle:
    handle.write('%%d\\n' %% resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
'''


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--jobs', type=int, action='append', help='N; repeat for several (default 10000 and 100000)')
    parser.add_argument('--latency-ms', type=float, default=20.0)
    parser.add_argument('--runs', type=int, default=3, help='runs per measurement; the median is shown')
    parser.add_argument('--uri-max-jobs', type=int, default=10000, help='largest N the uri loop is run for')
    parser.add_argument('--uri-runs', type=int, default=1,
                        help='runs of the uri loop (40 s each at 10,000 jobs, so a second one adds little)')
    parser.add_argument('--large-runs', type=int, default=1,
                        help='runs per measurement for N above --uri-max-jobs (each takes a minute or so)')
    parser.add_argument('--apis', default=','.join(APIS), help='comma-separated subset of %s' % ', '.join(APIS))
    parser.add_argument('--tenants', default='1,8,50', help='tenant counts of the gate measurement; empty: none')
    parser.add_argument('--gate-runs', type=int, default=3, help='runs per gate measurement; the median is shown')
    parser.add_argument('--items-users', default='1000,50000',
                        help='organization sizes of the backup_item_info measurement; empty: none')
    parser.add_argument('--out', default=os.path.join(ROOT, '.build', 'bench'))
    return parser.parse_args()


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.out
        os.makedirs(self.work, exist_ok=True)
        self.rss_file = os.path.join(self.work, 'rss.txt')
        self.wrapper = os.path.join(self.work, 'python-rss')
        with open(self.wrapper, 'w') as handle:
            handle.write(RSS_WRAPPER % dict(python=sys.executable, out=self.rss_file))
        os.chmod(self.wrapper, 0o755)
        self.ping = self._write('ping.yml', PING_PLAYBOOK)

    def _write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, 'w') as handle:
            handle.write(text)
        return path

    def playbook(self, path, extra_vars, options=()):
        """Wall seconds of one ansible-playbook run, and the peak memory (MB) of the modules it ran."""
        if os.path.exists(self.rss_file):
            os.remove(self.rss_file)
        vars_file = self._write('vars.json', json.dumps(dict(extra_vars, ansible_python_interpreter=self.wrapper)))
        started = time.monotonic()
        env = dict(os.environ, ANSIBLE_LIBRARY=os.path.join(ROOT, 'tests', 'bench', 'library'))
        run = subprocess.run(['ansible-playbook', path, '-e', '@' + vars_file] + list(options), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, cwd=self.work, check=False, env=env)
        wall = time.monotonic() - started
        if run.returncode != 0:
            sys.exit('bench: %s failed:\n%s' % (os.path.basename(path), run.stdout[-3000:]))
        listed = [line for line in run.stdout.splitlines() if 'listed=' in line]
        with open(self.rss_file) as handle:
            peak_kb = max(int(line) for line in handle if line.strip())
        return wall, peak_kb / 1024.0, int(listed[-1].split('listed=')[1].strip(' "')) if listed else None

    def measure(self, emulator, path, extra_vars, runs, options=(), starts=None):
        """Median wall, peak memory, requests and records listed of ``runs`` runs; with ``starts`` (a list), a ping
        run before each run, its wall appended there."""
        walls, peaks, listed = [], [], None
        for _run in range(runs):
            if starts is not None:
                starts.append(self.playbook(self.ping, {})[0])
            emulator.clear()
            emulator.set_latency(self.args.latency_ms)
            wall, peak, listed = self.playbook(path, extra_vars, options)
            walls.append(wall)
            peaks.append(peak)
        return dict(wall=statistics.median(walls), peak=max(peaks), requests=len(emulator.requests()), listed=listed)


def connection(emulator, api):
    if api == 'vb365':
        return dict(emulator.vb365_connection(VB365_VERSION), page_size=VB365_PAGE, start_time='60d')
    return dict(emulator.avepoint_connection(), page_size=AVEPOINT_PAGE, start_time='60d')


def uri_vars(emulator, api, spec, known_total):
    if api == 'vb365':
        server = emulator.info['vb365']
        token = dict(token_url='%s/%s/token' % (server['url'], VB365_VERSION), ca_path=server['certificate'],
                     token_form=dict(grant_type='password', username=server['username'], password=server['password'],
                                     disable_antiforgery_token='true'))
        base, query, items, size = server['url'], dict(limit=VB365_PAGE), 'results', VB365_PAGE
    else:
        client = emulator.info['clients']['secret']
        token = dict(token_url=emulator.info['token_url'], ca_path=emulator.info['ca_path'],
                     token_form=dict(grant_type='client_credentials', scope=scope_of(api),
                                     **client))
        query = dict(spec['query'], pageSize=AVEPOINT_PAGE, startTime='2000-01-01T00:00:00Z',
                     finishTime='2100-01-01T00:00:00Z')
        base, items, size = emulator.url, 'jobs', AVEPOINT_PAGE
    return dict(token, list_url=base + spec['path'], query=query, page_param=spec['page_param'],
                first_value=spec['first'], step=spec['step'], page_size=size, items_key=items,
                total_key='totalCount', known_total=known_total)


def scope_of(api):
    return {'dynamics': 'dynamics.readwrite.all', 'vm': 'platformbackup.readwrite.all',
            'google': 'gsuite.graph.read.all'}[api]


def ratio(value, reference, digits=1):
    return '%.*fx' % (digits, value / reference) if reference else '-'


def main():
    args = parse_args()
    if not shutil.which('ansible-playbook'):
        sys.exit('bench: ansible-playbook is not on PATH; run it as make bench, or after eval "$(scripts/setup.sh)"')
    bench = Bench(args)
    apis = [api for api in args.apis.split(',') if api]
    report = ['# backupops.jobs benchmark: %d ms round trip, max_concurrency %d, page sizes %d (AvePoint) and %d '
              '(VB365 %s); median of %d runs (%d above N = %d, %d of the uri loop)'
              % (args.latency_ms, CONCURRENCY, AVEPOINT_PAGE, VB365_PAGE, VB365_VERSION, args.runs, args.large_runs,
                 args.uri_max_jobs, args.uri_runs)]
    for count in args.jobs or [10000, 100000]:
        state = os.path.join(bench.work, 'emulator-%d' % count)
        options = ['--jobs', count, '--vb365-jobs', math.ceil(count / 3.0), '--interval-hours', 720.0 / count]
        runs = args.runs if count <= args.uri_max_jobs else args.large_runs
        print('bench: starting the emulator with %d jobs per API ...' % count, flush=True)
        emulator = EmulatorProcess(state, *options).start(wait=120.0)
        try:
            emulator.set_latency(args.latency_ms)
            for api in apis:
                spec = APIS[api]
                print('bench: %s, N=%d ...' % (api, count), flush=True)
                items = 'sessions' if api == 'vb365' else 'jobs'
                module_args = dict(connection(emulator, api), max_concurrency=CONCURRENCY, **spec['args'])
                playbook = bench._write('%s.yml' % api, MODULE_PLAYBOOK % dict(
                    module=spec['module'], items=items, args=json.dumps(module_args)))
                starts = []
                module = bench.measure(emulator, playbook, {}, runs, starts=starts)
                summary_only = bench.measure(emulator, bench._write('%s-summary.yml' % api, MODULE_PLAYBOOK % dict(
                    module=spec['module'], items=items, args=json.dumps(dict(module_args, summary_only=True)))),
                    {}, runs, starts=starts)
                start = statistics.median(starts)
                records = os.path.join(bench.work, 'records-%s-%d.json' % (api, count))
                bench.playbook(playbook, dict(capture_path=records))
                floor = bench.measure(emulator, bench._write('floor-%s.yml' % api, FLOOR_PLAYBOOK % dict(items=items)),
                                      dict(records_path=records), runs)
                page_size = VB365_PAGE if api == 'vb365' else AVEPOINT_PAGE
                pages = max(1, math.ceil(module['listed'] / float(page_size)))
                rounds = math.ceil(pages / float(CONCURRENCY)) if spec['concurrent'] else pages
                network = (1 + rounds) * args.latency_ms / 1000.0
                bound = dict(start=start + network, floor=floor['wall'] + network)
                uri = None
                if count <= args.uri_max_jobs:
                    uri = bench.measure(emulator, os.path.join(ROOT, 'tests', 'bench', 'uri_loop.yml'),
                                        uri_vars(emulator, api, spec, module['listed']), args.uri_runs)
                report += table(api, count, module, uri, bound, floor, pages, summary_only)
        finally:
            emulator.stop()
    tenant_counts = [int(number) for number in args.tenants.split(',') if number.strip()]
    if tenant_counts:
        report += gate(bench, args, tenant_counts)
    organization_sizes = [int(number) for number in args.items_users.split(',') if number.strip()]
    if organization_sizes:
        report += item_bench(bench, args, organization_sizes)
    print('\n'.join(report))
    with open(os.path.join(bench.work, 'results.md'), 'w') as handle:
        handle.write('\n'.join(report) + '\n')


def table(api, count, module, uri, bound, floor, pages, summary_only):
    lines = ['', '%s, N = %d (%d listed, %d pages)' % (api, count, module['listed'], pages),
             '| run | wall s | requests | peak MB | module vs this |', '|---|---:|---:|---:|---:|',
             '| module | %.2f | %d | %.0f | |' % (module['wall'], module['requests'], module['peak'])]
    if uri is not None:
        speedup = ratio(uri['wall'], module['wall'])
        lines.append('| uri loop | %.2f | %d | | %s faster |' % (uri['wall'], uri['requests'], speedup))
    lines.append('| lower bound | %.2f | | | %s of it |' % (bound['start'], ratio(module['wall'], bound['start'])))
    lines.append('| floor: Ansible returning the records | %.2f | 0 | %.0f | |' % (floor['wall'], floor['peak']))
    lines.append('| lower bound + floor | %.2f | | | %s of it |' % (bound['floor'], ratio(module['wall'], bound['floor'])))
    lines.append('| summary_only | %.2f | %d | %.0f | %s faster; %s of the lower bound |'
                 % (summary_only['wall'], summary_only['requests'], summary_only['peak'],
                    ratio(module['wall'], summary_only['wall']), ratio(summary_only['wall'], bound['start'], 2)))
    return lines


def gate_inventory(emulator, names):
    """Tenants as inventory hosts, each with its own AvePoint app and the emulator's VB365 server."""
    hosts = {}
    for name in names:
        tenant = emulator.info['tenants'][name]
        avepoint = dict(emulator.avepoint_connection(), client_id=tenant['client_id'],
                        client_secret=tenant['client_secret'])
        hosts[name] = dict(backup_gate_avepoint=avepoint, backup_gate_vb365=emulator.vb365_connection('v8'))
    return dict(all=dict(children=dict(tenants=dict(hosts=hosts)), vars=dict(ansible_connection='local')))


def gate(bench, args, tenant_counts):
    """The role across tenants against one backup_gate_info run per tenant (the floor), forks 8."""
    names = ['tenant%02d' % number for number in range(1, max(tenant_counts) + 1)]
    state = os.path.join(bench.work, 'emulator-gate')
    print('bench: starting the emulator with %d tenants ...' % len(names), flush=True)
    emulator = EmulatorProcess(state, '--tenants', ','.join('%s=fresh' % name for name in names)).start(wait=120.0)
    floor_playbook = bench._write('gate-floor.yml', GATE_FLOOR_PLAYBOOK)
    lines = ['', 'The gate: %d checks per tenant (%s), forks 8, median of %d runs'
             % (len(GATE_CHECKS), ', '.join(check['source'] for check in GATE_CHECKS), args.gate_runs),
             '| tenants | role | floor: one backup_gate_info per tenant | role vs floor | API requests |',
             '|---:|---:|---:|---:|---:|']
    try:
        for count in tenant_counts:
            print('bench: the gate across %d tenants ...' % count, flush=True)
            inventory = bench._write('gate-inventory-%d.json' % count, json.dumps(gate_inventory(emulator, names[:count])))
            options = ['-i', inventory, '--forks', '8']
            extra = dict(backup_gate_checks=GATE_CHECKS, backup_gate_hosts='tenants')
            role = bench.measure(emulator, 'backupops.jobs.pre_change_backup_check', extra, args.gate_runs, options)
            floor = bench.measure(emulator, floor_playbook, extra, args.gate_runs, options)
            lines.append('| %d | %.2f s | %.2f s | %s | %d |' % (count, role['wall'], floor['wall'],
                                                                 ratio(role['wall'], floor['wall'], 2), role['requests']))
    finally:
        emulator.stop()
    return lines


def replay(emulator, logged, latency_ms):
    """Seconds the leanest client takes for the GET requests ``logged``: a token, then all of them max_concurrency
    at a time over kept-alive connections, none waiting for another's answer."""
    server = emulator.info['vb365']
    gets = [(entry['path'], entry['query']) for entry in logged if entry['method'] == 'GET']
    emulator.set_latency(latency_ms)
    started = time.monotonic()
    http = requests.Session()
    http.mount('https://', requests.adapters.HTTPAdapter(pool_connections=CONCURRENCY, pool_maxsize=CONCURRENCY))
    token = http.post(server['url'] + '/v8/token', verify=server['certificate'], timeout=60, data=dict(
        grant_type='password', username=server['username'], password=server['password'],
        disable_antiforgery_token='true')).json()['access_token']
    headers = dict(Authorization='Bearer ' + token)
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(lambda get: http.get(server['url'] + get[0], params=get[1], headers=headers, timeout=300,
                                           verify=server['certificate']).content, gets))
    return time.monotonic() - started


def item_bench(bench, args, sizes):
    """backup_item_info in organizations of ``sizes`` users: 10 named users, and every item with summary_only."""
    lines = ['', 'backup_item_info (VB365 v8, max_concurrency %d), median of %d runs' % (CONCURRENCY, args.runs),
             '| users | run | wall s | requests | peak MB | vs lower bound |', '|---:|---|---:|---:|---:|---:|']
    for size in sizes:
        state = os.path.join(bench.work, 'emulator-items-%d' % size)
        print('bench: starting the emulator with an organization of %d users ...' % size, flush=True)
        emulator = EmulatorProcess(state, '--jobs', 40, '--vb365-users', size).start(wait=120.0)
        try:
            story = emulator.vb365_objects()['users']
            names = sorted(user['name'] for user in story.values())[:10]
            base = dict(emulator.vb365_connection('v8'), max_concurrency=CONCURRENCY,
                        organization='contoso.onmicrosoft.com')
            runs = {}
            for label, extra in (('10 named users', dict(users=names)), ('every item, summary_only',
                                                                         dict(summary_only=True))):
                print('bench: backup_item_info, %s, %d users ...' % (label, size), flush=True)
                playbook = bench._write('items-%d.yml' % len(runs), MODULE_PLAYBOOK % dict(
                    module='backupops.jobs.backup_item_info', items='backup_items', args=json.dumps(dict(base, **extra))))
                starts = []
                runs[label] = result = bench.measure(emulator, playbook, {}, args.runs, starts=starts)
                bound = statistics.median(starts) + replay(emulator, emulator.requests('/v8/'), args.latency_ms)
                lines.append('| %d | %s | %.2f | %d | %.0f | %s |' % (
                    size, label, result['wall'], result['requests'], result['peak'], ratio(result['wall'], bound, 2)))
        finally:
            emulator.stop()
    return lines


if __name__ == '__main__':
    main()
