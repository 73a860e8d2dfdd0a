#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: job_session_info
short_description: List the job sessions of Veeam Backup for Microsoft 365, with their log items
version_added: 0.1.0
description:
  - Reads the sessions of Veeam Backup for Microsoft 365 (VB365) backup jobs through its REST API,
    versions v5 to v8 - one session by ID, the sessions of one job, or the recent sessions of all
    jobs - and, on request, the log items of each session. Summarises them like the AvePoint modules.
  - Filters the version supports are sent to the server; all of them are applied again to the
    answer, so the result is the same on every version.
author:
  - backupops.jobs maintainers (@backupops)
options:
  session_id:
    description:
      - Return this one session, by its GUID. A session the server does not know gives an empty RV(sessions) and a
        message, not a failure.
      - Mutually exclusive with O(job_id) and O(job_name).
    type: str
  job_id:
    description:
      - Return the sessions of the job with this ID (a GUID).
    type: str
  job_name:
    description:
      - Return the sessions of the job with this name (compared without regard to case). Fails, listing
        the server's jobs, when no job or more than one has the name.
    type: str
  job_type:
    version_added: 0.2.0
    description:
      - Return only the sessions of V(backup) jobs or of V(copy) (backup copy) jobs; without it, both.
      - Sent to the server as C(jobType) from v6 on, and checked again on every session (RV(sessions[].kind)).
        A session of another kind is dropped with a warning.
      - Sessions before v7 do not say their type; such a session is of kind V(backup) when its job is one of
        the server's backup jobs (C(GET /Jobs), which lists no backup copy jobs), and V(other) when it is not.
        So on v5 and v6 O(job_type=copy) returns nothing the module can verify as a copy.
    type: str
    choices: [backup, copy]
  status:
    description:
      - Return only sessions in one of these statuses - V(success), V(warning), V(failed), V(running),
        V(queued), V(stopped), V(disconnected), V(not_configured) (the API's own spelling, such as
        V(NotConfigured), works too).
      - On v8 a single status is also sent to the server, which spells V(success) as C(Succeeded).
    type: list
    elements: str
  start_time:
    description:
      - Return only sessions that ended at or after this time (a session still running counts by its
        creation time). An ISO 8601 time (V(2026-11-24T06:00:00Z); without a zone it is UTC) or an age
        before now such as V(30m), V(24h), V(7d) or V(2w).
      - Sent to the server as C(endTimeLowerBound) from v6 on, two days earlier than asked - Veeam's
        documents describe that parameter as "created after" though its name says end time, so the module
        asks early enough for either reading and applies the window itself. A session that ran for more than
        two days before ending inside the window may be missed by a server that reads it as the creation time.
      - Not sent on the per-job route of v5 and v6, which takes only C(offset) and C(limit).
    type: str
  end_time:
    description:
      - Return only sessions that ended at or before this time; the same formats as O(start_time).
      - Sent to the server as C(endTimeUpperBound) from v7 on.
    type: str
  limit:
    description:
      - Return at most this many sessions, the newest first (by end time, or creation time for a session
        still running). The result's C(limited) says whether more sessions matched; it is no warning, since the limit is
        what was asked for.
    type: int
  include_log_items:
    description:
      - Add to each session the list RV(sessions[].log_items) of the operations it logged.
      - Not with O(summary_only), which returns no session.
    type: bool
    default: false
  log_items_limit:
    description:
      - With O(include_log_items), at most this many log items per session - the newest ones, since the last
        lines tell how a session ended - returned oldest first. v8 is asked for the newest first
        (C(orderAsc=false)); earlier versions know no order, so their log is read to the end.
        RV(sessions[].log_items_limited) says whether a session has more.
    type: int
extends_documentation_fragment:
  - backupops.jobs.vb365
  - backupops.jobs.paging
  - backupops.jobs.records
  - backupops.jobs.listing
  - backupops.jobs.attributes
  - backupops.jobs.attributes.action_group_vb365
notes:
  - The outcome of a session follows its status - V(Success) is V(success), V(Warning) is V(warning),
    V(Failed), V(Disconnected) and V(NotConfigured) are V(failed), V(Running) is V(running),
    V(Queued) is V(queued), V(Stopped) is V(stopped). A status Veeam adds later is passed through with
    outcome V(unknown).
  - The server's order of sessions is not documented, so the module orders them itself, newest first.
  - Versions differ and the module hides it - v5 and v6 list a job's sessions under
    C(/Jobs/{id}/JobSessions), v7 and v8 filter C(/JobSessions) by C(jobId); only v8 sessions carry
    C(jobId), older ones name their job in C(_links.job); v5 to v7 log items have a C(title) such as
    C([Success] Job started), v8 ones a C(type) and a C(message).
  - A filter the server ignores does not widen the result - the job and the job type of every session are
    checked again, and a session that does not match, or does not say, is dropped with a warning.
  - A session whose end time is .NET's minimum date (C(0001-01-01T00:00:00), which some servers write for
    a session that has not ended) has RV(sessions[].end_time) null and is not counted as finished.
  - Pages are followed through their C(next) link. v5 writes these links with the server's own host
    name; a link to another scheme, host or port than O(url) is not followed (the token would go there),
    so set O(url) to the name the server uses for itself.
