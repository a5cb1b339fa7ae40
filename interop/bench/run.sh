#!/usr/bin/env bash
# Benchmark (not a test): real etcd and swift-etcd side by side, both fresh and with fsync on,
# the same loads alternating A B A B so the ratio survives a noisy shared host. Prints a table of
# median QPS, the ratio swift-etcd/etcd, p99 and server CPU per request.
# Env: PAIRS (3), DUR (4s), ONLY (regex over workload names), SERVER_BIN, LOADGEN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SERVER_BIN=${SERVER_BIN:-$root/.build/release/swift-etcd}
LOADGEN=${LOADGEN:-/tmp/etcd-loadgen}
PAIRS=${PAIRS:-3}
DUR=${DUR:-4s}
ONLY=${ONLY:-.}
shared=$root/../shared/bench
[ -x "$LOADGEN" ] || LOADGEN=$LOADGEN "$shared/loadgen/build.sh"
source "$here/../lib/servers.sh"

WORKLOADS=(
  "put-64c|put --clients 64 --conns 8 --key-size 8 --val-size 256 --key-space 100000"
  "put-1c|put --clients 1 --conns 1 --key-size 8 --val-size 256 --key-space 100000 --seq"
  "range-s-100c|range --consistency s --clients 100 --conns 10"
  "range-l-100c|range --consistency l --clients 100 --conns 10"
  "txn-put-100c|txn-put --clients 100 --conns 10 --key-space 100000"
  # Watch rows count delivered events per second: one key watched 1,000 times, and one prefix
  # watched 10,000 times (every put reaches every watcher).
  "watch-fanout-1000w|watch-fanout --watchers 1000 --streams 10 --clients 1 --conns 10 --total 300 --drain 30s"
  "watch-prefix-10000w|watch --watchers 10000 --streams 100 --clients 10 --conns 10 --key-space 100 --total 200 --drain 60s"
  "lease-keepalive-100c|lease-keepalive --clients 100 --conns 10"
  "lease-keepalive-stream-100c|lease-keepalive --stream --clients 100 --conns 10"
)

ours=$(start_member ours "$SERVER_BIN")
etcd=$(start_member etcd /usr/bin/etcd)
ours_pid=$(cat "$INTEROP_WORK/ours.pid")
etcd_pid=$(cat "$INTEROP_WORK/etcd.pid")
results="$INTEROP_WORK/results.txt"
for workload in "${WORKLOADS[@]}"; do
  name=${workload%%|*}; args=${workload#*|}
  [[ "$name" =~ $ONLY ]] || continue
  for pair in $(seq 1 "$PAIRS"); do
    for side in "swift-etcd:$ours:$ours_pid" "etcd:$etcd:$etcd_pid"; do
      IFS=: read -r label port pid <<<"$side"
      # Workloads without their own --total run for $DUR.
      limit="--total 100000000"; [[ "$args" == *--total* ]] && limit=""
      # shellcheck disable=SC2086
      line=$("$LOADGEN" $args --endpoints "127.0.0.1:$port" --duration "$DUR" $limit \
        --server-pid "$pid" 2>/dev/null | grep '^RESULT' || true)
      echo "$name $label $line" >>"$results"
    done
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    name, label = parts[0], parts[1]
    fields = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
    rows.setdefault(name, {}).setdefault(label, []).append(fields)
def median(runs, key):
    values = [float(r[key]) for r in runs if key in r]
    return statistics.median(values) if values else float("nan")
print("| workload | swift-etcd QPS | etcd QPS | ratio | p99 ms (ours / etcd) | server CPU µs/op (ours / etcd) |")
print("|---|---:|---:|---:|---:|---:|")
for name, sides in rows.items():
    ours, etcd = sides.get("swift-etcd", []), sides.get("etcd", [])
    q_ours, q_etcd = median(ours, "qps"), median(etcd, "qps")
    print("| %s | %.0f | %.0f | **%.2f** | %.2f / %.2f | %.0f / %.0f |" % (
        name, q_ours, q_etcd, q_ours / q_etcd if q_etcd else float("nan"),
        median(ours, "p99_ms"), median(etcd, "p99_ms"),
        median(ours, "srv_cpu_us_per_op"), median(etcd, "srv_cpu_us_per_op")))
PY
