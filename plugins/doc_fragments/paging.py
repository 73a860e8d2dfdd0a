# -*- coding: utf-8 -*-
# Copyright: Contributors to the backupops.jobs collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # How many pages of a listing are fetched at once, for every module of the collection.
    DOCUMENTATION = r'''
options:
  max_concurrency:
    description:
      - Pages fetched at the same time, from 1 to 16, over as many keep-alive connections.
      - Used where the first page tells how many there are and any page can be asked for by number or
        offset - Dynamics 365 (C(pageIndex) with C(totalCount)), IaaS + PaaS (C(pageNumber) with
        C(totalCount)) and VB365 v5 to v7 (C(offset) with C(totalCount)). Other listings are read one
        page after the other, following their links. V(1) reads every listing that way, following the
        links the API gives (the skip tokens of IaaS + PaaS, the C(_links.next) of VB365).
      - Pages are kept in the server's order and each record once, whatever order the answers arrive in.
    type: int
    default: 4
'''
