"""VB365 REST API v6 to v8: organizations (users, sites, teams, groups), backup repositories, their backed-up data
(UserData, SiteData, TeamData, GroupData) and the objects a job session processed, with the versions' differences:
v6 and v7 list organizations and repositories as plain arrays and v8 pages them; fields come and go per version
(``FIELDS``); ProcessedObjects exists from v7 on. The data is ``objects.Objects``'s.

Query parameters: each route reads those its version's OpenAPI document lists (``PARAMETERS``), refuses a value of
the wrong type or outside its enumeration (400, ParameterValidationFailure), and ignores any other parameter, as the
product does; ``--ignore-filters`` makes it ignore listed ones too. tests/integration/test_emulator_items.py holds
``PARAMETERS`` to the documents.

Faults (``EmulatorProcess.fault``) that change an answer here, beside those of every route (status, delay, reset,
expired tokens): ``foreign_organization`` (the item, or a page's first item, is of another organization),
``other_object`` (UserData/{id} and the like answer another object's item), ``future_times`` (backed-up times two
days ahead of the clock); and on every page (vb365.page) ``ignore_offset``, ``ignore_limit``, ``next_link_host``.
"""

import datetime
import fnmatch
import itertools
import uuid

from flask import g, jsonify

from emulator.auth import query_args
from emulator.objects import chain, guid, mapped, when
from emulator.vb365 import Refusal, at_least, link, page

NO_ROUTE = 'No HTTP resource was found that matches the request URI.'
BOOL, UUID, TEXT = 'bool', 'uuid', 'text'
LOCATIONS = ('Cloud', 'OnPremises', 'Hybrid', 'CloudOrHybrid', 'OnPremisesOrHybrid', 'Any')
SITE_LOCATIONS = ('Cloud', 'OnPremises', 'Any')
DATA_SOURCES = ('PreferLocal', 'Production', 'PreferLocalResynced')
PAGED = (('offset', 'int'), ('limit', 'int'))
LISTED = PAGED + (('setId', UUID),)
DATA_SOURCE = (('dataSource', DATA_SOURCES),)


def _versions(v6, v7=(), v8=()):
    """Each version's parameters: the previous version's and its own."""
    return dict(v6=tuple(v6), v7=tuple(v6) + tuple(v7), v8=tuple(v6) + tuple(v7) + tuple(v8))


# The query parameters of each route, per version, as the vendor's documents list them: (name, kind), kind being
# 'int' (read by vb365.page), bool, uuid, text or a tuple of the values allowed. A route missing from a version's
# table does not exist in that version.
PARAMETERS = {
    '/Organizations': dict(v6=(('extendedView', BOOL),), v7=(('extendedView', BOOL),),
                           v8=(('extendedView', BOOL), ('msid', UUID), ('backedUpOrganizationId', TEXT)) + PAGED),
    '/Organizations/{organizationId}': _versions((('extendedView', BOOL),)),
    '/Organizations/{organizationId}/Users': _versions(
        LISTED + (('userName', TEXT), ('displayName', TEXT), ('locationFilter', LOCATIONS)), DATA_SOURCE,
        (('detectedSkuType', ('Other', 'Education')),)),
    '/Organizations/{organizationId}/Users/{userId}': _versions((), DATA_SOURCE),
    '/Organizations/{organizationId}/Sites': _versions(
        LISTED + (('includePersonalSites', BOOL), ('parentId', TEXT), ('locationFilter', SITE_LOCATIONS)),
        (('filter', TEXT),) + DATA_SOURCE, (('includeSearchSites', BOOL),)),
    '/Organizations/{organizationId}/Sites/{siteId}': _versions((), DATA_SOURCE),
    '/Organizations/{organizationId}/Teams': _versions(LISTED + (('displayName', TEXT),), DATA_SOURCE),
    '/Organizations/{organizationId}/Teams/{teamId}': _versions((), DATA_SOURCE),
    '/Organizations/{organizationId}/Groups': _versions(
        LISTED + (('displayName', TEXT), ('groupName', TEXT), ('locationFilter', LOCATIONS)), DATA_SOURCE),
    '/Organizations/{organizationId}/Groups/{groupId}': _versions((), DATA_SOURCE),
    '/BackupRepositories': _versions((('proxyId', UUID), ('longTerm', BOOL)), (),
                                     (('proxyPoolId', UUID), ('organizationId', UUID)) + PAGED),
    '/BackupRepositories/{repositoryId}': _versions(()),
    '/JobSessions/{sessionId}/ProcessedObjects': dict(v7=PAGED, v8=PAGED),
}
DATA = (('UserData', 'userId', 'User'), ('SiteData', 'siteId', 'Site'), ('TeamData', 'teamId', 'Team'),
        ('GroupData', 'groupId', 'Group'))
