"""The emulator's VB365 organizations, repositories, backed-up data and processed objects (tests/emulator/objects.py,
vb365_objects.py), which backup_item_info and the gate's vb365_item source will read:

- every answer of every operation, on v6, v7 and v8, is valid against Veeam's OpenAPI documents
  (tests/contracts/openapi/, objects closed to the properties the documents name, as in test_wire_fidelity.py), and
  each route reads exactly the query parameters its document lists, with the document's types and enumerations;
- the routes answer per version (arrays or pages, fields, ProcessedObjects from v7 on) and page as documented;
- the stories of docs/development.md hold, and the objects' times and statuses agree with the job sessions served;
- the hostile behaviours can be injected;
- an organization of 50,000 users is served in bounded memory.
"""

import datetime
import re
import time

import pytest
import requests

from emulator.control import EmulatorProcess
from emulator.vb365_objects import PARAMETERS
from test_wire_fidelity import Contract, assert_valid

VERSIONS = ('v6', 'v7', 'v8')
NOWHERE = '00000000-0000-4000-8000-000000000000'
DATA = ('UserData', 'SiteData', 'TeamData', 'GroupData')
TENANTS = 'contoso=fresh,fabrikam=stale,tailspin=warning,northwind=failed,wingtip=running'


def moment(text):
    """A time as the emulator writes it (seven fraction digits, Z) as an aware datetime."""
    text = re.sub(r'(\.\d{6})\d*', r'\1', text.replace('Z', '+00:00'))
    return datetime.datetime.fromisoformat(text)


class VB365:
    """A client of one VB365 server of the emulator (the shared one, or a tenant's own), logged in per version; every
    answer it got is kept in ``log`` as (version, path, query, status, body, documented_request)."""

    def __init__(self, emulator, tenant=None):
        server = emulator.info['vb365']
        self.login = emulator.info['tenants'][tenant]['vb365'] if tenant else server
        self.url, self.verify = server['url'], server['certificate']
        self.http = requests.Session()
        self.tokens = {}
        self.log = []

    def token(self, version):
        if version not in self.tokens:
            form = dict(grant_type='password', username=self.login['username'], password=self.login['password'])
            if version in ('v7', 'v8'):
                form['disable_antiforgery_token'] = 'true'
            answer = self.http.post(self.url + '/%s/token' % version, data=form, verify=self.verify, timeout=30)
            self.tokens[version] = answer.json()['access_token']
        return self.tokens[version]

    def get(self, version, path, documented=True, **query):
        answer = self.http.get(self.url + '/%s%s' % (version, path), params=query, verify=self.verify, timeout=120,
                               headers={'Authorization': 'Bearer %s' % self.token(version)})
        body = answer.json() if answer.content else None
        self.log.append((version, path, dict(query), answer.status_code, body, documented))
        return answer.status_code, body

    def ok(self, version, path, **query):
        status, body = self.get(version, path, **query)
        assert status == 200, (version, path, query, status, body)
        return body

    def every(self, version, path, limit=30, **query):
        """Every record of a paged listing, read page after page by offset, as a client does."""
        records, offset = [], 0
        while True:
            body = self.ok(version, path, offset=offset, limit=limit, **query)
            records.extend(body['results'])
            if len(body['results']) < limit:
                return records
            offset += limit


def results(version, body):
    """The records of a listing that v6 and v7 answer as an array and v8 as a page."""
    return body['results'] if version == 'v8' else body


@pytest.fixture(scope='module')
def items_emulator(tmp_path_factory):
    """One emulator of this module (not the session's), its shared server fresh, and a tenant of each other shape
    with a VB365 server of its own; 80 sessions a job reach back more than the five days of the deleted user's story."""
    with EmulatorProcess(tmp_path_factory.mktemp('items'), '--jobs', 80, '--tenants', TENANTS) as running:
        yield running


@pytest.fixture
def shared(items_emulator):
    items_emulator.clear()
    yield VB365(items_emulator)
    items_emulator.clear()


@pytest.fixture(scope='module')
def truth(items_emulator):
    return items_emulator.vb365_objects()


# The answers held to the documents


class ItemsContract(Contract):
    """The documents as test_wire_fidelity.py reads them, where a property the document requires but does not describe
    may hold any value: v6 requires itemType and repositoryId of backed-up data without describing them, which closed
    objects would make impossible to meet. ``admitted`` says which properties this let through."""

    def __init__(self, version):
        super().__init__(version)
        self.admitted = set()

    def response_schema(self, method, path, status):
        return self._admit(super().response_schema(method, path, status))

    def _admit(self, schema):
        if isinstance(schema, list):
            for item in schema:
                self._admit(item)
        elif isinstance(schema, dict):
            for value in schema.values():
                self._admit(value)
            if schema.get('additionalProperties') is False:
                for name in schema.get('required', ()):
                    if name not in schema['properties']:
                        schema['properties'][name] = {}
                        self.admitted.add(name)
        return schema


