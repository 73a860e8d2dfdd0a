"""The gate module's nested connection docs are the vendor fragments' options, word for word, so they never drift.

Doc fragments must be string literals (ansible-test's yamllint reads them without running them), so
gate_connections holds a copy; this test is what keeps the copy true. On a failure, print the expected text
with ``python tests/unit/plugins/doc_fragments/test_gate_connections.py`` and paste it into the fragment.
"""

import re
import textwrap

import yaml

from ansible_collections.backupops.jobs.plugins.doc_fragments import avepoint, gate_connections, vb365

DESCRIPTIONS = dict(
    avepoint='The connection options of the AvePoint Graph API, as the AvePoint modules take them.',
    vb365='The connection options of the VB365 REST API, as M(backupops.jobs.job_session_info) takes them.')


def nested(name, fragment):
    """The options of a vendor's fragment as the suboptions of one dict option, O(x) read as O(name.x)."""
    options = fragment.ModuleDocFragment.DOCUMENTATION.split('options:\n', 1)[1].split('\nnotes:\n', 1)[0]
    suboptions = re.sub(r'O\(([a-z_]+)', r'O(%s.\1' % name, options.strip('\n'))
    return ('  %s:\n    description:\n%s\n    type: dict\n    suboptions:\n%s\n'
            % (name, textwrap.indent(DESCRIPTIONS[name], '      - '), textwrap.indent(suboptions, '    ')))


def expected():
    return 'options:\n' + nested('avepoint', avepoint) + nested('vb365', vb365)


def test_the_nested_connection_options_are_the_vendor_fragments_options():
    documented = gate_connections.ModuleDocFragment.DOCUMENTATION
    assert yaml.safe_load(documented)['options'] == yaml.safe_load(expected())['options']


if __name__ == '__main__':
    print(expected())
