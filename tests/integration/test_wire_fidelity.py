"""The emulator and the client held to Veeam's own OpenAPI documents of the VB365 REST API, v6 to v8.

The documents (tests/contracts/openapi/) are the contract both sides must keep: if
the emulator were wrong in the same way as the client, every other test would pass and the first real
server would fail. So job_session_info is run against the emulator with every option that shapes its
requests, every tenant shape and every session route; then every request the emulator received is
checked against the document's operation (path, method, query parameter names and types, form fields),
and every answer with a body is validated against the operation's response schema, where an object
holds only the properties the document names: a field the client came to rely on that the document
lacks fails here.
"""

import json
import os
import re
import subprocess
import sys
from functools import partial

import pytest
import requests
from jsonschema import Draft4Validator, FormatChecker

from conftest import COLLECTION_ROOT
from emulator.control import EmulatorProcess

OPENAPI = os.path.join(COLLECTION_ROOT, 'tests', 'contracts', 'openapi')
VERSIONS = ('v6', 'v7', 'v8')


def load(version):
    with open(os.path.join(OPENAPI, 'vb365-rest-%s.json' % version)) as handle:
        return json.load(handle)


def as_json_schema(node, components, seen=()):
    """An OpenAPI 3.0 schema as JSON Schema draft 4: references inlined, ``nullable`` as a null type, and
    objects closed to properties the document does not name."""
    if isinstance(node, list):
        return [as_json_schema(item, components, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if '$ref' in node:
        name = node['$ref'].rsplit('/', 1)[-1]
        if name in seen:
            return {}
        return as_json_schema(components[name], components, seen + (name,))
    schema = dict((key, as_json_schema(value, components, seen)) for key, value in node.items()
                  if key not in ('nullable', 'example', 'description', 'format', 'readOnly', 'writeOnly', 'properties'))
    if 'properties' in node:
        schema['properties'] = dict((name, as_json_schema(value, components, seen))
                                    for name, value in node['properties'].items())
    if node.get('format') == 'date-time':
        schema['format'] = 'date-time'
    if node.get('nullable'):
        schema['type'] = [schema['type'], 'null'] if 'type' in schema else None
        if schema['type'] is None:
            del schema['type']
        if 'enum' in schema:
            schema['enum'] = schema['enum'] + [None]
    if schema.get('type') == 'object' and 'properties' in schema and 'additionalProperties' not in schema:
        schema['additionalProperties'] = False
    return schema


class Contract:
    """One version's operations: match a request to its operation, check it, validate its answer."""

    def __init__(self, version):
        self.version = version
        self.document = load(version)
        self.components = self.document['components']['schemas']
        self.operations = []
        for template, methods in self.document['paths'].items():
            pattern = re.compile('^' + re.sub(r'\\\{[^/]+?\\\}', '[^/]+', re.escape(template)) + '$', re.IGNORECASE)
            for method, operation in methods.items():
                self.operations.append((pattern, method.upper(), template, operation))

    def operation(self, method, path):
        # A literal segment (JobSessions/Changes) wins over a parameter ({jobSessionsId}).
        matches = [(template.count('{'), template, operation) for pattern, verb, template, operation in self.operations
                   if verb == method and pattern.match(path)]
        assert matches, '%s %s is not an operation of the %s document' % (method, path, self.version)
        return min(matches)[1:]

    def check_request(self, entry):
        template, operation = self.operation(entry['method'], entry['path'])
        documented = dict((parameter['name'], parameter) for parameter in operation.get('parameters', ())
                          if parameter['in'] == 'query')
        for name, values in entry['query'].items():
            assert name in documented, '%s %s sends %s, which the %s document does not take (it takes %s)' % (
                entry['method'], template, name, self.version, ', '.join(documented) or 'none')
            schema = as_json_schema(documented[name].get('schema', {}), self.components)
            for value in values:
                assert_valid(schema, typed(value, schema), '%s %s query %s' % (entry['method'], template, name))
        if entry['form']:
            body = operation['requestBody']['content']['application/x-www-form-urlencoded']['schema']
            schema = as_json_schema(body, self.components)
            form = dict((name, typed(values[0], schema['properties'].get(name, {}))) for name, values in
                        entry['form'].items())
            assert_valid(schema, form, '%s %s form' % (entry['method'], template))
        return template, operation

    def response_schema(self, method, path, status):
        _template, operation = self.operation(method, path)
        answer = operation['responses'].get(str(status)) or operation['responses'].get('default')
        schema = ((answer or {}).get('content') or {}).get('application/json', {}).get('schema')
        return as_json_schema(schema, self.components) if schema else None


def typed(text, schema):
    """A query or form value as the type its schema names, so a bad one fails validation as itself."""
    kinds = schema.get('type')
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if 'integer' in kinds and re.match(r'^-?\d+$', text):
        return int(text)
    if 'boolean' in kinds and text in ('true', 'false'):
        return text == 'true'
    return text


def assert_valid(schema, value, where):
    errors = sorted(Draft4Validator(schema, format_checker=FormatChecker()).iter_errors(value), key=str)
    shown = '; '.join('%s at %s' % (error.message, list(error.absolute_path)) for error in errors[:5])
    assert not errors, '%s: %s' % (where, shown)


def exercise(emulator, run, version):
    """job_session_info with every option that shapes a request, against ``emulator``."""
    connection = emulator.vb365_connection(version)
    data = emulator.vb365()
    session = data['sessions'][-1]
    for options in (dict(start_time='30h', page_size=7), dict(job_name='Exchange daily', start_time='2d'),
                    dict(job_id=data['jobs'][1]['id'], end_time='1h', start_time='3d'),
                    dict(status=['success'], start_time='1d'), dict(status=['failed', 'warning'], start_time='1d'),
                    dict(job_type='backup', start_time='1d', limit=5), dict(job_type='copy', start_time='1d'),
                    dict(session_id=session['id'], include_log_items=True, log_items_limit=2, page_size=1),
                    dict(start_time='12h', include_log_items=True, page_size=3),
                    dict(session_id='00000000-0000-4000-8000-000000000000')):
        result = run(dict(connection, **options))
        assert not result.get('failed'), (options, result.get('msg'))


def run_in_child(module, args):
    """``module`` of the collection run in a child process with ``args``, its JSON result read back (module runs need
    a fresh process)."""
    done = subprocess.run([sys.executable, '-m', 'ansible_collections.backupops.jobs.plugins.modules.%s' % module],
                          input=json.dumps(dict(ANSIBLE_MODULE_ARGS=args)), capture_output=True, text=True,
                          timeout=120, check=False)
    return json.loads(done.stdout)


@pytest.fixture(scope='module')
def runner():
    """job_session_info in a child process."""
    return partial(run_in_child, 'job_session_info')


@pytest.fixture(scope='module', params=['fresh', 'running'])
def exercised(request, runner, tmp_path_factory):
    """{version: (emulator's request log, answers replayed)} for one tenant shape."""
    with EmulatorProcess(tmp_path_factory.mktemp('wire-%s' % request.param), '--jobs', 40,
                         '--vb365-shape', request.param) as emulator:
        logs = {}
        for version in VERSIONS:
            emulator.clear()
            exercise(emulator, runner, version)
            log = emulator.requests('/%s/' % version)
            logs[version] = (log, [replay(emulator, entry) for entry in log if entry['method'] == 'GET'])
        yield logs


def replay(emulator, entry):
    """The answer to a GET the client made, asked again with a fresh token of the emulator's test user."""
    server = emulator.info['vb365']
    version = entry['path'].split('/')[1]
    token = requests.post(server['url'] + '/%s/token' % version, verify=server['certificate'], timeout=10,
                          data=dict(grant_type='password', username=server['username'], password=server['password'],
                                    **({'disable_antiforgery_token': 'true'} if version != 'v6' else {}))).json()
    answer = requests.get(server['url'] + entry['path'], params=entry['query'], verify=server['certificate'],
                          headers={'Authorization': 'Bearer %s' % token['access_token']}, timeout=30)
    return entry['method'], entry['path'], answer.status_code, answer.json() if answer.content else None


@pytest.mark.parametrize('version', VERSIONS)
def test_every_request_the_client_makes_is_an_operation_of_the_document(exercised, version):
    log, _answers = exercised[version]
    contract = Contract(version)
    templates = set(contract.check_request(entry)[0] for entry in log)
    assert {'/%s/token' % version, '/%s/JobSessions' % version, '/%s/JobSessions/{jobSessionsId}' % version,
            '/%s/JobSessions/{sessionId}/LogItems' % version, '/%s/Jobs' % version} <= templates


@pytest.mark.parametrize('version', VERSIONS)
def test_every_answer_of_the_emulator_is_valid_against_the_document(exercised, version):
    _log, answers = exercised[version]
    contract = Contract(version)
    validated = 0
    for method, path, status, body in answers:
        schema = contract.response_schema(method, path, status)
        if schema is not None and body is not None:
            assert_valid(schema, body, '%s %s answered %s' % (method, path, status))
            validated += 1
    assert validated >= 10


def test_a_field_the_document_lacks_fails_validation():
    contract = Contract('v8')
    schema = contract.response_schema('GET', '/v8/JobSessions/00000000-0000-4000-8000-000000000000', 200)
    session = dict(id='00000000-0000-4000-8000-000000000001', status='Success', jobType='Backup')
    assert_valid(schema, session, 'a documented session')
    with pytest.raises(AssertionError, match='Additional properties are not allowed'):
        assert_valid(schema, dict(session, kind='backup'), 'a session with a field the document lacks')
    with pytest.raises(AssertionError, match="is not one of"):
        assert_valid(schema, dict(session, jobType='Replica'), 'a session of an undocumented job type')
    with pytest.raises(AssertionError, match='sends orderDesc'):
        contract.check_request(dict(method='GET', path='/v8/JobSessions/x/LogItems', query=dict(orderDesc=['true']),
                                    form={}))


def test_the_running_shape_writes_what_each_version_documents_for_a_session_not_ended(exercised):
    for version in VERSIONS:
        _log, answers = exercised[version]
        ends = [session.get('endTime') for _method, path, _status, body in answers
                if path.endswith('/JobSessions') and body for session in body['results']]
        assert ends
        if version == 'v6':
            assert None not in ends, 'v6 documents endTime as not nullable'