def crawl(client, truth, data, version):
    """Every new operation of ``version``, with the parameters that shape its answers, found and not found."""
    organization, other = truth['organizations'][0], truth['organizations'][1]
    users, org = truth['users'], '/Organizations/%s' % organization['id']
    client.get(version, '/Organizations')
    client.get(version, '/Organizations', extendedView='true')
    client.get(version, '/Organizations', extendedView='false')
    client.get(version, org)
    client.get(version, '/Organizations/%s' % other['id'], extendedView='true')
    client.get(version, '/Organizations/%s' % NOWHERE)
    client.get(version, org + '/Users', limit=5)
    client.get(version, org + '/Users', offset=35, limit=10, locationFilter='CloudOrHybrid')
    client.get(version, org + '/Users', userName=users['megan']['name'])
    client.get(version, org + '/Users', displayName='Adele*', setId=NOWHERE)
    client.get(version, org + '/Users', displayName='Nobody')
    client.get(version, org + '/Users', documented=False, limit=0)
    client.get(version, '/Organizations/%s/Users' % other['id'])
    for collection in ('Users', 'Sites', 'Teams', 'Groups'):
        client.get(version, '/Organizations/%s/%s' % (NOWHERE, collection))
    client.get(version, '/Organizations/%s/Users/%s' % (NOWHERE, users['adele']['id']))
    client.get(version, '%s/Users/%s' % (org, users['adele']['id']))
    client.get(version, '%s/Users/%s' % (org, users['sales']['id']))
    client.get(version, '%s/Users/%s' % (org, users['joni']['id']))
    client.get(version, org + '/Sites')
    client.get(version, org + '/Sites', includePersonalSites='true', limit=50)
    client.get(version, org + '/Sites', parentId='root', locationFilter='Cloud')
    client.get(version, org + '/Sites', documented=False, includePersonalSites='maybe')
    client.get(version, '%s/Sites/%s' % (org, truth['sites']['Finance']['id']))
    client.get(version, '%s/Sites/%s' % (org, NOWHERE))
    client.get(version, org + '/Teams', displayName='Mark 8*')
    client.get(version, org + '/Teams', limit=2, offset=2)
    client.get(version, '%s/Teams/%s' % (org, truth['teams']['Retail']['id']))
    client.get(version, '%s/Teams/%s' % (org, NOWHERE))
    client.get(version, org + '/Groups', groupName='AskHR')
    client.get(version, org + '/Groups', limit=4)
    client.get(version, '%s/Groups/%s' % (org, truth['groups']['All Company']['id']))
    client.get(version, '%s/Groups/%s' % (org, NOWHERE))
    if version != 'v6':
        client.get(version, org + '/Users', dataSource='Production')
        client.get(version, '%s/Users/%s' % (org, users['megan']['id']), dataSource='PreferLocal')
        client.get(version, org + '/Sites', filter='fin', includePersonalSites='true')
        client.get(version, org + '/Sites', documented=False, dataSource='Nearby')
    if version == 'v8':
        client.get(version, '/Organizations', msid=organization['msid'])
        client.get(version, '/Organizations', backedUpOrganizationId=other['backedUpOrganizationId'], limit=1)
        client.get(version, org + '/Users', detectedSkuType='Education')
        client.get(version, org + '/Sites', includeSearchSites='false')
        client.get(version, '/BackupRepositories', organizationId=organization['id'], limit=2)
        client.get(version, '/BackupRepositories', organizationId=other['id'])
    client.get(version, '/BackupRepositories')
    client.get(version, '/BackupRepositories', longTerm='true')
    client.get(version, '/BackupRepositories', documented=False, proxyId='not-a-guid')
    client.get(version, '/BackupRepositories/%s' % NOWHERE)
    for collection in DATA:
        client.get(version, '/BackupRepositories/%s/%s' % (NOWHERE, collection))
    for repository in truth['repositories']:
        base = '/BackupRepositories/%s' % repository['id']
        client.get(version, base)
        for collection in DATA:
            status, body = client.get(version, '%s/%s' % (base, collection), limit=10)
            client.get(version, '%s/%s' % (base, collection), offset=5, limit=3)
            for record in body['results'][:2]:
                client.get(version, '%s/%s/%s' % (base, collection, record['id']))
            client.get(version, '%s/%s/%s' % (base, collection, NOWHERE))
    client.get(version, '/BackupRepositories/%s/UserData/%s' % (truth['repositories'][0]['id'], users['joni']['id']))
    for session in data['sessions'][-8:]:
        client.get(version, '/JobSessions/%s/ProcessedObjects' % session['id'], limit=20)
    for session_id in truth['newest_warning_sessions'].values():
        if session_id:
            client.get(version, '/JobSessions/%s/ProcessedObjects' % session_id, limit=100, offset=1)
    client.get(version, '/JobSessions/%s/ProcessedObjects' % NOWHERE)


