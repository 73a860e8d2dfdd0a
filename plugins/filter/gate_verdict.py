# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from collections.abc import Mapping
from datetime import datetime, timezone

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_rule
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._gate import decide


def _records(listing):
    """The jobs or sessions of a registered module result, or None when it holds none."""
    if not isinstance(listing, Mapping):
        return None
    for key in ('jobs', 'sessions'):
        if isinstance(listing.get(key), list):
            return listing[key]
    return None


def _unusable(listing):
    """Why a registered result cannot pass, or None: it failed, was skipped, or holds no listing."""
    if not isinstance(listing, Mapping):
        return 'the listing is a %s, not the registered result of a backupops.jobs info module' % type(listing).__name__
    if listing.get('failed'):
        return str(listing.get('msg') or 'the listing failed')
    # failed_when: false hides a module's crash; what is left of it still says it failed.
    for crash in ('failed_when_suppressed_exception', 'exception', 'module_stderr'):
        if listing.get(crash):
            return 'the module failed (%s): %s' % (crash, str(listing.get('msg') or listing[crash])[:500])
    if listing.get('skipped'):
        return 'the listing was skipped (%s)' % (listing.get('skip_reason') or 'a condition was false')
    if _records(listing) is None:
        return str(listing.get('msg') or 'the result holds no jobs or sessions, so it is no listing')
    return None


def gate_verdict(listing, max_age_hours, accept=None, min_successes=1, lookback=None):
    """The gate's verdict on one check from the registered result of a backupops.jobs info module."""
    try:
        hours, accept, needed = check_rule(max_age_hours, accept or ['success'], min_successes)
    except OptionError as error:
        raise AnsibleFilterError('gate_verdict: %s' % error.msg)
    error = _unusable(listing)
    return decide([] if error else _records(listing), datetime.now(timezone.utc), hours, accept, needed,
                  older=[] if _unusable(lookback) else _records(lookback), error=error)


class FilterModule:
    def filters(self):
        return {'gate_verdict': gate_verdict}
