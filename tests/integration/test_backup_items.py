"""backup_item_info and the gate's vb365_item source against the emulator's VB365 objects, on v6, v7 and v8.

The stories of docs/development.md are the cases: Megan Bowen failed in the newest Warning session of Exchange daily
(a warning tenant), Alex Wilber's OneDrive is stale, Lidia Holloway is in no repository, Patti Fernandez is held by two
repositories, two users are called Adele Vance. The vague points of the API are each served both ways by an emulator
of their own (--vb365-processed-id, --vb365-failed-advances), and the gate must fail closed on every reading.
"""

import pytest

from ansible_collections.backupops.jobs.plugins.modules import backup_gate_info, backup_item_info
from emulator.control import EmulatorProcess

VERSIONS = ('v6', 'v7', 'v8')
ORG = 'tailspin.onmicrosoft.com'


def address(login, organization=ORG):
    return '%s@%s' % (login, organization)


@pytest.fixture(scope='module')
def items_emulator(tmp_path_factory):
    """The shared server fresh, and a tenant whose jobs' newest sessions ended with warnings."""
    with EmulatorProcess(tmp_path_factory.mktemp('backup-items'), '--jobs', 40, '--tenants', 'tailspin=warning') as running:
        yield running


@pytest.fixture
def emu(items_emulator):
    items_emulator.clear()
    yield items_emulator
    items_emulator.clear()


def connection(emulator, version, tenant='tailspin'):
    return emulator.vb365_connection(version, tenant=tenant)


def gate(run_module, emulator, version, tenant='tailspin', accept=None, **filters):
    check = dict(name='item', source='vb365_item', filters=filters, max_age_hours=24)
    if accept:
        check['accept'] = accept
    result = run_module(backup_gate_info, checks=[check], vb365=connection(emulator, version, tenant))
    assert not result.failed, result.get('msg')
    return result['checks'][0]


@pytest.mark.parametrize('version', VERSIONS)
def test_named_users_are_read_per_repository_and_an_unprotected_one_is_kept(emu, run_module, version):
    result = run_module(backup_item_info, users=[address('patti.fernandez'), address('lidia.holloway')],
                        **connection(emu, version))
    assert not result.failed, result.get('msg')
    patti = [item for item in result['backup_items'] if item['name'] == address('patti.fernandez')]
    assert sorted(item['repository'] for item in patti) == ['Legacy repository', 'Long-term copy', 'Primary repository']
    assert all(item['protected'] and item['kind'] == 'user' for item in patti)
    assert set(patti[0]['services']) == {'mailbox', 'archive', 'onedrive', 'personal_site'}
    legacy = next(item for item in patti if item['repository'] == 'Legacy repository')
    primary = next(item for item in patti if item['repository'] == 'Primary repository')
    assert legacy['services']['mailbox']['hours_since_backup'] > primary['services']['mailbox']['hours_since_backup']
    lidia = [item for item in result['backup_items'] if item['name'] == address('lidia.holloway')]
    assert len(lidia) == 1 and lidia[0]['protected'] is False and lidia[0]['repository'] is None
    if version == 'v6':
        assert all(item['outcome'] == 'unknown' for item in result['backup_items'])
    else:
        assert primary['outcome'] in ('success', 'warning', 'failed') and primary['session_id']
    # Requests per item and repository: no listing of the organization's users nor of a repository's data.
    logged = emu.requests('/%s/' % version)
    assert not any(entry['path'].endswith('/UserData') for entry in logged)
    assert not any(entry['path'].endswith('/Users') and not entry['query'].get('userName') for entry in logged)


@pytest.mark.parametrize('version', VERSIONS)
def test_a_name_that_matches_two_users_is_refused_listing_them(emu, run_module, version):
    result = run_module(backup_item_info, users=['Adele Vance'], **connection(emu, version))
    assert result.failed
    assert address('adele.vance') in result['msg'] and address('adelev') in result['msg']


@pytest.mark.parametrize('version', VERSIONS)
def test_every_item_is_listed_and_summarised_by_outcome_and_age(emu, run_module, version):
    listed = run_module(backup_item_info, organization=ORG, **connection(emu, version))
    summary = run_module(backup_item_info, organization=ORG, summary_only=True, **connection(emu, version))
    assert not listed.failed and not summary.failed, (listed.get('msg'), summary.get('msg'))
    assert summary['total_count'] == len(listed['backup_items']) == summary['summary']['count']
    assert sum(summary['summary']['by_age'].values()) == summary['total_count']
    assert summary['summary']['by_outcome'] == listed['summary']['by_outcome']
    assert set(item['kind'] for item in listed['backup_items']) == {'user', 'site', 'team', 'group'}
    if version != 'v6':
        assert listed['summary']['by_outcome']['failed'] > 0  # Megan, Finance, Mark 8 in the warning sessions


