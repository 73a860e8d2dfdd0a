# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""backupops.jobs.backup_jobs: an ansible-rulebook event source that polls the backup gate's checks and puts
an event on the queue when a backup job fails, a check goes stale or recovers, or a listing fails.

It lists and judges with the collection's own client and decision (module_utils._gate_run.evaluate_checks,
the code of the backup_gate_info module and the backup_gate role), in a worker thread so that the event loop
never waits on the network.
"""

DOCUMENTATION = r"""
---
version_added: 0.2.0
short_description: Events for failed backup jobs and stale backups of AvePoint Cloud Backup and VB365
description:
  - Polls the checks of the P(backupops.jobs.backup_gate#role) role every O(interval) seconds and puts an event
    on the queue, with C(type) one of C(job_failed), C(check_stale), C(check_recovered) and C(source_error). Each
    event is a mapping C(backup) that holds C(type), C(check) (the check's name), C(source) and the fields of its
    type below.
  - C(job_failed) - a backup job of a check finished failed inside the check's window (C(max_age_hours)), or with
    warnings where the check does not accept them; the job's common fields are under C(job) (C(id), C(kind),
    C(outcome), C(start_time), C(finish_time)). Each job is reported once, however many polls see it and
    however its ID is spelled (C(7) and C("7"), upper and lower case), and not again when one listing misses it.
    What is remembered is the failed jobs reported that are still inside their check's window, so memory stays
    bounded by what one window holds.
  - By default only failures that end after the source starts are reported, so a restart of the rulebook does not
    send again what it reported before; the failures already in a window at start are not sent (the source logs
    how many it passed over, and a check that is stale at start is reported by C(check_stale) all the same).
    O(report_existing) reports them at start, and O(state_file) remembers what was reported across restarts.
  - C(check_stale) - the check has no accepted backup inside its window (C(reason) says why, as the gate does),
    once when it becomes stale (also at start); C(check_recovered) when it passes again. The figures of the
    gate come with both (C(latest_success), C(hours_since_success), C(jobs_considered), C(max_age_hours)).
  - C(source_error) - the listing of a check failed (C(message), with every secret masked); the source keeps
    polling, and the staleness of that check is unknown until its listing works again. Use the rule's
    C(throttle) to be told once per period.
  - Bad arguments (checks, connection options, interval) stop the source with a message naming the argument.
  - The collection must be installed where ansible-rulebook finds it (C(ansible-galaxy collection install
    backupops.jobs)); the plugin imports the collection's module_utils from there, and needs
    C(ansible-core) and C(requests) in the Python that runs ansible-rulebook.
options:
  checks:
    description:
      - What must have been backed up, as the role's C(backup_gate_checks) - C(name), C(source) (C(dynamics),
        C(vm), C(google), C(vb365), C(vb365_item)), C(filters), C(max_age_hours) (default 24), C(accept),
        C(min_successes).
      - The filters of each source - for C(dynamics) C(organization_id) and C(job_type); for C(vm) C(search_text),
        C(service_type), C(job_type); for C(google) C(data_source), C(app_type), C(job_type); for C(vb365) C(job_id)
        or C(job_name); for C(vb365_item) C(organization), one of C(user), C(site), C(team) or C(group), and
        C(services) (a list of the item's services that must be backed up).
    type: list
    elements: dict
    required: true
  avepoint:
    description:
      - Connection options of the AvePoint modules (C(region) or C(api_url), C(client_id), C(client_secret), ...),
        as the role's C(backup_gate_avepoint); the AVEPOINT_* environment variables also work.
    type: dict
  vb365:
    description:
      - Connection options of job_session_info (C(url), C(api_version), C(username), C(password), ...), as the
        role's C(backup_gate_vb365); the VB365_* environment variables also work.
    type: dict
  interval:
    description: Seconds between the end of one poll and the start of the next.
    type: float
    default: 300
  report_existing:
    description:
      - Report the failed jobs already inside a check's window when the source starts, not only those that end
        later. Without O(state_file), every restart reports them again.
      - With O(state_file), this applies only to the checks the file does not know yet (the first start, a check
        added since); for the others, every failure the file does not hold is reported, those that ended while the
        source was down included.
    type: bool
    default: false
  state_file:
    description:
      - A file of the source's own (JSON) where it keeps the failed jobs it has reported that are still inside their
        check's window, written atomically after each poll that reports one, and read at start, so that a restart
        neither sends them again nor misses those that failed while it was down.
      - Its directory must exist and be writable by the source; the file is created at start when it does not
        exist. The jobs of checks no longer watched are dropped from it.
    type: path
"""

EXAMPLES = r"""
- name: Backup alerts
  hosts: all
  sources:
    - backupops.jobs.backup_jobs:
        interval: 600
        state_file: /var/lib/eda/backup_jobs.json
        checks:
          - name: Azure VMs
            source: vm
            max_age_hours: 26
        avepoint:
          region: us
          client_id: "{{ avepoint_client_id }}"
          client_secret: "{{ avepoint_client_secret }}"
  rules:
    - name: A backup job failed
      condition: event.backup.type == "job_failed"
      action:
        run_playbook:
          name: notify_backup_problem.yml
"""

import asyncio
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone


def _collections_root():
    """The directory that holds ansible_collections/backupops/jobs/extensions/eda/plugins/event_source/ (this file).

    ansible-rulebook runs a source plugin with runpy.run_path, which puts nothing on sys.path, so the collection
    this file belongs to is made importable from where it is installed."""
    event_source = os.path.dirname(os.path.abspath(__file__))
    return os.path.abspath(os.path.join(event_source, *[os.pardir] * 7))


if _collections_root() not in sys.path:
    sys.path.insert(0, _collections_root())

from ansible_collections.backupops.jobs.plugins.module_utils._checks import as_number, check_gate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._context import Context
from ansible_collections.backupops.jobs.plugins.module_utils._egress import QUOTE_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._gate import job_key
from ansible_collections.backupops.jobs.plugins.module_utils._gate_run import evaluate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._module import connection_params
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp, parse_timestamp

PLUGIN = 'backupops.jobs.backup_jobs'
ARGUMENTS = ('checks', 'avepoint', 'vb365', 'interval', 'report_existing', 'state_file')
DEFAULT_INTERVAL = 300
MAX_INTERVAL = 86400
JOB_FIELDS = ('id', 'kind', 'outcome', 'start_time', 'finish_time')
VERDICT_FIGURES = ('reason', 'latest_success', 'hours_since_success', 'jobs_considered', 'max_age_hours')
STATE_VERSION = 1
BOOLEANS = {'true': True, 'yes': True, 'false': False, 'no': False}

logger = logging.getLogger(PLUGIN)


class SourceArgumentError(ValueError):
    """An argument of the event source that cannot be used; the message names it and what is accepted."""


def _interval(value):
    seconds = as_number(value)
    if seconds is None or not 0 < seconds <= MAX_INTERVAL:
        raise SourceArgumentError('%s: interval: %r is not a number of seconds above 0 and at most %d (a day)'
                                  % (PLUGIN, value, MAX_INTERVAL))
    return seconds


def _report_existing(value):
    # A rulebook's template may render a boolean as text.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in BOOLEANS:
        return BOOLEANS[value.strip().lower()]
    raise SourceArgumentError('%s: report_existing: %r is not a boolean; give true or false' % (PLUGIN, value))


def _state_file(value):
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourceArgumentError('%s: state_file: %r is not a path; give the path of a file the source may write, '
                                  'or leave the option out' % (PLUGIN, value))
    return os.path.abspath(os.path.expanduser(value.strip()))


def check_arguments(args, context):
    """(checks, avepoint, vb365, interval, report_existing, state_file) from the rulebook's arguments, or
    SourceArgumentError naming the bad one.

    The connection options get the listing modules' defaults and environment fallbacks, and their secrets are
    masked by ``context`` from now on."""
    if not isinstance(args, Mapping):
        raise SourceArgumentError('%s: the arguments must be a mapping of %s' % (PLUGIN, ', '.join(ARGUMENTS)))
    # ansible-rulebook adds arguments of its own, named eda_* (eda_feedback_queue).
    unknown = sorted(str(name) for name in args if name not in ARGUMENTS and not str(name).startswith('eda_'))
    if unknown:
        raise SourceArgumentError('%s: unknown arguments %s; it takes %s'
                                  % (PLUGIN, ', '.join(unknown), ', '.join(ARGUMENTS)))
    checks = args.get('checks')
    if not isinstance(checks, (list, tuple)) or not checks:
        raise SourceArgumentError('%s: checks: give a non-empty list of checks (name, source, filters, max_age_hours, '
                                  'accept, min_successes), got %r' % (PLUGIN, checks))
    try:
        checks = check_gate_checks(checks)
    except OptionError as error:
        raise SourceArgumentError('%s: checks: %s' % (PLUGIN, error.msg))
    connections = []
    for vendor in ('avepoint', 'vb365'):
        try:
            connections.append(connection_params(vendor, args.get(vendor), context))
        except OptionError as error:
            raise SourceArgumentError('%s: %s' % (PLUGIN, context.mask(error.msg)))
    return (checks, connections[0], connections[1], _interval(args.get('interval', DEFAULT_INTERVAL)),
            _report_existing(args.get('report_existing', False)), _state_file(args.get('state_file')))


def load_state(path, checks, now):
    """The reported failures a state file holds, as BackupWatch keeps them ({check name: {job key: finish}}), of the
    checks still watched and still inside their windows at ``now``; {} when the file does not exist yet."""
    try:
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise SourceArgumentError('%s: state_file: cannot read %s (%s); give a file the source may read and write'
                                  % (PLUGIN, path, getattr(error, 'strerror', None) or error))
    windows = dict((check['name'], now - timedelta(hours=check['max_age_hours'])) for check in checks)
    reported = {}
    try:
        state = json.loads(text)
        if state.get('version') != STATE_VERSION:
            raise ValueError('version')
        for name, jobs in state['reported_failures'].items():
            kept = {}
            for entry in jobs:
                finished = parse_timestamp(entry['finish_time'])
                if finished is None or not (entry['id'] is None or isinstance(entry['id'], str)):
                    raise ValueError('entry')
                # As _gate.job_key tells jobs apart: by ID, or by finish time for a job without one.
                kept[entry['id'] if entry['id'] is not None else (None, finished)] = finished
            if name in windows:
                reported[name] = dict((key, finished) for key, finished in kept.items() if finished >= windows[name])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SourceArgumentError('%s: state_file: %s is not a state file of this source (JSON of version %d with '
                                  'reported_failures); remove it or give another path'
                                  % (PLUGIN, path, STATE_VERSION))
    return reported


def save_state(path, reported, context):
    """Write ``reported`` (BackupWatch.reported_failures) to the state file at ``path`` atomically: a reader, or a
    restart after a crash, finds the old state or the new one, never a part. Raises OSError."""
    state = dict(version=STATE_VERSION, source=PLUGIN, reported_failures=dict(
        (name, [dict(id=None if isinstance(key, tuple) else key, finish_time=format_timestamp(finished))
                for key, finished in sorted(jobs.items(), key=lambda item: (item[1], str(item[0])))])
        for name, jobs in reported.items()))
    # An ID a hostile server made of a secret is withheld here as in an event; it is then reported again after a
    # restart, which is better than a secret on disk.
    text = json.dumps(context.mask(state), indent=1, sort_keys=True) + '\n'
    descriptor, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp',
                                             dir=os.path.dirname(path))
    try:
        with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _failed_in_window(record, verdict, now):
    """A backup job that finished failed, or with warnings its check does not accept, inside the check's window.

    Only the window counts: a failing check's listing also holds its longer look-back, whose jobs would otherwise
    be reported, forgotten when the check passes again, and reported once more when it fails."""
    finished = parse_timestamp(record.get('finish_time'))
    outcome = record.get('outcome')
    return (record.get('kind') == 'backup' and finished is not None
            and now - timedelta(hours=verdict['max_age_hours']) <= finished <= now
            and (outcome == 'failed' or (outcome == 'warning' and 'warning' not in verdict['accept'])))


def _event(kind, verdict, **details):
    return {'backup': dict(type=kind, check=verdict['name'], source=verdict['source'], **details)}


class BackupWatch:
    """What the polls have reported so far, and the events a new poll's verdicts add to it.

    With ``started``, the failures that ended before it are passed over, but remembered as reported, in the checks
    ``reported`` (what a state file held) does not hold; without, they are reported."""

    def __init__(self, started=None, reported=None):
        # check name: {job identity: finish time} of the failures reported that are still inside its window
        self.reported_failures = dict(reported or {})
        self.started = started
        self._stated = frozenset(self.reported_failures)
        self.stale = {}  # check name: whether it was stale at the last poll that could list it

    def events(self, verdicts, now):
        """The events of one poll's verdicts (with their records), judged at ``now``."""
        events = []
        for verdict in verdicts:
            name = verdict['name']
            if verdict.get('error'):
                # Unknown, not stale: what was reported stays reported until a listing says otherwise.
                events.append(_event('source_error', verdict, message=verdict['error']))
                continue
            failures = [record for record in verdict.get('records') or [] if _failed_in_window(record, verdict, now)]
            # A job is remembered for as long as a listing can show it, so one listing that missed it (a page the
            # server skipped) does not report it again; once it has left the window it is never listed again.
            window_start = now - timedelta(hours=verdict['max_age_hours'])
            reported = dict((key, finished) for key, finished in self.reported_failures.get(name, {}).items()
                            if finished >= window_start)
            passed_over = 0
            for record in failures:
                key = job_key(record)
                if key in reported:
                    continue
                reported[key] = finished = parse_timestamp(record.get('finish_time'))
                if self.started is not None and name not in self._stated and finished < self.started:
                    passed_over += 1
                else:
                    events.append(_event('job_failed', verdict, job=dict((field, record.get(field))
                                                                         for field in JOB_FIELDS)))
            if passed_over:
                logger.info('check %s: %d failed jobs ended before the source started and are not reported '
                            '(report_existing: true reports them)', name, passed_over)
            self.reported_failures[name] = reported
            figures = dict((figure, verdict.get(figure)) for figure in VERDICT_FIGURES)
            stale, was_stale = not verdict['passed'], self.stale.get(name)
            if stale and was_stale is not True:
                events.append(_event('check_stale', verdict, **figures))
            elif not stale and was_stale is True:
                events.append(_event('check_recovered', verdict, **figures))
            self.stale[name] = stale
        return events


async def main(queue, args):
    """Poll the checks every ``interval`` seconds until cancelled, putting the events of each poll on ``queue``."""
    context = Context()
    checks, avepoint, vb365, interval, report_existing, state_file = check_arguments(args, context)
    # To the second, as the collection gives finish times: a job that ended in the second the source started is new.
    started = datetime.now(timezone.utc).replace(microsecond=0)
    watch = BackupWatch(started=None if report_existing else started,
                        reported=load_state(state_file, checks, started) if state_file else None)
    saved = None
    if state_file:
        # At once, so that a file the source cannot write stops it now rather than after its first failure.
        try:
            save_state(state_file, watch.reported_failures, context)
        except OSError as error:
            raise SourceArgumentError('%s: state_file: cannot write %s (%s); give a file in a directory the source '
                                      'may write' % (PLUGIN, context.mask(state_file), error.strerror or error))
        saved = dict(watch.reported_failures)
    logger.info('watching %d checks every %g s', len(checks), interval)
    poll = None
    try:
        while True:
            now = datetime.now(timezone.utc)
            # Each poll masks the connection's secrets and the tokens it obtains itself; a poll's tokens are dropped
            # with it, so a source that runs for months holds only the current ones.
            poll = Context(secrets=context.secrets.copy(), stop=threading.Event())
            try:
                verdicts = await asyncio.to_thread(evaluate_checks, checks, poll, dict(avepoint=avepoint, vb365=vb365),
                                                   now=now, keep_records=True)
            except OptionError as error:
                # Connection options it cannot use (no credentials, say) never become usable by waiting.
                raise SourceArgumentError('%s: %s' % (PLUGIN, poll.mask(error.msg)))
            except BackupOpsError as error:
                # Nothing could be listed this time; each check's state is unknown, not stale.
                verdicts = [dict(check, error=error.msg) for check in checks]
            except Exception as error:  # pylint: disable=broad-except
                # A fault of the collection's own must not end the source, and ansible-rulebook with it: the rulebook
                # hears of it as it hears of a failed listing, and the next poll tries again.
                message = 'unexpected error (%s): %s' % (type(error).__name__, error)
                logger.error('%s', printable(poll.mask(message), limit=QUOTE_LIMIT))
                verdicts = [dict(check, error=message) for check in checks]
            for warning in poll.warnings:
                # A warning may quote a server: shown as data, as the gate callback shows it.
                logger.warning('%s', printable(poll.mask(warning), limit=QUOTE_LIMIT))
            for event in watch.events(verdicts, now):
                await queue.put(poll.mask(event))
            if state_file and watch.reported_failures != saved:
                # After the events are queued: a crash in between sends one again rather than losing it.
                try:
                    await asyncio.to_thread(save_state, state_file, watch.reported_failures, poll)
                    saved = dict(watch.reported_failures)
                except OSError as error:
                    logger.error('%s', poll.mask('state_file: cannot write %s (%s); the failures reported since its '
                                                 'last write are reported again after a restart'
                                                 % (state_file, error.strerror or error)))
            await asyncio.sleep(interval)
    except asyncio.CancelledError:
        if poll is not None:
            # The listing of a poll still in flight runs on in its thread; it sends no further request.
            poll.stop.set()
        logger.info('stopped')
        raise