@pytest.fixture(scope='module')
def crawled(items_emulator, truth):
    """{version: log} of the crawl, on the shared (fresh) server and on the warning and running tenants' servers."""
    logs = dict((version, []) for version in VERSIONS)
    for tenant in (None, 'tailspin', 'wingtip'):
        client = VB365(items_emulator, tenant)
        tenant_truth = items_emulator.vb365_objects(tenant)
        for version in VERSIONS:
            crawl(client, tenant_truth, items_emulator.vb365(tenant), version)
        for entry in client.log:
            logs[entry[0]].append(entry[1:])
    return logs


@pytest.mark.parametrize('version', VERSIONS)
def test_every_answer_of_every_new_operation_is_valid_against_the_document(crawled, version):
    contract = ItemsContract(version)
    answered = {}
    for path, query, status, body, _documented in crawled[version]:
        if version == 'v6' and path.endswith('/ProcessedObjects'):
            # Not an operation of v6: answered as v6 answers a route it does not have.
            assert status == 404 and body == dict(message='No HTTP resource was found that matches the request URI.')
            continue
        template, _operation = contract.operation('GET', '/%s%s' % (version, path))
        schema = contract.response_schema('GET', '/%s%s' % (version, path), status)
        assert schema is not None and body is not None, (path, status)
        assert_valid(schema, body, 'GET %s?%s answered %s' % (path, query, status))
        answered.setdefault(template, set()).add(status)
    expected = set('/%s%s' % (version, template) for template, versions in PARAMETERS.items() if version in versions)
    assert set(answered) == expected
    for template, statuses in answered.items():
        assert 200 in statuses, template
        if '{' in template:
            assert 404 in statuses, template
    assert contract.admitted == ({'itemType', 'repositoryId'} if version == 'v6' else set())


@pytest.mark.parametrize('version', VERSIONS)
def test_the_crawl_asks_only_what_the_document_takes_but_where_it_means_not_to(crawled, version):
    contract = ItemsContract(version)
    refused = []
    for path, query, status, _body, documented in crawled[version]:
        if version == 'v6' and path.endswith('/ProcessedObjects'):
            continue
        asked = dict((key, [str(value)]) for key, value in query.items())
        entry = dict(method='GET', path='/%s%s' % (version, path), query=asked, form={})
        if documented:
            contract.check_request(entry)
            assert status in (200, 404), (path, query, status)
        else:
            refused.append((path, status))
    # A value of the wrong type or outside the enumeration is refused as the product does.
    assert refused and all(status == 400 for _path, status in refused), refused


def _kind(schema):
    if 'enum' in schema:
        return tuple(schema['enum'])
    if schema.get('type') == 'boolean':
        return 'bool'
    if schema.get('type') == 'integer':
        return 'int'
    return 'uuid' if schema.get('format') == 'uuid' else 'text'


@pytest.mark.parametrize('version', VERSIONS)
def test_each_route_reads_exactly_the_query_parameters_its_document_lists(version):
    """The routes read no parameter the document lacks (one a client came to rely on would fail on a real server)
    and know every one it lists, with its type and values; others are ignored, as the product ignores them."""
    contract = ItemsContract(version)
    for template, versions in PARAMETERS.items():
        operation = contract.document['paths'].get('/%s%s' % (version, template), {}).get('get')
        if version not in versions:
            assert operation is None, template
            continue
        documented = dict((parameter['name'], _kind(parameter['schema'])) for parameter in operation.get('parameters', ())
                          if parameter['in'] == 'query')
        assert dict(versions[version]) == documented, template


def test_a_parameter_the_route_does_not_take_is_ignored_as_the_product_ignores_it(shared, truth):
    primary = '/BackupRepositories/%s/UserData' % truth['repositories'][0]['id']
    plain = shared.ok('v8', primary, limit=5)['results']
    assert shared.ok('v8', primary, limit=5, filter='megan*', organizationId=NOWHERE)['results'] == plain
    users = '/Organizations/%s/Users' % truth['organizations'][0]['id']
    assert shared.ok('v6', users, limit=5, dataSource='Nearby')['results'] == shared.ok('v6', users, limit=5)['results']


# Per version


