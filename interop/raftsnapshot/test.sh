#!/usr/bin/env bash
# Raft snapshot test: a 3-member cluster of REFERENCE_BIN (real etcd) and one of SERVER_BIN, each
# with --snapshot-count 1000, go through the same script, and what clients see must be equal:
# a follower is killed, 7,000 puts (more than etcd's 5,000 catch-up entries past the last
# snapshot) go to the other two, the follower restarts and catches up by a snapshot the leader
# streams to it (each server's log must say so, with the bytes), every member then has every key
# and the same HashKV; then every member is killed at once and restarted, and the data is intact
# (swift-etcd must start from its snapshot, replaying only the entries after it). Disk stays
# bounded: at most etcd's five snapshot files per member. swift-etcd only: a crash between
# recording a leader's snapshot and installing its store is finished at the next start (the
# follower's store put back to what it was before the snapshot, the synced copy beside it).
#
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd), SNAPSHOT_PUTS (default 7000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
PUTS=${SNAPSHOT_PUTS:-7000}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
CTL=(timeout 30 etcdctl --command-timeout=10s --dial-timeout=3s)
checks_failed=0
writer=$INTEROP_WORK/writer
bash "$here/../lib/gobuild.sh" main "$here" "$writer" >/dev/null

last_key=$(printf 'k%06d' $((PUTS - 1)))

# leader_index: the index (0..2) of the member that leads.
leader_index() {
  "${CTL[@]}" --endpoints "$CLUSTER_ENDPOINTS" endpoint status -w json | python3 -c '
import json, sys
statuses = json.load(sys.stdin)
print([i for i, s in enumerate(statuses) if s["Status"]["leader"] == s["Status"]["header"]["member_id"]][0])'
}

# same_hashkv: every member reports one HashKV at the current revision.
same_hashkv() {
  local hashes
  hashes=$("${CTL[@]}" --endpoints "$CLUSTER_ENDPOINTS" endpoint hashkv -w json | python3 -c '
import json, sys
print(len({h["HashKV"]["hash"] for h in json.load(sys.stdin)}))')
  [ "$hashes" = 1 ]
}

has_last_key() { # I: member I serves the last key from its own store
  [ -n "$("${CTL[@]}" --endpoints "127.0.0.1:${CLUSTER_PORTS[$1]}" get --consistency=s "$last_key" --print-value-only 2>/dev/null)" ]
}

run_scenario() { # LABEL BINARY [extra flags]
  label=$1; local binary=$2; shift 2
  local out="$INTEROP_WORK/out-$label" i
  mkdir -p "$out"
  echo "== $label: $binary"
  start_cluster "$label" "$binary" 3 --snapshot-count 1000 "$@"
  local leader follower others=""
  leader=$(leader_index)
  follower=$(( (leader + 1) % 3 ))
  for i in 0 1 2; do [ "$i" = "$follower" ] || others+="${others:+,}127.0.0.1:${CLUSTER_PORTS[$i]}"; done
  kill_cluster_member "$label" "$follower"
  [ "$label" = swift ] && cp "$INTEROP_WORK/$label-$follower/member/db/data.mdb" "$out/store-before-snapshot.mdb"
  timeout 180 "$writer" --endpoints "$others" --count "$PUTS" --clients 16 >"$out/writer" 2>&1 ||
    { echo "CHECK FAILED ($label): the writer failed:"; cat "$out/writer"; checks_failed=$((checks_failed + 1)); }
  restart_cluster_member "$label" "$follower"
  check "the restarted follower catches up" until_ok 60 has_last_key "$follower"
  check "every member has the same HashKV" until_ok 30 same_hashkv
  "${CTL[@]}" --endpoints "127.0.0.1:${CLUSTER_PORTS[$follower]}" get --consistency=s k --prefix --limit 1 -w json |
    python3 -c 'import json,sys; print("keys", json.load(sys.stdin)["count"])' >"$out/1-count"
  "${CTL[@]}" --endpoints "127.0.0.1:${CLUSTER_PORTS[$follower]}" get --consistency=s k000000 "$last_key" --print-value-only |
    md5sum >"$out/2-values"
  check "the follower's log shows it received a database snapshot" \
    grep -q "received and saved database snapshot" "$INTEROP_WORK/$label-$follower.log"
  grep -h "received and saved database snapshot" "$INTEROP_WORK/$label-$follower.log" | tail -1 | cut -c1-220 | sed "s/^/  $label follower: /"
  if [ "$label" = swift ]; then
    # etcd purges its snapshot files every 30 s, so it may briefly hold one more.
    for i in 0 1 2; do
      local snaps; snaps=$(find "$INTEROP_WORK/$label-$i/member/snap" -name '*.snap' | wc -l)
      check "member $i keeps at most 5 snapshot files ($snaps)" test "$snaps" -le 5
    done
  fi

  # Every member at once: nothing is lost, and each starts from its snapshot.
  for i in 0 1 2; do kill -9 "$(cat "$INTEROP_WORK/$label-$i.pid")" 2>/dev/null || true; done
  for i in 0 1 2; do wait "$(cat "$INTEROP_WORK/$label-$i.pid")" 2>/dev/null || true; done
  for i in 0 1 2; do restart_cluster_member "$label" "$i"; done
  check "the cluster is healthy after all members were killed" wait_cluster_healthy "$CLUSTER_ENDPOINTS" 60
  check "every member has the same HashKV after the restart" until_ok 30 same_hashkv
  "${CTL[@]}" --endpoints "$CLUSTER_ENDPOINTS" get k --prefix --limit 1 -w json |
    python3 -c 'import json,sys; print("keys", json.load(sys.stdin)["count"])' >"$out/3-count-after-restart"
  "${CTL[@]}" --endpoints "$CLUSTER_ENDPOINTS" put after-restart yes >"$out/4-put-after-restart" 2>&1 || true
  stop_cluster "$label" 3
  [ "$label" = swift ] && interrupted_install "$follower" "$out"
  return 0
}

interrupted_install() { # FOLLOWER OUT: the follower's data dir as a crash after the WAL's snapshot marker leaves it
  local follower=$1 out=$2 member="$INTEROP_WORK/swift-$1/member" newest index
  newest=$(find "$member/snap" -name '*.snap' -printf '%f\n' | sort | tail -1)
  index=${newest:17:16}
  mv "$member/db/data.mdb" "$member/snap/$index.snap.db"
  cp "$out/store-before-snapshot.mdb" "$member/db/data.mdb"
  for i in 0 1 2; do restart_cluster_member swift "$i"; done
  check "the cluster is healthy after the interrupted install" wait_cluster_healthy "$CLUSTER_ENDPOINTS" 60
  check "the follower finished the install at its start" grep -q "installed the snapshot's store after a restart" "$INTEROP_WORK/swift-$follower.log"
  check "every member has the same HashKV after the interrupted install" until_ok 30 same_hashkv
  check "the follower serves the last key" has_last_key "$follower"
  grep -h "installed the snapshot's store after a restart" "$INTEROP_WORK/swift-$follower.log" | tail -1 | cut -c1-160 | sed 's/^/  swift interrupted install: /'
  stop_cluster swift 3
}

run_scenario etcd "$REFERENCE_BIN"
run_scenario swift "$SERVER_BIN"
for i in 0 1 2; do
  check "swift-etcd member $i restarted from its snapshot" grep -q "recovered from snapshot" "$INTEROP_WORK/swift-$i.log"
done
grep -h "sent database snapshot to peer" "$INTEROP_WORK"/swift-*.log | tail -1 | cut -c1-200 | sed 's/^/  swift leader: /'

different=0
for file in "$INTEROP_WORK"/out-etcd/[0-9]*; do
  name=$(basename "$file")
  if ! diff -u "$file" "$INTEROP_WORK/out-swift/$name"; then
    echo "DIFFERENT: $name"; different=$((different + 1))
  fi
done
echo "raftsnapshot: 4 steps compared, $different different, $checks_failed checks failed"
[ "$different" -eq 0 ] && [ "$checks_failed" -eq 0 ]
