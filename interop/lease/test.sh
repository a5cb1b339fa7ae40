#!/usr/bin/env bash
# Leases across restarts: a graceful stop checkpoints every lease and a kill -9 keeps the last
# periodic checkpoint, so a restarted member resumes each lease's remaining TTL instead of
# renewing it; a lease that ran out while the member was down is revoked (its keys deleted,
# watchers told) soon after the restart.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
failures=0
check() { # description, condition (bash expression)
  if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1 ($2)"; failures=$((failures + 1)); fi
}
ctl() { etcdctl --endpoints "127.0.0.1:$port" --command-timeout=5s "$@"; }
remaining() { ctl lease timetolive "$1" | sed -E 's/.*remaining\((-?[0-9]+)s\).*/\1/'; }
stop_member() { # NAME SIGNAL
  local pid; pid=$(cat "$INTEROP_WORK/$1.pid")
  kill "-$2" "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "member $1 did not stop" >&2; return 1
}

# Graceful stop: the checkpoint at shutdown carries the remaining TTL over the restart.
port=$(start_member graceful "$SERVER_BIN")
long=$(ctl lease grant 60 | awk '{print $2}')
short=$(ctl lease grant 4 | awk '{print $2}')
ctl put held v --lease="$long" >/dev/null
ctl put fleeting v --lease="$short" >/dev/null
sleep 3
before=$(ctl get held -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"] + 1)')
stop_member graceful TERM
sleep 2
port=$(start_member graceful "$SERVER_BIN")
left=$(remaining "$long")
check "a graceful restart resumes the remaining TTL (got ${left}s of 60)" "[ $left -le 57 ] && [ $left -ge 50 ]"
check "the lease's key survived" "[ \"\$(ctl get held --print-value-only)\" = v ]"
# The 4 s lease had about 1 s left at the stop: it expires right after the restart. The watch
# starts from the revision before the restart, so it sees the revocation however soon it comes.
ctl watch fleeting --rev "$before" >"$INTEROP_WORK/watch.out" 2>&1 &
watcher=$!
INTEROP_PIDS+=("$watcher")
sleep 3
check "a lease that ran out is revoked after the restart" "[ -z \"\$(ctl get fleeting)\" ]"
check "its revocation reached the watcher" "grep -q DELETE '$INTEROP_WORK/watch.out'"
check "the revoked lease is gone" "remaining $short | grep -q -- -1 || ctl lease timetolive $short | grep -q 'already expired'"
kill "$watcher" 2>/dev/null || true

# kill -9: the periodic checkpoint (every second here) is what survives.
port=$(start_member crashed "$SERVER_BIN" --experimental-lease-checkpoint-interval 1s)
lease=$(ctl lease grant 60 | awk '{print $2}')
sleep 3.5
stop_member crashed KILL
port=$(start_member crashed "$SERVER_BIN" --experimental-lease-checkpoint-interval 1s)
left=$(remaining "$lease")
check "after kill -9 the last checkpoint's TTL is resumed (got ${left}s of 60)" "[ $left -le 58 ] && [ $left -ge 50 ]"
check "a keep-alive renews the full TTL" "ctl lease keep-alive --once $lease | grep -q 'TTL(60)'"
stop_member crashed TERM
port=$(start_member crashed "$SERVER_BIN" --experimental-lease-checkpoint-interval 1s)
left=$(remaining "$lease")
check "a renewed lease restarts from its renewed TTL (got ${left}s)" "[ $left -ge 57 ]"

echo "lease: $failures failed"
[ "$failures" -eq 0 ]