seealso:
  - name: Veeam Backup for Microsoft 365 REST API reference
    description: The vendor's reference of the v8 REST API.
    link: https://helpcenter.veeam.com/references/vbo365/8/rest/tag/JobSession
'''

EXAMPLES = r'''
- name: List the sessions of the last 24 hours of one job, newest first
  backupops.jobs.job_session_info:
    url: https://vb365.example.com:4443
    username: "{{ vb365_username }}"
    password: "{{ vb365_password }}"
    ca_path: /etc/pki/vb365-selfsigned.pem
    job_name: Exchange daily
    start_time: 24h
  register: exchange

- name: Fail unless the newest session succeeded
  ansible.builtin.assert:
    that: exchange.summary.latest.outcome == 'success'
    fail_msg: "The last Exchange backup did not succeed"

- name: Read one session with its log, on a VB365 7 server, connection from module_defaults
  module_defaults:
    group/backupops.jobs.vb365:
      url: https://vb365.example.com:4443
      api_version: v7
      username: "{{ vb365_username }}"
      password: "{{ vb365_password }}"
  backupops.jobs.job_session_info:
    session_id: a8cf9a63-64c3-4748-9c95-b1fbac0cce1d
    include_log_items: true
    log_items_limit: 200

- name: The five newest failed or warning sessions of all jobs this week, only their ID, end and status
  backupops.jobs.job_session_info:
    status: [failed, warning]
    start_time: 7d
    limit: 5
    fields: [id, end_time, status]
'''

RETURN = r'''
extends_documentation_fragment:
  - backupops.jobs.summary
