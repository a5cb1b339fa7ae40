#!/usr/bin/env bash
# etcd's on-disk formats, both ways, against real etcd 3.4.23: the same history written to real
# etcd and to the server under test; `etcdctl snapshot save` of each; `snapshot status` compared
# (revision and key count; the hash differs where the contents do: lease and member IDs, the
# cluster version and consistent index, and bbolt's page layout); the server's snapshot restored
# by etcdctl and served by real etcd with the same HashKV; etcd's snapshot restored by
# `swift-etcd snapshot restore` and served with etcd's HashKV; and bad snapshots refused,
# leaving no data dir behind.
set -euo pipefail
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
hashkv() { ctl "$1" endpoint hashkv -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["HashKV"]["hash"])'; }
status_field() { etcdctl snapshot status "$1" -w json | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }

history() { # port: puts, overwrites, a range delete, a lease with a key, a compaction, large values
  local port=$1 i
  for i in $(seq 1 40); do ctl "$port" put "key$((i % 15))" "value-$i" >/dev/null; done
  ctl "$port" put large "$(head -c 30000 /dev/zero | tr '\0' x)" >/dev/null
  ctl "$port" del key1 key2 >/dev/null
  local lease; lease=$(ctl "$port" lease grant 600 | awk '{print $2}')
  ctl "$port" put leased v --lease="$lease" >/dev/null
  ctl "$port" compact 20 >/dev/null
  ctl "$port" put after-compaction yes >/dev/null
  ctl "$port" del key3 >/dev/null
  # Auth users and roles (auth stays off: the restored side switches it on to log in).
  ctl "$port" user add root:rootpw >/dev/null
  ctl "$port" user grant-role root root >/dev/null
  ctl "$port" user add alice:alicepw >/dev/null
  ctl "$port" role add reader >/dev/null
  ctl "$port" role grant-permission reader read key --prefix >/dev/null
  ctl "$port" user grant-role alice reader >/dev/null
}

# auth_view PORT: the users, roles and alice's permissions as etcdctl lists them.
auth_view() { ctl "$1" user list; ctl "$1" role list; ctl "$1" user get alice; ctl "$1" role get reader; }
# logs_in PORT: after auth enable, alice's password works and her role lets her read key4 only.
logs_in() {
  ctl "$1" --user root:rootpw auth enable >/dev/null 2>&1 || ctl "$1" auth enable >/dev/null 2>&1
  [ "$(ctl "$1" --user alice:alicepw get key4 --print-value-only)" = value-34 ] &&
    ! ctl "$1" --user alice:alicepw put key4 no >/dev/null 2>&1 && ! ctl "$1" --user alice:wrong get key4 >/dev/null 2>&1
}

etcd_port=$(start_member etcd "$ETCD_BIN")
server_port=$(start_member server "$SERVER_BIN")
history "$etcd_port"
history "$server_port"
ctl "$etcd_port" snapshot save "$INTEROP_WORK/etcd.db" >/dev/null 2>&1
ctl "$server_port" snapshot save "$INTEROP_WORK/server.db" >/dev/null 2>&1
etcd_hash=$(hashkv "$etcd_port")
server_hash=$(hashkv "$server_port")
etcd_get=$(ctl "$etcd_port" get "" --prefix -w simple)
server_get=$(ctl "$server_port" get "" --prefix -w simple)
check "both servers hold the same keys and values" "[ \"\$etcd_get\" = \"\$server_get\" ]"

for field in revision totalKey; do
  e=$(status_field "$INTEROP_WORK/etcd.db" $field); s=$(status_field "$INTEROP_WORK/server.db" $field)
  check "etcdctl snapshot status: $field equal for both snapshots ($e = $s)" "[ '$e' = '$s' ]"
done
for file in etcd server; do
  for format in json simple table; do
    theirs=$(etcdctl snapshot status "$INTEROP_WORK/$file.db" -w $format 2>&1)
    ours=$("$SERVER_BIN" snapshot status "$INTEROP_WORK/$file.db" -w $format 2>&1)
    check "swift-etcd snapshot status -w $format prints what etcdctl prints for the $file snapshot" "[ \"\$theirs\" = \"\$ours\" ]"
  done
done

# The server's snapshot, restored by etcdctl, served by real etcd.
peer=$(free_port)
etcdctl snapshot restore "$INTEROP_WORK/server.db" --data-dir "$INTEROP_WORK/etcd-from-server" --name interop \
  --initial-cluster "interop=http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" >/dev/null 2>&1
