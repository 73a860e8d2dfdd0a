"""The backup_gate role through ansible-playbook against emulator tenants of every shape.

One play covers the scenarios: each inventory host is a tenant (or a variant of one) with its own
checks and credentials in host vars, as users run the gate across tenants. The role runs with
enforcement off so every verdict can be read back; enforcement has tests of its own.
"""

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from conftest import ansible_env, write_gate_play
from emulator.control import EmulatorProcess

TENANTS = 'fresh=fresh,stale=stale,failed=failed,running=running,warning=warning,big=fresh:400'
EVERY_SOURCE = [dict(name='dynamics', source='dynamics', filters=dict(job_type='backup')),
                dict(name='vm', source='vm'), dict(name='google', source='google'), dict(name='vb365', source='vb365')]
SCENARIOS = {
    'pass': ('fresh', EVERY_SOURCE),
    'stale': ('stale', EVERY_SOURCE[:3]),
    'failed_only': ('failed', EVERY_SOURCE[:3]),
    'running': ('running', EVERY_SOURCE[:3]),
    'warning_refused': ('warning', EVERY_SOURCE[:2]),
    'warning_accepted': ('warning', [dict(check, accept=['success', 'warning']) for check in EVERY_SOURCE[:2]]),
    'many_pages': ('big', [dict(name='vm 30 days', source='vm', max_age_hours=720, min_successes=150)]),
    'unreachable': ('fresh', [dict(name='vm', source='vm')]),
    'no_checks': ('fresh', []),
}


def inventory(emulator, scenarios, path):
    info = emulator.info
    hosts = {}
    for host, (tenant, checks) in scenarios.items():
        avepoint = dict(api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
                        client_id=info['tenants'][tenant]['client_id'],
                        client_secret=info['tenants'][tenant]['client_secret'], retries=0)
        if host == 'unreachable':
            avepoint.update(api_url='https://127.0.0.1:9', identity_url='https://127.0.0.1:9/connect/token')
        hosts[host] = dict(backup_gate_checks=checks, backup_gate_avepoint=avepoint,
                           backup_gate_vb365=emulator.vb365_connection())
    path.write_text(json.dumps(dict(scenarios=dict(hosts=hosts))))
    return path


@pytest.fixture(scope='module')
def gate_emulator(tmp_path_factory):
    with EmulatorProcess(tmp_path_factory.mktemp('gate-emulator'), '--tenants', TENANTS, '--vb365-shape', 'fresh') as running:
        yield running


@pytest.fixture(scope='module')
def verdicts(gate_emulator, tmp_path_factory):
    work = tmp_path_factory.mktemp('gate')
    play = write_gate_play(work, 'scenarios')
    hosts = inventory(gate_emulator, SCENARIOS, work / 'inventory.json')
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', str(hosts),
                          '-f', '5', str(play)], env=ansible_env(), capture_output=True, text=True, timeout=600,
                         check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return dict((host, json.loads((work / ('%s.json' % host)).read_text())) for host in SCENARIOS)


def judgement(reason):
    """A reason without what an unfiltered check covers ('every IaaS + PaaS backup job of the tenant: ')."""
    return re.sub(r'^every [^:]+: ', '', reason)


def checks_of(verdict):
    return dict((check['name'], check) for check in verdict['checks'])


def test_fresh_tenant_passes_every_source(verdicts):
    result = verdicts['pass']
    assert result['passed'] is True
    for check in result['checks']:
        assert check['passed'] and judgement(check['reason']).startswith('newest success is'), check
        assert 0 <= check['hours_since_success'] < 2 and check['jobs_considered'] >= 6
        assert check['latest_success']['id']


def test_stale_tenant_says_how_old_the_newest_success_is(verdicts):
    result = verdicts['stale']
    assert result['passed'] is False
    for check in result['checks']:
        assert not check['passed'] and check['jobs_considered'] == 0
        assert judgement(check['reason']).startswith('no backup job in the last 24 h; newest success is 3'), check['reason']


def test_failed_only_tenant_counts_the_failures(verdicts):
    for check in verdicts['failed_only']['checks']:
        assert not check['passed'] and re.match(r'last \d+ jobs failed; newest success is', judgement(check['reason'])), check


