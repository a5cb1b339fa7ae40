#!/usr/bin/env bash
# Benchmark (not a test): put-64c and range-s-100c beside real etcd, first with auth off, then on
# the same members with auth on and a user whose one role may read and write the keys
# (interop/bench/clientload: clientv3 with a user, which etcd's loadgen lacks). Both members fresh,
# fsync on; A B A B alternation; prints QPS, the ratio, p99 and server CPU per request.
# Env: PAIRS (3), DUR (4s), SERVER_BIN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SERVER_BIN=${SERVER_BIN:-$root/.build/release/swift-etcd}
PAIRS=${PAIRS:-3}
DUR=${DUR:-4s}
source "$here/../lib/servers.sh"
load="$INTEROP_WORK/clientload"
bash "$here/../lib/gobuild.sh" main "$here/clientload" "$load" >/dev/null
export ETCDCTL_API=3
ours=$(start_member ours "$SERVER_BIN")
etcd=$(start_member etcd /usr/bin/etcd)
declare -A pid=([ours]=$(cat "$INTEROP_WORK/ours.pid") [etcd]=$(cat "$INTEROP_WORK/etcd.pid"))
declare -A port=([ours]=$ours [etcd]=$etcd)
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
results="$INTEROP_WORK/results.txt"

measure() { # MODE (off|on) USER
  local mode=$1 user=$2 workload args side
  for workload in "put-64c|--workload put --clients 64 --conns 8" "range-s-100c|--workload range --clients 100 --conns 10"; do
    for _ in $(seq 1 "$PAIRS"); do
      for side in ours etcd; do
        local before after line
        before=$(ticks "${pid[$side]}")
        # shellcheck disable=SC2086
        line=$("$load" ${workload#*|} --endpoints "127.0.0.1:${port[$side]}" --duration "$DUR" ${user:+--user "$user"})
        after=$(ticks "${pid[$side]}")
        echo "${workload%%|*} $mode $side $line cpu_s=$(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN{print t/hz}')" >>"$results"
      done
    done
  done
}

measure off ""
for side in ours etcd; do
  ctl=(etcdctl --endpoints "127.0.0.1:${port[$side]}" --command-timeout=10s)
  "${ctl[@]}" user add root:rootpw >/dev/null
  "${ctl[@]}" user grant-role root root >/dev/null
  "${ctl[@]}" user add bench:benchpw >/dev/null
  "${ctl[@]}" role add rw >/dev/null
  "${ctl[@]}" role grant-permission rw readwrite bench/ --prefix >/dev/null
  "${ctl[@]}" user grant-role bench rw >/dev/null
  "${ctl[@]}" auth enable >/dev/null
done
measure on bench:benchpw

python3 "$here/mode-table.py" "$results" auth off on
