"""The objects of a VB365 server: its organizations (users, sites, teams, groups), its backup repositories, the
backed-up data of each object in each repository, and the objects each job session processed.

Everything follows from the server's seed and its job sessions (``data.build_vb365``), and nothing big is stored:
a user is made from its index when asked for, and its ID carries the index back (``Ids``), so an organization of
50,000 users costs no more memory than one of 40. Records here hold every field of every version, under the v8
names where they differ; ``vb365_objects`` shapes them per version.

How the data agrees with the sessions the server serves:
- each backup job processes a kind of object: Exchange daily the users' mailboxes (and archives), SharePoint daily
  the users' OneDrives (and personal sites) and the sites, Teams hourly the teams and the groups; the copy job copies
  what Exchange daily backed up to the long-term repository;
- an object's status in a session follows the session's: every object succeeds in a Success session and fails in a
  Failed one; a Warning session holds some Warning and Failed objects (at least one Warning); a Running session lists
  nothing yet;
- an object's backed-up time is the moment it was processed (between the start and the end of the session) in the
  newest ended session of its job where it succeeded or warned (``failed_advances``: where it was processed at all);
  null when no such session exists.
The stories (``STORY_USERS`` and the story sites, teams and groups) are objects that break those patterns on
purpose; docs/development.md tells them.
"""

import datetime
import fnmatch
import functools
import hashlib
import uuid

from emulator.data import VB365_COPY_JOB, VB365_JOBS, iso

EXCHANGE, SHAREPOINT, TEAMS_JOB = VB365_JOBS
COPY = VB365_COPY_JOB
ADVANCING = ('Success', 'Warning')
# How far before the newest session of the server the two dated stories happen.
ONEDRIVE_STALE_FOR = datetime.timedelta(hours=30)
DELETED_BEFORE = datetime.timedelta(days=5)

# (key, mail nickname, display name, what the user shows); docs/development.md tells each story
STORY_USERS = (
    ('adele', 'adele.vance', 'Adele Vance', 'ambiguous'),
    ('adele2', 'adelev', 'Adele Vance', 'ambiguous, mailbox only'),
    ('megan', 'megan.bowen', 'Megan Bowen', 'mailbox failed in the newest Warning session of Exchange daily'),
    ('alex', 'alex.wilber', 'Alex Wilber', 'OneDrive not backed up for 30 hours, mailbox fresh'),
    ('lidia', 'lidia.holloway', 'Lidia Holloway', 'in no job and no repository'),
    ('patti', 'patti.fernandez', 'Patti Fernandez', 'in the Primary and the Legacy repository'),
    ('pradeep', 'pradeep.gupta', 'Pradeep Gupta', 'in the Legacy repository only'),
    ('joni', 'joni.sherman', 'Joni Sherman', 'deleted from the organization 5 days ago, still in the repositories'),
    ('isaiah', 'isaiah.langer', 'Isaiah Langer', 'has an archive mailbox'),
    ('sales', 'sales', 'Sales Desk', 'a shared mailbox'),
)
STORIES = len(STORY_USERS)
# (name of the site, team or group, story key or None)
SITES = (('Communication site', '', None), ('Finance', 'Finance', 'failed'), ('Marketing', 'Marketing', None),
         ('Sales', 'Sales', None), ('Human Resources', 'HR', None), ('Project Falcon', 'ProjectFalcon', 'no job'))
TEAMS = (('Sales Team', None), ('Marketing', None), ('Engineering', None), ('Retail', None),
         ('Mark 8 Project Team', 'failed'), ('Leadership', None))
GROUPS = (('All Company', None), ('Sales and Marketing', None), ('U.S. Sales', None),
          ('Digital Initiative Public Relations', None), ('Finance Group', None), ('Ask HR', 'no job'))
