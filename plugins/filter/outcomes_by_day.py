# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timedelta, timezone

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.jobs.plugins.module_utils._codes import OUTCOMES
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import parse_timestamp


def outcomes_by_day(records, days=7):
    """Per UTC day of the last ``days`` days, oldest first: the date and the count of each outcome.

    A job counts on the day it started (a VB365 session on the day it was created).
    """
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise AnsibleFilterError('outcomes_by_day: days must be a whole number, got %r' % (days,))
    if days < 1:
        raise AnsibleFilterError('outcomes_by_day: days must be at least 1, got %d' % days)
    today = datetime.now(timezone.utc).date()
    timeline = [dict(date=(today - timedelta(days=back)).isoformat(), total=0, **dict.fromkeys(OUTCOMES, 0))
                for back in range(days - 1, -1, -1)]
    index = dict((day['date'], day) for day in timeline)
    for record in records or []:
        started = parse_timestamp(record.get('start_time'))
        day = index.get(started.date().isoformat()) if started is not None else None
        if day is not None:
            outcome = record.get('outcome') if record.get('outcome') in OUTCOMES else 'unknown'
            day[outcome] += 1
            day['total'] += 1
    return timeline


class FilterModule:
    def filters(self):
        return {'outcomes_by_day': outcomes_by_day}