def test_a_running_job_is_not_a_success(verdicts):
    for check in verdicts['running']['checks']:
        assert not check['passed'] and judgement(check['reason']).startswith('job still running'), check['reason']


def test_warning_counts_only_when_the_check_accepts_it(verdicts):
    assert verdicts['warning_refused']['passed'] is False
    for check in verdicts['warning_refused']['checks']:
        assert judgement(check['reason']).startswith(
            'newest job ended with warnings, which this check does not accept')
    assert verdicts['warning_accepted']['passed'] is True


def test_many_pages_are_all_read(verdicts, gate_emulator):
    [check] = verdicts['many_pages']['checks']
    assert check['passed'] is True and check['jobs_considered'] >= 200


def test_an_unreachable_api_blocks(verdicts):
    [check] = verdicts['unreachable']['checks']
    assert not check['passed'] and judgement(check['reason']).startswith('could not list the jobs: ')
    assert 'cannot connect to https://127.0.0.1:9' in check['reason']


def test_no_checks_do_not_pass(verdicts):
    result = verdicts['no_checks']
    assert (result['passed'], result['checks']) == (False, []) and result['checked_at'].endswith('Z')


def test_enforced_gate_fails_the_play_naming_every_failing_check(gate_emulator, ansible_run, tmp_path):
    hosts = inventory(gate_emulator, dict(failed=('failed', EVERY_SOURCE[:2])), tmp_path / 'inventory.json')
    run = ansible_run('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i', hosts,
                      '-e', 'backup_gate_hosts=scenarios')
    assert run.returncode == 2
    assert 'Backup gate blocked the change: dynamics, vm failed' in run.stdout, run.stdout[-3000:]
    assert re.search(r'FAIL +dynamics +dynamics +last \d+ jobs failed; newest success is [\d.]+ h old', run.stdout)
    assert 'BACKUP GATE BLOCKED: 2 of 2 checks failed' in run.stdout


def gate_run_with_the_callback(gate_emulator, ansible_run, tmp_path, scenarios):
    """The run's output as its reader sees it, warnings of upstream libraries included (stderr in stdout)."""
    hosts = inventory(gate_emulator, scenarios, tmp_path / 'inventory.json')
    return ansible_run('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i', hosts,
                       '-e', 'backup_gate_hosts=scenarios', env=dict(ANSIBLE_STDOUT_CALLBACK='backupops.jobs.gate'),
                       as_read=True)


def test_the_gate_callback_prints_a_blocked_run_as_its_verdicts(gate_emulator, ansible_run, tmp_path):
    """What a pipeline's log shows: per tenant one table, failures without a task-source excerpt, each failing
    check named once in its tenant's closing message and each reason once, and one closing verdict."""
    run = gate_run_with_the_callback(gate_emulator, ansible_run, tmp_path, dict(
        fresh=('fresh', EVERY_SOURCE), failed=('failed', EVERY_SOURCE[:3] + [dict(name='mail', source='vb365')])))
    out = run.stdout
    assert run.returncode == 2, out[-3000:]
    for noise in ('Origin:', '^ column', 'TASK [', 'included:', 'Validating arguments', 'PLAY RECAP', '"msg"'):
        assert noise not in out, (noise, out)
    lines = out.splitlines()
    assert lines[-1] == 'BACKUP GATE BLOCKED: failed blocked; fresh passed', out
    [closing] = [line for line in lines if line.startswith('failed: Backup gate blocked the change: ')]
    assert closing == 'failed: Backup gate blocked the change: dynamics, vm, google failed'
    failing = [line for line in lines if line.startswith('  FAIL  ')]
    assert [line.split()[1] for line in failing] == ['dynamics', 'vm', 'google']
    for line in failing:
        reason = line.split(None, 3)[3]
        assert re.match(r'last \d+ jobs failed; newest success is [\d.]+ h old$', judgement(reason)), line
        assert out.count(reason) == 1, reason
    assert 'failed: BACKUP GATE BLOCKED: 3 of 4 checks failed' in lines
    assert 'fresh: BACKUP GATE PASSED: 4 checks passed' in lines
    # The demo's budget is 150 lines for three runs; one run of two tenants stays a screenful.
    assert len(lines) <= 16, out