for _route, _key, _kind in DATA:
    PARAMETERS['/BackupRepositories/{repositoryId}/%s' % _route] = _versions(PAGED)
    PARAMETERS['/BackupRepositories/{repositoryId}/%s/{%s}' % (_route, _key)] = _versions(())

# The fields of each kind of record per version, in the order the documents list them. The documents of v6 require
# itemType and repositoryId of backed-up data without describing them; the emulator sends them.
_USER_DATA = ('itemType', 'repositoryId', 'mailboxBackedUpTime', 'archiveBackedUpTime', 'oneDriveBackedUpTime',
              'personalSiteBackedUpTime', 'isMailboxBackedUp', 'isOneDriveBackedUp', 'isArchiveBackedUp',
              'isPersonalSiteBackedUp', 'accountType', 'archiveName', 'id', 'accountId', 'displayName', 'email',
              'oneDriveUrl', 'personalSiteUrl', 'organizationId')
_GROUP_DATA = ('itemType', 'repositoryId', 'isMailboxBackedUp', 'isSiteBackedUp', 'mailboxBackedUpTime',
               'siteBackedUpTime', 'id', 'accountId', 'displayName', 'email', 'groupSiteUrl', 'organizationId')
_V7_DATA = ('isDeleted', 'proxyId')
_REPOSITORY = ('id', 'name', 'description', 'path', 'retentionType', 'retentionPeriodType', 'yearlyRetentionPeriod',
               'retentionFrequencyType', 'dailyTime', 'dailyType', 'proxyId', 'capacityBytes', 'freeSpaceBytes',
               'isLongTerm', 'objectStorageEncryptionEnabled')
FIELDS = {
    'Organization': _versions(('id', 'name', 'officeName', 'type', 'region', 'isExchangeOnline', 'isSharePointOnline',
                               'isTeamsOnline', 'isTeamsChatsOnline'), ('description',),
                              ('msid', 'backedUpOrganizationId')),
    'User': _versions(('id', 'displayName', 'name', 'type', 'locationType'), ('office',),
                      ('eTag', 'assignedLicenses', 'msid', 'dataLocation')),
    'Site': _versions(('id', 'url', 'name', 'isCloud', 'isPersonal', 'title', 'isAvailable'), (),
                      ('eTag', 'msid', 'dataLocation')),
    'Team': _versions(('id', 'displayName', 'description', 'mail'), (), ('eTag', 'msid', 'dataLocation')),
    'Group': _versions(('id', 'displayName', 'name', 'managedBy', 'site', 'type', 'locationType'), (),
                       ('eTag', 'msid', 'dataLocation')),
    'Repository': dict(v6=_REPOSITORY + ('objectStorageId', 'objectStorageCachePath', 'isOutOfSync'),
                       v7=_REPOSITORY + ('objectStorageId', 'objectStorageCachePath', 'isOutOfSync'),
                       v8=_REPOSITORY + ('proxyPoolId', 'organizationId', 'isOutdated', 'isOutOfSync', 'isIndexed',
                                         'isMigrationLocked', 'isOutOfOrder', 'outOfOrderReason')),
    'UserData': dict(v6=_USER_DATA, v7=_V7_DATA + _USER_DATA + ('backedUpOrganizationId',),
                     v8=_USER_DATA + ('backedUpOrganizationId',)),
    'SiteData': dict(v6=('id', 'itemType', 'repositoryId', 'title', 'url', 'backedUpTime', 'organizationId'),
                     v7=('id', 'itemType', 'repositoryId', 'title', 'url', 'backedUpTime', 'organizationId')
                     + _V7_DATA + ('backedUpOrganizationId',),
                     v8=('id', 'itemType', 'repositoryId', 'title', 'url', 'backedUpTime', 'organizationId',
                         'backedUpOrganizationId', 'msid')),
    'TeamData': dict(v6=('id', 'itemType', 'repositoryId', 'displayName', 'backedUpTime', 'organizationId'),
                     v7=('id', 'itemType', 'repositoryId', 'displayName', 'backedUpTime', 'organizationId')
                     + _V7_DATA + ('backedUpOrganizationId',),
                     v8=('id', 'itemType', 'repositoryId', 'displayName', 'backedUpTime', 'organizationId',
                         'backedUpOrganizationId', 'msid')),
    'GroupData': dict(v6=_GROUP_DATA, v7=_GROUP_DATA + _V7_DATA + ('backedUpOrganizationId',),
                      v8=_GROUP_DATA + ('backedUpOrganizationId',)),
}
FUTURE = datetime.timedelta(days=2)


