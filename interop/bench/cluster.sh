#!/usr/bin/env bash
# Benchmark (not a test): a 3-member swift-etcd cluster beside a 3-member etcd cluster on the same
# machine, both fresh with fsync on and etcd's default timings, the same loads alternating A B A B
# so the ratio survives a noisy shared host. The load generator spreads its connections over the
# three members (writes on followers are forwarded to the leader; linearizable reads confirm the
# read index with a quorum). Server CPU per request sums the three members' CPU time.
# Env: PAIRS (3), DUR (4s), ONLY (regex over workload names), SERVER_BIN, LOADGEN, BASE (45000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SERVER_BIN=${SERVER_BIN:-$root/.build/release/swift-etcd}
LOADGEN=${LOADGEN:-/tmp/etcd-loadgen}
PAIRS=${PAIRS:-3}
DUR=${DUR:-4s}
ONLY=${ONLY:-.}
BASE=${BASE:-45000}
shared=$root/../shared/bench
[ -x "$LOADGEN" ] || LOADGEN=$LOADGEN "$shared/loadgen/build.sh"
work=$(mktemp -d /tmp/swift-etcd-cluster-bench.XXXXXX)
cleanup() {
  "$shared/stop-etcd.sh" "$work"/ours/m0 "$work"/ours/m1 "$work"/ours/m2 "$work"/etcd/m0 "$work"/etcd/m1 "$work"/etcd/m2 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

WORKLOADS=(
  "put-64c|put --clients 64 --conns 8 --key-size 8 --val-size 256 --key-space 100000"
  "range-l-100c|range --consistency l --clients 100 --conns 10"
  "range-s-100c|range --consistency s --clients 100 --conns 10"
  "txn-put-100c|txn-put --clients 100 --conns 10 --key-space 100000"
)

start() { # start NAME BINARY PORT_BASE -> prints the endpoints; PIDs in $work/NAME/m*.pid
  local out
  out=$(ETCD=$2 "$shared/start-etcd-cluster.sh" "$3" "$work/$1")
  sed -n 's/^ENDPOINTS=//p' <<<"$out"
}
ours=$(start ours "$SERVER_BIN" "$BASE")
etcd=$(start etcd /usr/bin/etcd "$((BASE + 100))")
pids() { cat "$work/$1"/m0.pid "$work/$1"/m1.pid "$work/$1"/m2.pid; }
# Clock ticks of user + system time over a cluster's members.
cluster_ticks() { local total=0 pid; for pid in $(pids "$1"); do
  total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }
hz=$(getconf CLK_TCK)

results="$work/results.txt"
for workload in "${WORKLOADS[@]}"; do
  name=${workload%%|*}; args=${workload#*|}
  [[ "$name" =~ $ONLY ]] || continue
  for pair in $(seq 1 "$PAIRS"); do
    for side in "swift-etcd:ours:$ours" "etcd:etcd:$etcd"; do
      IFS=: read -r label dir endpoints <<<"$side"
      before=$(cluster_ticks "$dir")
      # shellcheck disable=SC2086
      line=$("$LOADGEN" $args --endpoints "$endpoints" --duration "$DUR" --total 100000000 2>/dev/null | grep '^RESULT' || true)
      after=$(cluster_ticks "$dir")
      echo "$name $label $line cluster_cpu_s=$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN{print t/hz}')" >>"$results"
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
def median(values):
    return statistics.median(values) if values else float("nan")
def qps(runs): return median([float(r["qps"]) for r in runs if "qps" in r])
def cpu_per_op(runs):
    return median([float(r["cluster_cpu_s"]) * 1e6 / float(r["ops"]) for r in runs if "ops" in r and float(r["ops"]) > 0])
def p99(runs): return median([float(r["p99_ms"]) for r in runs if "p99_ms" in r])
print("| workload (3 members each) | swift-etcd QPS | etcd QPS | ratio | p99 ms (ours / etcd) | cluster CPU µs/op (ours / etcd) | CPU ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, sides in rows.items():
    ours, etcd = sides.get("swift-etcd", []), sides.get("etcd", [])
    q_ours, q_etcd = qps(ours), qps(etcd)
    c_ours, c_etcd = cpu_per_op(ours), cpu_per_op(etcd)
    print("| %s | %.0f | %.0f | **%.2f** | %.2f / %.2f | %.0f / %.0f | %.2f |" % (
        name, q_ours, q_etcd, q_ours / q_etcd if q_etcd else float("nan"), p99(ours), p99(etcd),
        c_ours, c_etcd, c_ours / c_etcd if c_etcd else float("nan")))
PY
