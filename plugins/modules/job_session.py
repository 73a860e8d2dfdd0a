#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: job_session
short_description: Start a backup job of Veeam Backup for Microsoft 365 and wait for its session
version_added: 0.2.0
description:
  - Creates a job session of Veeam Backup for Microsoft 365 (VB365), that is, starts a backup job through its REST API
    (C(POST /Jobs/{jobId}/start), versions v6 to v8), optionally waits for the session to end, and returns it as
    M(backupops.jobs.job_session_info) shapes a session (RV(session.outcome), RV(session.kind), times).
  - B(This is the only module of the collection that changes anything.) Every other module only reads. Check mode is
    supported - the module then starts nothing and says what it would start.
  - A job that is running already is not started twice; O(if_running) says what the task does instead.
  - A session that ends failed or stopped fails the task with the errors its log names, unless
    O(fail_on_failure=false).
author:
  - backupops.jobs maintainers (@backupops)
options:
  job_id:
    description:
      - The ID (a GUID) of the backup job to start.
      - Exactly one of O(job_id) and O(job_name) is required.
    type: str
  job_name:
    description:
      - The name of the backup job to start, compared without regard to case. Fails, listing the server's jobs, when no
        job or more than one has the name.
    type: str
  state:
    description:
      - V(started) - a session of the job has been started (or, see O(if_running), was running already).
    type: str
    choices: [started]
    default: started
  full:
    description:
      - Make the session an active full backup (the API's C(full) start option) rather than an incremental one.
    type: bool
    default: false
  wait:
    description:
      - Wait for the session to end (polling it, first after 2 seconds and then less often, at most every 30 seconds)
        and return it as it ended. Without waiting the session is returned as it started, usually V(running).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the session to end, from 1 to 86400. When it has not ended by then the task fails,
        naming the session - which goes on in VB365; the module never stops a job.
      - With v6 and v7, which answer a start without the session, the new session is also looked for within this time
        (at most 60 seconds).
    type: int
    default: 3600
  if_running:
    description:
      - What to do when the job has a session running or queued already; VB365 would refuse to start it again.
      - V(wait) - start nothing and wait for that session to end (even with O(wait=false)), within O(wait_timeout),
        and return it like a session the task started, O(fail_on_failure) included. The task reports no change.
      - V(return) - start nothing and return that session at once, as it is.
      - V(fail) - fail the task, naming the session.
    type: str
    choices: [wait, return, fail]
    default: wait
  fail_on_failure:
    description:
      - Fail the task when the session ends failed (C(Failed), C(Disconnected), C(NotConfigured)) or stopped,
        quoting the errors of its log (the last five lines that report an error).
      - With V(false) such a session is returned like any other, with its RV(session.log_items).
      - A session that ends with warnings never fails the task; the module warns with what its log says.
    type: bool
    default: true
extends_documentation_fragment:
  - backupops.jobs.vb365
  - backupops.jobs.paging
  - backupops.jobs.attributes.action_group_vb365
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - In check mode the job is looked up and its running sessions read, but nothing is started; C(changed) says
        whether a session would be started.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
notes:
  - The start request is sent once and, like every request of the collection, retried on HTTP 429 and 5xx and when no
    answer came. A retried start whose first attempt did start the job meets that job running; the module then takes
    that session as running already (O(if_running)), so a job is never started twice.
  - VB365 v6 and v7 answer a start without the new session; the module finds it among the job's sessions as the one
    that was not there before the start. v8 answers with the session, which must be of the job started - a session of
    another job is refused, as is a polled session that turns out to be another one.
  - The job is read first (C(GET /Jobs/{jobId})); a disabled job is not started, and the task fails saying so.
  - VB365 5 (api_version V(v5)) is not supported by this module.
seealso:
  - module: backupops.jobs.job_session_info
  - name: Veeam Backup for Microsoft 365 REST API - Start Backup Job
    description: The vendor's reference of the operation, v8.
    link: https://helpcenter.veeam.com/references/vbo365/8/rest/tag/Job
'''

EXAMPLES = r'''
- name: Take a backup of Exchange before the change, and wait for it (fails when it fails)
  backupops.jobs.job_session:
    url: https://vb365.example.com:4443
    username: "{{ vb365_username }}"
    password: "{{ vb365_password }}"
    ca_path: /etc/pki/vb365-selfsigned.pem
    job_name: Exchange daily
    wait_timeout: 7200
  register: backup

- name: Show how it went
  ansible.builtin.debug:
    msg: "{{ backup.session.id }} ended {{ backup.session.outcome }} after {{ backup.session.duration_seconds }} s"

- name: Start a job run by hand only, without waiting; if it is running already, return that session
  module_defaults:
    group/backupops.jobs.vb365:
      url: https://vb365.example.com:4443
      username: "{{ vb365_username }}"
      password: "{{ vb365_password }}"
  backupops.jobs.job_session:
    job_name: Archive mailboxes
    wait: false
    if_running: return
  register: archive

- name: The session, running or just ended
  ansible.builtin.assert:
    that: archive.session.outcome in ['running', 'queued', 'success', 'warning']

- name: Later, wait for it - the job is running, so this waits for that session (if_running=wait) and starts nothing
  module_defaults:
    group/backupops.jobs.vb365:
      url: https://vb365.example.com:4443
      username: "{{ vb365_username }}"
      password: "{{ vb365_password }}"
  backupops.jobs.job_session:
    job_name: Archive mailboxes
    wait_timeout: 600
'''

RETURN = r'''
session:
  description:
    - The session - the one the task started, or with O(if_running) the one that was running - as
      M(backupops.jobs.job_session_info) returns a session (see its RV(backupops.jobs.job_session_info#module:sessions)),
      as the server last described it.
    - Null in check mode when a session would be started.
  returned: always
  type: dict
  contains:
    id:
      description: The session's ID.
      type: str
      sample: a8cf9a63-64c3-4748-9c95-b1fbac0cce1d
    job_id:
      description: ID of the session's job.
      type: str
      sample: b20cedd4-66b2-49b1-86de-a575dc67e83b
    kind:
      description: V(backup) for a session of one of the server's backup jobs.
      type: str
      sample: backup
    outcome:
      description: The common outcome - success, warning, failed, running, queued, stopped or unknown.
      type: str
      sample: success
    status:
      description: Status as the API sent it.
      type: str
      sample: Success
    start_time:
      description: When the session began, ISO 8601 in UTC, whole seconds.
      type: str
      sample: "2026-11-24T06:00:03Z"
    finish_time:
      description: When it ended, ISO 8601 in UTC, whole seconds; null while it runs.
      type: str
      sample: "2026-11-24T06:14:41Z"
    duration_seconds:
      description: How long it ran, in whole seconds; null while it runs.
      type: int
      sample: 878
    log_items:
      description:
        - When the session ended failed, stopped or with warnings, the newest 100 lines of its log, oldest first, as
          M(backupops.jobs.job_session_info) returns them.
      returned: when the session ended failed, stopped or with warnings
      type: list
      elements: dict
job:
  description: The job as the server describes it (C(GET /Jobs/{jobId})), keys in snake_case.
  returned: when the job was found
  type: dict
  contains:
    id:
      description: The job's ID.
      type: str
    name:
      description: The job's name.
      type: str
    is_enabled:
      description: Whether the job is enabled.
      type: bool
    schedule_policy:
      description:
        - The job's schedule - C(type) (C(Periodically), C(Daily), C(ManualOnly)), C(periodically_every),
          C(daily_type), C(daily_time), C(retry_enabled), C(retry_number), C(retry_wait_interval) and more, as the API
          sends them.
      type: dict
    last_run:
      description: When the job last ran.
      type: str
    next_run:
      description: When the job runs next by its schedule.
      type: str
  sample:
    id: b20cedd4-66b2-49b1-86de-a575dc67e83b
    name: Exchange daily
    is_enabled: true
    schedule_policy: {type: Daily, daily_type: Everyday, daily_time: "22:00:00", retry_enabled: true}
started:
  description: Whether the task started the job (in check mode - whether it would).
  returned: always
  type: bool
  sample: true
was_running:
  description: Whether the job was running already, so that the task returned that session (see O(if_running)).
  returned: always
  type: bool
  sample: false
ended:
  description: Whether the session had ended when the module returned.
  returned: always
  type: bool
  sample: true
msg:
  description: What the task did, in a sentence.
  returned: always
  type: str
  sample: "started job Exchange daily (b20cedd4-66b2-49b1-86de-a575dc67e83b): session a8cf9a63-64c3-4748-9c95-b1fbac0cce1d ended success"
'''

from ansible_collections.backupops.jobs.plugins.module_utils._egress import ID_LIMIT, QUOTE_LIMIT, printable
from ansible_collections.backupops.jobs.plugins.module_utils._errors import (
    BackupOpsError,
    OptionError,
    UnexpectedResponseError,
)
from ansible_collections.backupops.jobs.plugins.module_utils._module import VB365Module
from ansible_collections.backupops.jobs.plugins.module_utils._options import GUID, check_guid, check_range
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import start_session, wait_session
from ansible_collections.backupops.jobs.plugins.module_utils._vb365_apis import (
    ACTIVE_OUTCOMES,
    FAILED_OUTCOMES,
    START_FROM,
    WARNING_STATUSES,
    log_reasons,
    version_at_least,
)

MAX_WAIT = 86400
# v6 and v7 answer a start without the session: it is looked for among the job's sessions this long at most.
FIND_TIMEOUT = 60
LOG_ITEMS_LIMIT = 100


def job_of(client, params):
    """The job the options name, as GET /Jobs/{jobId} describes it; an OptionError when the server has none."""
    job_id = params['job_id'] or client.job_id_named(params['job_name'])
    if not GUID.match(str(job_id)):
        # The server's own ID of the job named: it goes into the path of the start, so it must be one.
        raise UnexpectedResponseError('GET /%s/Jobs lists job %s with the ID %s, which is no GUID; not started'
                                      % (client.version, printable(repr(params['job_name']), limit=QUOTE_LIMIT),
                                         printable(job_id, limit=ID_LIMIT)))
    job_id = job_id.lower()
    job = client.job(job_id)
    if job is None:
        raise OptionError('job_id: the server has no job %s (GET /%s/Jobs/%s answered 404); job_session_info lists the '
                          'jobs that have sessions, or give job_name' % (job_id, client.version, job_id),
                          option='job_id', value=job_id)
    if job.get('is_enabled') is False:
        raise OptionError('job %s (%s) is disabled, so VB365 would not start it; enable it in VB365 first'
                          % (printable(job.get('name'), limit=QUOTE_LIMIT), job_id), option='job_id', value=job_id)
    return job_id, job


def describe(job_id, job):
    return '%s (%s)' % (printable(job.get('name'), limit=QUOTE_LIMIT), job_id)


def follow(module, client, session, job_id, job):
    """The session read to its end, or the task failed when it does not end within wait_timeout."""
    params = module.params
    session, ended = wait_session(client, session, job_id, params['wait_timeout'])
    if not ended:
        raise TimedOut('session %s of job %s is still %s after wait_timeout=%d s; it goes on in VB365 (the module stops '
                       'nothing): raise wait_timeout, or follow it with job_session_info session_id=%s'
                       % (session['id'], describe(job_id, job), printable(session.get('status'), limit=ID_LIMIT),
                          params['wait_timeout'], session['id']), session)
    return session


class TimedOut(Exception):
    def __init__(self, msg, session):
        super().__init__(msg)
        self.msg = msg
        self.session = session


def judge(module, client, session, job_id, job):
    """(failure message or None) of an ended session; its log is added to it when it did not succeed."""
    outcome = session.get('outcome')
    if outcome not in FAILED_OUTCOMES and outcome != 'warning':
        return None
    session['log_items'], _cut = client.log_items(session['id'], LOG_ITEMS_LIMIT)
    if outcome == 'warning':
        reasons = log_reasons(session['log_items'], WARNING_STATUSES)
        module.warn('session %s of job %s ended with warnings%s' % (session['id'], describe(job_id, job),
                                                                    ': ' + '; '.join(reasons) if reasons else ''))
        return None
    if not module.params['fail_on_failure']:
        return None
    reasons = log_reasons(session['log_items'])
    return 'session %s of job %s ended %s (%s): %s' % (
        session['id'], describe(job_id, job), outcome, printable(session.get('status'), limit=ID_LIMIT),
        '; '.join(reasons) if reasons else 'its log names no error (see session.log_items)')


def run(module, client):
    """The module's result, or (message, result) of its failure."""
    params = module.params
    job_id, job = job_of(client, params)
    session, started, was_running = start_session(
        client, job_id, if_running=params['if_running'], full=params['full'], check_mode=module.check_mode,
        find_timeout=min(FIND_TIMEOUT, params['wait_timeout']))
    result = dict(changed=started or (module.check_mode and session is None), started=started, was_running=was_running,
                  job=job, session=session, ended=False)
    if session is None:
        result.update(started=True, msg='check mode: would start job %s' % describe(job_id, job))
        return None, result
    # A running session: if_running says (wait or return); a session the task started: the wait option.
    waits = params['if_running'] == 'wait' if was_running else params['wait']
    if waits and not module.check_mode:
        try:
            session = result['session'] = follow(module, client, session, job_id, job)
        except TimedOut as timed_out:
            result['session'] = timed_out.session
            return timed_out.msg, result
    result['ended'] = session.get('outcome') not in ACTIVE_OUTCOMES
    failure = judge(module, client, session, job_id, job) if result['ended'] else None
    if was_running:
        said = 'job %s was running already: session %s' % (describe(job_id, job), session['id'])
    else:
        said = 'started job %s: session %s' % (describe(job_id, job), session['id'])
    result['msg'] = '%s %s %s' % (said, 'ended' if result['ended'] else 'is', printable(session.get('outcome')))
    return failure, result


def main():
    module = VB365Module(
        argument_spec=dict(
            job_id=dict(type='str'),
            job_name=dict(type='str'),
            state=dict(type='str', choices=['started'], default='started'),
            full=dict(type='bool', default=False),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=3600),
            if_running=dict(type='str', choices=['wait', 'return', 'fail'], default='wait'),
            fail_on_failure=dict(type='bool', default=True),
        ),
        mutually_exclusive=[('job_id', 'job_name')],
        required_one_of=[('job_id', 'job_name')],
    )
    params = module.params
    client = None
    try:
        check_range('wait_timeout', params['wait_timeout'], 1, MAX_WAIT)
        params['job_id'] = check_guid('job_id', params['job_id'])
        client = module.connect()
        if not version_at_least(client.version, START_FROM):
            raise OptionError('api_version: job_session starts jobs through the REST API of VB365 6 and later (%s to '
                              'v8); %s is not one of them' % (START_FROM, client.version), option='api_version',
                              value=params['api_version'])
        try:
            failure, result = run(module, client)
        finally:
            client.logout()
    except BackupOpsError as error:
        # A failure after the start request was sent: the job may well be running now.
        error.details['changed'] = bool(getattr(client, 'start_requests', 0))
        module.fail_on(error)
    if failure:
        result.pop('msg', None)
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
