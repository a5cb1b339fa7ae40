#!/usr/bin/env bash
# Crash test: writers run puts, deletes, txns, lease grants and revokes and compactions
# (crashwriter.py), the server is kill -9'd at a random moment, restarted on the same data dir,
# and every acknowledged effect must be there: each key as last acknowledged (value and
# revision, or deleted), each lease granted or revoked as acknowledged, reads below an
# acknowledged compaction refused. Then the same for a 3-member cluster whose members are all
# kill -9'd at the same moment, with writers on every member: after the restart every member must
# serve every acknowledged effect.
# CRASH_ROUNDS (default 3) rounds of each, CRASH_SEED picks the kill moments (printed, replayable);
# CRASH_ROUNDS=1000 is the long soak.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
ROUNDS=${CRASH_ROUNDS:-3}
SEED=${CRASH_SEED:-$RANDOM}
echo "crash: seed $SEED, $ROUNDS rounds"
source "$here/../lib/servers.sh"
RANDOM=$SEED
log="$INTEROP_WORK/acknowledged.log"
: >"$log"
for round in $(seq 1 "$ROUNDS"); do
  port=$(start_member member "$SERVER_BIN")
  pid=$(cat "$INTEROP_WORK/member.pid")
  python3 "$here/crashwriter.py" write "$port" "$log" 4 "$round" &
  writer=$!
  delay_ms=$((300 + RANDOM % 1700))
  sleep "$(printf '0.%03d' $((delay_ms % 1000)))"; [ $delay_ms -ge 1000 ] && sleep 1
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  wait "$writer" || true
  echo "round $round: killed after ${delay_ms} ms with $(grep -c '"ack"' "$log") operations acknowledged so far"
  # start_member reuses the data dir of the same name: a restart of the same member.
  port=$(start_member member "$SERVER_BIN")
  python3 "$here/crashwriter.py" check "$port" "$log"
  kill "$(cat "$INTEROP_WORK/member.pid")"
  wait "$(cat "$INTEROP_WORK/member.pid")" 2>/dev/null || true
done
echo "crash: every acknowledged operation survived $ROUNDS kills of one member"

start_cluster crashed "$SERVER_BIN" 3
log="$INTEROP_WORK/cluster-acknowledged.log"
: >"$log"
for round in $(seq 1 "$ROUNDS"); do
  writers=()
  for i in 0 1 2; do
    python3 "$here/crashwriter.py" write "${CLUSTER_PORTS[$i]}" "$log" 2 "$((100 * round + i))" &
    writers+=("$!")
  done
  delay_ms=$((300 + RANDOM % 1700))
  sleep "$(printf '0.%03d' $((delay_ms % 1000)))"; [ $delay_ms -ge 1000 ] && sleep 1
  pids=$(cat "$INTEROP_WORK"/crashed-[012].pid)
  # shellcheck disable=SC2086
  kill -9 $pids
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  for writer in "${writers[@]}"; do wait "$writer" || true; done
  echo "cluster round $round: all members killed after ${delay_ms} ms with $(grep -c '"ack"' "$log") operations acknowledged so far"
  for i in 0 1 2; do launch_cluster_member crashed "$i"; done
  wait_cluster_healthy "$CLUSTER_ENDPOINTS" 60 || { echo "crash: the cluster did not come back"; exit 1; }
  for i in 0 1 2; do python3 "$here/crashwriter.py" check "${CLUSTER_PORTS[$i]}" "$log"; done
done
echo "crash: every acknowledged operation survived $ROUNDS kills of every cluster member at once"
