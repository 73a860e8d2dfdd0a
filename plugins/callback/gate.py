# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
name: gate
type: stdout
short_description: Print a run of the backup gate as its verdicts
version_added: 0.2.0
description:
  - A stdout callback for pipelines that run the P(backupops.jobs.backup_gate#role) role or the
    C(backupops.jobs.pre_change_backup_check) playbook. At the default verbosity it prints, per host, the text
    of C(ansible.builtin.debug) messages (the role's table of checks), each failure as one line (the message
    of a C(fail) or C(assert) task as it is, any other failure after its task's name) without a task-source
    excerpt, warnings, and one closing line with the overall verdict, naming each host's state.
  - The closing line's word goes with the exit code of C(ansible-playbook) -
    C(BACKUP GATE PASSED) (exit code 0) when every host was judged and passed;
    C(BACKUP GATE BLOCKED) (2) when a check was judged and failed, a listing that failed included;
    C(BACKUP GATE REFUSED) (2) when a host failed before its verdict (a refused check, a missing or invalid
    connection option, any other failure), or after it;
    C(BACKUP GATE NO VERDICT) (4) when a host was unreachable;
    C(BACKUP GATE NOT ENFORCED) (0) when a check failed but C(backup_gate_enforce)
    is false. When hosts differ, the worst state gives the word, and the line still names every host's state.
  - When no host is left to judge, or C(--skip-tags) would skip the gate, the P(backupops.jobs.gate_hosts#lookup)
    lookup ends the run before any play with an error that starts with C(BACKUP GATE NO VERDICT) (exit code 4).
  - A playbook without the gate ends with C(Run ended) and what happened to its hosts, never a verdict.
  - At the default verbosity, a server's text in a line (a job name, an API message) is printed as data -
    control characters (a terminal's escape sequences) and bidirectional marks as C(\uXXXX) escapes - and a
    line is cut to 2000 characters.
  - Task banners, C(ok) and C(skipped) lines, included files and the play recap are left out at the default
    verbosity. With C(-v) or more it prints what the C(ansible.builtin.default) callback prints.
  - The exit code of C(ansible-playbook) does not depend on the callback.
  - Enable it with C(ANSIBLE_STDOUT_CALLBACK=backupops.jobs.gate) or C(stdout_callback = backupops.jobs.gate)
    in the C([defaults]) section of C(ansible.cfg).
author:
  - backupops.jobs maintainers (@backupops)
extends_documentation_fragment:
  - ansible.builtin.default_callback
  - ansible.builtin.result_format_callback
requirements:
  - set as stdout callback in configuration
'''

from ansible.plugins.callback.default import CallbackModule as DefaultCallback

from ansible_collections.backupops.jobs.plugins.module_utils._egress import printable
from ansible_collections.backupops.jobs.plugins.module_utils._gate import gate_passed

# The role's documented result; a set_fact of it is the gate's verdict for that host.
GATE_RESULT = 'backup_gate_result'
GATE_ROLE = 'backup_gate'
DEBUG_ACTIONS = frozenset(('debug', 'ansible.builtin.debug', 'ansible.legacy.debug'))
# A fail or assert task's message is its author's last word: it is printed without the task's name.
STATEMENT_ACTIONS = frozenset(('fail', 'ansible.builtin.fail', 'ansible.legacy.fail',
                               'assert', 'ansible.builtin.assert', 'ansible.legacy.assert'))
# How much of one line the terse output prints: the modules quote a server's text within a few hundred characters,
# and no line of a verdict is worth megabytes of terminal.
LINE_LIMIT = 2000


def task_of(result):
    """ansible-core 2.19 names the task and the result dict task and result; 2.17 and 2.18 _task and _result."""
    return result.task if hasattr(result, 'task') else result._task  # pylint: disable=protected-access


def fields_of(result):
    return result.result if hasattr(result, 'task') else result._result  # pylint: disable=protected-access


def host_of(result):
    return (result.host if hasattr(result, 'task') else result._host).get_name()  # pylint: disable=protected-access


def speaker_of(result):
    """The host a result speaks for, or None for a task run once for the whole play (a report of every host, the
    gate's files for CI), whose words are not those of the host it happened to run on."""
    return None if task_of(result).run_once else host_of(result)


def as_lines(value):
    """The lines of a text or of a list of texts, each as data: a server's escape sequence or bidirectional mark in
    a message is shown as an escape, so it can neither erase nor reorder what is printed."""
    if isinstance(value, (list, tuple)):
        lines = [line for item in value for line in str(item).splitlines() or ['']]
    else:
        lines = str(value).splitlines()
    return [printable(line, limit=LINE_LIMIT) for line in lines] or ['']


def warning_text(warning):
    """A warning's text: a string up to ansible-core 2.18, a structured event (``event.msg``) from 2.19 on."""
    if isinstance(warning, str):
        return warning
    event = warning.get('event') if isinstance(warning, dict) else getattr(warning, 'event', None)
    message = event.get('msg') if isinstance(event, dict) else getattr(event, 'msg', None)
    return message if message is not None else str(warning)


def join_names(names):
    return ', '.join(names)


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'backupops.jobs.gate'

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._verdicts = {}
        self._gate_ran = False

    @property
    def _terse(self):
        return self._display.verbosity < 1

    def _say(self, host, value, error=False):
        """The host's name, then the text; later lines of several are indented under it."""
        lines = as_lines(value)
        first = lines[0] if host is None else '%s: %s' % (printable(host, limit=LINE_LIMIT), lines[0])
        text = '\n'.join([first] + ['  ' + line for line in lines[1:]])
        self._display.display(text, color='red' if error else None, stderr=error and self.get_option('display_failed_stderr'))

    def _warnings_and_exception(self, result):
        """A result's warnings, shown as data (a module's warning may quote a server), then its deprecations and
        exception as Ansible prints them: ansible-core 2.19+ in one method, 2.17 and 2.18 in one for each."""
        for warning in fields_of(result).pop('warnings', None) or ():
            self._display.warning(printable(warning_text(warning), limit=LINE_LIMIT))
        if hasattr(self, '_handle_warnings_and_exception'):
            self._handle_warnings_and_exception(result)
            return
        self._handle_warnings(fields_of(result))
        self._handle_exception(fields_of(result), use_stderr=self.get_option('display_failed_stderr'))

    def _failure_text(self, result):
        fields = fields_of(result)
        # The result's exception is what the default callback prints as the task-source excerpt.
        fields.pop('exception', None)
        message = fields.get('msg') or 'failed'
        failed_items = [item for item in fields.get('results', []) if isinstance(item, dict) and item.get('failed')]
        if failed_items:
            message = '; '.join('%s: %s' % (self._get_item_label(item), item.get('msg', 'failed')) for item in failed_items)
        if task_of(result).action in STATEMENT_ACTIONS:
            return message
        return 'task "%s" failed: %s' % (task_of(result).get_name().strip(), message)

    def v2_playbook_on_play_start(self, play):
        if not self._terse:
            return super(CallbackModule, self).v2_playbook_on_play_start(play)
        self._play = play
        if play.get_name().strip():
            self._display.display(printable(play.get_name().strip(), limit=LINE_LIMIT))
        return None

    def v2_playbook_on_task_start(self, task, is_conditional):
        role = getattr(task, '_role', None)
        # A host that fails inside the gate's role before its verdict has no verdict, rather than a failure.
        self._gate_ran = self._gate_ran or bool(role and role.get_name().split('.')[-1] == GATE_ROLE)
        if not self._terse:
            return super(CallbackModule, self).v2_playbook_on_task_start(task, is_conditional)
        return None

    def v2_playbook_on_handler_task_start(self, task):
        if not self._terse:
            return super(CallbackModule, self).v2_playbook_on_handler_task_start(task)
        return None

    def v2_playbook_on_include(self, included_file):
        if not self._terse:
            return super(CallbackModule, self).v2_playbook_on_include(included_file)
        return None

    def v2_runner_on_ok(self, result):
        facts = fields_of(result).get('ansible_facts') or {}
        if GATE_RESULT in facts:
            # The role clears the result when it starts: from then on the host has no verdict until this run's.
            if isinstance(facts[GATE_RESULT], dict):
                self._verdicts[host_of(result)] = facts[GATE_RESULT]
            else:
                self._verdicts.pop(host_of(result), None)
        if not self._terse:
            return super(CallbackModule, self).v2_runner_on_ok(result)
        self._warnings_and_exception(result)
        fields = fields_of(result)
        if task_of(result).action in DEBUG_ACTIONS:
            self._clean_results(fields, task_of(result).action)
            shown = dict((key, value) for key, value in fields.items() if not key.startswith('_ansible'))
            self._say(speaker_of(result), shown['msg'] if 'msg' in shown else self._dump_results(shown))
        elif fields.get('changed'):
            self._say(speaker_of(result), 'changed: %s' % task_of(result).get_name().strip())
        return None

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not self._terse:
            return super(CallbackModule, self).v2_runner_on_failed(result, ignore_errors)
        text = self._failure_text(result)
        self._warnings_and_exception(result)
        self._say(host_of(result), text + (' (ignored)' if ignore_errors else ''), error=not ignore_errors)
        return None

    def v2_runner_on_unreachable(self, result):
        if not self._terse:
            return super(CallbackModule, self).v2_runner_on_unreachable(result)
        fields = fields_of(result)
        fields.pop('exception', None)
        self._warnings_and_exception(result)
        self._say(host_of(result), 'unreachable: %s' % fields.get('msg', ''), error=True)
        return None

    def v2_runner_on_skipped(self, result):
        if not self._terse:
            return super(CallbackModule, self).v2_runner_on_skipped(result)
        return None

    def v2_runner_item_on_ok(self, result):
        if not self._terse:
            return super(CallbackModule, self).v2_runner_item_on_ok(result)
        self._warnings_and_exception(result)
        return None

    def v2_runner_item_on_skipped(self, result):
        if not self._terse:
            return super(CallbackModule, self).v2_runner_item_on_skipped(result)
        return None

    def v2_runner_item_on_failed(self, result):
        if not self._terse:
            return super(CallbackModule, self).v2_runner_item_on_failed(result)
        # The task's own failure, printed once its loop ends, names every failed item.
        fields_of(result).pop('exception', None)
        self._warnings_and_exception(result)
        return None

    def v2_playbook_on_stats(self, stats):
        if not self._terse:
            return super(CallbackModule, self).v2_playbook_on_stats(stats)
        hosts = sorted(stats.processed)
        self._display.display('')
        if not (self._verdicts or self._gate_ran):
            self._display.display(printable(run_ended(hosts, stats), limit=LINE_LIMIT))
            return None
        self._display.display(printable(closing_line(hosts, stats, self._verdicts), limit=LINE_LIMIT))
        return None


def run_ended(hosts, stats):
    """The last line of a playbook without the gate: what happened to its hosts, in words no one takes for a verdict."""
    failed = [host for host in hosts if stats.summarize(host)['failures']]
    unreachable = [host for host in hosts if stats.summarize(host)['unreachable']]
    fine = [host for host in hosts if host not in failed and host not in unreachable]
    parts = (['%s failed (see above)' % join_names(failed)] if failed else []) + (
        ['%s unreachable (see above)' % join_names(unreachable)] if unreachable else []) + (
        ['no task failed on %s' % join_names(fine)] if fine else [])
    return 'Run ended: %s' % ('; '.join(parts) or 'no host ran a task')


def closing_line(hosts, stats, verdicts):
    """The gate's closing word and each host's state. Each word goes with one exit code of ansible-playbook (see
    CLOSING_WORDS); when hosts differ, the worst state names the run and the line still names every host."""
    states = dict((state, []) for state in STATES)
    for host in hosts:
        states[host_state(stats.summarize(host), verdicts.get(host))].append(host)
    word = next(CLOSING_WORDS[state] for state in STATES if states[state])
    parts = [STATE_WORDS[state] % join_names(states[state]) for state in STATES if states[state]]
    return 'BACKUP GATE %s: %s' % (word, '; '.join(parts))


def host_state(summary, verdict):
    """A host's state (see STATES) from its stats and its backup_gate_result (None: none); whether the verdict passed
    is the gate's one rule for a result (_gate.gate_passed), so a result that says passed over a failing check, or
    passed as any text but 'True', is blocked here as in the files for CI."""
    if summary['unreachable']:
        return 'unreachable'
    if verdict is None:
        return 'refused' if summary['failures'] else 'no_verdict'
    if gate_passed(verdict):
        return 'failed_after_pass' if summary['failures'] else 'passed'
    return 'blocked' if summary['failures'] else 'not_enforced'


# A host's state, worst first: the first state any host is in gives the closing word.
STATES = ('unreachable', 'no_verdict', 'refused', 'failed_after_pass', 'blocked', 'not_enforced', 'passed')
STATE_WORDS = dict(
    unreachable='no verdict for %s (unreachable, see above)',
    no_verdict='no verdict for %s (the gate did not run)',
    refused='%s refused (failed before a verdict, see above)',
    failed_after_pass='%s passed, then failed (see above)',
    blocked='%s blocked',
    not_enforced='%s blocked, not enforced (backup_gate_enforce is false)',
    passed='%s passed',
)
# The closing word of each state. ansible-playbook exits 4 when a host is unreachable, 2 when a host failed (the
# gate's own failure when it blocks, or a failure before the verdict) and 0 otherwise; the README's exit code
# table and tests/integration/test_gate_words.py hold these to the codes.
CLOSING_WORDS = dict(unreachable='NO VERDICT', no_verdict='NO VERDICT', refused='REFUSED', failed_after_pass='REFUSED',
                     blocked='BLOCKED', not_enforced='NOT ENFORCED', passed='PASSED')
