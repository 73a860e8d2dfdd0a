"""Forgiving where it is safe (issue 15): a data centre in any case, an API version as a bare number, and messages
that read as sentences - one full stop between a server's words and a hint, counts that agree."""

import pytest

from ansible_collections.backupops.jobs.plugins.module_utils._avepoint_apis import REGIONS, region_endpoints
from ansible_collections.backupops.jobs.plugins.module_utils._errors import OptionError
from ansible_collections.backupops.jobs.plugins.module_utils._http import join_sentences
from ansible_collections.backupops.jobs.plugins.module_utils._paging import counted
from ansible_collections.backupops.jobs.plugins.module_utils._vb365 import check_version
from ansible_collections.backupops.jobs.plugins.modules import job_session_info, vm_backup_job_info


@pytest.mark.parametrize('region, code', [('US', 'us'), (' Gov ', 'gov'), ('GCP-US', 'gcp-us'), ('ne', 'ne')])
def test_a_region_is_read_in_any_case(region, code):
    assert region_endpoints(region) == REGIONS[code]


def test_an_unknown_region_lists_the_known_ones():
    with pytest.raises(OptionError) as raised:
        region_endpoints('mars')
    assert raised.value.msg.startswith("region: 'mars' is not a data centre of AvePoint Online Services; give one of "
                                       "aos2, au, ca")


@pytest.mark.parametrize('given, version', [(8, 'v8'), ('8', 'v8'), ('v8', 'v8'), ('V8', 'v8'), (' v5 ', 'v5'),
                                            (7, 'v7')])
def test_an_api_version_is_read_as_a_number_or_a_name_in_any_case(given, version):
    assert check_version(given) == version


@pytest.mark.parametrize('given', [9, 'v9', '8.0', 8.0, 'eight', '', True])
def test_an_unknown_api_version_lists_the_known_ones(given):
    with pytest.raises(OptionError) as raised:
        check_version(given)
    assert raised.value.msg == ("api_version: %r is not a VB365 REST API version this collection speaks; give one of "
                                "v5, v6, v7, v8 (or the number alone, such as 8)" % (given,))


def test_yaml_integer_api_version_reaches_the_server_as_v8(fresh_emulator, run_module):
    result = run_module(job_session_info, start_time='6h', **dict(fresh_emulator.vb365_connection(), api_version=8))
    assert not result.failed, result.get('msg')
    assert {entry['path'].split('/')[1] for entry in fresh_emulator.requests()} == {'v8'}


def test_a_server_message_that_ends_a_sentence_gets_no_second_full_stop(fresh_emulator, run_module):
    assert join_sentences('The user name or password is incorrect.', 'Check it.') == \
        'The user name or password is incorrect. Check it.'
    assert join_sentences('HTTP 400 Bad Request', 'Check it.') == 'HTTP 400 Bad Request. Check it.'
    result = run_module(job_session_info, **dict(fresh_emulator.vb365_connection(), password='not-the-password'))
    assert result.failed and 'incorrect. The VB365 REST API' in result['msg'] and '..' not in result['msg']


def test_counts_agree_with_their_number(fresh_emulator, run_module):
    assert (counted(1, 'jobs'), counted(2, 'jobs'), counted(1, 'log items')) == ('1 job', '2 jobs', '1 log item')
    result = run_module(vm_backup_job_info, start_time='7d', limit=1, **fresh_emulator.avepoint_connection())
    assert len(result['jobs']) == 1 and result['limited'] is True and result.warnings == []