def test_organizations_and_repositories_are_arrays_on_v6_and_v7_and_pages_on_v8(shared, truth):
    names = ['contoso.onmicrosoft.com', 'contosodev.onmicrosoft.com']
    for version in VERSIONS:
        organizations = shared.ok(version, '/Organizations')
        repositories = shared.ok(version, '/BackupRepositories')
        if version == 'v8':
            assert 'totalCount' not in organizations and organizations['offset'] == 0
            assert [record['msid'] for record in organizations['results']] == [record['msid'] for record in
                                                                               truth['organizations']]
        else:
            assert isinstance(organizations, list) and isinstance(repositories, list)
        assert [record['name'] for record in results(version, organizations)] == names
        assert [record['name'] for record in results(version, repositories)] == [
            'Primary repository', 'Legacy repository', 'Long-term copy']
        long_term = results(version, shared.ok(version, '/BackupRepositories', longTerm='true'))
        assert [record['isLongTerm'] for record in long_term] == [True]
    other = truth['organizations'][1]['id']
    assert shared.ok('v8', '/BackupRepositories', organizationId=other)['results'] == []


def test_extended_view_adds_the_backup_times_by_default_on_v6_only(shared):
    for version, extended in (('v6', True), ('v7', False), ('v8', False)):
        main = results(version, shared.ok(version, '/Organizations'))[0]
        assert ('lastBackuptime' in main) is extended
        main = results(version, shared.ok(version, '/Organizations', extendedView='true'))[0]
        assert main['isBackedup'] is True and moment(main['firstBackuptime']) < moment(main['lastBackuptime'])
    other = shared.ok('v7', '/Organizations', extendedView='true')[1]
    assert other['isBackedup'] is False and other['lastBackuptime'] is None


def test_fields_come_and_go_per_version(shared, truth):
    primary = '/BackupRepositories/%s' % truth['repositories'][0]['id']
    megan = truth['users']['megan']
    items = dict((version, shared.ok(version, '%s/UserData/%s' % (primary, megan['id']))) for version in VERSIONS)
    assert 'isDeleted' in items['v7'] and 'proxyId' in items['v7']
    assert 'isDeleted' not in items['v6'] and 'isDeleted' not in items['v8'] and 'proxyId' not in items['v8']
    assert 'backedUpOrganizationId' not in items['v6'] and items['v8']['backedUpOrganizationId']
    users = dict((version, shared.ok(version, '/Organizations/%s/Users/%s' % (truth['organizations'][0]['id'],
                                                                              megan['id']))) for version in VERSIONS)
    assert 'msid' not in users['v6'] and 'msid' not in users['v7'] and users['v8']['msid'] == megan['msid']
    assert 'office' not in users['v6'] and users['v7']['office']
    for version in VERSIONS:
        assert users[version]['name'] == 'megan.bowen@contoso.onmicrosoft.com'
        assert items[version]['accountId'] == megan['accountId'] != megan['id'] != megan['msid']
        assert items[version]['_links']['self']['href'].startswith('/%s/BackupRepositories/' % version)


def test_processed_objects_exist_from_v7_on(shared, items_emulator):
    session = items_emulator.vb365()['sessions'][-1]
    assert shared.get('v6', '/JobSessions/%s/ProcessedObjects' % session['id'])[0] == 404
    for version in ('v7', 'v8'):
        body = shared.ok(version, '/JobSessions/%s/ProcessedObjects' % session['id'], limit=3)
        assert len(body['results']) == 3 and ('totalCount' in body) is (version == 'v7')
        assert set(body['results'][0]) == {'id', 'type', 'status', '_links'}
    assert shared.get('v5', '/Organizations')[0] == 404


def test_the_tenant_servers_back_up_organizations_of_their_names(items_emulator):
    for tenant in ('tailspin', 'northwind'):
        described = items_emulator.vb365_objects(tenant)
        assert [organization['name'] for organization in described['organizations']] == [
            '%s.onmicrosoft.com' % tenant, '%sdev.onmicrosoft.com' % tenant]
        assert described['users']['megan']['name'] == 'megan.bowen@%s.onmicrosoft.com' % tenant


# Paging


@pytest.mark.parametrize('version', VERSIONS)
def test_users_page_by_offset_and_limit_and_next_links(shared, truth, version):
    path = '/Organizations/%s/Users' % truth['organizations'][0]['id']
    every = shared.every(version, path, limit=7)
    # 40 users, one of them deleted (Joni Sherman), are listed once each.
    assert len(every) == 39 and len(set(user['id'] for user in every)) == 39
    assert truth['users']['joni']['id'] not in set(user['id'] for user in every)
    body, followed = shared.ok(version, path, limit=10), []
    while True:
        followed.extend(body['results'])
        if 'next' not in body['_links']:
            break
        href = body['_links']['next']['href']
        assert href.startswith('/%s/' % version)
        status, body = shared.get(version, href[len(version) + 1:].split('?')[0],
                                  **dict(pair.split('=') for pair in href.split('?')[1].split('&')))
    assert [user['id'] for user in followed] == [user['id'] for user in every]
    first = shared.ok(version, path, limit=10)
    assert ('totalCount' in first) is (version != 'v8') and first.get('totalCount', 39) == 39
    assert first['setId'] == shared.ok(version, path, limit=10, offset=10)['setId']
    assert shared.ok(version, path, offset=500)['results'] == []
    assert shared.get(version, path, limit=10001)[0] == 400


