#!/usr/bin/env bash
# Taking over etcd 3.4.23's data directories, differential style: real etcd writes keys, a
# lease, users and a role (auth enabled) and a compaction, and is stopped; then
#  (a) `etcdctl snapshot restore` of its snapshot: the server under test starts on the restored
#      directory and serves what real etcd serves on a copy of it;
#  (b) `swift-etcd migrate` on the killed member's own directory, whose WAL holds writes past
#      the backend's last commit: the server serves what real etcd serves after its own restart;
#  (c) a 3-member cluster restored from the snapshot, etcd's and the server's;
# in both, etcd's files are kept unchanged beside ours; and damaged input (a flipped byte in the
# WAL, a truncated WAL, a backend behind the WAL's snapshot) is refused, naming the file and
# offset, with nothing changed.
set -eEuo pipefail
# A step that fails outside a check ends the test: say which one.
trap 'echo "takeover: stopped at line $LINENO: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
ETCD_BIN=${ETCD_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
failures=0
check() { # description, condition (bash expression)
  if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1 ($2)"; failures=$((failures + 1)); fi
}
ctl() { etcdctl --endpoints "127.0.0.1:$1" --command-timeout=10s "${@:2}"; }
root() { ctl "$1" --user root:rootpw "${@:2}"; }
stop_pid() { kill "$1" 2>/dev/null || true; for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$1" 2>/dev/null || true; }
# Everything a client sees of the data: keys with their revisions and leases, the revision,
# HashKV, the auth store (and what alice may do), the leases.
observe() { # port
  local port=$1
  root "$port" get "" --prefix -w json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("revision", d["header"]["revision"])
for kv in d.get("kvs", []):
    print(kv["key"], kv.get("value"), kv["create_revision"], kv["mod_revision"], kv["version"], kv.get("lease", 0))'
  root "$port" endpoint hashkv -w json | python3 -c 'import json,sys; print("hashkv", json.load(sys.stdin)[0]["HashKV"]["hash"])'
  root "$port" endpoint hashkv --rev 10 -w json | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]["HashKV"]; print("hashkv@10", d["hash"], d["compact_revision"])'
  root "$port" user list; root "$port" role list; root "$port" role get reader; root "$port" user get alice
  root "$port" lease list
  # Member IDs, names and peer URLs (each member publishes its own client URLs when it starts).
  root "$port" member list | cut -d, -f1-4
  echo "alice get: $(ctl "$port" --user alice:alicepw get foo1 --print-value-only 2>&1)"
  echo "alice put outside her range: $(ctl "$port" --user alice:alicepw put bar x 2>&1 | tail -1)"
  echo "wrong password: $(ctl "$port" --user alice:wrong get foo1 2>&1 | tail -1)"
  echo "bob (no role) get: $(ctl "$port" --user bob:bobpw get foo1 2>&1 | tail -1)"
}
pid_of() { cat "$INTEROP_WORK/$1.pid"; }
# With auth enabled, start_member's health check needs credentials (etcdctl reads ETCDCTL_USER).
start_existing() { ETCDCTL_USER=root:rootpw start_member "$@"; }

# The history, on real etcd.
# The backend commits rarely, so writes after the snapshot (which commits it) are in the WAL only.
src=$(start_member etcd-src "$ETCD_BIN" --backend-batch-interval 10s)
for i in $(seq 1 12); do ctl "$src" put "foo$((i % 5))" "value-$i" >/dev/null; done
lease=$(ctl "$src" lease grant 600 | awk '{print $2}')
ctl "$src" put leased v --lease="$lease" >/dev/null
ctl "$src" del foo4 >/dev/null
ctl "$src" user add root:rootpw >/dev/null
ctl "$src" user add alice:alicepw >/dev/null
ctl "$src" role add reader >/dev/null
ctl "$src" role grant-permission reader read foo --prefix >/dev/null
ctl "$src" user grant-role alice reader >/dev/null
ctl "$src" user grant-role root root >/dev/null
ctl "$src" auth enable >/dev/null
root "$src" compact 6 >/dev/null
root "$src" snapshot save "$INTEROP_WORK/etcd.snapshot" >/dev/null 2>&1
# Writes past the snapshot, then a kill: the WAL holds entries the backend lacks, a user added
# with etcd 3.4's clear-text password and a refused write among them.
for i in 1 2 3; do root "$src" put "after$i" "late-$i" >/dev/null; done
root "$src" user add bob:bobpw >/dev/null
# etcd 3.4 logs a write before checking its permissions (when it applies it): this one is in
# the WAL and refused.
ctl "$src" --user alice:alicepw put foo1 denied >/dev/null 2>&1 || true
root "$src" put last "written just before the kill" >/dev/null && kill -9 "$(pid_of etcd-src)"
sleep 0.2

# (a) etcdctl snapshot restore, then each server on its own copy of the restored directory.
peer=$(free_port)
etcdctl snapshot restore "$INTEROP_WORK/etcd.snapshot" --data-dir "$INTEROP_WORK/restored" --name interop \
  --initial-cluster "interop=http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster-token interop >/dev/null 2>&1
cp -a "$INTEROP_WORK/restored" "$INTEROP_WORK/restored-etcd"
cp -a "$INTEROP_WORK/restored" "$INTEROP_WORK/restored-server"
port=$(start_existing restored-etcd "$ETCD_BIN"); expected=$(observe "$port"); stop_pid "$(pid_of restored-etcd)"
port=$(start_existing restored-server "$SERVER_BIN"); actual=$(observe "$port")
members=$(ctl "$port" member list -w json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["members"]))')
stop_pid "$(pid_of restored-server)"
check "(a) restored: the server serves what etcd serves (keys, revisions, HashKV, auth, leases)" '[ "$expected" = "$actual" ]'
[ "$expected" = "$actual" ] || diff <(echo "$expected") <(echo "$actual") || true
check "(a) restored: one member" '[ "$members" = 1 ]'
check "(a) restored: the take-over is logged with the paths" \
  "grep -q 'took over etcd data directory' '$INTEROP_WORK/restored-server.log' && grep -q 'etcd-wal=.*restored-server/member/wal -> .*/member/etcd-wal' '$INTEROP_WORK/restored-server.log'"
