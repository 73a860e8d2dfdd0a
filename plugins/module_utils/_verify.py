# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every filter a listing sent to the server, checked again on every record that came back.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

A server may ignore a filter (an older version, a bug, a proxy that drops the query string) and answer
with the jobs of other organizations, other jobs or other types; a gate that believed it would pass on
somebody else's backup. So each filter the client sent is checked on each record: a record that does
not match it, or does not say, is dropped with one warning per filter naming it, and is never returned
or counted.
"""

from collections import Counter, OrderedDict

from ansible_collections.backupops.jobs.plugins.module_utils._egress import QUOTE_LIMIT, printable


def comparable(value):
    """Codes as the APIs write them, integers or names, in one form: 1 and '1' match, 'Backup' and 'backup' match."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip('-').isdigit():
            return int(text)
        return text.lower()
    return repr(value)


def same_code(asked, value):
    return comparable(asked) == comparable(value)


def contains_text(asked, value):
    return str(asked).strip().lower() in value.lower()


def field(name):
    """A reader of one field of a normalised record; an empty value is not an answer."""
    def read(record):
        value = record.get(name)
        return None if value is None or (isinstance(value, str) and not value.strip()) else value
    return read


class Verified:
    """How one query parameter is checked on a record: the option that set it (for the warning), how to read
    the record's answer, and how to compare it with what was asked. ``unless`` is a value that asks for
    nothing (Dynamics type 0, "all")."""

    def __init__(self, option, read, matches=same_code, unless=None):
        self.option = option
        self.read = read
        self.matches = matches
        self.unless = unless

    def asks(self, asked):
        return asked is not None and not (self.unless is not None and same_code(self.unless, asked))


def _quoted(value):
    """A filter's value as a warning quotes it: a value the server chose (the ID a job name stands for) is its text,
    so escaped and bounded."""
    return printable(value, limit=QUOTE_LIMIT)


class Verifier:
    """Checks records one at a time against the verified parameters of ``query``; ``report`` warns once per
    parameter for the records dropped because they did not match or did not say. ``given`` holds the options as
    the user wrote them, which the warnings quote rather than the codes sent for them (service_type=
    azure_virtual_machine, not serviceType=1): option: value, or option: (the option the user wrote, its value)
    where another option set it (job_id: (job_name, Exchange daily)). ``unsent`` names the parameters of ``query``
    the server was not asked (a version that lacks the filter): the client applies them alone, so the records it
    drops for them are expected, and not reported."""

    def __init__(self, query, verified, warn, noun='jobs', given=None, unsent=()):
        self._checks = [(name, query[name], verified[name]) for name in verified if verified[name].asks(query.get(name))]
        self._unsent = frozenset(unsent)
        self._warn = warn
        self._noun = noun
        self._given = given or {}
        self._mismatched = OrderedDict()
        self._silent = Counter()

    def keeps(self, record):
        """True when ``record`` answers every verified parameter as asked."""
        for name, asked, check in self._checks:
            answer = check.read(record)
            if answer is None:
                self._silent[name] += 1
                return False
            if not check.matches(asked, answer):
                self._mismatched[name] = self._mismatched.get(name, 0) + 1
                return False
        return True

    def _asked_as(self, check, asked):
        given = self._given.get(check.option)
        if isinstance(given, tuple):
            return '%s=%s' % (given[0], _quoted(given[1]))
        return '%s=%s' % (check.option, _quoted(asked if given is None else given))

    def report(self):
        for name, asked, check in self._checks:
            if name in self._unsent:
                continue
            if self._mismatched.get(name):
                self._warn('the server returned %d %s that do not match %s (sent as %s=%s): it ignored the filter or '
                           'could not apply it; they were dropped, not counted'
                           % (self._mismatched[name], self._noun, self._asked_as(check, asked), name, _quoted(asked)))
            if self._silent[name]:
                self._warn('%d %s do not say their %s, so %s cannot be checked on them; they were dropped, not '
                           'counted' % (self._silent[name], self._noun, check.option, self._asked_as(check, asked)))
