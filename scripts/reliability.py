#!/usr/bin/env python
"""Reliability figures: runs the fault matrix, the bad-input matrix, the secrets sweep, the hostile servers
and the fuzz tests against the emulator and small servers on loopback, and prints what they found.

    make reliability            # or, after eval "$(scripts/setup.sh)": scripts/reliability.py

Faults are counted as survived (the module succeeded, with the listing the emulator holds) or reported
(it failed with a clear message naming the cause); bad inputs as rejected cleanly; secrets as leaked
(occurrences of any secret in any output); hostile-server tests by class (links, encodings, deadlines,
sizes, paging bounds); fuzz runs (module runs with arbitrary answers or options); tracebacks across
every module run. Exits non-zero unless every test passed with 0 leaks and 0 tracebacks.
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
# Hostile-server classes, by words of the test names that belong to each.
HOSTILE_CLASSES = (('links', ('link',)), ('encodings', ('encoding', 'echoes', 'never_printed', 'credentials')),
                   ('deadlines', ('dripped',)), ('sizes', ('size_cap',)),
                   ('paging bounds', ('total', 'page_cap', 'promised')))


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
                              '-m', 'fault or bad_input or secrets or hostile or fuzz', '--junitxml', junit] + TESTS,
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
        for hostile_class, words in HOSTILE_CLASSES:
            if any(word in name for word in words):
                kinds[hostile_class] += 1
                kinds[hostile_class + ' passed'] += ok
        if 'test_fuzz' in test or 'test_http' in test or 'test_hostile' in test:
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
    print('  fuzz runs (arbitrary answers and options through the modules): %d' % fuzz_runs)
    print('  module and playbook runs            : %d, with a traceback: %d' % (
        sum(1 for record in records if 'failed' in record), tracebacks))
    if failed:
        print('  tests that failed                   : %s' % ', '.join(failed))
    return 0 if run.returncode == 0 and not failed and not leaks and not tracebacks else 1


if __name__ == '__main__':
    sys.exit(main())
