# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one list of what the backup gate can check: each source, its vendor, its endpoint, the filters it takes
with the check of each value, and how its records are listed.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

The gate (_gate_run), the validation of checks (_checks, and through it the gate_checks lookup, the role and the
event source) ask this list; nothing else keeps one. Adding a source is one entry here plus its endpoint
description (an _avepoint_apis.JobApi, or a VB365 route), and a vendor is one entry of VENDORS.
"""

from collections import OrderedDict
from datetime import datetime, timezone

from ansible_collections.backupops.jobs.plugins.module_utils import _avepoint, _vb365, _vb365_apis
from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import (
    DYNAMICS,
    GOOGLE,
    GOOGLE_APP_TYPES,
    GOOGLE_DATA_SOURCES,
    VM,
    VM_SERVICE_TYPES,
)
from ansible_collections.backupops.jobs.plugins.module_utils._egress import ID_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_guid
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import parse_timestamp

OLDEST = datetime.min.replace(tzinfo=timezone.utc)


class Vendor:
    """How the gate connects to one vendor: ``connect(params, context, connections, budget)`` from its connection
    options (see _module.CONNECTION_SPECS), and ``close(connection)`` when the run is over."""

    def __init__(self, connect, close=None):
        self.connect = connect
        self.close = close or (lambda connection: None)


VENDORS = OrderedDict([
    ('avepoint', Vendor(_avepoint.AvePointConnection)),
    ('vb365', Vendor(_vb365.connect, lambda client: client.logout())),
])


class Source:
    """One source of the gate's checks.

    ``vendor`` names its VENDORS entry; ``endpoint`` is its endpoint description; ``covers`` says what a check
    without filters covers (its reason begins with it); ``filters`` maps each filter it takes to the check of its
    value (``check(filter, value)``, raising OptionError; None takes any text), of which the groups in
    ``exclusive`` name one thing; ``lister(connection, filters, start, end, consume)`` lists its normalised records
    from ``start`` to ``end`` (datetimes), handing each to ``consume`` as it arrives where ``streams(connection)``;
    ``order`` is the key its listings sort their records by, newest first (None: as the API lists them).
    ``order`` is the key its listings sort their records by, newest first (None: as the API lists them).
    ``job(connection, filters)``, for a source whose checks may name one job (by one of ``job_filters``), reads that
    job (its id, name, schedule_policy, is_enabled): what max_age_hours: schedule and refresh need.
    ``judge``, ``list_filters`` and ``validate``: see below (the vb365_item source judges each item itself)."""

    def __init__(self, name, vendor, endpoint, covers, filters, lister, exclusive=(), streams=None, order=None,
                 job=None, job_filters=(), judge=None, list_filters=(), validate=None):
        self.name = name
        self.job = job
        self.job_filters = job_filters
        # A source that judges its checks itself (``judge(connection, check, now)`` returning a verdict with the
        # keys of _gate.decide's) instead of listing records for _gate.decide; ``list_filters`` name the filters
        # whose value is a list of texts, and ``validate(filters)`` checks the filters of one check together.
        self.judge = judge
        self.list_filters = tuple(list_filters)
        self.validate = validate
        self.vendor = vendor
        self.endpoint = endpoint
        self.covers = covers
        self.filters = OrderedDict(filters)
        self.exclusive = exclusive
        self._lister = lister
        self._streams = streams or (lambda connection: True)
        self.order = order

    def list(self, connection, filters, start, end, consume=None):
        return self._lister(connection, filters, start, end, consume)

    def streams(self, connection):
        """Whether the records can be consumed as they arrive: not where a limit chooses the newest."""
        return self._streams(connection)


SOURCES = OrderedDict()


def register(source):
    """Add ``source`` to the list (a later entry of the same name replaces the earlier); returns it."""
    SOURCES[source.name] = source
    return source


def _job_type_is_backup(api):
    """A check of the job_type filter: a known type (by name or code) whose kind is backup."""
    def check(option, value):
        code = api.job_types.code_for(option, value)
        kind = api.kinds.of({api.kinds.field: code})
        if kind != 'backup':
            backups = [name for name in api.job_types.names if api.kinds.of({api.kinds.field: api.job_types.code_for(
                option, name)}) == 'backup']
            raise OptionError('%s %r is a job of kind %s, not a backup; the gate counts only backups, so give a backup '
                              'type (%s) or leave %s out' % (option, value, kind, ', '.join(backups), option),
                              option=option, value=value)
        return code
    return check


def avepoint_source(name, api, covers, filters, defaults=None):
    """A source of the jobs of one AvePoint Graph API endpoint (``api``, a JobApi), listed with the filter options
    ``defaults`` (what its module lists by default) and the check's filters."""
    def lister(connection, given, start, end, consume):
        jobs, _total = connection.list_jobs(api, dict(defaults or {}, **given), start, end, consume, given=given)
        return jobs
    return Source(name, 'avepoint', api, covers, filters, lister,
                  streams=lambda connection: connection.limit is None)


