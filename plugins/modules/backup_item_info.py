#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: backup_item_info
short_description: List the backed-up users, sites, teams and groups of Veeam Backup for Microsoft 365
version_added: 0.2.0
description:
  - Reads, through the REST API of Veeam Backup for Microsoft 365 (VB365), versions v6 to v8, what the backup
    repositories hold of one organization - its users (mailbox, archive, OneDrive, personal site), sites, teams and
    groups - with the time each service was last backed up, and on v7 and later the outcome of the newest session
    that processed each item.
  - Without O(users), O(sites), O(teams) or O(groups), every item of every repository is listed (the pages of each
    listing are read concurrently). With them, each named item is resolved in the organization and read in each
    repository by its ID - a few requests per item and repository, however large the organization.
  - A named item that no repository holds is returned with RV(backup_items[].protected=false), never dropped.
author:
  - backupops.jobs maintainers (@backupops)
options:
  organization:
    description:
      - The organization, by its name (V(contoso.onmicrosoft.com)) or its ID.
      - Optional when the server backs up exactly one organization; otherwise the module fails, listing them.
    type: str
  users:
    description:
      - Return these users, each by its user principal name (V(alice@contoso.com)), its display name or its ID.
      - A display name that matches more than one user fails the module, listing them with their addresses and IDs.
      - A user deleted from the organization is found by its ID only.
    type: list
    elements: str
  sites:
    description:
      - Return these SharePoint sites, each by its URL or its ID (a title that is exactly the site's works too).
    type: list
    elements: str
  teams:
    description:
      - Return these teams, each by its display name or its ID.
    type: list
    elements: str
  groups:
    description:
      - Return these Microsoft 365 groups, each by its display name, its address or its ID.
    type: list
    elements: str
  repositories:
    description:
      - Read only these backup repositories, by name or ID; by default every repository of the server (on v8, of
        the organization), the long-term copies included.
    type: list
    elements: str
  outcome_hours:
    description:
      - How many hours back the sessions are read to find the newest session that processed each item
        (RV(backup_items[].outcome), RV(backup_items[].session_id)); v7 and later only.
    type: int
    default: 24
  summary_only:
    description:
      - Return only C(summary) and RV(total_count), no list. Each item is summarised as its page arrives and then
        let go, so the module's memory does not grow with the organization.
      - Cannot be combined with O(fields).
    type: bool
    default: false
  fields:
    description:
      - Return only these keys of each item (a key an item lacks is returned as null). C(summary) still describes
        the whole items.
      - A name that is not one of the documented keys fails the module, listing the known ones.
    type: list
    elements: str
extends_documentation_fragment:
  - backupops.jobs.vb365
  - backupops.jobs.paging
  - backupops.jobs.attributes
  - backupops.jobs.attributes.action_group_vb365
notes:
  - The items are read from C(GET /BackupRepositories/{id}/UserData), C(SiteData), C(TeamData) and C(GroupData)
    (and their C(/{id}) forms for named items), the names resolved through C(GET /Organizations/{id}/Users),
    C(Sites), C(Teams) and C(Groups), and the outcomes from C(GET /JobSessions/{id}/ProcessedObjects) (v7 and later;
    v6 has none, so RV(backup_items[].outcome) is V(unknown) there).
  - Services - a user has V(mailbox), V(archive), V(onedrive) and V(personal_site); a site has one service, V(site);
    a team one, V(team); a group two, V(mailbox) and V(site) (its group site), as the API gives a time for each.
  - Where Veeam's documents are vague the module reads both ways and decides only on what agrees. Which ID of a
    user C(ProcessedObjects) carries (its C(id), its C(msid) or its C(accountId)) is not documented - an object is
    matched by any of them; the backup_gate role's C(vb365_item) source fails a check whose backup was written by a
    session that lists the item under none of them (its outcome cannot be read - on v7, whose users have no
    C(msid), that is the reading where C(ProcessedObjects) carries it). Whether C(*BackedUpTime) moves when the
    object failed is not documented - the C(vb365_item) source counts a backup time only when no session that ended
    at or after it reports the item failed, which holds under either reading.
  - C(ProcessedObjects) gives one status per item, not per service - the C(vb365_item) source counts a failed session
    against a service unless the session's job is known not to be the one that backed the service up (the job of
    the session that ran at the service's backup time).
  - C(ProcessedObjects) takes no filter, so its pages are the one cost that grows with the organization; the sessions
    are read newest first, and only until each named item's newest session is found.
  - An item the server answers for another organization, or another item than the one asked for, is dropped with a
    warning. Every next-page link is followed on the origin of O(url) only.
seealso:
  - name: Veeam Backup for Microsoft 365 REST API reference
    description: The vendor's reference of the v8 REST API (backed-up data of a repository).
    link: https://helpcenter.veeam.com/references/vbo365/8/rest/tag/BackupRepository
'''

EXAMPLES = r'''
- name: Before offboarding a leaver, read what the backups hold of her mailbox and OneDrive
  backupops.jobs.backup_item_info:
    url: https://vb365.example.com:4443
    username: "{{ vb365_username }}"
    password: "{{ vb365_password }}"
    ca_path: /etc/pki/vb365-selfsigned.pem
    organization: contoso.onmicrosoft.com
    users: [patti.fernandez@contoso.onmicrosoft.com]
  register: leaver

- name: Refuse to remove the account unless her mailbox and OneDrive were backed up in the last 24 hours
  ansible.builtin.assert:
    that:
      - leaver.backup_items | selectattr('protected') | list | length > 0
      - leaver.backup_items | selectattr('protected') | map(attribute='services.mailbox.hours_since_backup')
        | select('number') | select('<=', 24) | list | length > 0
      - leaver.backup_items | selectattr('protected') | map(attribute='services.onedrive.hours_since_backup')
        | select('number') | select('<=', 24) | list | length > 0
    fail_msg: "The leaver's mailbox or OneDrive has no backup of the last 24 hours; do not remove the account yet"

- name: Count every backed-up item of the organization by outcome and age, without returning the items
  backupops.jobs.backup_item_info:
    url: https://vb365.example.com:4443
    username: "{{ vb365_username }}"
    password: "{{ vb365_password }}"
    organization: contoso.onmicrosoft.com
    summary_only: true
  register: coverage

- name: A site and a team in the primary repository, only their names and services
  backupops.jobs.backup_item_info:
    url: https://vb365.example.com:4443
    username: "{{ vb365_username }}"
    password: "{{ vb365_password }}"
    sites: [https://contoso.sharepoint.com/sites/Finance]
    teams: [Sales Team]
    repositories: [Primary repository]
    fields: [name, kind, repository, services]
'''

RETURN = r'''
extends_documentation_fragment:
  - backupops.jobs.summary
backup_items:
  description:
    - The items, one record per item and repository that holds it (an item in two repositories is two records);
      a named item that no repository holds is one record with RV(backup_items[].protected=false).
  returned: success, unless O(summary_only)
  type: list
  elements: dict
  contains:
    id:
      description: The item's ID (the organization's user, site, team or group ID).
      type: str
      sample: 753e28d4-8f3c-4230-8af2-b701e85a3fbb
    kind:
      description: What the item is - V(user), V(site), V(team) or V(group).
      type: str
      choices: [user, site, team, group]
      sample: user
    name:
      description: A user's or a group's address, a site's URL, a team's display name.
      type: str
      sample: megan.bowen@contoso.onmicrosoft.com
    display_name:
      description: The display name (a site's title).
      type: str
      sample: Megan Bowen
    organization:
      description: The organization's name.
      type: str
      sample: contoso.onmicrosoft.com
    organization_id:
      description: The organization's ID.
      type: str
    repository:
      description: The name of the repository that holds this record of the item; null when none does.
      type: str
      sample: Primary repository
    repository_id:
      description: The ID of that repository; null when none holds the item.
      type: str
    protected:
      description: Whether a repository holds the item; false only for a named item that none holds.
      type: bool
      sample: true
    found:
      description: Whether the item is known (to the organization, or to a repository); false for a name nothing knows.
      type: bool
      sample: true
    deleted:
      description: Whether the item was deleted from the organization (v7, C(isDeleted)); null when not said.
      type: bool
    account_id:
      description: The item's C(accountId) in the backed-up data (users and groups).
      type: str
    services:
      description:
        - Each service of the item - V(mailbox), V(archive), V(onedrive), V(personal_site) of a user; V(site) of a
          site; V(team) of a team; V(mailbox) and V(site) of a group - with C(backed_up) (a readable backup time
          no later than now), C(last_backup_time) (ISO 8601 in UTC, whole seconds, or null) and
          C(hours_since_backup) (to a tenth, or null).
      type: dict
      sample: {mailbox: {backed_up: true, last_backup_time: "2026-12-06T14:30:11Z", hours_since_backup: 0.4}}
    outcome:
      description:
        - The item's status in the newest session of the last O(outcome_hours) that processed it - V(success),
          V(warning) or V(failed); V(unknown) when no such session (and always on v6).
      type: str
      sample: success
    session_id:
      description: The ID of that session, or null.
      type: str
    session_time:
      description: When that session ended, or null.
      type: str
    start_time:
      description: Always null (an item is no run); kept so every record has the common keys.
      type: str
    finish_time:
      description: The newest backup time of any of the item's services, or null.
      type: str
    status_name:
      description: Always null.
      type: str
    duration_seconds:
      description: Always null.
      type: int
total_count:
  description: With O(summary_only), the number of items summarised (C(summary.count)).
  returned: with O(summary_only)
  type: int
  sample: 96
summary:
  description: What the items say about their backups.
  returned: success
  type: dict
  contains:
    count:
      description: Number of items (records) listed.
      type: int
      sample: 97
    by_outcome:
      description: Number of items per outcome (RV(backup_items[].outcome)); every outcome is present.
      type: dict
      sample: {success: 94, warning: 0, failed: 0, running: 0, queued: 0, stopped: 0, skipped: 0, unknown: 3}
    by_age:
      description:
        - Number of items by the age of the stalest of their backed-up services - C(within_24h), C(within_72h),
          C(within_7d), C(older), and C(never) (no service backed up, or not protected); every bucket is present.
      type: dict
      sample: {within_24h: 89, within_72h: 3, within_7d: 5, older: 0, never: 0}
    latest:
      description: Always null (items are no runs); kept so that every module's summary has the same keys.
      type: dict
    latest_success:
      description: Always null, as RV(summary.latest).
      type: dict
    hours_since_success:
      description: Always null, as RV(summary.latest).
      type: float
'''

from datetime import datetime, timezone

from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError
from ansible_collections.backupops.jobs.plugins.module_utils._listing import Listing
from ansible_collections.backupops.jobs.plugins.module_utils._module import LISTING_ARGUMENT_SPEC, VB365Module
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_range
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import read_items
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import ITEM_FIELDS, ItemAges, check_version


def main():
    module = VB365Module(
        argument_spec=dict(
            organization=dict(type='str'),
            users=dict(type='list', elements='str'),
            sites=dict(type='list', elements='str'),
            teams=dict(type='list', elements='str'),
            groups=dict(type='list', elements='str'),
            repositories=dict(type='list', elements='str'),
            outcome_hours=dict(type='int', default=24),
            **LISTING_ARGUMENT_SPEC
        ),
    )
    params = module.params
    now = datetime.now(timezone.utc)
    ages = ItemAges()
    try:
        check_range('outcome_hours', params['outcome_hours'], 1, 8760)
        listing = Listing(params, ITEM_FIELDS, now, module.warn)
        if check_version(params['api_version']) == 'v5':
            module.fail_json(msg='api_version: v5 has no routes for backed-up items; give v6, v7 or v8',
                             option='api_version')
        consume = None
        if listing.consume is not None:
            def consume(record):
                ages.add(record)
                listing.consume(record)
        client = module.connect()
        try:
            items = read_items(client, params, now, consume)
        finally:
            client.logout()
    except BackupOpsError as error:
        module.fail_on(error)
    for item in items:
        ages.add(item)
    result = listing.result('backup_items', items)
    result['summary']['by_age'] = ages.result()
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
