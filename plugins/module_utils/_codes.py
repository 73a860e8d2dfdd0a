# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Enumerations of the backup APIs: integer codes on the wire, snake_case names for people.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.
"""

import re

from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError

OUTCOMES = ('success', 'warning', 'failed', 'running', 'queued', 'stopped', 'skipped', 'unknown')
# What a job did. Only 'backup' ever counts as a backup: a restore, a copy or a deletion that succeeded
# says nothing about whether the data was backed up.
KINDS = ('backup', 'restore', 'copy', 'export', 'deletion', 'other')

INTEGER_CODE = re.compile(r'^-?\d{1,18}$')


def snake_name(text):
    """'Finished with Exception' and 'finished-with-exception' both become 'finished_with_exception'."""
    return re.sub(r'[^a-z0-9]+', '_', str(text).strip().lower()).strip('_')


def _lookup(table, code):
    """A value keyed by an integer code (AvePoint) or by a name as the API spells it (Veeam), any case."""
    if code is None or isinstance(code, (bool, list, dict)):  # JSON that cannot be a code
        return None
    if isinstance(code, str):
        text = code.strip()
        if INTEGER_CODE.match(text):
            return table.get(int(text))
        return table.get(text.lower())
    return table.get(code)


class CodeTable:
    """One documented enumeration, read both ways.

    Codes are integers (AvePoint) or names as the API spells them (Veeam's 'NotConfigured'). Unknown
    codes in a response are passed through (``name_of`` gives None). An option accepts a documented
    name in any case or spelling and, where the API uses integers, any integer, so a value newer than
    this collection can still be asked for.
    """

    def __init__(self, names_by_code):
        self._names = dict((code.lower() if isinstance(code, str) else code, name)
                           for code, name in names_by_code.items())
        self._codes = dict((name, code) for code, name in names_by_code.items())
        self._integers = all(isinstance(code, int) for code in names_by_code)

    @property
    def names(self):
        return list(self._codes)

    def name_of(self, code):
        return _lookup(self._names, code)

    def code_for(self, option, value):
        """The API's code for an option value; None when the option is not set."""
        if value is None or str(value).strip() == '':
            return None
        text = str(value).strip()
        if self._integers and re.match(r'^-?\d+$', text):
            return int(text)
        code = self._codes.get(snake_name(text))
        if code is None:
            raise OptionError('%s: unknown value %r; use one of %s%s'
                              % (option, value, ', '.join(self.names),
                                 ', or the integer code the API documents' if self._integers else ''),
                              option=option, value=value, accepted=self.names)
        return code


class CommonMap:
    """Maps one API's codes in ``field`` to one of the collection's common names; anything else is ``fallback``,
    so a value the API adds later is never mistaken for a known one."""

    def __init__(self, field, names_by_code, common_names, fallback):
        unknown = set(names_by_code.values()) - set(common_names)
        if unknown:
            raise ValueError('not among %s: %s' % (', '.join(common_names), sorted(unknown)))
        self.field = field
        self._names = dict((code.lower() if isinstance(code, str) else code, name)
                           for code, name in names_by_code.items())
        self._fallback = fallback

    def of(self, record):
        """The common name of a normalised record's ``field``."""
        return _lookup(self._names, record.get(self.field)) or self._fallback


def outcome_map(outcomes_by_code, field='status'):
    """The common outcome of a record, from its status code; 'unknown' for a status not in the table."""
    return CommonMap(field, outcomes_by_code, OUTCOMES, 'unknown')


def kind_map(field, kinds_by_code):
    """The common kind of a record (backup, restore, ...), from its job-type code; 'other' for an unknown type."""
    return CommonMap(field, kinds_by_code, KINDS, 'other')
