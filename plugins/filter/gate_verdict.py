# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from collections.abc import Mapping
from datetime import datetime, timezone

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.jobs.plugins.module_utils._gate import ACCEPTABLE_OUTCOMES, decide


def _records(listing):
    """The jobs or sessions of a registered module result, or None when the listing failed."""
    if not isinstance(listing, Mapping):
        return None
    for key in ('jobs', 'sessions'):
        if isinstance(listing.get(key), list):
            return listing[key]
    return None


def gate_verdict(listing, max_age_hours, accept=None, min_successes=1, lookback=None):
    """The gate's verdict on one check from the registered result of a backupops.jobs info module."""
    accept = list(accept or ['success'])
    unknown = [outcome for outcome in accept if outcome not in ACCEPTABLE_OUTCOMES]
    if unknown:
        raise AnsibleFilterError('gate_verdict: accept may hold %s, not %s'
                                 % (' and '.join(ACCEPTABLE_OUTCOMES), ', '.join(map(str, unknown))))
    try:
        hours, needed = float(max_age_hours), int(min_successes)
    except (TypeError, ValueError):
        raise AnsibleFilterError('gate_verdict: max_age_hours must be a number and min_successes a whole number, '
                                 'got %r and %r' % (max_age_hours, min_successes))
    if hours <= 0 or needed < 1:
        raise AnsibleFilterError('gate_verdict: max_age_hours must be above 0 and min_successes at least 1')
    records = _records(listing)
    error = None
    if records is None:
        error = (listing.get('msg') if isinstance(listing, Mapping) else None) or 'the listing returned no jobs'
    return decide(records or [], datetime.now(timezone.utc), hours, accept, needed,
                  older=_records(lookback) or [], error=error)


class FilterModule:
    def filters(self):
        return {'gate_verdict': gate_verdict}