def test_the_gate_callback_says_when_a_check_is_refused(gate_emulator, ansible_run, tmp_path):
    run = gate_run_with_the_callback(gate_emulator, ansible_run, tmp_path, dict(
        bad=('fresh', [dict(name='x', source='vm', filters=dict(organization_id='o'))]), fresh=('fresh', EVERY_SOURCE[:1])))
    out = run.stdout
    assert run.returncode == 2 and 'Origin:' not in out, out
    assert 'source vm takes the filters search_text, service_type, job_type, not organization_id' in out
    assert out.splitlines()[-1] == 'BACKUP GATE REFUSED: bad refused (failed before a verdict, see above); fresh passed', out


def test_a_filter_the_source_does_not_take_is_refused(gate_emulator, ansible_run, tmp_path):
    bad = [dict(name='vm', source='vm', filters=dict(organization_id='x'))]
    hosts = inventory(gate_emulator, dict(bad=('fresh', bad)), tmp_path / 'inventory.json')
    run = ansible_run('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i', hosts,
                      '-e', 'backup_gate_hosts=scenarios')
    assert run.returncode != 0
    assert 'check vm: source vm takes the filters search_text, service_type, job_type, not organization_id' in run.stdout


def test_argument_spec_refuses_an_unknown_source(gate_emulator, ansible_run, tmp_path):
    hosts = inventory(gate_emulator, dict(bad=('fresh', [dict(name='x', source='netbackup')])), tmp_path / 'inventory.json')
    run = ansible_run('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i', hosts,
                      '-e', 'backup_gate_hosts=scenarios')
    assert run.returncode != 0 and 'netbackup' in run.stdout and 'dynamics, vm, google, vb365' in run.stdout


REPORT_CHECKS = [dict(name='Azure VMs', source='vm'), dict(name='Exchange', source='vb365', filters=dict(job_name='Exchange daily'))]


def write_report(ansible_run, emulator, tmp_path, scenarios, *extra):
    hosts = inventory(emulator, scenarios, tmp_path / 'inventory.json')
    report = tmp_path / 'report.html'
    run = ansible_run('ansible-playbook', 'backupops.jobs.backup_report', '-i', hosts, '-e', 'backup_gate_hosts=scenarios',
                      '-e', json.dumps(dict(backup_gate_checks=REPORT_CHECKS, backup_report_path=str(report))), *extra)
    return run, report


@pytest.fixture(scope='module')
def report_page(gate_emulator, tmp_path_factory):
    """The report of a healthy and a failing tenant, as the playbook writes it, and the gate's verdicts."""
    work = tmp_path_factory.mktemp('report')
    hosts = inventory(gate_emulator, dict(fresh=('fresh', REPORT_CHECKS), failed=('failed', REPORT_CHECKS)),
                      work / 'inventory.json')
    report = work / 'report.html'
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), 'backupops.jobs.backup_report',
                          '-i', str(hosts), '-e', 'backup_gate_hosts=scenarios',
                          '-e', json.dumps(dict(backup_gate_checks=REPORT_CHECKS, backup_report_path=str(report)))],
                         env=ansible_env(), capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:]
    assert 'Backup report of fresh, failed written to %s: 1 passed, 1 blocked' % report in run.stdout
    return report


def test_the_report_through_the_gate_callback_names_what_it_covered_and_gives_no_verdict(
        gate_emulator, ansible_run, tmp_path):
    """The report covers every tenant: its line is not under the name of the one it ran on, and the run's last line
    (no gate ran) reads as the end of a run, not as a verdict that a blocked tenant would contradict."""
    hosts = inventory(gate_emulator, dict(fresh=('fresh', REPORT_CHECKS), failed=('failed', REPORT_CHECKS)),
                      tmp_path / 'inventory.json')
    report = tmp_path / 'report.html'
    run = ansible_run('ansible-playbook', 'backupops.jobs.backup_report', '-i', hosts, '-e', 'backup_gate_hosts=scenarios',
                      '-e', json.dumps(dict(backup_gate_checks=REPORT_CHECKS, backup_report_path=str(report))),
                      env=dict(ANSIBLE_STDOUT_CALLBACK='backupops.jobs.gate'))
    assert run.returncode == 0, run.stdout[-3000:]
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines == ['Backup health report', 'changed: Write the report',
                     'Backup report of fresh, failed written to %s: 1 passed, 1 blocked' % report,
                     'Run ended: no task failed on failed, fresh'], run.stdout