def test_fields_and_repositories_narrow_the_result(emu, run_module):
    result = run_module(backup_item_info, sites=['https://tailspin.sharepoint.com/sites/Finance'], teams=['Sales Team'],
                        repositories=['Primary repository'], fields=['name', 'kind', 'repository'],
                        **connection(emu, 'v8'))
    assert not result.failed, result.get('msg')
    assert sorted((item['kind'], item['repository']) for item in result['backup_items']) == [
        ('site', 'Primary repository'), ('team', 'Primary repository')]
    assert all(set(item) == {'name', 'kind', 'repository'} for item in result['backup_items'])


@pytest.mark.parametrize('version', VERSIONS)
def test_an_item_of_another_organization_is_dropped_with_a_warning(emu, run_module, version):
    emu.fault('/%s/BackupRepositories/' % version, count=100, foreign_organization=True)
    result = run_module(backup_item_info, users=[address('megan.bowen')], **connection(emu, version))
    assert not result.failed, result.get('msg')
    assert [item['protected'] for item in result['backup_items']] == [False]
    assert any('another organization' in warning for warning in result.warnings)
    check = gate(run_module, emu, version, user=address('megan.bowen'), services=['mailbox'])
    assert check['passed'] is False and 'not protected' in check['reason']


@pytest.mark.parametrize('version', VERSIONS)
def test_the_gate_names_what_is_missing(emu, run_module, version):
    megan = gate(run_module, emu, version, organization=ORG, user=address('megan.bowen'), services=['mailbox'])
    if version == 'v6':
        # v6 has no ProcessedObjects: her mailbox time, from the session before, is under 24 h old.
        assert megan['passed'] is True and 'v6' in megan['reason']
    else:
        assert megan['passed'] is False
        assert 'mailbox failed in session' in megan['reason']
    alex = gate(run_module, emu, version, user=address('alex.wilber'), services=['mailbox', 'onedrive'])
    assert alex['passed'] is False and 'onedrive last backed up' in alex['reason'] and 'mailbox' not in alex['reason']
    lidia = gate(run_module, emu, version, user=address('lidia.holloway'), services=['mailbox'])
    assert lidia['passed'] is False and 'not in any backup repository (not protected)' in lidia['reason']
    patti = gate(run_module, emu, version, user=address('patti.fernandez'), services=['mailbox'])
    assert patti['passed'] is True, patti['reason']
    adele = gate(run_module, emu, version, user='Adele Vance', services=['mailbox'])
    assert adele['passed'] is False and address('adelev') in adele['reason']


def test_a_passing_item_on_the_fresh_server(emu, run_module):
    check = gate(run_module, emu, 'v8', tenant=None, organization='contoso.onmicrosoft.com',
                 user='patti.fernandez@contoso.onmicrosoft.com', services=['mailbox', 'onedrive'])
    assert check['passed'] is True, check['reason']
    assert check['latest_success'] and check['hours_since_success'] < 24


@pytest.mark.parametrize('reading', ['msid', 'accountId'])
@pytest.mark.parametrize('version', ('v7', 'v8'))
def test_whichever_id_processed_objects_carries_the_gate_fails_closed(tmp_path, run_module, reading, version):
    with EmulatorProcess(tmp_path, '--jobs', 40, '--tenants', 'tailspin=warning', '--vb365-processed-id',
                         reading) as emulator:
        megan = gate(run_module, emulator, version, user=address('megan.bowen'), services=['mailbox'])
        assert megan['passed'] is False, megan['reason']
        patti = gate(run_module, emulator, version, user=address('patti.fernandez'), services=['mailbox'])
        # An ID the client cannot match on this version leaves the outcome unreadable: no pass on it.
        matched = reading == 'accountId' or version == 'v8'
        assert patti['passed'] is matched, patti['reason']
        if not matched:
            assert 'does not list the item' in patti['reason']