def test_backed_up_data_and_processed_objects_page_alike(shared, truth, items_emulator):
    primary = '/BackupRepositories/%s/UserData' % truth['repositories'][0]['id']
    paged = shared.every('v8', primary, limit=9)
    assert [item['id'] for item in paged] == [item['id'] for item in shared.ok('v8', primary, limit=100)['results']]
    session = items_emulator.vb365()['sessions'][-1]
    processed = shared.every('v7', '/JobSessions/%s/ProcessedObjects' % session['id'], limit=4)
    assert len(processed) == shared.ok('v7', '/JobSessions/%s/ProcessedObjects' % session['id'])['totalCount']


# The stories (docs/development.md)


def user_data(client, truth, version, key, user):
    repository = [record for record in truth['repositories'] if record['key'] == key][0]
    return client.get(version, '/BackupRepositories/%s/UserData/%s' % (repository['id'], truth['users'][user]['id']))


def newest(data, job, ended=True):
    job_id = [record for record in data['jobs'] + data['copy_jobs'] if record['name'] == job][0]['id']
    sessions = [session for session in data['sessions'] if session['jobId'] == job_id and (
        session['endTime'] or not ended)]
    return sessions[::-1]


def test_two_users_share_a_display_name_and_another_organization_has_a_third(shared, truth):
    for version in VERSIONS:
        named = shared.ok(version, '/Organizations/%s/Users' % truth['organizations'][0]['id'],
                          displayName='Adele Vance')['results']
        assert sorted(user['name'] for user in named) == ['adele.vance@contoso.onmicrosoft.com',
                                                          'adelev@contoso.onmicrosoft.com']
        assert len(shared.ok(version, '/Organizations/%s/Users' % truth['organizations'][0]['id'],
                             displayName='adele*')['results']) == 2
        by_name = shared.ok(version, '/Organizations/%s/Users' % truth['organizations'][0]['id'],
                            userName='ADELEV@contoso.onmicrosoft.com')['results']
        assert [user['id'] for user in by_name] == [truth['users']['adele2']['id']]
        namesake = shared.ok(version, '/Organizations/%s/Users' % truth['organizations'][1]['id'],
                             displayName='Adele Vance')['results']
        assert [user['name'] for user in namesake] == ['adele.vance@contosodev.onmicrosoft.com']
    second = user_data(shared, truth, 'v8', 'primary', 'adele2')[1]
    assert second['isMailboxBackedUp'] and not second['isOneDriveBackedUp'] and second['oneDriveBackedUpTime'] is None


def test_a_user_in_no_job_is_in_the_organization_and_in_no_repository(shared, truth, items_emulator):
    lidia = truth['users']['lidia']
    user = shared.ok('v8', '/Organizations/%s/Users/%s' % (truth['organizations'][0]['id'], lidia['id']))
    assert user['displayName'] == 'Lidia Holloway'
    for key in ('primary', 'legacy', 'copy'):
        status, body = user_data(shared, truth, 'v8', key, 'lidia')
        assert status == 404 and body['errorCode'] == 'ResourceNotFound'
    for session in items_emulator.vb365()['sessions'][-6:]:
        processed = shared.every('v8', '/JobSessions/%s/ProcessedObjects' % session['id'], limit=1000)
        assert lidia['id'] not in set(record['id'] for record in processed)


def test_users_held_by_two_repositories_or_only_the_legacy_one(shared, truth, items_emulator):
    oldest = min(moment(session['creationTime']) for session in items_emulator.vb365()['sessions'])
    primary, legacy = user_data(shared, truth, 'v7', 'primary', 'patti')[1], user_data(shared, truth, 'v7', 'legacy', 'patti')[1]
    assert primary['repositoryId'] != legacy['repositoryId']
    assert moment(legacy['mailboxBackedUpTime']) < oldest < moment(primary['mailboxBackedUpTime'])
    assert user_data(shared, truth, 'v7', 'copy', 'patti')[0] == 200  # like every user of Exchange daily
    assert user_data(shared, truth, 'v7', 'primary', 'pradeep')[0] == 404
    assert user_data(shared, truth, 'v7', 'copy', 'pradeep')[0] == 404
    assert moment(user_data(shared, truth, 'v7', 'legacy', 'pradeep')[1]['oneDriveBackedUpTime']) < oldest


