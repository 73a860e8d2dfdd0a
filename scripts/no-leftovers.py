#!/usr/bin/env python
"""Run a command and let no process it started outlive it:  python3 scripts/no-leftovers.py COMMAND [ARGUMENT...]

make test, make demo, make bench and the other make targets that start processes run through this. On Linux this
process becomes the command's subreaper: a process the command started and left behind (a server started in the
background, an emulator of a forked test whose teardown never ran) is handed to this process instead of to init
when its parent ends. Once the command has ended, such processes get a few seconds to end by themselves; those
still running are named on stderr and ended, and the exit status is then 1 if the command itself succeeded.
Elsewhere the command runs as it is. Standard library only, so that it runs before the set-up.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
# An emulator notices within 0.1 s that its owner ended and then closes its listeners; on a loaded 2-core machine
# that can take a while, and a process that ends by itself is no leftover.
GRACE_SECONDS = float(os.environ.get('BACKUPOPS_LEFTOVER_GRACE', '10'))


def become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap():
    """Collect the exit status of every handed-over process that has ended."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return


def children():
    """{pid: command line} of the processes whose parent is this one."""
    found = {}
    me = str(os.getpid())
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as handle:
                stat = handle.read()
            with open('/proc/%s/cmdline' % name, 'rb') as handle:
                cmdline = handle.read()
        except OSError:
            continue  # ended meanwhile
        # Fields after the command name, which is in parentheses and may hold anything: state, ppid, ...
        fields = stat[stat.rindex(')') + 2:].split()
        if fields[1] == me and fields[0] != 'Z':
            found[int(name)] = cmdline.replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    return found


def wait_for_none(seconds):
    deadline = time.monotonic() + seconds
    while True:
        reap()
        left = children()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def end(processes, how):
    for pid in processes:
        try:
            os.kill(pid, how)
        except ProcessLookupError:
            pass


def main(argv):
    if not argv or argv[0] in ('-h', '--help'):
        sys.stderr.write(__doc__)
        return 2
    try:
        if not become_subreaper():
            os.execvp(argv[0], argv)
        command = subprocess.Popen(argv)
    except OSError as error:
        sys.stderr.write('no-leftovers: cannot run %s: %s\n' % (argv[0], error.strerror))
        return 127
    # Ctrl-C reaches the command from the terminal; this process stays to clean up after it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for forwarded in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(forwarded, lambda number, _frame: command.send_signal(number))
    status = command.wait()
    status = status if status >= 0 else 128 - status
    left = wait_for_none(GRACE_SECONDS)
    if not left:
        return status
    sys.stderr.write('no-leftovers: %s left %d process(es) running; ending them:\n'
                     % (os.path.basename(argv[0]), len(left)))
    for pid, cmdline in sorted(left.items()):
        sys.stderr.write('  %d %s\n' % (pid, cmdline[:300]))
    # Ending one may hand over its own children, hence a few rounds.
    for _round in range(5):
        end(left, signal.SIGTERM)
        left = wait_for_none(5)
        end(left, signal.SIGKILL)
        left = wait_for_none(5)
        if not left:
            break
    return status or 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