def _vb365_sessions(client, filters, start, end, consume):
    job_id = filters.get('job_id')
    if filters.get('job_name'):
        job_id = client.job_id_named(filters['job_name'])
    return client.sessions(job_id, 'backup', [], start, end, consume, filters.get('job_name'))


def _vb365_job(client, filters):
    job_id = filters.get('job_id') or client.job_id_named(filters['job_name'])
    job = client.job(job_id)
    if job is None:
        raise OptionError('job_id: no job %s on the server' % printable(job_id, limit=ID_LIMIT), option='job_id')
    return job


def _newest_session_first(cut):
    """The order of a listing of sessions (see _vb365.VB365Client.sessions), for a Tally of their cuts, which keep
    the common time keys: when it ended or, still running, when it began."""
    return parse_timestamp(cut.get('finish_time')) or parse_timestamp(cut.get('start_time')) or OLDEST


register(avepoint_source('dynamics', DYNAMICS, 'every Dynamics 365 backup job of the tenant',
                         [('organization_id', check_guid), ('job_type', _job_type_is_backup(DYNAMICS))],
                         defaults=dict(job_type='backup')))
register(avepoint_source('vm', VM, 'every IaaS + PaaS backup job of the tenant',
                         [('search_text', None), ('service_type', VM_SERVICE_TYPES.code_for),
                          ('job_type', _job_type_is_backup(VM))]))
register(avepoint_source('google', GOOGLE, 'every Google Workspace backup job of the tenant',
                         [('data_source', GOOGLE_DATA_SOURCES.code_for), ('app_type', GOOGLE_APP_TYPES.code_for),
                          ('job_type', _job_type_is_backup(GOOGLE))]))
register(Source('vb365', 'vb365', 'GET /JobSessions of the VB365 REST API', 'every backup job of the VB365 server',
                [('job_id', check_guid), ('job_name', None)], _vb365_sessions, exclusive=(('job_id', 'job_name'),),
                order=_newest_session_first, job=_vb365_job, job_filters=('job_id', 'job_name')))


# One backed-up item of VB365 (a user, a site, a team, a group) and the services of it that must be backed up.
ITEM_FILTERS = ('user', 'site', 'team', 'group')


def _check_services(option, values):
    unknown = [value for value in values if value not in _vb365_apis.SERVICE_NAMES]
    if unknown:
        raise OptionError('%s: %s is not a service; give some of %s' % (
            option, ', '.join(repr(value) for value in unknown), ', '.join(_vb365_apis.SERVICE_NAMES)),
            option=option, value=values)
    return values


def _one_item(filters):
    if not any(name in filters for name in ITEM_FILTERS):
        raise OptionError('source vb365_item checks one item: give one of the filters %s (with organization and '
                          'services as needed)' % ', '.join(ITEM_FILTERS), option='filters')


def _no_listing(client, filters, start, end, consume):
    raise OptionError('source vb365_item judges one item itself; it lists no jobs', option='source')


def _judge_item(client, check, now):
    return _vb365.judge_item_check(client, check['filters'], check['accept'], now, check['max_age_hours'])


register(Source('vb365_item', 'vb365', 'GET /BackupRepositories/{id}/UserData/{id} (and SiteData, TeamData, '
                'GroupData, ProcessedObjects) of the VB365 REST API', 'every named service of one VB365 item',
                [('organization', None), ('user', None), ('site', None), ('team', None), ('group', None),
                 ('services', _check_services)], _no_listing, exclusive=(ITEM_FILTERS,), judge=_judge_item,
                list_filters=('services',), validate=_one_item))
