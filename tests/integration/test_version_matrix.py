"""The test environments: every version pinned by a lock, the oldest ansible-core that meta/runtime.yml claims
tested in an environment of its own, and the modules' requirements tested at their lower bounds there."""

import os
import re
import sys
from importlib import metadata

import pytest
import yaml

from conftest import COLLECTION_ROOT


def read(name):
    with open(os.path.join(COLLECTION_ROOT, name)) as handle:
        return handle.read()


def requirements(name):
    """{lowercase name: version part} of a requirements or lock file."""
    found = {}
    for line in read(name).splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            name_part, version = re.match(r'([A-Za-z0-9_.-]+)\s*(.*)', line).groups()
            found[re.sub(r'[-_.]+', '-', name_part).lower()] = version
    return found


def test_the_oldest_environment_starts_where_requires_ansible_does():
    claimed = yaml.safe_load(read('meta/runtime.yml'))['requires_ansible']
    oldest = re.match(r'>=(\d+\.\d+)', claimed).group(1)
    assert requirements('test-requirements-oldest.txt')['ansible-core'].startswith('>=%s.0,<' % oldest)
    assert requirements('test-constraints-oldest.txt')['ansible-core'].startswith('==%s.' % oldest)


@pytest.mark.parametrize('library', ['requests', 'cryptography'])
def test_the_modules_requirements_are_tested_at_their_lower_bounds(library):
    lower = requirements('requirements.txt')[library]
    assert lower.startswith('>=') and ',' not in lower, lower
    assert requirements('test-constraints-oldest.txt')[library] == '==' + lower[2:]


@pytest.mark.parametrize('lock, wanted', [('test-constraints.txt', ('requirements.txt', 'test-requirements.txt')),
                                          ('test-constraints-oldest.txt', ('test-requirements-oldest.txt',))])
def test_each_lock_pins_every_package_its_environment_asks_for(lock, wanted):
    pinned = requirements(lock)
    assert all(version.startswith('==') for version in pinned.values()), pinned
    asked = set().union(*(requirements(name) for name in wanted)) | {'pip'}
    assert asked - set(pinned) == set()


def test_this_environment_is_the_lock():
    """What scripts/setup.sh installed (it reinstalls when a lock changes) is what the lock pins."""
    if not os.path.exists(os.path.join(sys.prefix, '.backupops-stamp')):
        pytest.skip('not an environment of scripts/setup.sh')
    lock = 'test-constraints-oldest.txt' if sys.prefix.endswith('-oldest') else 'test-constraints.txt'
    installed = dict((re.sub(r'[-_.]+', '-', dist.metadata['Name']).lower(), '==' + dist.version)
                     for dist in metadata.distributions())
    assert installed == requirements(lock)
