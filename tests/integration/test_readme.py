"""The README as a newcomer follows it: "Your first gate in five minutes" runs as written against the emulator
and prints what its sample outputs show, and every link between the Markdown files finds its file and heading."""

import json
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import COLLECTION_ROOT, ansible_env

README = os.path.join(COLLECTION_ROOT, 'README.md')
# A marker names what the fenced block right after it is: commands to run, a file to write or extend, or the
# output of the commands run just before.
MARKED_BLOCK = re.compile(r'<!-- first-gate: (run|output|file|append) ?(\S*) -->\n```[a-z]*\n(.*?)```\n', re.S)
# The test runs inside the set-up environment already; the README's set-up line would rebuild whatever
# virtual environment it found, so it is the one line not run.
SETUP_LINE = re.compile(r'^eval "\$\(scripts/setup\.sh\)"')
END_OF_BLOCK = '@@ end of block @@'


def marked_blocks():
    with open(README) as handle:
        return MARKED_BLOCK.findall(handle.read())


def normalised(text):
    """Only what varies from run to run: the age of the newest backup, which moves with the clock."""
    return re.sub(r'\b\d+(\.\d+)? h old\b', '<age> h old', text)


def script_of(blocks):
    """(bash script, {index of a run block: (its commands, its sample output)}) for the marked blocks, in the
    README's order."""
    lines, samples, runs, command = [], {}, -1, None
    for kind, path, body in blocks:
        if kind == 'run':
            runs += 1
            command = [line for line in body.splitlines() if not SETUP_LINE.match(line)]
            lines += command
            lines.append('echo %r' % END_OF_BLOCK)
        elif kind in ('file', 'append'):
            lines += ['cat %s %s <<"FIRST_GATE_EOF"' % ('>' if kind == 'file' else '>>', path), body.rstrip('\n'),
                      'FIRST_GATE_EOF']
        else:
            assert runs >= 0 and runs not in samples, 'a sample output must follow the commands that print it'
            samples[runs] = command, body
    return '\n'.join(lines) + '\n', samples


def stop_emulators(work):
    """Stop what the README's steps left running (they should leave nothing); returns the pids found alive."""
    alive = []
    for directory, _subdirectories, files in os.walk(work):
        if 'emulator.json' in files:
            with open(os.path.join(directory, 'emulator.json')) as handle:
                pid = json.load(handle)['pid']
            deadline = time.time() + 10
            while time.time() < deadline and pid_alive(pid):
                time.sleep(0.2)
            if pid_alive(pid):
                alive.append(pid)
                os.kill(pid, 15)
    return alive


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A stopped emulator that its parent (bash, gone) has not reaped is a zombie: it is no longer running.
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return True


@pytest.fixture(scope='module')
def first_gate(tmp_path_factory):
    """Runs the five-minute steps in a directory of their own (with the repository's scripts/, so the
    README's relative paths hold): (stdout of each run block, sample output of each run block, stderr)."""
    work = tmp_path_factory.mktemp('first-gate')
    os.symlink(os.path.join(COLLECTION_ROOT, 'scripts'), work / 'scripts')
    script, samples = script_of(marked_blocks())
    env = ansible_env()
    env.pop('ANSIBLE_STDOUT_CALLBACK', None)  # the README's own export must be what chooses the callback
    env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    env['PYTHONPATH'] = os.pathsep.join([os.path.join(COLLECTION_ROOT, 'tests')] +
                                        env.get('PYTHONPATH', '').split(os.pathsep))
    try:
        done = subprocess.run(['bash', '-c', script], cwd=work, env=env, capture_output=True, text=True, timeout=600,
                              check=False)
    finally:
        left_running = stop_emulators(work)
    assert left_running == [], 'the README\'s steps left an emulator running'
    outputs = done.stdout.split(END_OF_BLOCK + '\n')
    return outputs, samples, done.stderr


def test_the_first_gate_section_has_the_steps_a_newcomer_needs():
    blocks = marked_blocks()
    commands = '\n'.join(body for kind, _argument, body in blocks if kind == 'run')
    assert SETUP_LINE.search(commands.splitlines()[0])
    for step in ('scripts/emulator.sh start', 'ANSIBLE_STDOUT_CALLBACK=backupops.jobs.gate',
                 'ansible-playbook backupops.jobs.pre_change_backup_check', 'scripts/emulator.sh stop'):
        assert step in commands, step
    samples = [body for kind, _argument, body in blocks if kind == 'output']
    assert any('BACKUP GATE PASSED' in sample and 'exit code 0' in sample for sample in samples)
    assert any('BACKUP GATE BLOCKED' in sample and 'exit code 2' in sample for sample in samples)


def test_every_sample_output_is_what_the_steps_print(first_gate):
    outputs, samples, stderr = first_gate
    assert samples, 'no sample output is marked'
    for index, (command, sample) in sorted(samples.items()):
        assert normalised(outputs[index]) == normalised(sample), (
            'the README\'s sample output of `%s` is not what it prints; stderr:\n%s' % ('; '.join(command), stderr))


def test_every_link_between_the_markdown_files_finds_its_file_and_heading():
    documents = ['README.md', 'roles/backup_gate/README.md'] + [
        os.path.join('docs', name) for name in sorted(os.listdir(os.path.join(COLLECTION_ROOT, 'docs')))
        if name.endswith('.md')]
    broken = []
    for document in documents:
        for target in re.findall(r'\]\(([^)\s]+)\)', outside_code(read(document))):
            if re.match(r'[a-z]+:', target):
                continue
            path, _hash, anchor = target.partition('#')
            linked = os.path.normpath(os.path.join(os.path.dirname(document), path)) if path else document
            if not os.path.exists(os.path.join(COLLECTION_ROOT, linked)):
                broken.append('%s: %s (no such file)' % (document, target))
            elif anchor and anchor not in anchors(linked):
                broken.append('%s: %s (no such heading in %s)' % (document, target, linked))
    assert broken == []


def read(document):
    with open(os.path.join(COLLECTION_ROOT, document)) as handle:
        return handle.read()


def outside_code(text):
    return re.sub(r'(?ms)^```.*?^```', '', text)


def anchors(document):
    """The anchors GitHub gives the headings of a Markdown file."""
    headings = re.findall(r'(?m)^#+ (.*)$', outside_code(read(document)))
    return {re.sub(r'[^\w\- ]', '', heading.lower()).replace(' ', '-') for heading in headings}
