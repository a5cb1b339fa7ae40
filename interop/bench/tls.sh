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
port[ours-plain]=$(start_member ours-plain "$SERVER_BIN"); pid[ours-plain]=$(cat "$INTEROP_WORK/ours-plain.pid")
port[etcd-plain]=$(start_member etcd-plain /usr/bin/etcd); pid[etcd-plain]=$(cat "$INTEROP_WORK/etcd-plain.pid")
port[ours-tls]=$(start_tls_member ours-tls "$SERVER_BIN"); pid[ours-tls]=$(cat "$INTEROP_WORK/ours-tls.pid")
port[etcd-tls]=$(start_tls_member etcd-tls /usr/bin/etcd); pid[etcd-tls]=$(cat "$INTEROP_WORK/etcd-tls.pid")
INTEROP_PIDS+=("${pid[ours-tls]}" "${pid[etcd-tls]}")

for workload in "put-64c|--workload put --clients 64 --conns 8" "range-s-100c|--workload range --clients 100 --conns 10"; do
  for mode in plain tls; do
    for _ in $(seq 1 "$PAIRS"); do
      for side in ours etcd; do
        member=$side-$mode
        tls=(); [ "$mode" = tls ] && tls=(--cacert "$FIXTURES/ca.crt")
        before=$(ticks "${pid[$member]}")
        # shellcheck disable=SC2086
        line=$("$load" ${workload#*|} --endpoints "127.0.0.1:${port[$member]}" --duration "$DUR" "${tls[@]}")
        after=$(ticks "${pid[$member]}")
        echo "${workload%%|*} $mode $side $line cpu_s=$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN{print t/hz}')" >>"$results"
      done
    done
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    fields = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
    rows.setdefault((parts[0], parts[1], parts[2]), []).append(fields)
print("| workload | client URL | swift-etcd QPS | etcd QPS | ratio | p99 ms (ours / etcd) | server CPU µs/op (ours / etcd) |")
print("|---|---|---:|---:|---:|---:|---:|")
for workload in ("put-64c", "range-s-100c"):
    for mode in ("plain", "tls"):
        def med(side, key): return statistics.median(float(r[key]) for r in rows[(workload, mode, side)])
        def cpu(side): return statistics.median(float(r["cpu_s"]) * 1e6 / max(1, int(r["ops"])) for r in rows[(workload, mode, side)])
        q_ours, q_etcd = med("ours", "qps"), med("etcd", "qps")
        print(f"| {workload} | {'https' if mode == 'tls' else 'http'} | {q_ours:.0f} | {q_etcd:.0f} | **{q_ours / q_etcd:.2f}** | {med('ours', 'p99_ms'):.2f} / {med('etcd', 'p99_ms'):.2f} | {cpu('ours'):.0f} / {cpu('etcd'):.0f} |")
PY