def test_a_users_onedrive_is_stale_while_the_mailbox_is_fresh(shared, truth, items_emulator):
    now = datetime.datetime.now(datetime.timezone.utc)
    for version in VERSIONS:
        alex = user_data(shared, truth, version, 'primary', 'alex')[1]
        assert now - moment(alex['mailboxBackedUpTime']) < datetime.timedelta(hours=3)
        assert now - moment(alex['oneDriveBackedUpTime']) > datetime.timedelta(hours=30)
        assert alex['isOneDriveBackedUp'] and alex['oneDriveUrl']
    sharepoint = newest(items_emulator.vb365(), 'SharePoint daily')
    ids = set(record['id'] for record in shared.every('v8', '/JobSessions/%s/ProcessedObjects' % sharepoint[0]['id'],
                                                      limit=1000))
    assert truth['users']['alex']['id'] not in ids and truth['users']['megan']['id'] in ids


def test_a_mailbox_failed_in_the_newest_session_of_a_job_that_ended_with_warnings(items_emulator):
    """In a tenant whose backups end with warnings: Megan Bowen's mailbox failed in the newest Exchange daily session
    (her time stays at the session before it), her OneDrive did not."""
    client, data = VB365(items_emulator, 'tailspin'), items_emulator.vb365('tailspin')
    described = items_emulator.vb365_objects('tailspin')
    sessions = newest(data, 'Exchange daily')
    assert sessions[0]['status'] == 'Warning' and described['newest_warning_sessions']['Exchange daily'] == sessions[0]['id']
    megan = described['users']['megan']
    statuses = dict((record['id'], record['status']) for record in client.every(
        'v8', '/JobSessions/%s/ProcessedObjects' % sessions[0]['id'], limit=1000))
    assert statuses[megan['id']] == 'Failed' and statuses[described['users']['adele']['id']] == 'Success'
    item = user_data(client, described, 'v8', 'primary', 'megan')[1]
    mailbox = moment(item['mailboxBackedUpTime'])
    assert moment(sessions[1]['creationTime']) <= mailbox <= moment(sessions[1]['endTime'])
    sharepoint = newest(data, 'SharePoint daily')[0]
    assert moment(sharepoint['creationTime']) <= moment(item['oneDriveBackedUpTime']) <= moment(sharepoint['endTime'])
    # The story's site and team fail the same way in their jobs' newest sessions.
    for job, name, kind in (('SharePoint daily', 'Finance', 'sites'), ('Teams hourly', 'Mark 8 Project Team', 'teams')):
        session = newest(data, job)[0]
        statuses = dict((record['id'], record['status']) for record in client.every(
            'v8', '/JobSessions/%s/ProcessedObjects' % session['id'], limit=1000))
        assert statuses[described[kind][name]['id']] == 'Failed'


def test_a_deleted_user_is_gone_from_the_organization_but_not_from_the_repositories(shared, truth):
    joni = truth['users']['joni']
    assert shared.get('v8', '/Organizations/%s/Users/%s' % (truth['organizations'][0]['id'], joni['id']))[0] == 404
    item = user_data(shared, truth, 'v7', 'primary', 'joni')[1]
    assert item['isDeleted'] is True
    age = datetime.datetime.now(datetime.timezone.utc) - moment(item['mailboxBackedUpTime'])
    assert datetime.timedelta(days=5) < age < datetime.timedelta(days=6)


def test_the_other_stories_an_archive_a_shared_mailbox_and_objects_in_no_job(shared, truth):
    isaiah = user_data(shared, truth, 'v8', 'primary', 'isaiah')[1]
    assert isaiah['isArchiveBackedUp'] and isaiah['archiveName'] == 'In-Place Archive - Isaiah Langer'
    sales = user_data(shared, truth, 'v8', 'primary', 'sales')[1]
    assert sales['accountType'] == 'SharedMailbox' and not sales['isOneDriveBackedUp']
    primary = '/BackupRepositories/%s' % truth['repositories'][0]['id']
    assert shared.get('v8', '%s/SiteData/%s' % (primary, truth['sites']['Project Falcon']['id']))[0] == 404
    assert shared.get('v8', '%s/GroupData/%s' % (primary, truth['groups']['Ask HR']['id']))[0] == 404
    assert shared.get('v8', '%s/SiteData/%s' % (primary, truth['sites']['Finance']['id']))[0] == 200


# The objects agree with the sessions


