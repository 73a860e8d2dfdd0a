#!/usr/bin/env bash
# The collection's documentation as antsibull-docs (the tool of Ansible's docsite) builds it.
#   scripts/docs.sh lint   antsibull-docs lint-collection-docs --plugin-docs: the schema and markup of every
#                          plugin's and the role's documentation, and the references between them
#   scripts/docs.sh site   a docsite of the collection (antsibull-docs sphinx-init, then Sphinx) in
#                          .build/docsite/build/html; fails on any error or warning of a page, except the
#                          references into docs.ansible.com and docs.python.org that Sphinx resolves through
#                          intersphinx inventories it cannot download offline
#   scripts/docs.sh check  both (make test)
# antsibull-docs documents modules, plugins and roles; it does not know the event source
# (extensions/eda), whose documentation scripts/galaxy-importer.sh checks.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
eval "$("$ROOT/scripts/setup.sh")"
# antsibull-docs reads the collection from a path that ends in ansible_collections/<namespace>/<name>.
COLLECTION=$ROOT/.build/collections/ansible_collections/backupops/jobs

lint() {
  cd "$COLLECTION"
  antsibull-docs lint-collection-docs --plugin-docs .
}

site() {
  local site=$ROOT/.build/docsite status=0
  rm -rf "$site"
  mkdir -p "$site"
  antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$site" backupops.jobs \
    >/dev/null
  "$site/build.sh" > "$site/build.log" 2>&1 || status=$?
  # What the build would have said with the intersphinx inventories at hand: the lines of the inventories that
  # could not be fetched, and the references that only they resolve (Ansible's labels and ANSIBLE_* variables);
  # a reference to a page of this collection is never filtered.
  local problems
  problems=$(grep -E 'WARNING|ERROR|Error|error:|Traceback' "$site/build.log" \
    | grep -vE "^WARNING: failed to reach any of the inventories with the following issues:$" \
    | grep -vE "^intersphinx inventory '[^']+' not (fetchable|readable)" \
    | grep -vE "WARNING: undefined label: '(common_return_values|ansible_configuration_settings|callback_plugins)' \[ref\.ref\]$" \
    | grep -vE "WARNING: 'envvar' reference target not found: ANSIBLE_[A-Z_]+ \[ref\.envvar\]$" \
    | grep -vE "^build finished with problems, [0-9]+ warnings? \(with warnings treated as errors\)\.$" || true)
  # antsibull-docs writes a markup it cannot parse into the page instead of failing.
  problems+=$(grep -l 'ERROR while parsing' -r "$site/build/html" | sed 's/^/\nERROR while parsing, on the page /' || true)
  if [ -n "$problems" ]; then
    echo "$problems"
    echo "docs: the docsite build reported the problems above (full log: $site/build.log)" >&2
    return 1
  fi
  # The build exits non-zero on the filtered warnings too (sphinx-build -W), but for nothing else.
  if [ "$status" -ne 0 ] && ! grep -qE '^build finished with problems, [0-9]+ warnings?' "$site/build.log" \
      || [ ! -s "$site/build/html/index.html" ]; then
    tail -20 "$site/build.log"
    echo "docs: the docsite build failed (full log: $site/build.log)" >&2
    return 1
  fi
  echo "docs: $(find "$site/build/html" -name '*.html' | wc -l) pages in $site/build/html (build status $status, only offline intersphinx warnings)"
}

case "${1:-}" in
lint) lint ;;
site) site ;;
check) (lint) && site ;;
*) echo "usage: $0 lint|site|check" >&2; exit 2 ;;
esac
