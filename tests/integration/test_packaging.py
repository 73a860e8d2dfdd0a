"""The collection as users get it: built by ansible-galaxy and installed from the tarball, documented by
ansible-doc from there, turned into an execution environment definition by ansible-builder, with a
changelog antsibull-changelog accepts."""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from conftest import COLLECTION_ROOT, ansible_env

BIN = os.path.dirname(sys.executable)
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(COLLECTION_ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))
DEVELOPMENT_ONLY = ('.venv/', '.venv-oldest/', '.venv-importer/', '.build/', '.git/', '.ci/', '.cache/', '.hypothesis/', '.pytest_cache/', 'scripts/',
                    'tests/output/', 'tests/contracts/', 'Makefile', 'test-constraints', 'test-requirements-oldest.txt',
                    'test-requirements-importer.txt')


def run(command, *args, env=None, cwd=COLLECTION_ROOT):
    done = subprocess.run([os.path.join(BIN, command)] + [str(arg) for arg in args], env=ansible_env(env), cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, '%s %s:\n%s%s' % (command, ' '.join(map(str, args)), done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    """(tarball, collections path it is installed in)."""
    with open(os.path.join(COLLECTION_ROOT, 'galaxy.yml')) as handle:
        version = yaml.safe_load(handle)['version']
    dist = tmp_path_factory.mktemp('dist')
    run('ansible-galaxy', 'collection', 'build', '--output-path', dist)
    tarball = dist / ('backupops-jobs-%s.tar.gz' % version)
    installed = tmp_path_factory.mktemp('installed')
    # --force: the development copy is on the configured path too, and would make the install a no-op.
    run('ansible-galaxy', 'collection', 'install', '--force', tarball, '-p', installed,
        env=installed_env(installed))
    return tarball, installed


def installed_env(installed):
    """Only the installed copy of the collection is found: not the development one on PYTHONPATH."""
    return dict(ANSIBLE_COLLECTIONS_PATH=str(installed), PYTHONPATH='')


def test_the_tarball_has_the_collection_and_leaves_development_files_out(built):
    with tarfile.open(built[0]) as tarball:
        names = tarball.getnames()
    leaked = [name for name in names if name.startswith(DEVELOPMENT_ONLY) or '__pycache__' in name
              or name.endswith('.pyc')]
    assert leaked == []
    for needed in ['plugins/modules/%s.py' % module for module in MODULES] + [
            'MANIFEST.json', 'meta/runtime.yml', 'meta/execution-environment.yml', 'requirements.txt', 'bindep.txt',
            'roles/backup_gate/meta/argument_specs.yml', 'playbooks/pre_change_backup_check.yml', 'CHANGELOG.rst',
            'LICENSE', 'README.md', 'roles/backup_gate/tasks/outputs.yml',
            'extensions/eda/plugins/event_source/backup_jobs.py', 'extensions/eda/rulebooks/backup_alerts.yml',
            'meta/extensions.yml']:
        assert needed in names


@pytest.mark.parametrize('module', MODULES)
def test_ansible_doc_renders_every_module_of_the_installed_collection(built, module):
    env = installed_env(built[1])
    text = run('ansible-doc', 'backupops.jobs.' + module, env=env)
    assert 'max_concurrency' in text and 'EXAMPLES' in text and 'RETURN VALUES' in text
    doc = json.loads(run('ansible-doc', '--json', 'backupops.jobs.' + module, env=env))['backupops.jobs.' + module]
    options = doc['doc']['options']
    # Options that come from the doc fragments are there, with their descriptions.
    assert options['max_concurrency']['description']
    assert doc['doc']['attributes']['check_mode']['support'] == 'full'
    if 'avepoint' not in options:
        for option in ('timeout', 'retries', 'page_size', 'validate_certs', 'ca_path'):
            assert options[option]['description'], option
        assert doc['doc']['attributes']['action_group']['membership']
        # The listing modules summarise; job_session, which starts a job, returns its session.
        assert ('session' if module == 'job_session' else 'summary') in doc['return']
    else:  # a module that reads both vendors takes each one's connection options nested under its name
        assert options['avepoint']['type'] == options['vb365']['type'] == 'dict'
        assert 'action_group' not in doc['doc']['attributes']
        assert 'passed' in doc['return'] and 'checks' in doc['return']


def test_ansible_doc_renders_the_role_argument_spec_and_the_filters(built):
    env = installed_env(built[1])
    role = run('ansible-doc', '-t', 'role', 'backupops.jobs.backup_gate', env=env)
    assert 'backup_gate_checks' in role and 'backup_gate_max_age_hours' in role and 'backup_gate_junit_path' in role
    for name in ('gate_verdict', 'outcomes_by_day', 'gate_junit', 'gate_markdown', 'gate_passed', 'check_passed', 'gate_table'):
        assert 'backupops.jobs.' + name in run('ansible-doc', '-t', 'filter', 'backupops.jobs.' + name, env=env)


def test_ansible_doc_renders_the_event_source_as_galaxy_reads_it(built):
    """ansible-doc has no event_source type: galaxy-importer reads the event source's documentation as a
    module's from the directory meta/extensions.yml names, which is what Galaxy and Automation Hub show."""
    env = installed_env(built[1])
    with open(os.path.join(COLLECTION_ROOT, 'meta', 'extensions.yml')) as handle:
        [extension] = yaml.safe_load(handle)['extensions']
    directory = built[1] / 'ansible_collections' / 'backupops' / 'jobs' / 'extensions' / extension['args']['ext_dir']
    doc = json.loads(run('ansible-doc', '-M', directory, '--json', 'backup_jobs', env=env))['backup_jobs']['doc']
    assert doc['short_description'].startswith('Events for failed backup jobs')
    assert doc['version_added'] == '0.2.0'
    assert {'checks', 'interval', 'report_existing', 'state_file'} <= set(doc['options'])
    assert 'check_stale' in run('ansible-doc', '-M', directory, 'backup_jobs', env=env)


def test_ansible_builder_reads_the_collections_requirements(built):
    found = run('ansible-builder', 'introspect', '--sanitize', str(built[1]))
    assert 'requests' in found and 'cryptography' in found and 'backupops.jobs' in found
    assert 'libssl-dev' in found


def test_ansible_builder_creates_the_execution_environment_build_context(built, tmp_path):
    source = os.path.join(COLLECTION_ROOT, 'examples', 'execution-environment')
    for name in os.listdir(source):
        shutil.copy(os.path.join(source, name), tmp_path)
    shutil.copy(built[0], tmp_path)
    run('ansible-builder', 'create', '-f', 'execution-environment.yml', '--output-filename', 'Containerfile',
        '--context', tmp_path / 'context',
        cwd=tmp_path)
    containerfile = (tmp_path / 'context' / 'Containerfile').read_text()
    assert 'ansible-galaxy' in containerfile and 'bindep' in containerfile
    assert (tmp_path / 'context' / '_build' / 'collections' / built[0].name).exists()


def test_the_changelog_is_valid_and_up_to_date(tmp_path):
    run('antsibull-changelog', 'lint')
    copy = tmp_path / 'collection'
    shutil.copytree(COLLECTION_ROOT, copy, ignore=shutil.ignore_patterns('.venv', '.build', '.git', '.hypothesis'))
    run('antsibull-changelog', 'generate', cwd=copy)
    for name in ('CHANGELOG.rst', 'CHANGELOG.md'):
        with open(os.path.join(COLLECTION_ROOT, name)) as committed:
            assert (copy / name).read_text() == committed.read(), "run antsibull-changelog generate"
        assert 'Release Notes' in (copy / name).read_text()


# Ansible's semantic markup (O(option), C(code), ...): antsibull-changelog renders fragments as RST and prints it as
# written, so a changelog says ``option`` instead.
SEMANTIC_MARKUP = re.compile(r'\b(?:RV|OV|O|C|V|M|P|E|I|B|U|L)\([^)]*\)')


def test_the_changelog_and_the_next_release_print_no_semantic_markup(tmp_path):
    copy = tmp_path / 'collection'
    shutil.copytree(COLLECTION_ROOT, copy, ignore=shutil.ignore_patterns('.venv', '.build', '.git', '.hypothesis'))
    with open(os.path.join(COLLECTION_ROOT, 'galaxy.yml')) as handle:
        version = yaml.safe_load(handle)['version']
    # The release galaxy.yml names is in the changelog with the plugins new in it; the next one, as
    # antsibull-changelog will write it from the pending fragments, prints no markup either.
    major, minor, _patch = (int(part) for part in version.split('.'))
    run('antsibull-changelog', 'release', '--version', '%d.%d.0' % (major, minor + 1), '--date', '2099-01-01', cwd=copy)
    for name in ('CHANGELOG.rst', 'CHANGELOG.md'):
        text = (copy / name).read_text()
        for new in (version, 'backup_gate_info', 'gate_prometheus', 'gate_hosts', 'job_session', 'backup_item_info'):
            assert new in text.replace('\\', ''), (name, new)
        raw = sorted(set(SEMANTIC_MARKUP.findall(text.replace('\\', ''))))
        assert not raw, '%s would print semantic markup as written: %s' % (name, raw)


def test_the_project_urls_are_one_real_looking_repository_everywhere():
    with open(os.path.join(COLLECTION_ROOT, 'galaxy.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    repository = galaxy['repository']
    assert repository == 'https://github.com/backupops/backupops.jobs'
    assert galaxy['homepage'] == repository and galaxy['issues'] == repository + '/issues'
    assert galaxy['documentation'] == repository + '/blob/main/README.md'
    with open(os.path.join(COLLECTION_ROOT, 'README.md')) as handle:
        readme = handle.read()
    assert 'example.invalid' not in readme + json.dumps(galaxy)
    # The installation section installs from that repository, a tarball and a requirements.yml.
    installation = readme.split('## Installation', 1)[1].split('\n## ', 1)[0]
    for needed in ('git clone %s.git' % repository, 'ansible-galaxy collection install backupops-jobs-',
                   'source: %s.git' % repository, 'requests', 'cryptography', 'requirements.txt'):
        assert needed in installation, needed
