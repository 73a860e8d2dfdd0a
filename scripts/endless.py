#!/usr/bin/env python
"""Peak memory of every module against servers whose listings never end: a table for docs/performance.md.

Each run is one module in a child process (tests/endless.py) against a loopback server that answers a total of a
billion, or a next link on every page, with new IDs on every page; it prints the run's wall time, the child's peak
resident memory and how the run ended. Modes: list (the records returned), summary (summary_only: true, which goes
on to _paging.MAX_LISTED: minutes per run) and gate (backup_gate_info with one check of the API).

    scripts/endless.py                       # every API, kind and mode
    scripts/endless.py --apis vb365 --modes list,gate
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from endless import APIS, KINDS, MODULES, endless_options, endless_server, gate_options, run_in_child  # noqa: E402

MODES = ('list', 'summary', 'gate')


def ending(run):
    result = run.result
    if result.get('failed'):
        return result.get('msg', '')
    errors = [check.get('error') for check in result.get('checks', []) if check.get('error')]
    return 'check failed: %s' % errors[0] if errors else 'ended without an error'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--apis', default=','.join(APIS))
    parser.add_argument('--kinds', default=','.join(KINDS))
    parser.add_argument('--modes', default=','.join(MODES))
    args = parser.parse_args()
    print('| API | endless by | mode | wall s | requests | peak MB | how it ended |')
    print('|---|---|---|---:|---:|---:|---|')
    for api in args.apis.split(','):
        for kind in args.kinds.split(','):
            for mode in args.modes.split(','):
                with endless_server(api, kind) as server:
                    if mode == 'gate':
                        run = run_in_child('backup_gate_info', gate_options(api, server))
                    else:
                        run = run_in_child(MODULES[api], dict(endless_options(api, server),
                                                              summary_only=mode == 'summary'))
                    requests = len(server.requests)
                row = (api, kind, mode, run.seconds, requests, run.peak_mib, ending(run)[:90])
                print('| %s | %s | %s | %.1f | %d | %.0f | %s |' % row, flush=True)


if __name__ == '__main__':
    main()