def pick(record, kind, version):
    """The fields of ``record`` that ``version`` has for ``kind``, in the document's order; absent ones stay out."""
    return dict((field, record[field]) for field in FIELDS[kind][version] if field in record)


def _fault():
    return g.get('fault') or {}


def _parse(name, raw, kind):
    if kind == BOOL:
        if raw.lower() not in ('true', 'false'):
            raise Refusal(400, '%s must be true or false' % name, 'ParameterValidationFailure')
        return raw.lower() == 'true'
    if kind == UUID:
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            raise Refusal(400, '%s must be a GUID' % name, 'ParameterValidationFailure')
    if isinstance(kind, tuple):
        for value in kind:
            if value.lower() == raw.lower():
                return value
        raise Refusal(400, '%s must be one of %s' % (name, ', '.join(kind)), 'ParameterValidationFailure')
    return raw


def organization_record(organization):
    return dict(id=organization.id, name=organization.name, officeName=organization.name, type='Office365',
                region='Worldwide', isExchangeOnline=True, isSharePointOnline=True, isTeamsOnline=True,
                isTeamsChatsOnline=False, description='%s Microsoft 365' % organization.short_name,
                msid=organization.msid, backedUpOrganizationId=organization.backed_up_id)


def register(api, state, find_session):
    """Add the routes to the VB365 API through its ``api`` decorator (authorisation, versions, refusals)."""

    def route(template):
        """``api`` for a route of PARAMETERS: a version whose table lacks the route answers as for an unknown route,
        as v6 does for ProcessedObjects (and v5 for all of them: it is not emulated here)."""
        rule = template.replace('{', '<').replace('}', '>')

        def decorate(handler):
            def view(version, server, **path):
                if version not in PARAMETERS[template]:
                    raise Refusal(404, NO_ROUTE)
                return handler(version, server, arguments(template, version), **path)
            view.__name__ = handler.__name__
            api(rule)(view)
            return handler
        return decorate

    def arguments(template, version):
        known = dict(PARAMETERS[template][version])
        return dict((name, _parse(name, raw, known[name])) for name, raw in query_args(state).items()
                    if name in known and known[name] != 'int')

    def objects_of(server):
        if server.get('objects') is None:
            raise Refusal(404, NO_ROUTE)
        return server['objects']

    def organization_of(server, organization_id):
        for organization in objects_of(server).organizations:
            if organization.id == str(organization_id).lower():
                return organization
        raise Refusal(404, 'Organization with ID %s was not found.' % organization_id, 'ResourceNotFound')

    def set_id(organization, template, args):
        """The ID of a listing's result set: the same for the same query."""
        return guid(organization.seed, organization.id, template, sorted(args.items()))

    # Organizations

    def shape_organization(version, objects, organization, extended):
        shaped = pick(organization_record(organization), 'Organization', version)
        if extended:
            first, last = objects.organization_backups(organization)
            shaped.update(isBackedup=first is not None, firstBackuptime=when(first), lastBackuptime=when(last))
        base = '/Organizations/%s' % organization.id
        shaped['_links'] = dict(self=link(version, base), users=link(version, base + '/Users'),
                                sites=link(version, base + '/Sites'), teams=link(version, base + '/Teams'),
                                groups=link(version, base + '/Groups'))
        return shaped

    def extended_view(version, args):
        # v6 documents extendedView as required, with a default of true; v7 and v8 default to false.
        return args.get('extendedView', version == 'v6')

    @route('/Organizations')
    def organizations(version, server, args):
        objects = objects_of(server)
        chosen = [organization for organization in objects.organizations
                  if args.get('msid') in (None, organization.msid)
                  and args.get('backedUpOrganizationId', organization.backed_up_id).lower() == organization.backed_up_id]
        extended = extended_view(version, args)

        def shape(organization):
            return shape_organization(version, objects, organization, extended)
        if at_least(version, 'v8'):
            return jsonify(page(version, '/Organizations', chosen, shape))
        return jsonify([shape(organization) for organization in chosen])

    @route('/Organizations/{organizationId}')
    def one_organization(version, server, args, organizationId):
        organization = organization_of(server, organizationId)
        return jsonify(shape_organization(version, objects_of(server), organization, extended_view(version, args)))

    # The organization's users, sites, teams and groups

    def object_links(version, organization, collection, record):
        base = '/Organizations/%s' % organization.id
        return dict(self=link(version, '%s/%s/%s' % (base, collection, record['id'])), organization=link(version, base))

    def shape_user(version, organization, user):
        record = dict(user, locationType='Cloud', dataLocation='EUR',
                      assignedLicenses=[] if user['type'] == 'Shared' else [
                          dict(skuId=guid('sku', 'ENTERPRISEPACK'), skuPartNumber='ENTERPRISEPACK',
                               detectedSkuType='Other')])
        shaped = pick(record, 'User', version)
        shaped['_links'] = object_links(version, organization, 'Users', user)
        return shaped

    def shape_site(version, organization, site):
        shaped = pick(dict(site, isCloud=True, isAvailable=True, dataLocation='EUR'), 'Site', version)
        shaped['_links'] = object_links(version, organization, 'Sites', site)
        return shaped

    def shape_team(version, organization, team):
        shaped = pick(dict(team, dataLocation='EUR'), 'Team', version)
        shaped['_links'] = object_links(version, organization, 'Teams', team)
        return shaped

    def shape_group(version, organization, group):
        shaped = pick(dict(group, type='Office365', locationType='Cloud', dataLocation='EUR'), 'Group', version)
        shaped['_links'] = object_links(version, organization, 'Groups', group)
        return shaped

    def org_page(version, server, organization, template, args, records, shape):
        path = template.replace('{organizationId}', organization.id)
        return jsonify(page(version, path, records, lambda record: shape(version, organization, record),
                            set_id=set_id(organization, template, args)))

    @route('/Organizations/{organizationId}/Users')
    def users(version, server, args, organizationId):
        organization = organization_of(server, organizationId)
        on_premises = args.get('locationFilter') in ('OnPremises', 'Hybrid', 'OnPremisesOrHybrid')
        user_name, display_name = args.get('userName'), args.get('displayName')
        if on_premises or args.get('detectedSkuType') == 'Education':
            indexes = []
        elif user_name is None and display_name is None and args.get('detectedSkuType') is None:
            indexes = organization.listed
        else:
            key = ('vb365-users', id(server), organization.id, user_name, display_name, args.get('detectedSkuType'))
            indexes = state.selection(key, lambda: [
                index for index in organization.select_users(user_name, display_name)
                if args.get('detectedSkuType') is None or organization.user(index)['type'] != 'Shared'])
        return org_page(version, server, organization, '/Organizations/{organizationId}/Users', args,
                        mapped(indexes, organization.user), shape_user)

    @route('/Organizations/{organizationId}/Users/{userId}')
    def one_user(version, server, args, organizationId, userId):
        organization = organization_of(server, organizationId)
        user = organization.user_by_id(userId)
        if user is None:
            raise Refusal(404, 'Organization user with ID %s was not found.' % userId, 'ResourceNotFound')
        return jsonify(shape_user(version, organization, user))

    @route('/Organizations/{organizationId}/Sites')
    def sites(version, server, args, organizationId):
        organization = organization_of(server, organizationId)
        records = organization.sites
        if args.get('includePersonalSites'):
            records = chain(records, mapped(organization.with_onedrive(),
                                            lambda index: organization.personal_site(organization.user(index))))
        if args.get('locationFilter') == 'OnPremises' or args.get('parentId', 'root').lower() != 'root':
            records = []
        if args.get('filter'):
            word, every = args['filter'].lower(), records
            key = ('vb365-sites', id(server), organization.id, word, bool(args.get('includePersonalSites')))
            records = mapped(state.selection(key, lambda: [
                position for position, site in enumerate(every)
                if word in site['title'].lower() or word in site['url'].lower()]), every.__getitem__)
        return org_page(version, server, organization, '/Organizations/{organizationId}/Sites', args, records,
                        shape_site)

    def one_of(organization, object_id, kind):
        record = organization.by_id.get(str(object_id).lower())
        if record is None or record['kind'] != kind:
            raise Refusal(404, '%s with ID %s was not found.' % (kind, object_id), 'ResourceNotFound')
        return record

    @route('/Organizations/{organizationId}/Sites/{siteId}')
    def one_site(version, server, args, organizationId, siteId):
        organization = organization_of(server, organizationId)
        return jsonify(shape_site(version, organization, one_of(organization, siteId, 'Site')))

    def named(records, field, pattern, exact=False):
        if pattern is None:
            return records
        if exact:
            return [record for record in records if record[field].lower() == pattern.lower()]
        return [record for record in records if fnmatch.fnmatchcase(record[field].lower(), pattern.lower())]

    @route('/Organizations/{organizationId}/Teams')
    def teams(version, server, args, organizationId):
        organization = organization_of(server, organizationId)
        return org_page(version, server, organization, '/Organizations/{organizationId}/Teams', args,
                        named(organization.teams, 'displayName', args.get('displayName')), shape_team)

    @route('/Organizations/{organizationId}/Teams/{teamId}')
    def one_team(version, server, args, organizationId, teamId):
        organization = organization_of(server, organizationId)
        return jsonify(shape_team(version, organization, one_of(organization, teamId, 'Team')))

    @route('/Organizations/{organizationId}/Groups')
    def groups(version, server, args, organizationId):
        organization = organization_of(server, organizationId)
        records = named(named(organization.groups, 'displayName', args.get('displayName')), 'name',
                        args.get('groupName'), exact=True)
        if args.get('locationFilter') in ('OnPremises', 'Hybrid', 'OnPremisesOrHybrid'):
            records = []
        return org_page(version, server, organization, '/Organizations/{organizationId}/Groups', args, records,
                        shape_group)

    @route('/Organizations/{organizationId}/Groups/{groupId}')
    def one_group(version, server, args, organizationId, groupId):
        organization = organization_of(server, organizationId)
        return jsonify(shape_group(version, organization, one_of(organization, groupId, 'Group')))

    # Backup repositories and their backed-up data

    def shape_repository(version, objects, repository):
        record = dict(repository, retentionFrequencyType='Daily', dailyTime='03:00:00', dailyType='Everyday',
                      isOutOfSync=False, proxyPoolId=None, organizationId=objects.organization.id, isOutdated=False,
                      isIndexed=True, isMigrationLocked=False, isOutOfOrder=False, outOfOrderReason=None,
                      objectStorageEncryptionEnabled=True if repository['objectStorageId'] else None)
        if repository['objectStorageId']:
            record['objectStorageCachePath'] = 'E:\\Veeam\\Cache'
        shaped = pick(record, 'Repository', version)
        shaped['_links'] = dict(self=link(version, '/BackupRepositories/%s' % repository['id']))
        return shaped

    def repository_of(server, repository_id):
        repository = objects_of(server).repository_by_id.get(str(repository_id).lower())
        if repository is None:
            raise Refusal(404, 'Backup repository with ID %s was not found.' % repository_id, 'ResourceNotFound')
        return repository

    @route('/BackupRepositories')
    def repositories(version, server, args):
        objects = objects_of(server)
        chosen = [repository for repository in objects.repositories
                  if args.get('proxyId') in (None, repository['proxyId'])
                  and args.get('proxyPoolId') is None
                  and args.get('organizationId') in (None, objects.organization.id)
                  and (not args.get('longTerm') or repository['isLongTerm'])]

        def shape(repository):
            return shape_repository(version, objects, repository)
        if at_least(version, 'v8'):
            return jsonify(page(version, '/BackupRepositories', chosen, shape))
        return jsonify([shape(repository) for repository in chosen])

    @route('/BackupRepositories/{repositoryId}')
    def one_repository(version, server, args, repositoryId):
        return jsonify(shape_repository(version, objects_of(server), repository_of(server, repositoryId)))

    def shape_item(version, objects, repository, kind, item, foreign=False):
        """An item of backed-up data as ``version`` writes it; ``foreign``: as if of the other organization."""
        shift = FUTURE if _fault().get('future_times') else datetime.timedelta(0)

        def at(moment):
            return when(moment + shift) if moment is not None else None
        record = dict(item, itemType=kind, email=item.get('email') or item.get('name'))
        if kind == 'User':
            record.update(mailboxBackedUpTime=at(item['mailbox']), archiveBackedUpTime=at(item['archive']),
                          oneDriveBackedUpTime=at(item['onedrive']), personalSiteBackedUpTime=at(item['personalSite']),
                          isMailboxBackedUp=item['mailbox'] is not None, isArchiveBackedUp=item['archive'] is not None,
                          isOneDriveBackedUp=item['onedrive'] is not None,
                          isPersonalSiteBackedUp=item['personalSite'] is not None,
                          oneDriveUrl=[item['oneDriveUrl']] if item['onedrive'] else [],
                          personalSiteUrl=[item['oneDriveUrl']] if item['personalSite'] else [])
            if item['archive'] is not None:
                record['archiveName'] = 'In-Place Archive - %s' % item['displayName']
        elif kind == 'Group':
            record.update(mailboxBackedUpTime=at(item['mailbox']), siteBackedUpTime=at(item['groupSite']),
                          isMailboxBackedUp=item['mailbox'] is not None, isSiteBackedUp=item['groupSite'] is not None,
                          groupSiteUrl=[item['site']] if item['groupSite'] is not None else [])
        else:
            record['backedUpTime'] = at(item['backedUpTime'])
        if foreign:
            other = objects.other
            record.update(organizationId=other.id, backedUpOrganizationId=other.backed_up_id)
            if record.get('email'):
                record['email'] = record['email'].split('@')[0] + '@' + other.name
        shaped = pick(record, kind + 'Data', version)
        base = '/BackupRepositories/%s' % repository['id']
        shaped['_links'] = dict(self=link(version, '%s/%sData/%s' % (base, kind, item['id'])),
                                repository=link(version, base))
        return shaped

    def data_routes(collection, key, kind):
        listing = '/BackupRepositories/{repositoryId}/%s' % collection
        single = '%s/{%s}' % (listing, key)

        def listed(version, server, args, repositoryId):
            objects = objects_of(server)
            repository = repository_of(server, repositoryId)
            shaped = itertools.count()
            foreign = bool(_fault().get('foreign_organization'))

            def shape(record):
                # The foreign_organization fault makes the page's first item another organization's.
                return shape_item(version, objects, repository, kind, objects.item(repository, record),
                                  foreign=foreign and next(shaped) == 0)
            return jsonify(page(version, listing.replace('{repositoryId}', repository['id']),
                                objects.repository_items(repository, kind), shape))
        listed.__name__ = 'data_' + collection
        route(listing)(listed)

        def one(version, server, args, repositoryId, **path):
            objects = objects_of(server)
            repository = repository_of(server, repositoryId)
            object_id = path[key]
            record = objects.find(repository, kind, object_id)
            if record is None:
                raise Refusal(404, 'The %s with ID %s was not found in the backup repository.' % (kind.lower(), object_id),
                              'ResourceNotFound')
            if _fault().get('other_object'):
                held = objects.repository_items(repository, kind)
                record = next((other for other in held[:2] if other['id'] != record['id']), record)
            return jsonify(shape_item(version, objects, repository, kind, objects.item(repository, record),
                                      foreign=bool(_fault().get('foreign_organization'))))
        one.__name__ = 'one_' + collection
        route(single)(one)

    for collection, key, kind in DATA:
        data_routes(collection, key, kind)

    # What a job session processed (v7, v8)

    @route('/JobSessions/{sessionId}/ProcessedObjects')
    def processed_objects(version, server, args, sessionId):
        session = find_session(server, sessionId)
        objects = objects_of(server)
        job = objects.job_names.get(session['jobId'])

        def shape(record):
            return dict(id=objects.processed_object_id(record), type=record['kind'],
                        status=objects.status(session, record, job),
                        _links=dict(jobSession=link(version, '/JobSessions/%s' % session['id'])))
        return jsonify(page(version, '/JobSessions/%s/ProcessedObjects' % session['id'], objects.processed(session),
                            shape))
