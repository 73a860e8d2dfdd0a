"""Trim Veeam's full OpenAPI documents of the VB365 REST API v6 to v8 to the operations this collection reads.

    python tests/contracts/openapi/trim.py FULL_DIR

FULL_DIR holds the vendor's whole documents, vb365-rest-v6.json, -v7.json and -v8.json (README.md says where they
come from). The trimmed documents beside this file are rewritten: every path item of PATHS that the version has,
whole (all its methods, as published), and every schema those refer to, directly or through other schemas. A schema
already in a trimmed document keeps its place and new ones follow in the full document's order, so adding a path adds
lines and moves none; run on unchanged inputs, it rewrites the files as they are.
"""

import json
import os
import sys

VERSIONS = ('v6', 'v7', 'v8')
HERE = os.path.dirname(os.path.abspath(__file__))
# Without the version prefix; a path a version lacks is left out of its document.
PATHS = (
    # Jobs and their sessions: job_session_info, the gate, the event source.
    '/token', '/token/logout', '/Jobs', '/Jobs/{jobId}', '/Organizations/{organizationId}/Jobs', '/JobSessions',
    '/JobSessions/{jobSessionsId}', '/Jobs/{jobId}/JobSessions', '/JobSessions/{sessionId}/ProcessedObjects',
    '/JobSessions/Changes', '/JobSessions/{sessionId}/LogItems', '/JobSessions/{sessionId}/LogItems/{logItemId}',
    # Single objects and their backed-up data: backup_item_info and the gate's vb365_item source.
    '/Organizations', '/Organizations/{organizationId}',
    '/Organizations/{organizationId}/Users', '/Organizations/{organizationId}/Users/{userId}',
    '/Organizations/{organizationId}/Sites', '/Organizations/{organizationId}/Sites/{siteId}',
    '/Organizations/{organizationId}/Teams', '/Organizations/{organizationId}/Teams/{teamId}',
    '/Organizations/{organizationId}/Groups', '/Organizations/{organizationId}/Groups/{groupId}',
    '/BackupRepositories', '/BackupRepositories/{repositoryId}',
    '/BackupRepositories/{repositoryId}/UserData', '/BackupRepositories/{repositoryId}/UserData/{userId}',
    '/BackupRepositories/{repositoryId}/SiteData', '/BackupRepositories/{repositoryId}/SiteData/{siteId}',
    '/BackupRepositories/{repositoryId}/TeamData', '/BackupRepositories/{repositoryId}/TeamData/{teamId}',
    '/BackupRepositories/{repositoryId}/GroupData', '/BackupRepositories/{repositoryId}/GroupData/{groupId}',
    # Starting a job: job_session (the one operation that changes anything).
    '/Jobs/{jobId}/start',
)


def references(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == '$ref' and isinstance(value, str):
                found.add(value.rsplit('/', 1)[-1])
            else:
                references(value, found)
    elif isinstance(node, list):
        for value in node:
            references(value, found)
    return found


def trim(version, full, current):
    wanted = set('/%s%s' % (version, path) for path in PATHS)
    paths = dict((path, item) for path, item in full['paths'].items() if path in wanted)
    schemas = full['components']['schemas']
    needed = references(paths, set())
    while True:
        more = set(needed)
        for name in needed:
            references(schemas[name], more)
        if more == needed:
            break
        needed = more
    kept = [name for name in current['components']['schemas'] if name in needed] if current else []
    order = kept + [name for name in schemas if name in needed and name not in kept]
    trimmed = dict((key, value) for key, value in full.items() if key not in ('paths', 'components', 'tags'))
    trimmed['paths'] = paths
    trimmed['components'] = dict(full['components'], schemas=dict((name, schemas[name]) for name in order))
    # The keys in the order of the full document (openapi, info, servers, paths, components, security).
    return dict((key, trimmed[key]) for key in full if key in trimmed)


def main(full_dir):
    for version in VERSIONS:
        name = 'vb365-rest-%s.json' % version
        with open(os.path.join(full_dir, name)) as handle:
            full = json.load(handle)
        target = os.path.join(HERE, name)
        current = None
        if os.path.exists(target):
            with open(target) as handle:
                current = json.load(handle)
        trimmed = trim(version, full, current)
        with open(target, 'w') as handle:
            handle.write(json.dumps(trimmed, indent=1))
        print('%s: %d paths, %d schemas' % (name, len(trimmed['paths']), len(trimmed['components']['schemas'])))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
