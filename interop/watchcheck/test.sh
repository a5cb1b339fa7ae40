#!/usr/bin/env bash
# Watch test: the watch checker (main.go) writes WATCHCHECK_REVISIONS revisions under wc/ while
# WATCHCHECK_WATCHERS watchers over overlapping ranges, on several connections and streams, some
# caught up from history and one read slowly, must each get every event after their start
# revision exactly once, in order. Run against real etcd and the server under test, each fresh;
# both must pass. WATCHCHECK_SEED (printed) replays the same workload. Then slowreader.py reads a
# watch slowly with gRPC C-core, whose flow control differs from grpc-go's, on the same server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
SEED=${WATCHCHECK_SEED:-$RANDOM}
REVISIONS=${WATCHCHECK_REVISIONS:-2000}
WATCHERS=${WATCHCHECK_WATCHERS:-40}
echo "watchcheck: seed $SEED, $REVISIONS revisions, $WATCHERS watchers"
source "$here/../lib/servers.sh"
checker="$INTEROP_WORK/etcd-watchcheck"
WATCHCHECK=$checker "$here/build.sh"

failed=()
for member in reference subject; do
  binary=$REFERENCE_BIN; [ "$member" = subject ] && binary=$SERVER_BIN
  echo "== $member: $binary"
  port=$(start_member "$member" "$binary")
  if ! "$checker" --endpoints "127.0.0.1:$port" --seed "$SEED" --revisions "$REVISIONS" --watchers "$WATCHERS"; then
    failed+=("$member")
  fi
  if ! timeout 120 python3 "$here/slowreader.py" "127.0.0.1:$port"; then
    failed+=("$member (slow C-core reader)")
  fi
  # Each server runs alone, so the two runs do not compete for the cores.
  kill "$(cat "$INTEROP_WORK/$member.pid")" 2>/dev/null || true
  wait "$(cat "$INTEROP_WORK/$member.pid")" 2>/dev/null || true
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "watchcheck: failed against: ${failed[*]}"
  exit 1
fi
echo "watchcheck: both servers kept the watch guarantee"
