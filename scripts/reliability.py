#!/usr/bin/env python
"""Reliability figures: runs the fault matrix, the bad-input matrix, the secrets sweep, the hostile servers
and the fuzz tests against the emulator and small servers on loopback, and prints what they found.

    make reliability            # or, after eval "$(scripts/setup.sh)": scripts/reliability.py

Faults are counted as survived (the module succeeded, with the listing the emulator holds) or reported
(it failed with a clear message naming the cause); bad inputs as rejected cleanly; secrets as leaked
(occurrences of any secret in any output); hostile-server tests by class (links, encodings, deadlines,
sizes, paging bounds); what holds by construction, by class (secrets, server text as data, verdicts of this
run, failures as messages, one identity per job, bounded memory); fuzz runs (module runs with arbitrary
answers or options); tracebacks across every module run. Exits non-zero unless every test passed with 0 leaks and 0 tracebacks.
"""

import collections
import json
import os
import subprocess
import sys
import tempfile
from xml.etree import ElementTree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = ['tests/unit/plugins/modules/test_fault_matrix.py', 'tests/unit/plugins/modules/test_bad_input_matrix.py',
         'tests/unit/plugins/modules/test_hostile_servers.py', 'tests/unit/plugins/modules/test_fuzz.py',
         'tests/unit/plugins/module_utils/test_http.py',
         'tests/integration/test_secrets.py', 'tests/integration/test_backup_gate.py']
# What holds by construction (issue 22): one way out for every output, server text shown as data, each run's own
# verdict, failures as messages, one identity per job, and memory bounded against any server.
BY_CONSTRUCTION = ['tests/unit/plugins/module_utils/test_egress.py', 'tests/unit/plugins/modules/test_one_way_out.py',
                   'tests/unit/plugins/plugin_utils/test_gate_reports.py',
                   'tests/integration/test_gate_outputs_of_this_run.py',
                   'tests/unit/plugins/modules/test_failures_are_messages.py',
                   'tests/unit/plugins/module_utils/test_gate.py', 'tests/unit/plugins/modules/test_bounded_memory.py',
                   'tests/unit/extensions/eda/plugins/event_source/test_backup_jobs.py']
# Hostile-server classes, by words of the test names that belong to each.
HOSTILE_CLASSES = (('links', ('link',)), ('encodings', ('encoding', 'echoes', 'never_printed', 'credentials')),
                   ('deadlines', ('dripped',)), ('sizes', ('size_cap',)),
                   ('paging bounds', ('total', 'page_cap', 'promised')))
# What holds by construction, by words of the test names that belong to each.
CONSTRUCTION_CLASSES = (
    ('secrets by construction', ('any_encoding_anywhere', 'of_any_type', 'as_a_json_key', 'as_keys', 'no_string',
                                 'leaves_through', 'left_as_it_is', 'short_secret')),
    ('server text as data', ('as_data', 'never_markup', 'terminal_escapes', 'megabytes', 'as_it_was_written')),
    ('verdicts of this run', ('before_judging',)),
    ('failures as messages', ('lifetime_of_any_size', 'ends_of_the_calendar', 'yaml_number', 'unexpected_error')),
    ('one identity per job', ('distinct_ids', 'two_finish_times')),
    ('bounded memory', ('endless', 'shares_one_bound', 'cache_stays_bounded', 'keeps_only_the_newest',
                        'tokens_and_drops', 'cancel_stops')))


def outcomes(junit):
    """{test id: passed?} from pytest's JUnit XML."""
    results = {}
    for case in ElementTree.parse(junit).iter('testcase'):
        path = case.get('classname', '').replace('.', '/')
        test_id = '%s.py::%s' % (path, case.get('name'))
        results[test_id] = not any(child.tag in ('failure', 'error') for child in case)
    return results


def main():
    with tempfile.TemporaryDirectory() as work:
        log, junit = os.path.join(work, 'runs.jsonl'), os.path.join(work, 'junit.xml')
        env = dict(os.environ, BACKUPOPS_RELIABILITY_LOG=log)
        run = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-n', '2',
                              '-m', 'fault or bad_input or secrets or hostile or fuzz or verdict', '--junitxml', junit]
                             + TESTS + BY_CONSTRUCTION,
                             cwd=ROOT, env=env,
                             check=False)
        passed = outcomes(junit)
        records = []
        if os.path.exists(log):
            with open(log) as handle:
                records = [json.loads(line) for line in handle if line.strip()]
    last_run = {}
    for record in records:
        if 'failed' in record:
            last_run[record['test']] = record
    kinds = collections.Counter()
    for test, ok in passed.items():
        name = test.split('::')[-1]
        for hostile_class, words in HOSTILE_CLASSES + CONSTRUCTION_CLASSES:
            if any(word in name for word in words):
                kinds[hostile_class] += 1
                kinds[hostile_class + ' passed'] += ok
        if 'test_fuzz' in test or 'test_http' in test or 'test_hostile' in test or any(
                path[:-3] in test for path in BY_CONSTRUCTION):
            continue
        kind = 'fault' if 'test_fault_matrix' in test else 'secrets' if 'test_secrets' in test else 'bad'
        if kind == 'fault':
            ending = last_run.get(test)
            kinds['fault'] += 1
            if ok:
                kinds['fault reported' if ending and ending['failed'] else 'fault survived'] += 1
        elif kind == 'bad':
            kinds['bad'] += 1
            kinds['bad rejected'] += ok
    tracebacks = sum(1 for record in records if record.get('traceback'))
    fuzz_runs = sum(1 for record in records if 'failed' in record and 'test_fuzz' in record['test'])
    leaks = sum(record.get('leaks', 0) for record in records)
    sweeps = [record for record in records if 'leaks' in record]
    failed = [test for test, ok in passed.items() if not ok]
    print()
    print('backupops.jobs reliability (make reliability)')
    print('  faults injected through the modules : %d' % kinds['fault'])
    print('    survived (retried, renewed, de-duplicated; listing complete) : %d' % kinds['fault survived'])
    print('    reported clearly (failed naming the cause, host or option)   : %d' % kinds['fault reported'])
    print('  bad-input tests                     : %d, rejected cleanly: %d' % (kinds['bad'], kinds['bad rejected']))
    print('  secrets sweeps (ansible-playbook -vvvv): %d, outputs searched: %d, secrets looked for: %d'
          % (len(sweeps), sum(record['outputs'] for record in sweeps), max([0] + [r['secrets'] for r in sweeps])))
    print('  secrets leaked                      : %d' % leaks)
    print('  hostile servers and links, by class : %s' % ', '.join(
        '%s %d/%d' % (name, kinds[name + ' passed'], kinds[name]) for name, _words in HOSTILE_CLASSES))
    print('  by construction, by class           : %s' % ', '.join(
        '%s %d/%d' % (name, kinds[name + ' passed'], kinds[name]) for name, _words in CONSTRUCTION_CLASSES))
    print('  fuzz runs (arbitrary answers and options through the modules): %d' % fuzz_runs)
    print('  module and playbook runs            : %d, with a traceback: %d' % (
        sum(1 for record in records if 'failed' in record), tracebacks))
    if failed:
        print('  tests that failed                   : %s' % ', '.join(failed))
    return 0 if run.returncode == 0 and not failed and not leaks and not tracebacks else 1


if __name__ == '__main__':
    sys.exit(main())
