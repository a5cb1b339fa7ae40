#!/usr/bin/env bash
# Benchmark (not a test): put-64c and range-s-100c beside real etcd, on members whose client URL
# is plaintext and on members whose client URL is https (etcd 3.4's fixtures: server.crt, key
# and CA; clientload verifies against the CA, ALPN h2, TLS 1.3). All members fresh, fsync on;
# A B A B alternation; prints QPS, the ratio, p99 and server CPU per request.
# Env: PAIRS (3), DUR (4s), SERVER_BIN, FIXTURES.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SERVER_BIN=${SERVER_BIN:-$root/.build/release/swift-etcd}
PAIRS=${PAIRS:-3}
DUR=${DUR:-4s}
FIXTURES=${FIXTURES:-/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures}
source "$here/../lib/servers.sh"
load="$INTEROP_WORK/clientload"
bash "$here/../lib/gobuild.sh" main "$here/clientload" "$load" >/dev/null
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
results="$INTEROP_WORK/results.txt"

start_tls_member() { # DIRNAME BINARY: an https client URL; prints the client port
  local dir=$1 binary=$2 port peer
  port=$(free_port); peer=$(free_port)
  "$binary" --name bench --data-dir "$INTEROP_WORK/$dir" \
    --listen-client-urls "https://127.0.0.1:$port" --advertise-client-urls "https://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "bench=http://127.0.0.1:$peer" \
    --cert-file "$FIXTURES/server.crt" --key-file "$FIXTURES/server.key.insecure" >>"$INTEROP_WORK/$dir.log" 2>&1 &
  echo "$!" >"$INTEROP_WORK/$dir.pid"
  until_ok 30 ETCDCTL_API=3 etcdctl --endpoints "https://127.0.0.1:$port" --cacert "$FIXTURES/ca.crt" endpoint health
  echo "$port"
}

declare -A port pid
port[ours-http]=$(start_member ours-http "$SERVER_BIN"); pid[ours-http]=$(cat "$INTEROP_WORK/ours-http.pid")
port[etcd-http]=$(start_member etcd-http /usr/bin/etcd); pid[etcd-http]=$(cat "$INTEROP_WORK/etcd-http.pid")
port[ours-https]=$(start_tls_member ours-https "$SERVER_BIN"); pid[ours-https]=$(cat "$INTEROP_WORK/ours-https.pid")
port[etcd-https]=$(start_tls_member etcd-https /usr/bin/etcd); pid[etcd-https]=$(cat "$INTEROP_WORK/etcd-https.pid")
INTEROP_PIDS+=("${pid[ours-https]}" "${pid[etcd-https]}")

for workload in "put-64c|--workload put --clients 64 --conns 8" "range-s-100c|--workload range --clients 100 --conns 10"; do
  for mode in http https; do
    for _ in $(seq 1 "$PAIRS"); do
      for side in ours etcd; do
        member=$side-$mode
        tls=(); [ "$mode" = https ] && tls=(--cacert "$FIXTURES/ca.crt")
        before=$(ticks "${pid[$member]}")
        # shellcheck disable=SC2086
        line=$("$load" ${workload#*|} --endpoints "127.0.0.1:${port[$member]}" --duration "$DUR" "${tls[@]}")
        after=$(ticks "${pid[$member]}")
        echo "${workload%%|*} $mode $side $line cpu_s=$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN{print t/hz}')" >>"$results"
      done
    done
  done
done

python3 "$here/mode-table.py" "$results" "client URL" http https
