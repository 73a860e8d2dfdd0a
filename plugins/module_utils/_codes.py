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


def snake_name(text):
    """'Finished with Exception' and 'finished-with-exception' both become 'finished_with_exception'."""
    return re.sub(r'[^a-z0-9]+', '_', str(text).strip().lower()).strip('_')


class CodeTable:
    """One documented enumeration, read both ways.

    Unknown codes in a response are passed through (``name_of`` gives None); an option accepts a
    documented name in any case or spelling, or any integer, so a value newer than this collection can
    still be asked for.
    """

    def __init__(self, names_by_code):
        self._names = dict(names_by_code)
        self._codes = dict((name, code) for code, name in self._names.items())

    @property
    def names(self):
        return list(self._names.values())

    def name_of(self, code):
        try:
            return self._names.get(int(code))
        except (TypeError, ValueError):
            return None

    def code_for(self, option, value):
        """The integer code of an option value; None when the option is not set."""
        if value is None or str(value).strip() == '':
            return None
        text = str(value).strip()
        if re.match(r'^-?\d+$', text):
            return int(text)
        code = self._codes.get(snake_name(text))
        if code is None:
            raise OptionError('%s: unknown value %r; use one of %s, or the integer code the API documents'
                              % (option, value, ', '.join(self.names)),
                              option=option, value=value, accepted=self.names)
        return code


class OutcomeMap:
    """Maps one API's status codes to the collection's common outcome; anything else is 'unknown'."""

    def __init__(self, outcomes_by_code):
        unknown = set(outcomes_by_code.values()) - set(OUTCOMES)
        if unknown:
            raise ValueError('not common outcomes: %s' % sorted(unknown))
        self._outcomes = dict(outcomes_by_code)

    def outcome_of(self, code):
        try:
            return self._outcomes.get(int(code), 'unknown')
        except (TypeError, ValueError):
            return 'unknown'
