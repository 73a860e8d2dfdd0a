# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timezone

from ansible.errors import AnsibleFilterError

from ansible_collections.backupops.jobs.plugins.module_utils._gate import ACCEPTABLE_OUTCOMES, hours_between
from ansible_collections.backupops.jobs.plugins.module_utils._gate import newest_accepted as newest


def newest_accepted(records, accept=('success',)):
    """The newest backup of ``records`` with an outcome in ``accept`` that finished by now - the success the
    gate counts - with ``hours_ago``; None when there is none."""
    if isinstance(accept, str) or not set(accept or ()) <= set(ACCEPTABLE_OUTCOMES):
        raise AnsibleFilterError('newest_accepted: accept must be a list of outcomes from %s, got %r'
                                 % (', '.join(ACCEPTABLE_OUTCOMES), accept))
    now = datetime.now(timezone.utc)
    finish, record = newest(records or [], tuple(accept), now)
    return None if record is None else dict(record, hours_ago=hours_between(finish, now))


class FilterModule:
    def filters(self):
        return {'newest_accepted': newest_accepted}
