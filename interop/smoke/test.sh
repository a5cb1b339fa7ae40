#!/usr/bin/env bash
# Smallest differential check: the same etcdctl commands against real etcd and the server under
# test, outputs compared after normalising cluster and member IDs.
set -euo pipefail
SERVER_BIN=${SERVER_BIN:?}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # name binary
  local port peer; port=$(free_port); peer=$(free_port)
  "$2" --name smoke --data-dir "$work/$1" --listen-client-urls "http://127.0.0.1:$port" \
    --advertise-client-urls "http://127.0.0.1:$port" --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "smoke=http://127.0.0.1:$peer" \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$port" --command-timeout=1s endpoint health >/dev/null 2>&1 && { echo "$port"; return; }
    sleep 0.1
  done
  echo "server $1 did not start" >&2; cat "$work/$1.log" >&2; exit 1
}
script() { # port
  local e="etcdctl --endpoints 127.0.0.1:$1"
  export ETCDCTL_API=3
  $e put foo bar; $e put foo2 baz; $e get foo --prefix -w json; $e del foo2 --prev-kv
  $e get "" --from-key --keys-only; $e get foo --rev 2 -w json; $e get foo --rev 99 2>&1 | grep -o 'etcdserver.*' || true
}
normalise() { sed -E 's/"(cluster_id|member_id)":[0-9]+/"\1":ID/g'; }
reference=$(start reference /usr/bin/etcd)
subject=$(start subject "$SERVER_BIN")
diff -u <(script "$reference" | normalise) <(script "$subject" | normalise)
echo "smoke: identical"