port=$(start_member etcd-from-server "$ETCD_BIN")
check "real etcd on the server's restored snapshot: HashKV equal ($server_hash = $(hashkv "$port"))" "[ '$server_hash' = \"\$(hashkv $port)\" ]"
check "real etcd on the server's restored snapshot: same keys and values" "[ \"\$server_get\" = \"\$(ctl $port get '' --prefix -w simple)\" ]"
check "real etcd on the server's restored snapshot: the lease is there" "[ \"\$(ctl $port lease list | tail -n +2)\" = \"\$(ctl $server_port lease list | tail -n +2)\" ]"
check "real etcd on the server's restored snapshot: the same users and roles" "[ \"\$(auth_view $port)\" = \"\$(auth_view $server_port)\" ]"
check "real etcd on the server's restored snapshot: the server's password hashes log in" "logs_in $port"

# etcd's snapshot, restored by swift-etcd, served by the server.
peer=$(free_port)
check "swift-etcd snapshot restore refuses a --name that --initial-cluster lacks, leaving no data dir" \
  "! '$SERVER_BIN' snapshot restore '$INTEROP_WORK/etcd.db' --data-dir '$INTEROP_WORK/server-from-etcd' --name other --initial-cluster interop=http://127.0.0.1:$peer 2>/dev/null && [ ! -e '$INTEROP_WORK/server-from-etcd' ]"
"$SERVER_BIN" snapshot restore "$INTEROP_WORK/etcd.db" --data-dir "$INTEROP_WORK/server-from-etcd" --name interop \
  --initial-cluster "interop=http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster-token interop >/dev/null
port=$(start_member server-from-etcd "$SERVER_BIN")
check "the server on etcd's restored snapshot: HashKV equal ($etcd_hash = $(hashkv "$port"))" "[ '$etcd_hash' = \"\$(hashkv $port)\" ]"
check "the server on etcd's restored snapshot: same keys and values" "[ \"\$etcd_get\" = \"\$(ctl $port get '' --prefix -w simple)\" ]"
check "the server on etcd's restored snapshot: the lease is there" "[ \"\$(ctl $port lease list | tail -n +2)\" = \"\$(ctl $etcd_port lease list | tail -n +2)\" ]"
check "the server on etcd's restored snapshot: the same users and roles" "[ \"\$(auth_view $port)\" = \"\$(auth_view $etcd_port)\" ]"
ctl "$port" put new yes >/dev/null
check "the server on etcd's restored snapshot takes writes at the next revision" \
  "[ \$(ctl $port get new -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"header\"][\"revision\"])') -eq \$(( \$(status_field '$INTEROP_WORK/etcd.db' revision) + 1 )) ]"
check "the server on etcd's restored snapshot: etcd's password hashes log in" "logs_in $port"

# Bad input: each refused with a message, and no data dir left behind.
bad() { # description, file, expected message, extra flags
  local out
  if out=$("$SERVER_BIN" snapshot restore "$2" --data-dir "$INTEROP_WORK/bad" "${@:4}" 2>&1); then
    check "$1 is refused" false
  else
    check "$1 is refused ($(echo "$out" | tail -1))" "echo \"\$out\" | grep -q '$3' && [ ! -e '$INTEROP_WORK/bad' ] && [ -z \"\$(ls -d '$INTEROP_WORK'/bad.* 2>/dev/null)\" ]"
  fi
}
head -c 10000 "$INTEROP_WORK/server.db" >"$INTEROP_WORK/truncated.db"
bad "a truncated snapshot" "$INTEROP_WORK/truncated.db" "missing hash"
bad "a truncated snapshot (hash check skipped)" "$INTEROP_WORK/truncated.db" "truncated" --skip-hash-check
cp "$INTEROP_WORK/server.db" "$INTEROP_WORK/trailer.db"
printf '\x00' | dd of="$INTEROP_WORK/trailer.db" bs=1 seek=$(( $(stat -c %s "$INTEROP_WORK/trailer.db") - 1 )) conv=notrunc 2>/dev/null
bad "a snapshot with a wrong SHA-256 trailer" "$INTEROP_WORK/trailer.db" "expected sha256"
size=$(( $(stat -c %s "$INTEROP_WORK/server.db") - 32 ))
head -c "$size" "$INTEROP_WORK/server.db" >"$INTEROP_WORK/badpage.db"
printf '\x63' | dd of="$INTEROP_WORK/badpage.db" bs=1 seek=$(( 2 * 4096 )) conv=notrunc 2>/dev/null
bad "a bare db with a damaged page header" "$INTEROP_WORK/badpage.db" "invalid database" --skip-hash-check
head -c 65536 /dev/urandom >"$INTEROP_WORK/random.db"
bad "a file that is not a bbolt file" "$INTEROP_WORK/random.db" "not a bbolt file" --skip-hash-check
check "etcdctl agrees the damaged page is invalid" "! etcdctl snapshot status '$INTEROP_WORK/badpage.db' >/dev/null 2>&1"

echo "bbolt: $failures failed"
[ "$failures" -eq 0 ]