sessions:
  description:
    - The sessions, newest first, each once.
    - Each carries the common keys of every module's records (see the notes) and the API's own keys in snake_case;
      every key the API sends is returned.
  returned: success, unless O(summary_only)
  type: list
  elements: dict
  contains:
    id:
      description: This run's ID as a string - an AvePoint job's job ID, a VB365 session's ID.
      type: str
      sample: a8cf9a63-64c3-4748-9c95-b1fbac0cce1d
    kind:
      version_added: 0.2.0
      description:
        - What the run did - V(backup), V(restore), V(copy), V(export), V(deletion) or V(other).
        - Here from its C(job_type) (v7 and later) - V(backup) or V(copy) (a backup copy job); before v7, V(backup)
          when the session's job is one of the server's backup jobs, else V(other). See O(job_type).
        - Only V(backup) counts as a backup, in C(summary.latest_success) and in the backup_gate role.
      type: str
      choices: [backup, restore, copy, export, deletion, other]
      sample: backup
    outcome:
      description: The common outcome - success, warning, failed, running, queued, stopped, skipped or unknown.
      type: str
      sample: success
    start_time:
      version_added: 0.2.0
      description: When the run began, ISO 8601 in UTC, whole seconds.
      type: str
      sample: "2019-02-04T16:49:22Z"
    finish_time:
      version_added: 0.2.0
      description: When the run ended, ISO 8601 in UTC, whole seconds; null while it runs.
      type: str
      sample: "2019-02-04T16:50:21Z"
    duration_seconds:
      version_added: 0.2.0
      description:
        - How long the run took, in whole seconds - the API's own duration where it gives one, else finish minus
          start; null when unknown (still running, or a time the API wrote unreadably).
      type: int
      sample: 59
    job_id:
      description: ID of the job, from the session (v8) or from its link to the job (v5 to v7); null if neither.
      type: str
      sample: b20cedd4-66b2-49b1-86de-a575dc67e83b
    creation_time:
      description: When the session began (the API's C(creationTime)), ISO 8601 in UTC, whole seconds.
      type: str
      sample: "2019-02-04T16:49:22Z"
    end_time:
      description: When it ended (the API's C(endTime)), ISO 8601 in UTC, whole seconds; null while it runs.
      type: str
      sample: "2019-02-04T16:50:21Z"
    progress:
      description: Objects processed.
      type: int
      sample: 1
    status:
      description: Status as the API sent it.
      type: str
      sample: Success
    status_name:
      description: The status in snake_case, or null for a status this collection does not know.
      type: str
      sample: success
    statistics:
      description: Transfer statistics, keys in snake_case.
      type: dict
      sample: {processing_rate_bytes_ps: 1683256, processed_objects: 1193, bottleneck: Source}
    details:
      description: Summary line of the session (v6 and later).
      type: str
      sample: "Transferred: 93.6 MB (1193 items) at 1.6 MB/s"
    retry_count:
      description: How often the session was retried (v6 and later).
      type: int
      sample: 0
    will_be_retried:
      version_added: 0.2.0
      description:
        - Whether the job will run this session again (v7 and later, the API's C(jobWillBeRetried); null when the
          server does not say). The backup_gate role's reason says so when the newest failure will be retried.
      type: bool
      sample: true
    main_session_id:
      version_added: 0.2.0
      description: For a retry session (v7 and later), the ID of the session it retries.
      type: str
      sample: 8e4f8e3c-4c4a-4b55-9a0b-3b8c1e1d2f10
    job_type:
      version_added: 0.2.0
      description: The API's type of the session's job, C(Backup) or C(Copy) (v7 and later); see RV(sessions[].kind).
      type: str
      sample: Backup
    log_items_limited:
      version_added: 0.2.0
      description: With O(include_log_items) and O(log_items_limit), whether the session logged more items than returned.
      returned: with O(include_log_items)
      type: bool
      sample: false
    log_items:
      description: With O(include_log_items), the operations the session logged.
      type: list
      elements: dict
      contains:
        id:
          description: ID of the log item.
          type: str
        usn:
          description: Order number of the operation.
          type: int
          sample: 1
        status:
          description: The status of the operation - the bracketed prefix of the title (v5 to v7) or the type (v8).
          type: str
          sample: Success
        message:
          description: What happened - the title without its prefix (v5 to v7) or the message (v8).
          type: str
          sample: Job started at 2/26/2021 1:00:00 AM
        title:
          description: The title as the API sent it (v5 to v7), or null (v8).
          type: str
          sample: "[Success] Job started at 2/26/2021 1:00:00 AM"
        creation_time:
          description: Start of the operation, ISO 8601 in UTC, whole seconds.
          type: str
        end_time:
          description: End of the operation, ISO 8601 in UTC, whole seconds.
          type: str
total_count:
  version_added: 0.2.0
  description:
    - Without O(summary_only), the number of sessions the API reported for the query, before the module applied
      the filters the server does not take (O(status) before v8, the time window on the per-job route of v5 and
      v6, O(limit)); v8 reports no total, nor does a single session asked for by O(session_id).
    - With O(summary_only), the number of sessions listed and summarised (C(summary.count)).
  returned: success, on v5 to v7 when sessions were listed, and always with O(summary_only)
  type: int
  sample: 96
msg:
  description: Why RV(sessions) is empty when O(session_id) names a session the server does not know.
  returned: when the session was not found
  type: str
  sample: no session a8cf9a63-64c3-4748-9c95-b1fbac0cce1d on the server
'''

from datetime import datetime, timezone

from ansible_collections.backupops.jobs.plugins.module_utils._errors import BackupOpsError, OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._listing import Listing
from ansible_collections.backupops.jobs.plugins.module_utils._module import LISTING_ARGUMENT_SPEC, VB365Module
from ansible_collections.backupops.jobs.plugins.module_utils._options import check_guid, check_range, time_window
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import read_sessions
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import SESSION_FIELDS, check_statuses


def main():
    module = VB365Module(
        argument_spec=dict(
            session_id=dict(type='str'),
            job_id=dict(type='str'),
            job_name=dict(type='str'),
            job_type=dict(type='str', choices=['backup', 'copy']),
            status=dict(type='list', elements='str'),
            start_time=dict(type='str'),
            end_time=dict(type='str'),
            limit=dict(type='int'),
            include_log_items=dict(type='bool', default=False),
            log_items_limit=dict(type='int'),
            **LISTING_ARGUMENT_SPEC
        ),
        mutually_exclusive=[('session_id', 'job_id', 'job_name')],
    )
    params = module.params
    now = datetime.now(timezone.utc)
    try:
        check_range('limit', params['limit'], 1, 1000000)
        check_range('log_items_limit', params['log_items_limit'], 1, 1000000)
        listing = Listing(params, SESSION_FIELDS, now, module.warn)
        if listing.summary_only and params['include_log_items']:
            raise OptionError('include_log_items=true adds the log to each session, and summary_only=true returns no '
                              'session; give one of them', option='include_log_items', value=True)
        # Options are checked before any request, so a typo costs no login.
        statuses = check_statuses(params['status'])
        for option in ('session_id', 'job_id'):
            params[option] = check_guid(option, params[option])
        start, end = time_window(params, now, 'start_time', 'end_time')
        client = module.connect()
        try:
            sessions, message = read_sessions(client, params, statuses, start, end, listing.consume, listing.note_limited)
            if params['include_log_items']:
                for session in sessions:
                    if session.get('id') is None:
                        module.warn('a session was listed without an id, so its log items cannot be asked for')
                        continue
                    session['log_items'], session['log_items_limited'] = client.log_items(
                        session['id'], params['log_items_limit'])
        finally:
            client.logout()
    except BackupOpsError as error:
        module.fail_on(error)
    result = listing.result('sessions', sessions)
    if not listing.summary_only and client.sessions_total is not None:
        result['total_count'] = client.sessions_total
    if message:
        result['msg'] = message
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
