#!/usr/bin/env bash
# Start the API emulator in the background and wait until it listens:
#   scripts/emulator.sh start STATE_DIR [emulator options]   (prints the environment for the modules)
#   scripts/emulator.sh stop STATE_DIR
# Needs the environment of scripts/setup.sh: eval "$(scripts/setup.sh)" first.
set -euo pipefail

usage() {
  echo "usage: $0 start STATE_DIR [emulator options] | stop STATE_DIR" >&2
  echo "  start prints the AVEPOINT_* and VB365_* exports for the modules: eval \"\$($0 start DIR)\"" >&2
  echo "  emulator options: python -m emulator --help (tenants, shapes, latency...)" >&2
  exit 2
}

[ $# -ge 2 ] || usage
action=$1
state=$2
shift 2
case "$action" in start|stop) ;; *) usage ;; esac

if ! python -c 'import emulator, flask' >/dev/null 2>&1; then
  echo "emulator: its Python environment is not set up; run this first, from the repository root:" >&2
  echo "  eval \"\$(scripts/setup.sh)\"" >&2
  exit 1
fi

case "$action" in
start)
  mkdir -p "$state"
  # The paths it prints (CA bundles) must still hold where a module runs, which is not this directory.
  state=$(cd "$state" && pwd)
  rm -f "$state/emulator.json"
  python -m emulator --state-dir "$state" "$@" >"$state/emulator.log" 2>&1 &
  for _ in $(seq 1 100); do
    [ -s "$state/emulator.json" ] && break
    if ! kill -0 $! 2>/dev/null; then
      echo "emulator: failed to start; its log:" >&2; cat "$state/emulator.log" >&2; exit 1
    fi
    sleep 0.1
  done
  [ -s "$state/emulator.json" ] || { echo "emulator: no emulator.json after 10 s" >&2; exit 1; }
  python - "$state/emulator.json" <<'PY'
import json, shlex, sys
emulator = json.load(open(sys.argv[1]))
client, vb365 = emulator['clients']['secret'], emulator['vb365']
for name, value in (('AVEPOINT_API_URL', emulator['https_url']), ('AVEPOINT_IDENTITY_URL', emulator['token_url']),
                    ('AVEPOINT_CA_PATH', emulator['ca_path']), ('AVEPOINT_CLIENT_ID', client['client_id']),
                    ('AVEPOINT_CLIENT_SECRET', client['client_secret']),
                    ('VB365_URL', vb365['url']), ('VB365_CA_PATH', vb365['certificate']),
                    ('VB365_USERNAME', vb365['username']), ('VB365_PASSWORD', vb365['password'])):
    print('export %s=%s' % (name, shlex.quote(value)))
PY
  ;;
stop)
  if [ -s "$state/emulator.json" ]; then
    pid=$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$state/emulator.json")
    kill "$pid" 2>/dev/null || true
    # Gone when this returns, so that a caller that checks for leftovers finds none.
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  ;;
esac