FIRST = ('Aaron', 'Bianca', 'Carlos', 'Dana', 'Elif', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kara', 'Luis',
         'Maya', 'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wade', 'Xenia', 'Yusuf',
         'Zoe', 'Anil', 'Brit', 'Chen', 'Dario', 'Emma', 'Felix', 'Gita', 'Hugo', 'Ivy', 'Jin', 'Kofi', 'Lena', 'Marco',
         'Nora')
LAST = ('Abbott', 'Berg', 'Costa', 'Dahl', 'Eriksen', 'Fischer', 'Garcia', 'Haas', 'Ibsen', 'Jensen', 'Kovac', 'Lund',
        'Moreau', 'Novak', 'Ortiz', 'Petrov', 'Quist', 'Rossi', 'Silva', 'Tanaka', 'Ueda', 'Vogel', 'Weber', 'Xu',
        'Young', 'Zeller', 'Arnaud', 'Brandt', 'Chow', 'Duarte', 'Engel', 'Ferraro', 'Gruber', 'Holm', 'Iqbal',
        'Jansen', 'Keller', 'Lindqvist', 'Mendes', 'Nakamura')
OFFICES = ('Seattle', 'Redmond', 'Dublin', 'Munich', 'Singapore', 'Sydney')
LEGACY_EVERY = 10  # one generic user in ten is also in the Legacy repository


def _digest(*parts):
    return hashlib.blake2b('/'.join(str(part) for part in parts).encode(), digest_size=16).digest()


def guid(*parts):
    return str(uuid.UUID(bytes=_digest(*parts), version=4))


def fraction(*parts):
    """A number in [0, 1) that the parts decide."""
    return int.from_bytes(_digest(*parts)[:8], 'big') / float(1 << 64)


class Ids:
    """The IDs of one kind of object, by index: random-looking GUIDs whose last group is the index through a bijection
    of 48-bit numbers, so that an ID is read back to its index without a table."""

    SPREAD = 0x5DEECE66D  # odd, so multiplying by it modulo 2**48 can be undone
    MODULUS = 1 << 48

    def __init__(self, *parts):
        self.parts = parts
        self.mask = int.from_bytes(_digest(*(parts + ('mask',)))[:6], 'big')
        self.inverse = pow(self.SPREAD, -1, self.MODULUS)

    def of(self, index):
        head = _digest(*(self.parts + (index,))).hex()
        tail = (index * self.SPREAD + self.mask) % self.MODULUS
        return '%s-%s-4%s-%s%s-%012x' % (head[:8], head[8:12], head[13:16], '89ab'[int(head[16], 16) % 4], head[17:20],
                                         tail)

    def index(self, text):
        """The index of an ID of this kind, or None."""
        text = str(text).lower()
        try:
            index = ((int(text[-12:], 16) - self.mask) * self.inverse) % self.MODULUS
        except ValueError:
            return None
        return index if len(text) == 36 and self.of(index) == text else None


class Lazy:
    """A read-only sequence of ``length`` records made by ``make(position)`` when read: what a listing pages through."""

    def __init__(self, length, make):
        self.length, self.make = length, make

    def __len__(self):
        return self.length

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self.make(position) for position in range(*key.indices(self.length))]
        if key < 0:
            key += self.length
        if not 0 <= key < self.length:
            raise IndexError(key)
        return self.make(key)

    def __iter__(self):
        return (self.make(position) for position in range(self.length))


def chain(*parts):
    """The sequences one after the other, as one lazy sequence."""
    parts = [part for part in parts if len(part)]
    starts, total = [], 0
    for part in parts:
        starts.append(total)
        total += len(part)

    def make(position):
        for start, part in zip(reversed(starts), reversed(parts)):
            if position >= start:
                return part[position - start]
        raise IndexError(position)
    return Lazy(total, make)


def mapped(sequence, function):
    return Lazy(len(sequence), lambda position: function(sequence[position]))


