# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import re
import textwrap

from ansible_collections.backupops.jobs.plugins.doc_fragments.avepoint import ModuleDocFragment as AvePoint
from ansible_collections.backupops.jobs.plugins.doc_fragments.vb365 import ModuleDocFragment as VB365


def _nested(name, description, options):
    """The options of a vendor's fragment as the suboptions of one dict option, so the docs never drift."""
    suboptions = re.sub(r'O\(([a-z_]+)', r'O(%s.\1' % name, options.strip('\n'))
    return ('  %s:\n    description:\n%s\n    type: dict\n    suboptions:\n%s\n'
            % (name, textwrap.indent(description, '      - '), textwrap.indent(suboptions, '    ')))


class ModuleDocFragment:
    # The connections of a module that reads several vendors in one run: each vendor's options nested in one dict.
    DOCUMENTATION = 'options:\n' + _nested(
        'avepoint', 'The connection options of the AvePoint Graph API, as the AvePoint modules take them.',
        AvePoint.OPTIONS) + _nested(
        'vb365', 'The connection options of the VB365 REST API, as M(backupops.jobs.job_session_info) takes them.',
        VB365.OPTIONS) + r'''
requirements:
  - requests >= 2.25
  - cryptography >= 3.4 (for O(avepoint.certificate_path) only)
'''
