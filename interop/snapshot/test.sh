#!/usr/bin/env bash
# Snapshots: the real `etcdctl snapshot save` against the server under test, a client cutting a
# snapshot stream midway (the server keeps serving and leaves no copy behind), then
# `swift-etcd snapshot status/restore` and a restart on the restored data dir holding the same
# history (same HashKV) and taking new writes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
failures=0
check() { # description, condition (bash expression)
  if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1 ($2)"; failures=$((failures + 1)); fi
}
ctl() { etcdctl --endpoints "127.0.0.1:$port" --command-timeout=10s "$@"; }

port=$(start_member original "$SERVER_BIN")
for i in $(seq 1 60); do ctl put "key$i" "$(head -c 20000 /dev/zero | tr '\0' "$((i % 10))")" >/dev/null; done
ctl del key7 >/dev/null
lease=$(ctl lease grant 600 | awk '{print $2}')
ctl put leased v --lease="$lease" >/dev/null

# A client that reads one message of the stream and hangs up.
python3 - "$port" <<'PY'
import sys, grpc
channel = grpc.insecure_channel("127.0.0.1:%s" % sys.argv[1])
call = channel.unary_stream("/etcdserverpb.Maintenance/Snapshot", request_serializer=None, response_deserializer=None)(b"")
next(iter(call))
call.cancel()
PY
check "the server serves after a client cut its snapshot stream" "ctl put after-cut 1 >/dev/null && ctl get after-cut --print-value-only | grep -q 1"
sleep 1
check "the cut snapshot left no copy behind" "[ -z \"\$(ls -d '$INTEROP_WORK'/original/member/snapshot-* 2>/dev/null)\" ]"
ctl del after-cut >/dev/null
hash_before=$(ctl endpoint hashkv -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["HashKV"]["hash"])')
revision=$(ctl get leased -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')

ctl snapshot save "$INTEROP_WORK/snap.db" >/dev/null 2>&1
check "etcdctl saved a snapshot ending in a SHA-256 trailer" "[ \$(( \$(stat -c %s '$INTEROP_WORK/snap.db') % 512 )) -eq 32 ]"
status=$("$SERVER_BIN" snapshot status "$INTEROP_WORK/snap.db" -w json)
check "snapshot status reports the revision ($status)" "echo '$status' | grep -q '\"revision\":$revision,'"

check "restore refuses a corrupt snapshot" "! '$SERVER_BIN' snapshot restore <(head -c 5000 '$INTEROP_WORK/snap.db') --data-dir '$INTEROP_WORK/bad' 2>/dev/null"
"$SERVER_BIN" snapshot restore "$INTEROP_WORK/snap.db" --data-dir "$INTEROP_WORK/restored" >/dev/null
check "restore refuses an existing data dir" "! '$SERVER_BIN' snapshot restore '$INTEROP_WORK/snap.db' --data-dir '$INTEROP_WORK/restored' 2>/dev/null"

port=$(start_member restored "$SERVER_BIN")
hash_after=$(ctl endpoint hashkv -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["HashKV"]["hash"])')
check "the restored member holds the same history (HashKV $hash_before = $hash_after)" "[ '$hash_before' = '$hash_after' ]"
check "the restored member kept the lease" "ctl lease list | grep -q '$lease'"
check "the deleted key stays deleted" "[ -z \"\$(ctl get key7)\" ]"
ctl put new-after-restore yes >/dev/null
check "new writes continue the revision sequence" "[ \$(ctl get new-after-restore -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"header\"][\"revision\"])') -eq $((revision + 1)) ]"

echo "snapshot: $failures failed"
[ "$failures" -eq 0 ]