def test_report_gives_each_tenant_its_verdict_failing_first_with_the_gates_reasons(report_page, gate_emulator):
    page = report_page.read_text()
    # The verdicts come first: the blocked tenant before the healthy one, in the summary and in the sections.
    headline = page.index('class="headline blocked"')
    assert headline < page.index('<table class="summary">') < page.index('<h2 ')
    assert '1 of 2 tenant(s) would block a change: failed</div>' in page
    assert page.index('>failed</a>') < page.index('>fresh</a>') and page.index('>failed <span') < page.index('>fresh <span')
    assert page.count('<tr class="check failing">') == 1 and page.count('<tr class="check passing">') == 3
    failed_section = page[page.index('>failed <span'):page.index('>fresh <span')]
    # The failing check is first in its tenant, with the gate's verdict and reason in the words the gate prints.
    assert failed_section.index('Azure VMs') < failed_section.index('Exchange')
    assert re.search(r'<td class="reason">(every [^:<]+: )?last \d+ jobs failed; newest success is [\d.]+ h old</td>',
                     failed_section)
    assert re.search(r'<td class="reason">newest success is [\d.]+ h old \(\d+ accepted in the last 24 h\)</td>', page)
    # The newest accepted backup beside the maximum age, the window apart from the report's days.
    assert re.search(r'class="num age-old">[\d.]+ h ago<span class="small">\d{4}-\d\d-\d\d \d\d:\d\d UTC</span>'
                     r'<span class="small narrow">max age 24 h</span></td>\s*<td class="num wide">24 h</td>', failed_section)
    assert 'class="num age-ok"' in page and 'Jobs, last 7 days' in page and 'maximum age' in page
    # Outcomes of the report's days, durations and readable times in the job tables.
    # Each check's days twice: in its column on a screen, below it on a phone.
    assert page.count('class="day"') == 2 * 4 * 7
    since = datetime.now(timezone.utc) - timedelta(days=7)
    vm_jobs = [job for job in gate_emulator.jobs('vm', tenant='failed')
               if datetime.fromisoformat(job['startTime'].replace('Z', '+00:00')) >= since]
    assert '>%d failed</span>' % sum(1 for job in vm_jobs if job['status'] == 16) in failed_section
    assert re.search(r'<td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td><td class="num">(\d+ h )?\d+ (min|s)', page)
    # Self-contained: nothing is fetched from anywhere when the page is opened.
    assert '<script' not in page and 'src=' not in page and '@import' not in page and 'url(' not in page
    assert set(re.findall(r'href="([^"]*)"', page)) == {'#tenant-1', '#tenant-2'}


