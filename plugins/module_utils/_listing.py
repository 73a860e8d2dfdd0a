# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a listing module returns of its records: all of them, some keys of each, or only their summary.

FOR INTERNAL COLLECTION USE ONLY: the module_utils of backupops.jobs are private to the collection and
may change in any release, even a bugfix one. Do not import them from other content.

The options are those of doc fragment backupops.jobs.listing. With ``summary_only`` the listing hands each
record, once de-duplicated and verified against the filters, to ``Listing.consume``, which summarises it and
lets it go: the summary is the one of the full listing, in the memory of a few pages.
"""

from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._normalize import Summary

LISTING_ARGUMENT_SPEC = dict(
    summary_only=dict(type='bool', default=False),
    fields=dict(type='list', elements='str'),
)
# Keys normalize_record gives every record of every API, documented or not in a module's RETURN.
COMMON_FIELDS = ('id', 'kind', 'outcome', 'status_name', 'start_time', 'finish_time', 'duration_seconds')


def known_fields(documented):
    return sorted(set(documented) | set(COMMON_FIELDS))


def check_fields(fields, documented, summary_only):
    """The fields option as given, or an OptionError listing the known names."""
    if fields is None:
        return None
    if summary_only:
        raise OptionError('fields (%s) and summary_only=true exclude each other: summary_only returns no records to '
                          'take fields of; give one of them' % ', '.join(fields), option='fields', value=fields)
    known = known_fields(documented)
    unknown = [name for name in fields if name not in known]
    if unknown or not fields:
        problem = 'no field %s' % ', '.join(repr(name) for name in unknown) if unknown else 'the list names no field'
        raise OptionError('fields: %s; a record has the fields %s' % (problem, ', '.join(known)),
                          option='fields', value=fields)
    return fields


class Listing:
    """The result of a listing module as its summary_only and fields options ask.

    ``consume`` is what the listing hands its records to as they arrive (None: the listing returns them):
    with summary_only and no limit, since a limit chooses the newest records only once all are listed.
    """

    def __init__(self, params, documented_fields, now, warn):
        self.summary_only = params['summary_only']
        self.fields = check_fields(params['fields'], documented_fields, self.summary_only)
        self._summary = Summary(now, warn)
        self.consume = self._summary.add if self.summary_only and params.get('limit') is None else None
        self.limited = False

    def note_limited(self):
        """The listing had more records than the limit the user gave: the result says so (limited)."""
        self.limited = True

    def result(self, key, records):
        """The module's result with the ``records`` the listing returned (those it consumed are counted already):
        ``{key: records, summary}``, only the fields asked of each record, or ``{summary, total_count}``."""
        for record in records:
            self._summary.add(record)
        summary = self._summary.result()
        if self.summary_only:
            return dict(summary=summary, total_count=summary['count'], limited=self.limited)
        if self.fields is not None:
            records = [dict((name, record.get(name)) for name in self.fields) for record in records]
        return {key: records, 'summary': summary, 'limited': self.limited}
