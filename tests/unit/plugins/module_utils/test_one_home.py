"""Each fact in one place: a source is one entry of _sources plus its endpoint description, the vendor clients know no
AnsibleModule, and the module_utils depend one way, from the Ansible face down to the wire and the records.

A new source is shown working end to end without touching any other file: registered for the test, validated like
every check, listed by the one pipeline from a loopback server, and judged by the gate."""

import ast
import os
import time

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils import _sources
from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import JobApi
from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_gate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._codes import CodeTable, kind_map, outcome_map
from ansible_collections.backupops.jobs.plugins.module_utils._context import Context
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._gate_run import evaluate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._module import connection_params
from ansible_collections.backupops.jobs.plugins.module_utils._paging import page_index_paging
from ansible_collections.backupops.jobs.plugins.module_utils._verify import Verified, field
from hostile import Answer, HostileServer, token

MODULE_UTILS = os.path.join(os.path.dirname(_sources.__file__))
PREFIX = 'ansible_collections.backupops.jobs.plugins.module_utils.'

# A product of the Graph API this collection does not read, described as the real ones are in _avepoint_apis.
FAKE_JOB_TYPES = CodeTable({1: 'backup', 2: 'restore'})
FAKE = JobApi(
    name='Cloud Backup for a fake product', path='/backup/fake/jobs', scope='fake.read.all',
    paging=page_index_paging(first_index=1), codes={'job_type': FAKE_JOB_TYPES},
    outcomes=outcome_map({1: 'running', 2: 'success', 3: 'failed'}),
    kinds=kind_map('job_type', {1: 'backup', 2: 'restore'}),
    verified={'jobType': Verified('job_type', field('job_type'))}, reports_total=True, fields=('job_id',),
    filters=lambda options: dict(jobType=FAKE_JOB_TYPES.code_for('job_type', options.get('job_type'))))


def _ago(hours):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - hours * 3600))


def fake_product(jobs):
    """A loopback Graph API of the fake product: a token, and ``jobs`` on one page, filtered as asked."""
    def answer(request):
        if request.method == 'POST':
            return token()
        assert request.path == FAKE.path, request.path
        asked = request.query.get('jobType', [None])[0]
        listed = [job for job in jobs if asked is None or str(job['jobType']) == asked]
        return Answer(body=dict(totalCount=len(listed), jobs=listed))
    return HostileServer(answer)


@pytest.fixture
def fake_source(monkeypatch):
    """The fake product as a source of the gate: one entry, as the real sources are written."""
    source = _sources.avepoint_source('fake', FAKE, 'every fake backup job of the tenant',
                                      [('job_type', FAKE_JOB_TYPES.code_for)], defaults=dict(job_type='backup'))
    monkeypatch.setitem(_sources.SOURCES, 'fake', source)
    return source


@pytest.mark.parametrize('newest_backup, passed, reason', [
    ((2, 3), True, 'newest success is 3.0 h old (1 accepted in the last 24 h)'),
    ((3, 3), False, 'every fake backup job of the tenant: last 1 job failed'),
])
def test_a_source_registered_as_one_entry_is_validated_listed_and_judged(fake_source, newest_backup, passed, reason):
    status, hours = newest_backup
    jobs = [dict(jobId='FB-1', jobType=1, status=status, startTime=_ago(hours + 0.5), finishTime=_ago(hours)),
            dict(jobId='FR-1', jobType=2, status=2, startTime=_ago(1.5), finishTime=_ago(1))]
    filters = dict(job_type='backup') if passed else None
    checks = check_gate_checks([dict(name='fake', source='fake', filters=filters)])
    context = Context()
    with fake_product(jobs) as server:
        connections = dict(avepoint=connection_params('avepoint', server.avepoint(), context))
        verdict, = evaluate_checks(checks, context, connections)
        asked = [request.query for request in server.requests if request.method == 'GET']
    assert (verdict['passed'], verdict['error']) == (passed, None), verdict
    assert verdict['reason'].endswith(reason), verdict['reason']
    # The module's default (job_type backup) and the window went to the server, as for every AvePoint source.
    assert asked and all(query['jobType'] == ['1'] and 'startTime' in query for query in asked)


def test_a_registered_source_takes_only_its_own_filters(fake_source):
    with pytest.raises(OptionError, match='source fake takes the filters job_type, not app_type'):
        check_gate_checks([dict(name='fake', source='fake', filters=dict(app_type='gmail'))])
    with pytest.raises(OptionError, match="source 'nope' is not one of dynamics, vm, google, vb365, vb365_item, fake"):
        check_gate_checks([dict(name='x', source='nope')])


def _imports():
    """{module_utils file: the module_utils files and outside modules it imports}."""
    found = {}
    for name in sorted(os.listdir(MODULE_UTILS)):
        if not name.endswith('.py') or name == '__init__.py':
            continue
        with open(os.path.join(MODULE_UTILS, name)) as handle:
            tree = ast.parse(handle.read())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == PREFIX.rstrip('.'):
                    imported.update(alias.name for alias in node.names)
                else:
                    imported.add(node.module[len(PREFIX):] if node.module.startswith(PREFIX) else node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        found[name[:-3]] = imported
    return found


# The floors of the house, from the ground up; a file imports only from its own floor or below. The rule (_gate)
# stands with the records it reads: a job counted once is one idea, for the pager and the decision alike.
FLOORS = [
    ('ground', {'_errors', '_timestamps', '_egress', '_codes', '_options', '_verify'}),
    ('wire', {'_http', '_tokens', '_context'}),
    ('records', {'_paging', '_normalize', '_listing', '_gate'}),
    ('vendors', {'_avepoint_auth', '_avepoint_apis', '_avepoint', '_vb365_auth', '_vb365_apis', '_vb365',
                 '_vb365_schedule'}),
    ('sources', {'_sources'}),
    ('gate', {'_checks', '_gate_run'}),
    ('face', {'_module'}),
]


def floor_of(name):
    return next(number for number, (_floor, names) in enumerate(FLOORS) if name in names)


def test_every_module_utils_file_has_a_floor_and_imports_only_downward():
    imports = _imports()
    assert set(imports) == set().union(*(names for _floor, names in FLOORS)), 'a file without a floor'
    upward = [(name, other) for name, imported in imports.items() for other in imported
              if other in imports and floor_of(other) > floor_of(name)]
    assert upward == []


def test_only_the_ansible_face_knows_ansiblemodule():
    knows = sorted(name for name, imported in _imports().items() if imported & {'ansible.module_utils.basic', '_module'})
    assert knows == ['_module']


def test_every_source_names_a_vendor_and_a_filter_check_for_each_filter():
    for name, source in _sources.SOURCES.items():
        assert source.name == name and source.vendor in _sources.VENDORS
        assert source.covers.startswith('every ') and source.filters
        for group in source.exclusive:
            assert set(group) <= set(source.filters)


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# Where people read which sources there are and which filters each takes.
SOURCE_TABLES = ('plugins/modules/backup_gate_info.py', 'roles/backup_gate/meta/argument_specs.yml',
                 'roles/backup_gate/README.md', 'extensions/eda/plugins/event_source/backup_jobs.py')


@pytest.mark.parametrize('path', SOURCE_TABLES)
def test_the_docs_name_every_source_and_each_filter_it_takes(path):
    with open(os.path.join(ROOT, path)) as handle:
        text = handle.read()
    missing = [(name, [filter_name for filter_name in source.filters if filter_name not in text])
               for name, source in _sources.SOURCES.items()
               if name not in text or any(filter_name not in text for filter_name in source.filters)]
    assert missing == [], 'see _sources.SOURCES'
