#!/usr/bin/env bash
# What Galaxy and Automation Hub say about the collection on upload: builds the tarball and runs galaxy-importer
# on it (scripts/galaxy-importer.cfg: ansible-lint and ansible-doc, no containers), in its own environment
# (scripts/setup.sh --importer). Fails on any warning or error it logs, and unless it lists every plugin,
# the role and the event source (meta/extensions.yml) with their documentation.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
environment=$("$ROOT/scripts/setup.sh" --importer)
eval "$environment"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Its stderr holds only cryptography's DSA deprecation warning unless the build fails.
ansible-galaxy collection build --output-path "$work" "$ROOT" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
tarball=$(echo "$work"/backupops-jobs-*.tar.gz)
# It writes importer_result.json into the directory it runs in.
cd "$work"
status=0
GALAXY_IMPORTER_CONFIG=$ROOT/scripts/galaxy-importer.cfg python -m galaxy_importer.main "$tarball" > log.txt 2>&1 \
  || status=$?
cat log.txt
if [ "$status" -ne 0 ] || grep -qE '^(WARNING|ERROR|CRITICAL)' log.txt; then
  echo "galaxy-importer: the import reported the problems above (exit status $status)" >&2
  exit 1
fi
python - "$ROOT" <<'PY'
import json, sys
from pathlib import Path
root = Path(sys.argv[1])
result = json.load(open("importer_result.json"))
listed = {(c["content_type"], c["name"]) for c in result["contents"]}
# A role's page is its README; every other content's, its documentation as ansible-doc gives it.
documented = {(d["content_type"], d["content_name"]) for d in result["docs_blob"]["contents"]
              if d.get("doc_strings") or d.get("readme_file")}
expected = {("module", p.stem) for p in (root / "plugins/modules").glob("[!_]*.py")}
expected |= {(kind, p.stem) for kind in ("lookup", "callback") for p in (root / "plugins" / kind).glob("[!_]*.py")}
expected |= {("filter", p.stem) for p in (root / "plugins/filter").glob("*.yml")}
expected |= {("role", p.name) for p in (root / "roles").iterdir()}
expected |= {("eda/plugins/event_source", p.stem) for p in (root / "extensions/eda/plugins/event_source").glob("[!_]*.py")}
problems = ["not listed: %s %s" % item for item in sorted(expected - listed)]
problems += ["listed without documentation: %s %s" % item for item in sorted(expected - documented)]
for problem in problems:
    print("galaxy-importer:", problem, file=sys.stderr)
if problems:
    sys.exit(1)
print("galaxy-importer: %d contents listed with their documentation, %s included"
      % (len(expected), ", ".join("%s %s" % item for item in sorted(expected) if item[0].startswith("eda"))))
PY
