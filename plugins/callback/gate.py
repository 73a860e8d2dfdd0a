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
    excerpt, warnings, and one closing line with the overall verdict - the hosts the gate passed, the hosts
    it blocked, and the hosts that failed before a verdict.
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

# The role's documented result; a set_fact of it is the gate's verdict for that host.
GATE_RESULT = 'backup_gate_result'
GATE_ROLE = 'backup_gate'
DEBUG_ACTIONS = frozenset(('debug', 'ansible.builtin.debug', 'ansible.legacy.debug'))
# A fail or assert task's message is its author's last word: it is printed without the task's name.
STATEMENT_ACTIONS = frozenset(('fail', 'ansible.builtin.fail', 'ansible.legacy.fail',
                               'assert', 'ansible.builtin.assert', 'ansible.legacy.assert'))


def task_of(result):
    """ansible-core 2.19 names the task and the result dict task and result; 2.17 and 2.18 _task and _result."""
    return result.task if hasattr(result, 'task') else result._task  # pylint: disable=protected-access


def fields_of(result):
    return result.result if hasattr(result, 'task') else result._result  # pylint: disable=protected-access


def host_of(result):
    return (result.host if hasattr(result, 'task') else result._host).get_name()  # pylint: disable=protected-access


def as_lines(value):
    if isinstance(value, (list, tuple)):
        return [str(line) for line in value] or ['']
    return str(value).splitlines() or ['']


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
        text = '\n'.join(['%s: %s' % (host, lines[0])] + ['  ' + line for line in lines[1:]])
        self._display.display(text, color='red' if error else None, stderr=error and self.get_option('display_failed_stderr'))

    def _warnings_and_exception(self, result):
        """ansible-core 2.19+ prints a result's warnings and exception in one method; 2.17 and 2.18 have one for each."""
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
            self._display.display(play.get_name().strip())
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
        verdict = (fields_of(result).get('ansible_facts') or {}).get(GATE_RESULT)
        if isinstance(verdict, dict):
            self._verdicts[host_of(result)] = verdict
        if not self._terse:
            return super(CallbackModule, self).v2_runner_on_ok(result)
        self._warnings_and_exception(result)
        fields = fields_of(result)
        if task_of(result).action in DEBUG_ACTIONS:
            self._clean_results(fields, task_of(result).action)
            shown = dict((key, value) for key, value in fields.items() if not key.startswith('_ansible'))
            self._say(host_of(result), shown['msg'] if 'msg' in shown else self._dump_results(shown))
        elif fields.get('changed'):
            self._say(host_of(result), 'changed: %s' % task_of(result).get_name().strip())
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
        broken = [host for host in hosts if stats.summarize(host)['failures'] or stats.summarize(host)['unreachable']]
        if not (self._verdicts or self._gate_ran):
            self._display.display('')
            self._display.display('FAILED: %s' % join_names(broken) if broken else 'OK: %s' % join_names(hosts))
            return None
        blocked = [host for host in hosts if host in self._verdicts and not self._verdicts[host].get('passed')]
        passed = [host for host in hosts if self._verdicts.get(host, {}).get('passed')]
        parts = []
        if blocked:
            parts.append('%s blocked' % join_names(blocked))
        no_verdict = [host for host in broken if host not in self._verdicts]
        if no_verdict:
            parts.append('no verdict for %s (failed before the gate decided, see above)' % join_names(no_verdict))
        if passed:
            failed_later = [host for host in passed if host in broken]
            parts.append('%s passed' % join_names(passed)
                         + (' (then %s failed, see above)' % join_names(failed_later) if failed_later else ''))
        verdict = 'BLOCKED' if blocked else 'NO VERDICT' if no_verdict else 'PASSED'
        self._display.display('')
        self._display.display('BACKUP GATE %s: %s' % (verdict, '; '.join(parts)))
        return None