check "(a) restored: etcd's WAL and snap directories kept unchanged" \
  "diff -r '$INTEROP_WORK/restored/member/wal' '$INTEROP_WORK/restored-server/member/etcd-wal' && diff -r '$INTEROP_WORK/restored/member/snap' '$INTEROP_WORK/restored-server/member/etcd-snap'"
port=$(start_existing restored-server "$SERVER_BIN"); again=$(observe "$port"); stop_pid "$(pid_of restored-server)"
check "(a) restored: a second start is a plain restart with the same data" '[ "$again" = "$expected" ]'

# (b) the killed member's own directory: real etcd restarts on a copy; swift-etcd migrate converts another.
cp -a "$INTEROP_WORK/etcd-src" "$INTEROP_WORK/killed-etcd"
cp -a "$INTEROP_WORK/etcd-src" "$INTEROP_WORK/killed-server"
migrated=$("$SERVER_BIN" migrate --data-dir "$INTEROP_WORK/killed-server" 2>/dev/null)
echo "      migrate: $migrated"
pending=$(echo "$migrated" | sed -nE 's/.*, ([0-9]+) committed entries to apply.*/\1/p')
check "(b) the killed member's WAL holds committed entries its backend lacks ($pending)" '[ "${pending:-0}" -gt 0 ]'
check "(b) migrate kept etcd's files unchanged" \
  "diff -r '$INTEROP_WORK/etcd-src/member/wal' '$INTEROP_WORK/killed-server/member/etcd-wal' && diff -r '$INTEROP_WORK/etcd-src/member/snap' '$INTEROP_WORK/killed-server/member/etcd-snap'"
