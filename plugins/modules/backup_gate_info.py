#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: backup_gate_info
short_description: Decide whether each check of a tenant has a recent successful backup
version_added: 0.2.0
description:
  - Judges the checks of one tenant in one run - the pre-change verification of the
    P(backupops.jobs.backup_gate#role) role, which runs it once per tenant.
  - Lists the jobs (or VB365 sessions) of every check at once, over the check's window (now minus its
    C(max_age_hours)), with the same client as the listing modules, then decides each check with the
    same code as the P(backupops.jobs.gate_verdict#filter) filter. The checks share one connection pool per
    vendor, one AvePoint token per scope and one VB365 login.
  - A check passes only if at least C(min_successes) distinct backup jobs (kind V(backup)) with an
    accepted outcome finished inside its window. A restore, copy, export or deletion never counts, a running
    job never counts, a finish time in the future is not believed, and a check whose listing fails does not
    pass - its RV(checks[].error) says why, and the other checks are still judged.
  - When a check fails, a longer look-back (four windows, at least a week) says how old its newest success is.
  - The module never fails because a check does not pass; RV(passed) tells, and the role fails the play.
author:
  - backupops.jobs maintainers (@backupops)
options:
  checks:
    description:
      - What must have been backed up - the checks of the role's C(backup_gate_checks), each a dict with
        C(name), C(source) (V(dynamics), V(vm), V(google), V(vb365) or V(vb365_item)), C(filters), C(max_age_hours),
        C(accept) (V(success), V(warning)) and C(min_successes).
      - C(filters) pick what must be backed up - for V(dynamics) C(organization_id) and C(job_type); for V(vm)
        C(search_text), C(service_type), C(job_type); for V(google) C(data_source), C(app_type), C(job_type);
        for V(vb365) C(job_id) or C(job_name). They are sent to the API and checked again on every job it returns.
      - The source V(vb365_item) (version_added 0.2.0) checks one backed-up item of VB365 instead of jobs - its
        filters are C(organization) (name or ID; optional when the server backs up one organization), one of
        C(user) (address, display name or ID), C(site) (URL or ID), C(team) or C(group), and C(services), the list
        of the item's services that must be backed up (V(mailbox), V(archive), V(onedrive), V(personal_site) of a
        user; V(site); V(team); V(mailbox) and V(site) of a group; by default every service of the item that has a
        backup). It passes only if a repository holds the item, every named service was backed up inside the
        window, and (v7 and later) no session that ended at or after that backup reports the item failed (or with
        warnings, unless C(accept) has V(warning)); v6 decides on the backup times alone and says so. A name that
        matches two items fails the check, naming them. See M(backupops.jobs.backup_item_info) for how the
        vendor's vague points are read. C(min_successes) does not apply to it.
      - A check without filters (C(filters) absent, null or V({})) covers every backup job of its source, and its
        reason starts with what it covered (such as C(every IaaS + PaaS backup job of the tenant)).
      - Every check is validated before any request, as the P(backupops.jobs.gate_checks#lookup) lookup does - a
        filter whose value is empty or null (which the API would ignore), a filter the source does not take, a
        C(job_type) that is not a backup, an age that is not a finite number of hours up to a year - and refused
        naming the check, the field and the value.
      - "For the change window (VB365 job checks, that is C(job_id) or C(job_name)):
        C(max_age_hours: schedule) derives the maximum age from the job's own schedule (C(schedulePolicy)): the
        longest gap between two scheduled starts in a week, plus the job's retries (C(retryNumber) times
        C(retryWaitInterval) minutes), plus a grace of half the gap (at least 30 minutes, at most 6 hours) - a
        daily job 30 h, workdays only 78 h (the weekend), hourly 1.5 h. The reason shows the number and where it came
        from. A job that is disabled or runs only by hand (C(ManualOnly)) refuses the run, naming the check; AvePoint
        sources have no schedule to read and refuse it when validated."
      - "C(running) - V(ignore) (the default), V(block) (a backup of the check's window that is running now fails the
        check: the change would race it) or V(wait) (wait, with back-off and at most C(running_timeout) seconds,
        default 3600, for it to end, then judge with it). The reason says which."
      - "C(refresh) (VB365 job checks; default false) - when the check fails only because its newest success is too
        old (its listing worked, and no backup of its window failed, ended unaccepted or runs), its verdict says
        RV(checks[].refreshable). This module takes no backup itself; the role then starts the job with
        M(backupops.jobs.job_session), waits at most C(refresh_timeout) seconds (default 3600), and judges again,
        giving O(refreshed). Never in check mode."
    type: list
    elements: dict
    required: true
  refreshed:
    description:
      - What the role's M(backupops.jobs.job_session) runs gave for the checks it took a backup for, by check name -
        its result (C(session), C(started), C(msg), C(failed)). Each such check's verdict then says so in
        RV(checks[].refreshed) and at the start of its reason.
    type: dict
    version_added: 0.2.0
  max_age_hours:
    description: The maximum age of each check that does not give its own C(max_age_hours).
    type: float
    default: 24
  history_days:
    description:
      - List this many days of every check instead of its window alone (the window still decides), and return
        what was listed in RV(checks[].records), as the backup_report playbook does.
      - Implies O(include_records).
    type: float
  include_records:
    description:
      - Return the jobs or sessions each check listed in RV(checks[].records) - its window, its look-back when it
        failed, or O(history_days).
      - The checks keep at most 140,000 records together, from at most 128 MiB of answers, so that the module stays
        under 1 GB of memory; a check whose listing passes that fails, naming what to narrow. Without this option
        (and O(history_days)) a check keeps only what its decision reads, a few keys of each backup of its window.
    type: bool
    default: false
  warn_on_error:
    description:
      - Warn, naming the check and the error, for each check whose listing failed, as the backup_report
        playbook does so that a source it could not read is not found only inside its page. The role shows
        such a check in its table instead.
    type: bool
    default: false
  avepoint:
    description:
      - The connection options of the AvePoint Graph API, as the AvePoint modules take them - C(api_url) or
        C(region), C(identity_url), C(client_id) with C(client_secret) or with C(certificate_path) and
        C(private_key_path), or C(access_token); C(scope), C(validate_certs), C(ca_path), C(timeout), C(retries),
        C(retry_max_wait), C(page_size). See M(backupops.jobs.dynamics_backup_job_info) for each.
      - Checked, with the same defaults and AVEPOINT_* environment variables, only when a check reads AvePoint.
    type: dict
  vb365:
    description:
      - The connection options of the VB365 REST API, as M(backupops.jobs.job_session_info) takes them - C(url),
        C(api_version), C(username) with C(password), or C(access_token); C(validate_certs), C(ca_path),
        C(timeout), C(retries), C(retry_max_wait), C(page_size).
      - Checked, with the same defaults and VB365_* environment variables, only when a check reads VB365.
    type: dict
