"""The vendors' own sample answers (tests/contracts/vendor-docs/), replayed through
the client, and held against the emulator field for field.

For v5 and AvePoint there is no machine-readable description: the vendor pages are the contract. Each
sample body is read out of its page, parsed by the client as a page of its API and normalised; and the
emulator's answer to the same request must carry every field the sample carries, so a test that passes
against the emulator speaks for the real server.
"""

import json
import os
import re

import pytest
import requests

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import DYNAMICS, GOOGLE, VM
from ansible_collections.backupops.jobs.plugins.module_utils._paging import Page
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import normalize_log_item, normalize_session
from conftest import COLLECTION_ROOT
from emulator.control import EmulatorProcess

VENDOR_DOCS = os.path.join(COLLECTION_ROOT, 'tests', 'contracts', 'vendor-docs')
AVEPOINT = {'dynamics': ('avepoint-dynamics365-jobs.txt', DYNAMICS), 'vm': ('avepoint-iaas-paas-vm-jobs.txt', VM),
            'google': ('avepoint-google-workspace-jobs.txt', GOOGLE)}


def sample(page, after):
    """The first JSON object after the line ``after`` of a vendor page, as the page writes it: with //
    comments, '..' for elided list items, trailing commas, and (in a table cell, ended by '|') the closing
    braces left out; all of which are mended."""
    with open(os.path.join(VENDOR_DOCS, page), encoding='utf-8') as handle:
        text = handle.read().replace('\u00a0', ' ')  # the pages indent with no-break spaces
    index = text.index('{', text.index(after))
    out, open_brackets, in_string = [], [], False
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == '\\':
                out.append(text[index + 1])
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith('//', index):
            index = text.find('\n', index) - 1
        elif char == '|':
            break
        else:
            out.append(char)
            if char in '{[':
                open_brackets.append({'{': '}', '[': ']'}[char])
            elif char in '}]':
                open_brackets.pop()
                if not open_brackets:
                    break
        index += 1
    body = ''.join(out) + ''.join(reversed(open_brackets))
    body = re.sub(r',\s*\.\.+\s*(?=[\]}])', '', body)
    body = re.sub(r',\s*([\]}])', r'\1', body)
    return json.loads(body)


@pytest.mark.parametrize('api', sorted(AVEPOINT))
def test_the_vendor_sample_page_reads_as_the_client_expects(api):
    page_name, job_api = AVEPOINT[api]
    body = sample(page_name, 'Response Sample')
    page = Page.from_avepoint(body, job_api.path)
    assert page.items and page.total == body.get('totalCount') and page.next_link == body['nextLink']
    for raw in page.items:
        job = job_api.normalize(raw)
        assert job['outcome'] in ('success', 'failed') and job['kind'] in ('backup', 'deletion')
        assert job['start_time'].endswith('Z') and job['finish_time'].endswith('Z')
    assert [job_api.normalize(raw)['kind'] for raw in page.items][0] == {'dynamics': 'backup', 'vm': 'backup',
                                                                         'google': 'deletion'}[api]


def test_the_v5_samples_read_as_the_client_expects():
    session = normalize_session(sample('vb365-v5-get-job-session.txt', 'Response Body:'))
    assert session['job_id'] == 'b20cedd4-66b2-49b1-86de-a575dc67e83b' and session['outcome'] == 'success'
    assert session['end_time'] == '2019-02-04T16:50:21Z' and session['kind'] == 'other'
    body = sample('vb365-v5-get-job-session-log-items.txt', 'Response Body:')
    page = Page.from_vb365(body, '/v5/JobSessions/x/LogItems')
    assert page.total is None and len(page.items) == 2
    items = [normalize_log_item(item) for item in page.items]
    assert [(item['status'], item['message']) for item in items] == [
        ('Success', 'Job started at 2/26/2021 1:00:00 AM'), ('Success', 'Connected to organization')]
    assert items[0]['creation_time'] == '2021-02-25T22:00:00Z'


@pytest.fixture(scope='module')
def emulator(tmp_path_factory):
    with EmulatorProcess(tmp_path_factory.mktemp('samples-emulator'), '--jobs', 20) as running:
        yield running


def get(emulator, path, token, base=None, **params):
    answer = requests.get((base or emulator.url) + path, params=params, timeout=30,
                          headers={'Authorization': 'Bearer %s' % token},
                          verify=emulator.info['vb365']['certificate'] if base else emulator.info['ca_path'])
    answer.raise_for_status()
    return answer.json()


@pytest.mark.parametrize('api', sorted(AVEPOINT))
def test_the_emulator_answers_with_every_field_of_the_vendor_sample(emulator, api):
    page_name, job_api = AVEPOINT[api]
    expected = sample(page_name, 'Response Sample')
    client = emulator.info['clients']['secret']
    token = requests.post(emulator.info['token_url'], verify=emulator.info['ca_path'], timeout=10, data=dict(
        grant_type='client_credentials', scope=job_api.scope, **client)).json()['access_token']
    params = dict(type=1, startTime='2000-01-01T00:00:00Z', finishTime='2100-01-01T00:00:00Z') if api == 'dynamics' else {}
    answer = get(emulator, job_api.path, token, pageSize=2, **params)
    assert set(expected) - {'pageIndex', 'pageSize'} <= set(answer), set(expected) - set(answer)
    assert set(expected['jobs'][0]) == set(answer['jobs'][0]), set(expected['jobs'][0]) ^ set(answer['jobs'][0])


def test_the_v5_emulator_answers_with_every_field_of_the_vendor_samples(emulator):
    server = emulator.info['vb365']
    token = requests.post(server['url'] + '/v5/token', verify=server['certificate'], timeout=10, data=dict(
        grant_type='password', username=server['username'], password=server['password'])).json()['access_token']
    sessions = get(emulator, '/v5/JobSessions', token, base=server['url'], limit=1)['results']
    expected_session = sample('vb365-v5-get-job-session.txt', 'Response Body:')
    assert set(expected_session) == set(sessions[0]), set(expected_session) ^ set(sessions[0])
    assert set(expected_session['_links']) == set(sessions[0]['_links'])
    logs = get(emulator, '/v5/JobSessions/%s/LogItems' % sessions[0]['id'], token, base=server['url'])
    expected_logs = sample('vb365-v5-get-job-session-log-items.txt', 'Response Body:')
    assert set(expected_logs) == set(logs) - {'_links'}, set(expected_logs) ^ set(logs)
    assert set(expected_logs['results'][0]) == set(logs['results'][0])