@pytest.mark.parametrize('version', ('v7', 'v8'))
def test_when_a_failure_moves_the_backup_time_the_gate_still_fails(tmp_path, run_module, version):
    with EmulatorProcess(tmp_path, '--jobs', 40, '--tenants', 'tailspin=warning', '--vb365-failed-advances') as emulator:
        megan = gate(run_module, emulator, version, user=address('megan.bowen'), services=['mailbox'])
        assert megan['passed'] is False and 'mailbox failed in session' in megan['reason']
        patti = gate(run_module, emulator, version, user=address('patti.fernandez'), services=['mailbox'])
        assert patti['passed'] is True, patti['reason']


def test_named_items_read_each_session_once_and_stop_when_all_are_found(emu, run_module):
    users = [address(login) for login in ('megan.bowen', 'patti.fernandez', 'isaiah.langer', 'alex.wilber')]
    result = run_module(backup_item_info, users=users, **connection(emu, 'v8'))
    assert not result.failed, result.get('msg')
    assert all(item['outcome'] != 'unknown' for item in result['backup_items'] if item['repository'] == 'Primary repository')
    read = [entry['path'] for entry in emu.requests('/v8/JobSessions/') if entry['path'].endswith('/ProcessedObjects')]
    assert len(read) == len(set(read))


def test_a_user_deleted_from_the_organization_is_found_by_id(items_emulator, emu, run_module):
    joni = items_emulator.vb365_objects('tailspin')['users']['joni']
    result = run_module(backup_item_info, users=[joni['id']], **connection(emu, 'v7'))
    assert not result.failed, result.get('msg')
    assert {item['repository'] for item in result['backup_items']} >= {'Primary repository'}
    assert all(item['deleted'] is True for item in result['backup_items'])


@pytest.mark.parametrize('fault, words', [(dict(other_object=True), 'another item'),
                                          (dict(future_times=True), None)])
def test_a_server_that_answers_another_item_or_future_times_is_not_believed(emu, run_module, fault, words):
    emu.fault('/v8/BackupRepositories/', count=100, **fault)
    result = run_module(backup_item_info, users=[address('patti.fernandez')], **connection(emu, 'v8'))
    assert not result.failed, result.get('msg')
    # The Primary repository's times are within the hour: two days ahead they are after now, and not believed.
    assert not any(service['backed_up'] for item in result['backup_items'] if item['repository'] != 'Legacy repository'
                   for service in item['services'].values())
    if words:
        assert any(words in warning for warning in result.warnings)
    check = gate(run_module, emu, 'v8', user=address('patti.fernandez'), services=['mailbox'])
    assert check['passed'] is False, check['reason']


def test_links_to_another_host_are_followed_on_the_origin(emu, run_module):
    emu.fault('/v8/BackupRepositories/', count=100, next_link_host='evil.example:443')
    result = run_module(backup_item_info, organization=ORG, page_size=5, **connection(emu, 'v8'))
    assert not result.failed, result.get('msg')
    assert len(result['backup_items']) > 5
    assert all(entry['host'].split(':')[0] in ('127.0.0.1', 'localhost') for entry in emu.requests('/v8/'))


@pytest.mark.parametrize('version', VERSIONS)
def test_every_request_is_one_the_documents_describe(emu, run_module, version):
    """Held to Veeam's OpenAPI documents as test_wire_fidelity.py holds the sessions' requests: each route, each
    query parameter and its type (a server ignores one it does not document, so sending it would check nothing)."""
    from test_wire_fidelity import Contract
    named = run_module(backup_item_info, users=[address('patti.fernandez'), 'Megan Bowen', address('lidia.holloway')],
                       sites=['https://tailspin.sharepoint.com/sites/Finance'], teams=['Sales Team'],
                       groups=['All Company'], **connection(emu, version))
    assert not named.failed, named.get('msg')
    listed = run_module(backup_item_info, summary_only=True, page_size=20, **connection(emu, version))
    assert not listed.failed, listed.get('msg')
    gate(run_module, emu, version, user=address('megan.bowen'), services=['mailbox'])
    contract = Contract(version)
    checked = set()
    for entry in emu.requests('/%s/' % version):
        template, _operation = contract.check_request(entry)
        checked.add(template)
    assert {'/Organizations', '/BackupRepositories', '/Organizations/{organizationId}/Users',
            '/BackupRepositories/{repositoryId}/UserData/{userId}', '/BackupRepositories/{repositoryId}/SiteData'} <= {
        template.replace('/%s' % version, '', 1) if template.startswith('/v') else template for template in checked}