extends_documentation_fragment:
  - backupops.jobs.paging
  - backupops.jobs.attributes
notes:
  - The connection options are nested per vendor (O(avepoint), O(vb365)) because one run may read both, and the
    two vendors' options share names (C(access_token), C(timeout), ...). So this module is in none of the action
    groups; set C(module_defaults) for C(backupops.jobs.backup_gate_info) itself. The AVEPOINT_* and VB365_*
    environment variables are read as by the listing modules.
requirements:
  - requests >= 2.25
  - cryptography >= 3.4 (for C(certificate_path) in O(avepoint) only)
seealso:
  - module: backupops.jobs.dynamics_backup_job_info
  - module: backupops.jobs.vm_backup_job_info
  - module: backupops.jobs.google_backup_job_info
  - module: backupops.jobs.job_session_info
  - module: backupops.jobs.backup_item_info
  - plugin: backupops.jobs.gate_verdict
    plugin_type: filter
'''

EXAMPLES = r'''
- name: May the Dynamics upgrade start?
  backupops.jobs.backup_gate_info:
    avepoint:
      region: us
      client_id: "{{ avepoint_client_id }}"
      client_secret: "{{ avepoint_client_secret }}"
    vb365:
      url: https://vb365.example.com:4443
      username: "{{ vb365_username }}"
      password: "{{ vb365_password }}"
    checks:
      - name: Dynamics production
        source: dynamics
        filters: {organization_id: 0f8fad5b-d9cb-469f-a165-70867728950e}
        max_age_hours: 24
      - name: Exchange mailboxes
        source: vb365
        filters: {job_name: Exchange daily}
        max_age_hours: 26
        accept: [success, warning]
  register: gate