def test_times_and_statuses_agree_with_the_sessions_of_each_job(items_emulator):
    """Each object's backed-up time lies within the newest ended session of its job where it succeeded or warned,
    and every newer session failed it; a Success session succeeds every object, a Failed one fails them all, a
    Warning one has some Warning and maybe Failed objects, a Running one lists none yet."""
    client, data = VB365(items_emulator, 'tailspin'), items_emulator.vb365('tailspin')
    described = items_emulator.vb365_objects('tailspin')
    sessions = newest(data, 'Exchange daily')
    outcomes = []
    for session in sessions:
        processed = client.every('v8', '/JobSessions/%s/ProcessedObjects' % session['id'], limit=1000)
        statuses = set(record['status'] for record in processed)
        expected = {'Success': {'Success'}, 'Failed': {'Failed'}}.get(session['status'])
        assert statuses == expected if expected else 'Warning' in statuses and statuses <= {'Success', 'Warning', 'Failed'}
        outcomes.append((session, dict((record['id'], record['status']) for record in processed)))
    primary = [record for record in described['repositories'] if record['key'] == 'primary'][0]['id']
    checked = 0
    for item in client.every('v8', '/BackupRepositories/%s/UserData' % primary, limit=100):
        if item['mailboxBackedUpTime'] is None:
            continue
        when = moment(item['mailboxBackedUpTime'])
        for session, statuses in outcomes:
            if statuses.get(item['id']) in ('Success', 'Warning'):
                assert moment(session['creationTime']) <= when <= moment(session['endTime']), item['displayName']
                checked += 1
                break
            assert statuses.get(item['id']) in ('Failed', None), item['displayName']
        else:
            raise AssertionError('no session backed up %s' % item['displayName'])
    assert checked >= 35
    running = newest(items_emulator.vb365('wingtip'), 'Exchange daily', ended=False)[0]
    assert running['endTime'] is None
    assert VB365(items_emulator, 'wingtip').ok('v8', '/JobSessions/%s/ProcessedObjects' % running['id'])['results'] == []


def test_a_failing_tenant_has_no_mailbox_backed_up_in_two_days(items_emulator):
    client, described = VB365(items_emulator, 'northwind'), items_emulator.vb365_objects('northwind')
    primary = [record for record in described['repositories'] if record['key'] == 'primary'][0]['id']
    now = datetime.datetime.now(datetime.timezone.utc)
    for item in client.every('v6', '/BackupRepositories/%s/UserData' % primary, limit=50):
        assert item['mailboxBackedUpTime'] is None or now - moment(item['mailboxBackedUpTime']) > datetime.timedelta(hours=47)


def test_in_a_stale_tenant_every_story_is_as_old_as_its_backups(items_emulator):
    """The demo's stale tenant: nothing for 36 hours, and the OneDrive of Alex Wilber 30 hours older still."""
    client, described = VB365(items_emulator, 'fabrikam'), items_emulator.vb365_objects('fabrikam')
    now = datetime.datetime.now(datetime.timezone.utc)
    alex = user_data(client, described, 'v8', 'primary', 'alex')[1]
    assert now - moment(alex['mailboxBackedUpTime']) > datetime.timedelta(hours=36)
    assert moment(alex['mailboxBackedUpTime']) - moment(alex['oneDriveBackedUpTime']) > datetime.timedelta(hours=28)
    assert user_data(client, described, 'v8', 'primary', 'lidia')[0] == 404


def test_the_long_term_copy_holds_what_primary_held_when_the_newest_copy_started(shared, truth, items_emulator):
    copy = newest(items_emulator.vb365(), 'Exchange daily copy')[0]
    copied = user_data(shared, truth, 'v8', 'copy', 'adele')[1]
    assert moment(copied['mailboxBackedUpTime']) <= moment(copy['creationTime'])
    assert moment(copied['mailboxBackedUpTime']) <= moment(user_data(shared, truth, 'v8', 'primary', 'adele')[1][
        'mailboxBackedUpTime'])
    assert not copied['isOneDriveBackedUp']
    jobs = dict((job['name'], job) for job in items_emulator.vb365()['copy_jobs'])
    assert jobs['Exchange daily copy']['repositoryId'] == truth['repositories'][2]['id']


# Hostile behaviours


@pytest.mark.hostile
def test_an_item_of_another_organization_or_another_object_is_answered_on_demand(shared, items_emulator, truth):
    path = '/v8/BackupRepositories/%s/UserData/%s' % (truth['repositories'][0]['id'], truth['users']['megan']['id'])
    items_emulator.fault(path, foreign_organization=True)
    item = shared.ok('v8', path[3:])
    assert item['organizationId'] == truth['organizations'][1]['id'] and item['email'].endswith('@contosodev.onmicrosoft.com')
    assert item['id'] == truth['users']['megan']['id']
    items_emulator.fault(path, other_object=True)
    assert shared.ok('v8', path[3:])['id'] != truth['users']['megan']['id']
    items_emulator.fault(path, future_times=True)
    future = moment(shared.ok('v8', path[3:])['mailboxBackedUpTime'])
    assert future > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=40)
    assert shared.ok('v8', path[3:])['organizationId'] == truth['organizations'][0]['id']  # each fault once


