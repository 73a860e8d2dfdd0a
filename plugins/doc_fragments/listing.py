# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # What a listing module returns of its records: all of them, some of their keys, or only their summary.
    DOCUMENTATION = r'''
options:
  summary_only:
    version_added: 0.2.0
    description:
      - Return only C(summary) and RV(total_count), no list. Each record is summarised as its page arrives and
        then let go, so the module's memory does not grow with the listing, and Ansible does not carry thousands
        of records to the play.
      - Records are de-duplicated and checked against the filters exactly as for the list, so the summary is the
        one the full listing has.
      - With O(limit), the newest records are chosen as the listing goes; at most twice O(limit) are kept at once.
      - Cannot be combined with O(fields).
      - Memory is bounded whatever a server sends. Without O(summary_only), a module run keeps at most 140,000
        records, from at most 128 MiB of answers (the largest tenants measured, 100,000 AvePoint jobs and 133,336
        VB365 sessions, fit); a listing past that fails naming what to narrow (O(start_time), the filters) or
        suggesting O(summary_only). With it, records are counted, not kept, up to 2,000,000 distinct ones a listing.
        Either way a module stays under 1 GB of memory.
    type: bool
    default: false
  fields:
    version_added: 0.2.0
    description:
      - Return only these keys of each record (a key a record lacks is returned as null). C(summary) still
        describes the whole records.
      - A name that is not one of the documented keys of a record fails the module, listing the known ones.
    type: list
    elements: str
'''