- name: Stop unless every check passed
  ansible.builtin.assert:
    that: gate.passed
    fail_msg: "{{ gate.checks | rejectattr('passed') | map(attribute='reason') | join('; ') }}"

- name: Offboarding - may the leaver's account be removed? Her mailbox and OneDrive must be backed up
  backupops.jobs.backup_gate_info:
    vb365:
      url: https://vb365.example.com:4443
      username: "{{ vb365_username }}"
      password: "{{ vb365_password }}"
    checks:
      - name: Patti before offboarding
        source: vb365_item
        filters:
          organization: contoso.onmicrosoft.com
          user: patti.fernandez@contoso.onmicrosoft.com
          services: [mailbox, onedrive]
        max_age_hours: 24
  register: leaver

- name: Keep the account unless both were backed up in the last 24 hours
  ansible.builtin.assert:
    that: leaver.passed
    fail_msg: "{{ leaver.checks | rejectattr('passed') | map(attribute='reason') | join('; ') }}"
'''

RETURN = r'''
passed:
  description: Whether every check passed. False when there are no checks.
  returned: success
  type: bool
  sample: false
checked_at:
  description: When the checks were judged (the end of every window), in ISO 8601 UTC.
  returned: success
  type: str
  sample: '2026-11-24T10:30:00Z'
checks:
  description: The verdict of each check, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The check's name.
      type: str
      sample: Exchange mailboxes
    source:
      description: The check's source.
      type: str
      sample: vb365
    filters:
      description: The check's filters, as validated.
      type: dict
      sample: {job_name: Exchange daily}
    max_age_hours:
      description: The check's window, in hours.
      type: float
      sample: 24.0
    accept:
      description: The outcomes the check accepts.
      type: list
      elements: str
      sample: [success]
    min_successes:
      description: How many accepted backups the window must hold.
      type: int
      sample: 1
    passed:
      description: Whether the check passed.
      type: bool
      sample: false
    reason:
      description: Why, in the words the role prints.
      type: str
      sample: last 3 jobs failed; newest success is 40.5 h old
    latest_success:
      description: The newest accepted backup inside the window (C(id), C(finish_time), C(outcome)), or null.
      type: dict
    hours_since_success:
      description: Hours since RV(checks[].latest_success) finished, or null.
      type: float
      sample: 3.2
    jobs_considered:
      description: Backup jobs (or sessions) of the window that the decision looked at.
      type: int
      sample: 3
    error:
      description: Why the listing failed, or null. A check whose listing failed never passes.
      type: str
      sample: null
    lookback:
      description:
        - For a check without an accepted backup inside its window, how old the newest one is - C(hours), the
          look-back listed for it (four windows, at least a week), C(success), the newest accepted backup of the
          look-back (C(id), C(finish_time), C(outcome)) or null when it holds none, and C(hours_since_success).
        - Null when the window holds an accepted backup (see RV(checks[].latest_success)) or a listing failed.
      type: dict
      sample: {hours: 168, success: {id: '4711', finish_time: '2026-11-22T02:10:00Z', outcome: success},
               hours_since_success: 40.5}
    services:
      version_added: 0.2.0
      description:
        - For a V(vb365_item) check, each service it named with its newest backup across repositories
          (C(last_backup_time), C(hours_since_backup)); V(vb365_item) checks only.
      returned: for a vb365_item check that found the item
      type: dict
      sample: {mailbox: {last_backup_time: '2026-12-06T14:30:11Z', hours_since_backup: 0.4}}
    seconds:
      description: How long the check's listings and decision took, in seconds.
      type: float
      sample: 0.412
    max_age_from:
      description: For C(max_age_hours) V(schedule), the derived age and how - gap, retries and grace.
      returned: for a check with max_age_hours schedule
      type: str
      version_added: 0.2.0
      sample: "30 h from the schedule of job Exchange daily (Daily, Everyday at 22:00): longest gap 24 h + retries 0 h
        + grace 6 h"
    running_now:
      description: The IDs of the backups of the check's window that are running or queued.
      returned: for a check whose running is block or wait
      type: list
      elements: str
      version_added: 0.2.0
    refreshable:
      description:
        - Whether a check with C(refresh) fails only because its newest success is too old, so that taking a backup
          now could make it pass (the role then does).
      returned: for a check with refresh
      type: bool
      version_added: 0.2.0
    refreshed:
      description:
        - The backup the role took for the check before this judgement (see O(refreshed)) - C(session_id),
          C(outcome), C(end_time), C(started), C(failed), C(msg).
      returned: for a check named in O(refreshed)
      type: dict
      version_added: 0.2.0
    records:
      description:
        - The jobs or sessions listed for the check, as the listing modules return them.
      returned: with O(include_records) or O(history_days)
      type: list
      elements: dict
    summary:
      description: The summary of RV(checks[].records), as the listing modules return it for their jobs.
      returned: with O(include_records) or O(history_days)
      type: dict