class DevTools:
    """Chromium's DevTools protocol over the pipe of --remote-debugging-pipe: commands on the browser's fd 3,
    answers and events from its fd 4, each a JSON text ended by a NUL."""

    def __init__(self, browser, commands, answers):
        self.browser, self.commands, self.answers = browser, commands, answers
        self.events, self.pending, self.next_id = [], b'', 0

    def send(self, method, session=None, **params):
        self.post(method, session, **params)
        answer = self.read_until(lambda message: message.get('id') == self.next_id)
        assert 'error' not in answer, (method, answer)
        return answer['result']

    def post(self, method, session=None, **params):
        """Send a command without waiting for its answer."""
        self.next_id += 1
        message = dict(id=self.next_id, method=method, params=params)
        if session:
            message['sessionId'] = session
        os.write(self.commands, json.dumps(message).encode() + b'\0')

    def read_until(self, wanted, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            while b'\0' in self.pending:
                text, self.pending = self.pending.split(b'\0', 1)
                message = json.loads(text)
                if 'method' in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            assert time.monotonic() < deadline and self.browser.poll() is None, 'chromium did not answer'
            if select.select([self.answers], [], [], 0.5)[0]:
                self.pending += os.read(self.answers, 1 << 20)


def high_fd(fd):
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


@contextlib.contextmanager
def chromium(tmp_path, *flags):
    """A headless Chromium driven over --remote-debugging-pipe: (DevTools, the session of a blank tab). Ended, and
    its pipes closed, on the way out."""
    # The browser reads commands on its fd 3 and writes answers on its fd 4; bash puts the pipe ends there
    # (numbers of 10 and up, so that no end is one of 3 and 4 before it is moved).
    to_browser, commands, answers, from_browser = [high_fd(end) for end in os.pipe() + os.pipe()]
    browser = subprocess.Popen(['bash', '-c', 'exec "$0" "$@" 3<&%d 4>&%d %d<&- %d>&-'
                                % (to_browser, from_browser, to_browser, from_browser),
                                'chromium', '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                                '--remote-debugging-pipe', '--window-size=1400,2000',
                                '--user-data-dir=%s' % (tmp_path / 'profile')] + list(flags) + ['about:blank'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(to_browser, from_browser))
    os.close(to_browser)
    os.close(from_browser)
    devtools = DevTools(browser, commands, answers)
    try:
        target = devtools.send('Target.createTarget', url='about:blank')['targetId']
        session = devtools.send('Target.attachToTarget', targetId=target, flatten=True)['sessionId']
        yield devtools, session
        devtools.post('Browser.close')  # the browser may end before it answers
        assert browser.wait(timeout=60) == 0
    finally:
        if browser.poll() is None:
            browser.kill()
            browser.wait()
        os.close(commands)
        os.close(answers)


def load(devtools, session, page):
    devtools.send('Page.enable', session)
    devtools.send('Page.navigate', session, url=page.as_uri())
    devtools.read_until(lambda message: message.get('method') == 'Page.loadEventFired'
                        and message.get('sessionId') == session)


def hosts_chromium_asks_for(page, tmp_path):
    """Chromium draws ``page`` (a screenshot) with every connection refused (a proxy that listens nowhere); the
    hosts of the requests the page made. The browser's own requests (updates, time, sign-in: whatever a
    given Chromium build calls at start) are not the page's, so they are not counted: they come from no page."""
    refuser = socket.socket()
    refuser.bind(('127.0.0.1', 0))  # bound, never listening: connections to it are refused
    try:
        with chromium(tmp_path, '--proxy-server=http://127.0.0.1:%d' % refuser.getsockname()[1],
                      '--proxy-bypass-list=<-loopback>') as (devtools, session):
            devtools.send('Network.enable', session)
            load(devtools, session, page)
            screenshot = devtools.send('Page.captureScreenshot', session, format='png')['data']
    finally:
        refuser.close()
    assert base64.b64decode(screenshot).startswith(b'\x89PNG')
    requested = [event['params']['request']['url'] for event in devtools.events
                 if event['method'] == 'Network.requestWillBeSent' and event.get('sessionId') == session]
    assert page.as_uri() in requested  # the page itself: the recording works
    return set(urlsplit(url).hostname or url for url in requested if url != page.as_uri())


# What a reader sees of the header of each table of checks: the box of each header cell and of its text, the
# table's width, and whether the page is wider than the screen (a phone then shrinks it to fit).
HEADER_LAYOUT = """JSON.stringify({
  page: document.documentElement.scrollWidth, screen: window.innerWidth,
  viewport: !!document.querySelector('meta[name=viewport]'),
  tables: Array.from(document.querySelectorAll('table.checks')).map(table => ({
    width: table.getBoundingClientRect().width,
    cells: Array.from(table.rows[0].cells).filter(cell => cell.getClientRects().length).map(cell => {
      const box = cell.getBoundingClientRect(), range = document.createRange();
      range.selectNodeContents(cell);
      const text = Array.from(range.getClientRects()).filter(line => line.width > 0);
      return {name: cell.textContent.trim(), box: [box.left, box.top, box.right, box.bottom],
              text: text.map(line => [line.left, line.top, line.right, line.bottom])};
    })}))})"""


def header_layouts(page, tmp_path, widths):
    """{width: HEADER_LAYOUT at that width} as Chromium lays ``page`` out on a screen of each width (a phone's
    when narrow: mobile emulation, which honours the viewport tag or lays the page out 980 px wide without one),
    with a screenshot of each beside the page for a person to look at."""
    layouts = {}
    with chromium(tmp_path) as (devtools, session):
        for width in widths:
            devtools.send('Emulation.setDeviceMetricsOverride', session, width=width, height=900,
                          deviceScaleFactor=1, mobile=width < 600)
            load(devtools, session, page)
            layouts[width] = json.loads(devtools.send('Runtime.evaluate', session, expression=HEADER_LAYOUT,
                                                      returnByValue=True)['result']['value'])
            shot = devtools.send('Page.captureScreenshot', session, format='png', captureBeyondViewport=True)['data']
            (tmp_path / ('report-%d.png' % width)).write_bytes(base64.b64decode(shot))
    return layouts


def overlap(one, other):
    return min(one[2], other[2]) - max(one[0], other[0]) > 0.5 and min(one[3], other[3]) - max(one[1], other[1]) > 0.5


@pytest.mark.skipif(not shutil.which('chromium'), reason='chromium is not installed (Debian: apt-get install chromium), '
                    'so the report is not rendered; test_report_gives_each_tenant_its_verdict... still checks that '
                    'it names nothing outside the page')
def test_report_renders_in_chromium_without_the_network(report_page, tmp_path):
    control = tmp_path / 'control.html'
    control.write_text('<img src="https://fonts.googleapis.com/x.png"><link rel="stylesheet" href="http://cdn.example.com/a.css">')
    assert hosts_chromium_asks_for(control, tmp_path) == {'fonts.googleapis.com', 'cdn.example.com'}
    assert hosts_chromium_asks_for(report_page, tmp_path) == set()


@pytest.mark.skipif(not shutil.which('chromium'), reason='chromium is not installed (Debian: apt-get install chromium)')
def test_report_reads_on_a_desktop_a_laptop_and_a_phone(report_page, tmp_path):
    """At 1280, 1024 and 390 px the page fits the screen, no header cell's text runs into another cell, and the
    gate's reason keeps at least a third of its table: an engineer on call can read why a tenant is blocked."""
    layouts = header_layouts(report_page, tmp_path, (1280, 1024, 390))
    for width, layout in layouts.items():
        assert layout['viewport'] and layout['screen'] == width, (width, layout)
        assert layout['page'] <= width, (width, layout['page'])  # nothing wider than the screen
        assert len(layout['tables']) == 2
        for table in layout['tables']:
            cells = table['cells']
            names = [cell['name'] for cell in cells]
            assert "Gate's reason" in names and 'Verdict' in names and 'Newest accepted backup' in names, names
            reason = cells[names.index("Gate's reason")]
            assert reason['box'][2] - reason['box'][0] >= table['width'] / 3, (width, reason, table['width'])
            for index, cell in enumerate(cells):
                # Each header's text inside its own cell (a word wider than its column would overprint the next).
                assert all(line[0] >= cell['box'][0] - 0.5 and line[2] <= cell['box'][2] + 0.5
                           for line in cell['text']), (width, cell)
                for other in cells[index + 1:]:
                    assert not overlap(cell['box'], other['box']), (width, cell, other)
                    assert not any(overlap(line, other_line) for line in cell['text'] for other_line in other['text']), (
                        width, cell, other)
    # On a phone the columns that would crowd the reason move out of the table; on a screen they stay.
    assert len(layouts[1280]['tables'][0]['cells']) == 8 and len(layouts[390]['tables'][0]['cells']) == 4


def test_report_warns_of_a_check_it_could_not_list_and_fails_unless_told_not_to(gate_emulator, ansible_run, tmp_path):
    scenarios = dict(unreachable=('fresh', REPORT_CHECKS[:1]), fresh=('fresh', REPORT_CHECKS[:1]))
    run, report = write_report(ansible_run, gate_emulator, tmp_path, scenarios)
    out = run.stdout + run.stderr
    assert run.returncode == 2, out[-3000:]
    # ansible-core before 2.19 wraps a warning at the terminal's width.
    flat = ' '.join(out.split())
    assert re.search(r'\[WARNING\]: check Azure VMs: could not list the jobs: .*cannot connect to https://127.0.0.1:9', flat)
    assert 'the jobs of Azure VMs could not be listed' in out
    page = report.read_text()
    assert '<td class="reason error">could not list the jobs: ' in page and page.index('>unreachable</a>') < page.index('>fresh</a>')
    run, report = write_report(ansible_run, gate_emulator, tmp_path, scenarios, '-e', 'backup_report_fail_on_error=false')
    assert run.returncode == 0, run.stdout[-3000:]
    assert '[WARNING]: check Azure VMs: could not list the jobs: ' in ' '.join((run.stdout + run.stderr).split())


HOSTILE = '<script>alert(1)</script>'


def test_report_escapes_every_field_an_api_or_a_check_gives(ansible_run, tmp_path):
    """Ids, names and error bodies are the API's or the user's words, and none of them may become markup in
    the page; times that do not parse are not shown at all (the modules return them as null)."""
    recent = (datetime.now(timezone.utc) - timedelta(hours=2)).strftime('%Y-%m-%dT%H:%M:%SZ')
    vm_jobs = dict(totalCount=2, jobs=[
        dict(jobId=HOSTILE + 'id', status=HOSTILE + 'status', startTime=HOSTILE + 'start', finishTime=HOSTILE + 'end'),
        dict(jobId='vm-ok', status=2, startTime=recent, finishTime=HOSTILE + 'finish')])
    checks = [dict(name=HOSTILE + 'check', source='vm'), dict(name='vb365', source='vb365'),
              dict(name='dynamics', source='dynamics')]
    with EmulatorProcess(tmp_path / 'emulator', '--tenants', 'fresh=fresh', '--vb365-shape', 'fresh') as emulator:
        # Sessions of a real backup job, so the listing keeps them.
        job_id = emulator.vb365()['jobs'][0]['id']
        sessions = dict(offset=0, limit=10000, results=[
            dict(id=HOSTILE + 'session', status=HOSTILE, creationTime=HOSTILE + 'created', endTime=recent,
                 jobId=job_id, jobType='Backup'),
            dict(id='s-two', status='Success', creationTime=recent, endTime=HOSTILE + 'ended', jobId=job_id,
                 jobType='Backup')])
        emulator.fault('/backup/vm/jobs', 200, count=5, body=json.dumps(vm_jobs), content_type='application/json')
        emulator.fault('/v8/JobSessions', 200, count=5, body=json.dumps(sessions), content_type='application/json')
        emulator.fault('/dynamicsbackup/jobs', 400, count=5, body=HOSTILE + 'message', content_type='text/html')
        hosts = inventory(emulator, dict(fresh=('fresh', checks)), tmp_path / 'inventory.json')
        report = tmp_path / 'report.html'
        run = ansible_run('ansible-playbook', 'backupops.jobs.backup_report', '-i', hosts,
                          '-e', 'backup_gate_hosts=scenarios', '-e', 'backup_report_fail_on_error=false',
                          '-e', json.dumps(dict(backup_gate_checks=checks, backup_report_path=str(report))))
    assert run.returncode == 0, run.stdout[-3000:]
    page = report.read_text()
    assert '<script' not in page
    escaped = '&lt;script&gt;alert(1)&lt;/script&gt;'
    for field in ('check', 'id', 'session', 'message'):
        assert escaped + field in page, field
    for field in ('start', 'end', 'finish', 'created', 'ended'):
        assert escaped + field not in page, field


ROLE_BAD_INPUTS = {
    # host: (variables of that host, fragments of its failure message)
    'checks_not_a_list': (dict(backup_gate_checks='vm'), ["check 1 must be a mapping with name and source, got the "
                                                          "string 'vm'"]),
    'check_without_name': (dict(backup_gate_checks=[dict(source='vm')]), ['check 1 has no name']),
    # The cases of issue 15: each names the check, the field and the value, never the role's argument spec.
    'misspelt_field': (dict(backup_gate_checks=[dict(name='x', sourse='vm')]),
                       ['check x: unknown fields sourse; a check takes name, source, filters']),
    'outcome_as_a_misspelt_string': (dict(backup_gate_checks=[dict(name='x', source='vm', accept='succes')]),
                                     ["check x: accept: ['succes'] is not a list of outcomes from success, warning"]),
    'age_nan': (dict(backup_gate_checks=[dict(name='x', source='vm', max_age_hours='nan')]),
                ["check x: max_age_hours: 'nan' is not a number of hours"]),
    'age_absurd': (dict(backup_gate_checks=[dict(name='x', source='vm', max_age_hours=1e9)]),
                   ['check x: max_age_hours: 1000000000.0 is not a number of hours above 0 and at most 8760']),
    'filters_a_string': (dict(backup_gate_checks=[dict(name='x', source='dynamics', filters='organization_id=x')]),
                         ["check x: filters must be a mapping of filter: value, such as {organization_id: ...}; got "
                          "the string 'organization_id=x'"]),
    'unknown_source': (dict(backup_gate_checks=[dict(name='x', source='netbackup')]),
                       ['netbackup', 'dynamics, vm, google, vb365']),
    'unknown_outcome': (dict(backup_gate_checks=[dict(name='x', source='vm', accept=['great'])]),
                        ["check x: accept: ['great'] is not a list of outcomes from success, warning"]),
    'age_not_a_number': (dict(backup_gate_max_age_hours='soon', backup_gate_checks=[dict(name='x', source='vm')]),
                         ["backup_gate_max_age_hours: 'soon' is not a number of hours above 0 and at most 8760"]),
    'age_below_zero': (dict(backup_gate_checks=[dict(name='x', source='vm', max_age_hours=-1)]),
                       ['check x: max_age_hours: -1 is not a number of hours above 0 and at most 8760']),
    'no_success_needed': (dict(backup_gate_checks=[dict(name='x', source='vm', min_successes=0)]),
                          ['check x: min_successes: 0 is not a whole number from 1']),
    'enforce_not_a_bool': (dict(backup_gate_enforce='maybe', backup_gate_checks=[dict(name='x', source='vm')]),
                           ['backup_gate_enforce', 'maybe', 'bool']),
    'connection_not_a_dict': (dict(backup_gate_avepoint='us', backup_gate_checks=[dict(name='x', source='vm')]),
                              ['backup_gate_avepoint', 'dict']),
    'unknown_filter': (dict(backup_gate_checks=[dict(name='x', source='vm', filters=dict(organization_id='o'))]),
                       ['check x: source vm takes the filters search_text, service_type, job_type, not organization_id']),
    'bad_filter_value': (dict(backup_gate_checks=[dict(name='x', source='vm', filters=dict(service_type='azure'))]),
                         ["check x: service_type: unknown value 'azure'"]),
}


@pytest.mark.bad_input
def test_every_bad_role_input_stops_its_host_with_a_message(gate_emulator, ansible_run, tmp_path):
    """One run, one inventory host per bad input: each host fails on its own, saying what was wrong."""
    info = gate_emulator.info
    connection = dict(api_url=info['https_url'], identity_url=info['token_url'], ca_path=info['ca_path'],
                      client_id=info['tenants']['fresh']['client_id'],
                      client_secret=info['tenants']['fresh']['client_secret'])
    hosts = dict((host, dict(dict(backup_gate_avepoint=connection), **variables))
                 for host, (variables, _fragments) in ROLE_BAD_INPUTS.items())
    inventory_path = tmp_path / 'inventory.json'
    inventory_path.write_text(json.dumps(dict(bad=dict(hosts=hosts))))
    run = ansible_run('ansible-playbook', 'backupops.jobs.pre_change_backup_check', '-i', inventory_path,
                      '-e', 'backup_gate_hosts=bad', '-f', '10', env=dict(ANSIBLE_CALLBACK_RESULT_FORMAT='json'))
    assert run.returncode != 0
    messages = dict((host, []) for host in ROLE_BAD_INPUTS)
    for line in run.stdout.splitlines():
        if line.startswith('fatal: [') and '=> ' in line:
            host = line[len('fatal: ['):line.index(']')]
            result = json.loads(line.split('=> ', 1)[1])
            messages[host].append('%s %s' % (result.get('msg'), result.get('argument_errors', '')))
    assert all(len(said) == 1 for said in messages.values()), messages
    for host, (_variables, fragments) in ROLE_BAD_INPUTS.items():
        said = ' '.join(messages[host])
        assert 'Traceback' not in said and '_Ansible' not in said
        for fragment in fragments:
            assert fragment in said, (host, said)
