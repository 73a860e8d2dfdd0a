"""The modules as users run them: ansible-playbook (with module_defaults groups and the shipped
playbook) and ad-hoc ansible, against the emulator."""

import json
import textwrap
from datetime import datetime, timedelta, timezone


def avepoint_env(emulator, auth='secret'):
    names = dict(api_url='AVEPOINT_API_URL', identity_url='AVEPOINT_IDENTITY_URL', ca_path='AVEPOINT_CA_PATH',
                 client_id='AVEPOINT_CLIENT_ID', client_secret='AVEPOINT_CLIENT_SECRET',
                 certificate_path='AVEPOINT_CERTIFICATE_PATH', private_key_path='AVEPOINT_PRIVATE_KEY_PATH')
    return dict((names[key], value) for key, value in emulator.avepoint_connection(auth).items())


def playbook(tmp_path, text):
    path = tmp_path / 'play.yml'
    path.write_text(textwrap.dedent(text))
    return path


def started_since(emulator, api, hours, keep=lambda job: True):
    since = datetime.now(timezone.utc) - timedelta(hours=hours)
    return [job['jobId'] for job in emulator.jobs(api)
            if datetime.fromisoformat(job['startTime'].replace('Z', '+00:00')) >= since and keep(job)]


def test_module_defaults_groups_supply_the_connection(emulator, ansible_run, tmp_path):
    out = tmp_path / 'results.json'
    connection = json.dumps(emulator.avepoint_connection())
    play = playbook(tmp_path, '''
        - hosts: localhost
          gather_facts: false
          module_defaults:
            group/backupops.jobs.avepoint: %s
          tasks:
            - backupops.jobs.vm_backup_job_info:
                start_time: 48h
                page_size: 10
              register: vm
            - name: the all group carries the same options
              module_defaults:
                group/backupops.jobs.all: %s
              backupops.jobs.google_backup_job_info:
                start_time: 48h
              register: google
            - ansible.builtin.copy:
                content: "{{ {'vm': vm, 'google': google} | to_json }}"
                dest: %s
    ''' % (connection, connection, out))
    run = ansible_run('ansible-playbook', play)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.read_text())
    assert [job['job_id'] for job in results['vm']['jobs']] == started_since(emulator, 'vm', 48)
    assert [job['job_id'] for job in results['google']['jobs']] == started_since(
        emulator, 'google', 48, lambda job: job['dataSource'] == 1)
    assert results['vm']['summary']['hours_since_success'] is not None


def test_shipped_playbook_by_fqcn_with_certificate_from_environment(emulator, ansible_run):
    run = ansible_run('ansible-playbook', 'backupops.jobs.recent_jobs', '-e', 'recent_jobs_window=12h',
                      env=avepoint_env(emulator, 'certificate'))
    assert run.returncode == 0, run.stdout + run.stderr
    for source in ('Dynamics 365', 'IaaS + PaaS', 'Google Workspace'):
        assert '"msg": "%s: ' % source in run.stdout
    assert 'no successful backup' not in run.stdout


def test_recent_jobs_says_plainly_that_a_window_had_no_jobs(emulator, ansible_run):
    # The newest seeded job started 30 minutes ago: the last minute has none.
    run = ansible_run('ansible-playbook', 'backupops.jobs.recent_jobs', '-e', 'recent_jobs_window=1m',
                      env=avepoint_env(emulator))
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"msg": "Dynamics 365: no jobs in the last 1m; no successful backup in that time"' in run.stdout
    assert '()' not in run.stdout and '0 jobs' not in run.stdout


def test_ad_hoc_command(emulator, ansible_run):
    run = ansible_run('ansible', 'localhost', '-m', 'backupops.jobs.vm_backup_job_info', '-a', 'start_time=24h',
                      env=avepoint_env(emulator))
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.split(' => ', 1)[1])
    assert [job['job_id'] for job in result['jobs']] == started_since(emulator, 'vm', 24)
    assert result['changed'] is False


def test_bad_option_fails_the_task_with_its_name(emulator, ansible_run):
    run = ansible_run('ansible', 'localhost', '-m', 'backupops.jobs.dynamics_backup_job_info',
                      '-a', 'start_time=yesterday', env=avepoint_env(emulator))
    assert run.returncode != 0
    assert "start_time: cannot read 'yesterday' as a time" in run.stdout
    assert 'Traceback' not in run.stdout + run.stderr


def test_no_secret_or_token_in_verbose_output(emulator, ansible_run, tmp_path):
    env = avepoint_env(emulator)
    emulator.clear()
    play = playbook(tmp_path, '''
        - hosts: localhost
          gather_facts: false
          tasks:
            - backupops.jobs.dynamics_backup_job_info:
                start_time: 24h
              register: jobs
            - ansible.builtin.debug:
                var: jobs
            - name: a failure path too
              backupops.jobs.vm_backup_job_info:
                client_secret: "{{ lookup('env', 'AVEPOINT_CLIENT_SECRET') }}-wrong"
              ignore_errors: true
    ''')
    run = ansible_run('ansible-playbook', '-vvvv', play, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    tokens = set(entry['headers']['Authorization'].split(' ', 1)[1] for entry in emulator.requests('/dynamicsbackup'))
    assert tokens
    output = run.stdout + run.stderr
    assert 'HTTP 400' in output
    for secret in tokens | {env['AVEPOINT_CLIENT_SECRET']}:
        assert secret not in output


def vb365_env(emulator, version):
    connection = emulator.vb365_connection(version)
    return dict(VB365_URL=connection['url'], VB365_API_VERSION=version, VB365_USERNAME=connection['username'],
                VB365_PASSWORD=connection['password'], VB365_CA_PATH=connection['ca_path'])


def test_vb365_group_and_all_group_supply_the_connection(emulator, ansible_run, tmp_path):
    out = tmp_path / 'sessions.json'
    connection = json.dumps(emulator.vb365_connection('v7'))
    play = playbook(tmp_path, '''
        - hosts: localhost
          gather_facts: false
          module_defaults:
            group/backupops.jobs.vb365: %s
          tasks:
            - backupops.jobs.job_session_info:
                job_name: Teams hourly
                start_time: 24h
                include_log_items: true
              register: by_group
            - module_defaults:
                group/backupops.jobs.all: %s
              backupops.jobs.job_session_info:
                limit: 1
              register: by_all
            - ansible.builtin.copy:
                content: "{{ {'by_group': by_group, 'by_all': by_all} | to_json }}"
                dest: %s
    ''' % (connection, connection, out))
    run = ansible_run('ansible-playbook', play)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.read_text())
    teams = [job for job in emulator.vb365()['jobs'] if job['name'] == 'Teams hourly'][0]
    sessions = results['by_group']['sessions']
    assert sessions and all(session['job_id'] == teams['id'] and session['log_items'] for session in sessions)
    assert len(results['by_all']['sessions']) == 1


def test_vb365_ad_hoc_with_environment_on_v5(emulator, ansible_run):
    run = ansible_run('ansible', 'localhost', '-m', 'backupops.jobs.job_session_info', '-a', 'start_time=6h status=success',
                      env=vb365_env(emulator, 'v5'))
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.split(' => ', 1)[1])
    assert result['sessions'] and all(session['outcome'] == 'success' for session in result['sessions'])
    assert result['summary']['hours_since_success'] < 6