'''

from datetime import datetime, timezone

from ansible_collections.backupops.jobs.plugins.module_utils._checks import check_gate_checks
from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._gate import every_check_passed
from ansible_collections.backupops.jobs.plugins.module_utils._gate_run import evaluate_checks, note_refresh, vendors_of
from ansible_collections.backupops.jobs.plugins.module_utils._module import (
    BackupOpsModule,
    connection_params,
    mask_connections,
)
from ansible_collections.backupops.jobs.plugins.module_utils._timestamps import format_timestamp

MAX_HISTORY_DAYS = 366


def main():
    module = BackupOpsModule(argument_spec=dict(
        checks=dict(type='list', elements='dict', required=True),
        max_age_hours=dict(type='float', default=24),
        history_days=dict(type='float'),
        include_records=dict(type='bool', default=False),
        warn_on_error=dict(type='bool', default=False),
        refreshed=dict(type='dict'),
        avepoint=dict(type='dict', no_log=True),
        vb365=dict(type='dict', no_log=True),
    ))
    params = module.params
    mask_connections(module, params)
    now = datetime.now(timezone.utc)
    try:
        checks = check_gate_checks(params['checks'], params['max_age_hours'])
        connections = dict((vendor, connection_params(vendor, params[vendor], module)) for vendor in vendors_of(checks))
        if params['history_days'] is not None and not 0 < params['history_days'] <= MAX_HISTORY_DAYS:
            raise OptionError('history_days: %s is not a number of days above 0 and at most %d'
                              % (params['history_days'], MAX_HISTORY_DAYS), option='history_days')
        verdicts = evaluate_checks(
            checks, module.context, connections, now=now,
            history_hours=params['history_days'] and params['history_days'] * 24,
            keep_records=params['include_records'] or params['history_days'] is not None)
    except BackupOpsError as error:
        module.fail_on(error)
    for verdict in verdicts:
        if verdict['name'] in (params['refreshed'] or {}):
            note_refresh(verdict, params['refreshed'][verdict['name']])
    if params['warn_on_error']:
        for verdict in verdicts:
            if verdict['error']:
                module.warn('check %s: could not list the jobs: %s' % (verdict['name'], verdict['error']))
    # The gate's one rule for a result (_gate.gate_passed): at least one check, and every one passed.
    module.exit_json(changed=False, passed=every_check_passed(verdicts), checked_at=format_timestamp(now), checks=verdicts)


if __name__ == '__main__':
    main()
