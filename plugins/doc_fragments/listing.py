# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # What a listing module returns of its records: all of them, some of their keys, or only their summary.
    DOCUMENTATION = r'''
options:
  summary_only:
    description:
      - Return only C(summary) and RV(total_count), no list. Each record is summarised as its page arrives and
        then let go, so the module's memory does not grow with the listing, and Ansible does not carry thousands
        of records to the play.
      - Records are de-duplicated and checked against the filters exactly as for the list, so the summary is the
        one the full listing has.
      - With O(limit), the newest records are chosen after the listing, so they are kept until then.
      - Cannot be combined with O(fields).
    type: bool
    default: false
  fields:
    description:
      - Return only these keys of each record (a key a record lacks is returned as null). C(summary) still
        describes the whole records.
      - A name that is not one of the documented keys of a record fails the module, listing the known ones.
    type: list
    elements: str
'''