class Organization:
    """One organization: its users (story users first, at the indexes of STORY_USERS, then generic ones), sites, teams
    and groups. ``stories`` is False for the second organization, which has a few users and nothing else."""

    def __init__(self, seed, short_name, users, stories=True):
        self.seed, self.short_name, self.stories = seed, short_name, stories
        self.name = '%s.onmicrosoft.com' % short_name
        self.id = guid(seed, short_name, 'organization')
        self.msid = guid(seed, short_name, 'tenant')
        self.backed_up_id = guid(seed, short_name, 'backed-up organization')
        self.count = max(users, STORIES) if stories else users
        self.user_ids = Ids(seed, short_name, 'user')
        self.msids = Ids(seed, short_name, 'user msid')
        self.account_ids = Ids(seed, short_name, 'user account')
        self.sites = [self._site(index, *site) for index, site in enumerate(SITES)] if stories else []
        self.teams = [self._team(index, *team) for index, team in enumerate(TEAMS)] if stories else []
        self.groups = [self._group(index, *group) for index, group in enumerate(GROUPS)] if stories else []
        self.by_id = dict((record['id'], record) for record in self.sites + self.teams + self.groups)
        first = STORIES if stories else 0
        listed = [index for index in range(first) if STORY_USERS[index][0] != 'joni']
        # The organization's users as Users lists them: a deleted user is no longer among them.
        self.listed = chain(listed, range(first, self.count))

    def names(self, index):
        """(mail nickname, displayName) of the user of this index, without the rest of it."""
        if self.stories and index < STORIES:
            return STORY_USERS[index][1:3]
        number = index - (STORIES if self.stories else 0)
        if not self.stories and number == 0:
            return 'adele.vance', 'Adele Vance'  # the namesake of the main organization's Adele Vance
        round_, pair = divmod(number, len(FIRST) * len(LAST))
        first, last = FIRST[pair % len(FIRST)], LAST[pair // len(FIRST)]
        suffix = '' if round_ == 0 else str(round_ + 1)
        return '%s.%s%s' % (first.lower(), last.lower(), suffix), ('%s %s %s' % (first, last, suffix)).strip()

    def user(self, index):
        """The user of this index: ids, name (UPN), displayName, kind and what it has."""
        story = STORY_USERS[index][0] if self.stories and index < STORIES else None
        nickname, display = self.names(index)
        shared = story == 'sales'
        return dict(index=index, story=story, id=self.user_ids.of(index), msid=self.msids.of(index),
                    accountId=self.account_ids.of(index), name='%s@%s' % (nickname, self.name), displayName=display,
                    type='Shared' if shared else 'User', accountType='SharedMailbox' if shared else 'User',
                    office=OFFICES[index % len(OFFICES)], eTag=1 + int(fraction(self.seed, 'etag', index) * 900),
                    archive=story == 'isaiah' or (story is None and index % 7 == 0),
                    onedrive=not shared and story != 'adele2', deleted=story == 'joni',
                    oneDriveUrl='https://%s-my.sharepoint.com/personal/%s_%s' % (
                        self.short_name, nickname.replace('.', '_'), self.name.replace('.', '_')),
                    kind='User')

    def with_onedrive(self):
        """Indexes of the listed users who have a OneDrive (and a personal site), lazily."""
        first = STORIES if self.stories else 0
        return chain([index for index in range(first) if not self.user(index)['deleted'] and self.user(index)['onedrive']],
                     range(first, self.count))

    def user_by_id(self, text, listed_only=True):
        index = self.user_ids.index(text)
        if index is None or index >= self.count:
            return None
        user = self.user(index)
        return None if listed_only and user['deleted'] else user

    def _site(self, index, title, path, story):
        url = 'https://%s.sharepoint.com%s' % (self.short_name, '/sites/' + path if path else '')
        return dict(index=index, story=story, kind='Site', id=guid(self.seed, self.short_name, 'site', index),
                    msid=guid(self.seed, self.short_name, 'site msid', index), title=title, url=url,
                    name=path or self.short_name, eTag=3 + index, isPersonal=False)

    def personal_site(self, user):
        return dict(kind='Site', id=guid(self.seed, self.short_name, 'personal site', user['index']),
                    msid=None, title=user['displayName'], url=user['oneDriveUrl'], name=user['name'].split('@')[0],
                    eTag=1, isPersonal=True, story=None)

    def _team(self, index, name, story):
        mail = '%s@%s' % (name.replace(' ', '').replace('.', ''), self.name)
        return dict(index=index, story=story, kind='Team', id=guid(self.seed, self.short_name, 'team', index),
                    msid=guid(self.seed, self.short_name, 'team msid', index), displayName=name,
                    description='%s (Microsoft Teams)' % name, mail=mail, eTag=5 + index)

    def _group(self, index, name, story):
        alias = ''.join(character for character in name if character.isalnum())
        return dict(index=index, story=story, kind='Group', id=guid(self.seed, self.short_name, 'group', index),
                    msid=guid(self.seed, self.short_name, 'group msid', index),
                    accountId=guid(self.seed, self.short_name, 'group account', index), displayName=name,
                    name=alias, email='%s@%s' % (alias, self.name),
                    site='https://%s.sharepoint.com/sites/%s' % (self.short_name, alias),
                    managedBy='adele.vance@%s' % self.name, eTag=7 + index)

    def select_users(self, user_name=None, display_name=None):
        """Indexes of listed users whose name is ``user_name`` (case aside) and whose displayName matches
        ``display_name`` (``*`` and ``?`` wildcards, case aside)."""
        chosen = []
        for position in range(len(self.listed)):
            index = self.listed[position]
            nickname, display = self.names(index)
            if user_name is not None and '%s@%s' % (nickname, self.name) != user_name.lower():
                continue
            if display_name is not None and not fnmatch.fnmatchcase(display.lower(), display_name.lower()):
                continue
            chosen.append(index)
        return chosen


def in_legacy(user):
    """Whether the Legacy repository holds this user: two story users and one generic user in LEGACY_EVERY."""
    if user['story'] is not None:
        return user['story'] in ('patti', 'pradeep')
    return (user['index'] - STORIES) % LEGACY_EVERY == 3


class Objects:
    """A server's organizations and repositories, and the backed-up data and processed objects that follow from its
    job sessions (``build``: the jobs, copy jobs and sessions of ``data.build_vb365``)."""

    def __init__(self, seed, build, short_name, users, processed_id='id', failed_advances=False):
        self.seed = seed
        self.processed_id = processed_id
        self.advancing = ADVANCING + ('Failed',) if failed_advances else ADVANCING
        self.organization = Organization(seed, short_name, users)
        self.other = Organization(seed, short_name + 'dev', 5, stories=False)
        self.organizations = [self.organization, self.other]
        self.jobs = dict((job['name'], job) for job in build['jobs'] + build['copy_jobs'])
        self.job_names = dict((job['id'], job['name']) for job in self.jobs.values())
        self._all_sessions = build['sessions']
        self._picks = {}
        proxy = guid(seed, 'proxy')
        primary = self.jobs[EXCHANGE]['repositoryId']
        self.repositories = [
            dict(key='primary', id=primary, name='Primary repository', description='Exchange, SharePoint and Teams backups',
                 path='E:\\Veeam\\Primary', proxyId=proxy, isLongTerm=False, objectStorageId=None,
                 capacityBytes=4 * 1024 ** 4, freeSpaceBytes=1536 * 1024 ** 3, retentionPeriodType='Yearly',
                 yearlyRetentionPeriod='Years3', retentionType='SnapshotBased'),
            dict(key='legacy', id=guid(seed, 'legacy repository'), name='Legacy repository',
                 description='backups made before the move to the Primary repository', path='D:\\Veeam\\Legacy',
                 proxyId=proxy, isLongTerm=False, objectStorageId=None, capacityBytes=2 * 1024 ** 4,
                 freeSpaceBytes=900 * 1024 ** 3, retentionPeriodType='Yearly', yearlyRetentionPeriod='Years7',
                 retentionType='ItemLevel'),
            dict(key='copy', id=guid(seed, 'long-term repository'), name='Long-term copy',
                 description='archive tier copies of Exchange daily', path='', proxyId=proxy, isLongTerm=True,
                 objectStorageId=guid(seed, 'object storage'), capacityBytes=None, freeSpaceBytes=None,
                 retentionPeriodType='Yearly', yearlyRetentionPeriod='Keep', retentionType='ItemLevel'),
        ]
        self.repository_by_id = dict((repository['id'], repository) for repository in self.repositories)
        # The copy job writes to the long-term repository, as a VB365 backup copy job does.
        copy = self.jobs[COPY]
        copy['repositoryId'] = self.repositories[2]['id']
        for session in self._all_sessions:
            if session['jobId'] == copy['id']:
                session['repositoryId'] = copy['repositoryId']

    # What the sessions say, worked out when first asked for: a server of 100,000 sessions a job that is only asked
    # for its sessions (the benchmark) spends no time on it.

    @functools.cached_property
    def sessions(self):
        """{job name: its sessions, newest first}"""
        return dict((name, sorted((session for session in self._all_sessions if session['jobId'] == job['id']),
                                  key=lambda session: session['_started'], reverse=True))
                    for name, job in self.jobs.items())

    @functools.cached_property
    def newest(self):
        starts = [sessions[0]['_started'] for sessions in self.sessions.values() if sessions]
        return max(starts) if starts else datetime.datetime.now(datetime.timezone.utc)

    @functools.cached_property
    def oldest(self):
        starts = [sessions[-1]['_started'] for sessions in self.sessions.values() if sessions]
        return min(starts) if starts else self.newest

    @functools.cached_property
    def newest_warning(self):
        """{job name: the ID of its newest session that ended with warnings, or None}"""
        return dict((name, next((session['id'] for session in sessions if session['status'] == 'Warning'), None))
                    for name, sessions in self.sessions.items())

    @functools.cached_property
    def legacy_time(self):
        """When the Legacy repository was last written to: three days before the oldest session."""
        return self.oldest - datetime.timedelta(days=3)

    @functools.cached_property
    def deleted_at(self):
        """When Joni Sherman left: DELETED_BEFORE the newest session, or halfway through the sessions if they are
        fewer."""
        span = self.newest - self.oldest
        return self.newest - DELETED_BEFORE if span > DELETED_BEFORE else self.oldest + span / 2

    @functools.cached_property
    def copied(self):
        """The start of the newest copy session that ended: what Primary held then is what the long-term copy holds."""
        return next((session['_started'] for session in self.sessions[COPY] if session['_ended'] is not None), None)

    # What each job processes, and when.

    def in_scope(self, job, record, session):
        """Whether ``job`` processes ``record`` (a user, site, team or group) in ``session``."""
        story, kind = record.get('story'), record['kind']
        if kind == 'User':
            if story in ('lidia', 'pradeep'):
                return False
            if story == 'joni' and session['_started'] > self.deleted_at:
                return False
            if job in (EXCHANGE, COPY):
                return True
            if job == SHAREPOINT and record['onedrive']:
                return not (story == 'alex' and session['_started'] > self.newest - ONEDRIVE_STALE_FOR)
            return False
        if story == 'no job':
            return False
        return {'Site': SHAREPOINT, 'Team': TEAMS_JOB, 'Group': TEAMS_JOB}[kind] == job

    def processed(self, session):
        """The objects ``session`` processed, in order: users, then sites, teams or groups. Lazy: a session of an
        organization of 50,000 users lists 50,000 objects."""
        job = self.job_names.get(session['jobId'])
        if job is None or session['status'] == 'Running':
            return Lazy(0, None)
        organization = self.organization
        users = []
        if job in (EXCHANGE, COPY, SHAREPOINT):
            stories = [organization.user(index) for index in range(STORIES)]
            users = chain([user for user in stories if self.in_scope(job, user, session)],
                          mapped(range(STORIES, organization.count), organization.user))
        others = [record for record in {SHAREPOINT: organization.sites, TEAMS_JOB: organization.teams + organization.groups}
                  .get(job, []) if self.in_scope(job, record, session)]
        return chain(users, others)

    def status(self, session, record, job=None):
        """Success, Warning or Failed: how ``session`` ended for ``record``."""
        outcome = session['status']
        if outcome != 'Warning':
            return outcome
        job = job or self.job_names[session['jobId']]
        if record.get('story') is not None:
            # Story objects succeed in Warning sessions but where their story says otherwise.
            failing = record['story'] == 'failed' or (record['story'] == 'megan' and job == EXCHANGE)
            if failing and session['id'] == self.newest_warning.get(job):
                return 'Failed'
            return 'Success'
        if record['id'] == self._pick(session):
            return 'Warning'
        draw = fraction(self.seed, session['id'], record['id'])
        return 'Failed' if draw < 0.015 else 'Warning' if draw < 0.045 else 'Success'

    def _pick(self, session):
        """The object that has a Warning in a Warning session, so that every Warning session has one."""
        if session['id'] not in self._picks:
            objects = self.processed(session)
            start = int(fraction(self.seed, 'pick', session['id']) * max(1, len(objects)))
            pick = None
            for step in range(len(objects)):
                record = objects[(start + step) % len(objects)]
                if record.get('story') is None:
                    pick = record['id']
                    break
            self._picks[session['id']] = pick
        return self._picks[session['id']]

    def processed_at(self, session, record):
        """When ``session`` processed ``record``: between its start and its end."""
        end = session['_ended'] or session['_started']
        share = 0.05 + 0.9 * fraction(self.seed, 'at', session['id'], record['id'])
        return session['_started'] + (end - session['_started']) * share

    def backed_up(self, job, record, before=None):
        """The time of ``record``'s newest backup by ``job`` (in a session that ended by ``before``), or None."""
        for session in self.sessions[job]:
            if session['_ended'] is None or (before is not None and session['_ended'] > before):
                continue
            if self.in_scope(job, record, session) and self.status(session, record, job) in self.advancing:
                return self.processed_at(session, record)
        return None

    def processed_object_id(self, record):
        """The ID a processed object carries: ``processed_id`` of the record when it has one, else its id."""
        return record.get(self.processed_id) or record['id']

    # The repositories and what they hold.

    def repository_items(self, repository, kind):
        """The records of ``kind`` (User, Site, Team, Group) that ``repository`` holds, as a lazy sequence."""
        organization = self.organization
        key = repository['key']
        if kind == 'User':
            stories = [organization.user(index) for index in range(STORIES)]
            if key == 'legacy':
                held = [user for user in stories if in_legacy(user)]
                return chain(held, mapped(range(STORIES + 3, organization.count, LEGACY_EVERY), organization.user))
            held = [user for user in stories if self.holds(repository, user)]
            return chain(held, mapped(range(STORIES, organization.count), organization.user))
        if key != 'primary':
            return []
        return [record for record in {'Site': organization.sites, 'Team': organization.teams,
                                      'Group': organization.groups}[kind] if record['story'] != 'no job']

    def holds(self, repository, record):
        if record['kind'] != 'User':
            return repository['key'] == 'primary' and record.get('story') != 'no job'
        if repository['key'] == 'legacy':
            return in_legacy(record)
        return record['story'] not in ('lidia', 'pradeep')

    def find(self, repository, kind, text):
        """The record of ``kind`` with ID ``text`` that ``repository`` holds, or None."""
        if kind == 'User':
            record = self.organization.user_by_id(text, listed_only=False)
        else:
            record = self.organization.by_id.get(str(text).lower())
            record = record if record is not None and record['kind'] == kind else None
        return record if record is not None and self.holds(repository, record) else None

    def item(self, repository, record):
        """What ``repository`` holds of ``record``: its fields and its backed-up times (datetimes or None)."""
        organization = self.organization
        item = dict(record, repositoryId=repository['id'], proxyId=repository['proxyId'],
                    organizationId=organization.id, backedUpOrganizationId=organization.backed_up_id,
                    isDeleted=record.get('deleted', False))
        key = repository['key']
        if record['kind'] == 'User':
            if key == 'legacy':
                moment = self.legacy_time - datetime.timedelta(hours=12 * fraction(self.seed, 'legacy', record['id']))
                mailbox, onedrive = moment, moment if record['onedrive'] else None
            elif key == 'copy':
                mailbox = self.backed_up(EXCHANGE, record, before=self.copied) if self.copied else None
                onedrive = None
            else:
                mailbox = self.backed_up(EXCHANGE, record)
                onedrive = self.backed_up(SHAREPOINT, record) if record['onedrive'] else None
            item.update(mailbox=mailbox, archive=mailbox if record['archive'] else None, onedrive=onedrive,
                        personalSite=onedrive)
        elif record['kind'] == 'Group':
            moment = self.backed_up(TEAMS_JOB, record)
            item.update(mailbox=moment, groupSite=moment)
        else:
            item['backedUpTime'] = self.backed_up({'Site': SHAREPOINT, 'Team': TEAMS_JOB}[record['kind']], record)
        return item

    # The organization's own record.

    def organization_backups(self, organization):
        """(first, last) backup time of the organization, or (None, None) for one never backed up."""
        if organization is not self.organization:
            return None, None
        ended = [session for name in (EXCHANGE, SHAREPOINT, TEAMS_JOB) for session in self.sessions[name]
                 if session['_ended'] is not None and session['status'] in ADVANCING]
        if not ended:
            return None, None
        return (min(session['_started'] for session in ended), max(session['_ended'] for session in ended))

    def story_users(self):
        """{story key: user} of the main organization, for the control endpoint and the tests."""
        return dict((STORY_USERS[index][0], self.organization.user(index)) for index in range(STORIES))


def when(moment):
    return iso(moment, 7) if moment is not None else None


def describe(objects):
    """What a test starts from: the organizations, repositories, jobs and story objects with their names and IDs."""
    def user(record):
        return dict((key, record[key]) for key in ('id', 'msid', 'accountId', 'name', 'displayName', 'index'))

    def named(records, field):
        return dict((record[field], dict(id=record['id'], msid=record['msid'], story=record['story'])) for record in records)
    main, other = objects.organization, objects.other
    return dict(
        organizations=[dict(id=organization.id, name=organization.name, msid=organization.msid,
                            backedUpOrganizationId=organization.backed_up_id, users=organization.count)
                       for organization in objects.organizations],
        repositories=[dict((key, repository[key]) for key in ('key', 'id', 'name', 'isLongTerm'))
                      for repository in objects.repositories],
        jobs=dict((name, dict(id=job['id'], repositoryId=job['repositoryId'])) for name, job in objects.jobs.items()),
        newest_warning_sessions=objects.newest_warning,
        users=dict((key, user(record)) for key, record in objects.story_users().items()),
        other_users=[user(other.user(index)) for index in range(other.count)],
        sites=named(main.sites, 'title'), teams=named(main.teams, 'displayName'), groups=named(main.groups, 'displayName'),
        processed_id=objects.processed_id, failed_advances='Failed' in objects.advancing,
        onedrive_stale_hours=ONEDRIVE_STALE_FOR.total_seconds() / 3600, deleted_days=DELETED_BEFORE.days)