check "(b) a second migrate finds nothing to convert" "! '$SERVER_BIN' migrate --data-dir '$INTEROP_WORK/killed-server' >/dev/null 2>&1"
port=$(start_existing killed-etcd "$ETCD_BIN"); expected=$(observe "$port"); stop_pid "$(pid_of killed-etcd)"
port=$(start_existing killed-server "$SERVER_BIN"); actual=$(observe "$port")
root "$port" put new yes >/dev/null
next=$(root "$port" get new -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
stop_pid "$(pid_of killed-server)"
check "(b) migrated: the server serves what etcd serves after its own restart" '[ "$expected" = "$actual" ]'
[ "$expected" = "$actual" ] || diff <(echo "$expected") <(echo "$actual") || true
check "(b) migrated: the late writes are there" "echo \"\$actual\" | grep -q \"^$(printf last | base64) \""
check "(b) migrated: the next write takes the next revision ($next)" \
  "[ '$next' -eq \$(( \$(echo \"\$expected\" | sed -n 's/^revision //p') + 1 )) ]"

# (c) a 3-member cluster restored from the snapshot: etcd's on the restored directories, then
# the server's on copies of them (the same peer URLs, so the same member IDs).
cluster_peers=() cluster_ports=() initial=""
for i in 0 1 2; do
  cluster_peers+=("$(free_port)"); cluster_ports+=("$(free_port)")
  initial+="${initial:+,}m$i=http://127.0.0.1:${cluster_peers[$i]}"
done
cluster_endpoints=$(printf '127.0.0.1:%s,' "${cluster_ports[@]}"); cluster_endpoints=${cluster_endpoints%,}
for i in 0 1 2; do
  etcdctl snapshot restore "$INTEROP_WORK/etcd.snapshot" --data-dir "$INTEROP_WORK/trio-etcd-$i" --name "m$i" \
    --initial-cluster "$initial" --initial-advertise-peer-urls "http://127.0.0.1:${cluster_peers[$i]}" >/dev/null 2>&1
  cp -a "$INTEROP_WORK/trio-etcd-$i" "$INTEROP_WORK/trio-server-$i"
done
start_trio() { # name binary
  for i in 0 1 2; do
    printf '%s\0' "$2" --name "m$i" --data-dir "$INTEROP_WORK/$1-$i" \
      --listen-client-urls "http://127.0.0.1:${cluster_ports[$i]}" --advertise-client-urls "http://127.0.0.1:${cluster_ports[$i]}" \
      --listen-peer-urls "http://127.0.0.1:${cluster_peers[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${cluster_peers[$i]}" \
      --initial-cluster "$initial" >"$INTEROP_WORK/$1-$i.args"
    launch_cluster_member "$1" "$i"
  done
  ETCDCTL_USER=root:rootpw wait_cluster_healthy "$cluster_endpoints" 60 || {
    echo "the $1 cluster did not become healthy:" >&2
    for i in 0 1 2; do tail -5 "$INTEROP_WORK/$1-$i.log" >&2; done
    return 1
  }
}
observe_trio() {
  observe "${cluster_ports[0]}"
  for i in 1 2; do root "${cluster_ports[$i]}" endpoint hashkv -w json | python3 -c 'import json,sys; print("hashkv", json.load(sys.stdin)[0]["HashKV"]["hash"])'; done
}
start_trio trio-etcd "$ETCD_BIN"; expected=$(observe_trio); stop_cluster trio-etcd 3
start_trio trio-server "$SERVER_BIN"; actual=$(observe_trio)
root "${cluster_ports[1]}" put from-m1 yes >/dev/null
from_m2=$(root "${cluster_ports[2]}" get from-m1 --print-value-only)
stop_cluster trio-server 3
check "(c) restored 3-member cluster: the server's serves what etcd's serves, the same HashKV on every member" '[ "$expected" = "$actual" ]'
[ "$expected" = "$actual" ] || diff <(echo "$expected") <(echo "$actual") || true
check "(c) restored 3-member cluster: a write on one member is read on another" '[ "$from_m2" = yes ]'

# Bad input: refused before anything changes, naming the file and the offset.
refused() { # description, data dir, expected message
  local before after out
  before=$(cd "$2" && find . -type f -exec md5sum {} + | sort)
  if out=$("$SERVER_BIN" migrate --data-dir "$2" 2>&1); then check "$1 is refused" false; return; fi
  after=$(cd "$2" && find . -type f -exec md5sum {} + | sort)
  check "$1 is refused, nothing changed ($(echo "$out" | tail -1 | sed 's/.*cannot take over //' | cut -c1-200))" \
    "echo \"\$out\" | grep -q '$3' && [ \"\$before\" = \"\$after\" ]"
}
segment=$(ls "$INTEROP_WORK/etcd-src/member/wal/"*.wal | head -1)
cp -a "$INTEROP_WORK/etcd-src" "$INTEROP_WORK/running"
cp -a "$INTEROP_WORK/etcd-src" "$INTEROP_WORK/flipped"
# A byte in the middle of the data of the WAL's fifth record.
offset=$(python3 - "$segment" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read(1 << 16)
offset = 0
for _ in range(4):
    word = struct.unpack_from("<Q", data, offset)[0]
    offset += 8 + (word & (1 << 56) - 1) + ((word >> 56) & 7 if word >> 63 else 0)
word = struct.unpack_from("<Q", data, offset)[0]
print(offset + 8 + (word & (1 << 56) - 1) // 2 + 4)
PY
)
printf '\x5a' | dd of="$INTEROP_WORK/flipped/member/wal/$(basename "$segment")" bs=1 seek="$offset" conv=notrunc 2>/dev/null
refused "a WAL with a flipped byte" "$INTEROP_WORK/flipped" "$(basename "$segment") at offset [0-9]*: checksum mismatch"
cp -a "$INTEROP_WORK/etcd-src" "$INTEROP_WORK/truncated"
truncate -s 301 "$INTEROP_WORK/truncated/member/wal/$(basename "$segment")"
refused "a truncated WAL" "$INTEROP_WORK/truncated" "$(basename "$segment") at offset [0-9]*: file ends inside"
# A restore into a 3-member cluster puts the WAL's snapshot at index 3; a one-member restore's
# backend has consistent index 1.
etcdctl snapshot restore "$INTEROP_WORK/etcd.snapshot" --data-dir "$INTEROP_WORK/behind" --name interop \
  --initial-cluster "interop=http://127.0.0.1:$peer,b=http://127.0.0.1:1,c=http://127.0.0.1:2" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" >/dev/null 2>&1
cp "$INTEROP_WORK/restored/member/snap/db" "$INTEROP_WORK/behind/member/snap/db"
refused "a backend behind the WAL's snapshot" "$INTEROP_WORK/behind" "consistent index 1 is behind the WAL.s snapshot at index 3 (.*\.wal at offset [0-9]*)"
start_existing running "$ETCD_BIN" >/dev/null
refused "a directory etcd is running on" "$INTEROP_WORK/running" "etcd is running on"
stop_pid "$(pid_of running)"
cport=$(free_port)
out=$("$SERVER_BIN" --name interop --data-dir "$INTEROP_WORK/flipped" --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
  --listen-peer-urls "http://127.0.0.1:$(free_port)" 2>&1) && status=0 || status=$?
check "the server refuses to start on the damaged WAL (exit $status)" "[ $status -ne 0 ] && echo \"\$out\" | grep -q 'checksum mismatch'"

echo "takeover: $failures failed"
[ "$failures" -eq 0 ]