@pytest.mark.hostile
def test_a_listing_that_ignores_paging_or_links_to_another_host(shared, items_emulator):
    session = items_emulator.vb365()['sessions'][-1]
    path = '/JobSessions/%s/ProcessedObjects' % session['id']
    first = shared.ok('v8', path, limit=5)
    items_emulator.fault('/v8' + path, ignore_offset=True, count=2)
    assert shared.ok('v8', path, offset=5, limit=5)['results'] == first['results']
    assert shared.ok('v8', path, offset=10, limit=5)['offset'] == 10
    items_emulator.fault('/v8' + path, ignore_limit=True)
    assert len(shared.ok('v8', path, limit=5)['results']) == len(shared.every('v8', path, limit=1000)) > 30
    items_emulator.fault('/v8' + path, next_link_host='evil.example:8443')
    assert shared.ok('v8', path, limit=5)['_links']['next']['href'] == (
        'https://evil.example:8443/v8%s?offset=5&limit=5' % path)


@pytest.mark.fault
def test_the_faults_of_every_route_apply_to_the_new_ones(shared, items_emulator, truth):
    items_emulator.fault('/v8/Organizations', status=503, retry_after=7)
    status, body = shared.get('v8', '/Organizations')
    assert status == 503 and body['message'] == 'injected fault 503'
    items_emulator.fault('/v7/BackupRepositories/', delay=0.3)
    started = time.monotonic()
    shared.ok('v7', '/BackupRepositories/%s' % truth['repositories'][0]['id'])
    assert time.monotonic() - started >= 0.3
    items_emulator.expire_tokens()
    assert shared.get('v7', '/BackupRepositories')[0] == 401


@pytest.fixture(scope='module')
def variant(tmp_path_factory):
    """An items_emulator with the other readings of the undocumented: ProcessedObjects carries the users' msid, a failed
    object's time advances; and a server that ignores displayName."""
    with EmulatorProcess(tmp_path_factory.mktemp('items-variant'), '--jobs', 12, '--vb365-shape', 'warning',
                         '--vb365-processed-id', 'msid', '--vb365-failed-advances',
                         '--ignore-filters', 'displayName') as running:
        yield running


def test_the_other_readings_of_what_the_documents_leave_open(variant):
    client, data, described = VB365(variant), variant.vb365(), variant.vb365_objects()
    assert described['processed_id'] == 'msid' and described['failed_advances'] is True
    organization = described['organizations'][0]['id']
    users = client.every('v8', '/Organizations/%s/Users' % organization, limit=100)
    by_msid = dict((user['msid'], user) for user in users)
    session = newest(data, 'Exchange daily')[0]
    processed = client.every('v8', '/JobSessions/%s/ProcessedObjects' % session['id'], limit=100)
    assert processed and all(record['id'] in by_msid for record in processed)
    failed = [by_msid[record['id']] for record in processed if record['status'] == 'Failed']
    assert described['users']['megan']['msid'] in set(user['msid'] for user in failed)
    primary = described['repositories'][0]['id']
    for user in failed:
        item = client.ok('v8', '/BackupRepositories/%s/UserData/%s' % (primary, user['id']))
        assert moment(session['creationTime']) <= moment(item['mailboxBackedUpTime']) <= moment(session['endTime'])
    # displayName ignored: the whole organization comes back, as from a server that drops the filter.
    assert len(client.every('v8', '/Organizations/%s/Users' % organization, displayName='Adele Vance', limit=100)) == 39


# Scale


def rss_mib(pid):
    with open('/proc/%d/status' % pid) as handle:
        return int([line for line in handle if line.startswith('VmRSS:')][0].split()[1]) / 1024.0


def test_an_organization_of_50000_users_is_served_in_bounded_memory(tmp_path):
    with EmulatorProcess(tmp_path, '--jobs', 12, '--vb365-users', 50000) as big:
        client, described = VB365(big), big.vb365_objects()
        pid = big.info['pid']
        users = '/Organizations/%s/Users' % described['organizations'][0]['id']
        primary = '/BackupRepositories/%s/UserData' % described['repositories'][0]['id']
        session = newest(big.vb365(), 'Exchange daily')[0]['id']
        client.ok('v8', users, limit=1)
        started = rss_mib(pid)
        passes = []
        for _round in range(2):
            counts = [len(client.every('v8', users, limit=2000)), len(client.every('v8', primary, limit=2000)),
                      len(client.every('v8', '/JobSessions/%s/ProcessedObjects' % session, limit=5000))]
            # Less the deleted user (the listing), Lidia Holloway and Pradeep Gupta (in no job), and the deleted user
            # again (no longer processed).
            assert counts == [49999, 49998, 49997]
            last = client.ok('v8', users, userName='marco.nakamura13@contoso.onmicrosoft.com')['results']
            assert [user['displayName'] for user in last] == ['Marco Nakamura 13']
            assert client.ok('v8', '%s/%s' % (primary, last[0]['id']))['email'] == last[0]['name']
            passes.append(rss_mib(pid))
        # Made when asked for: a second pass over everything costs nothing more, and the first little.
        assert passes[0] - started < 64, (started, passes)
        assert passes[1] - passes[0] < 8, (started, passes)
