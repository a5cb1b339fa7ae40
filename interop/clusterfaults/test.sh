#!/usr/bin/env bash
# Cluster fault test: 3 real members of SERVER_BIN behind TCP proxies on their peer URLs, a
# clientv3 workload (puts of unique values, linearizable gets, compare-and-swap txns on a few
# keys) while a seeded plan SIGKILLs + restarts members on their data dirs, SIGSTOPs/SIGCONTs
# them, isolates one or cuts one link through the proxies, and (the middle fault of a plan of 3 or
# more) replaces a follower: member remove, data dir wiped, member add with the same peer URL,
# started with --initial-cluster-state existing. Then everything is healed and the
# program (main.go, checker.go, proxy.go) checks: (a) each key's history is linearizable
# (put/get/cas register, unknown-outcome writes may or may not have happened); (b) every
# acknowledged write is in the watch history at its revision, and the final values match it;
# (c) a watch on each member from revision 1 saw every revision exactly once, in order, and all
# members' event sequences agree; (d) all members end at the same revision with the same HashKV.
#
# Knobs:
#   SERVER_BIN                 binary under test (required)
#   CLUSTERFAULTS_SEED         seed of the fault plan and the workload (default random, printed)
#   CLUSTERFAULTS_DURATION     workload duration, a Go duration (default 40s)
#   CLUSTERFAULTS_FAULTS       number of faults spread over the workload (default 5)
#   CLUSTERFAULTS_KEYS         number of keys (default 5)
#   CLUSTERFAULTS_ARGS         extra flags for the program: --pace MS (10, max pause between a
#                              worker's ops), --workers-per-client N (2), --op-timeout D (2s),
#                              --max-steps N (search bound per key), --serializable-gets (a
#                              mutation test of the test: stale reads that it must catch)
#   CLUSTERFAULTS_SERVER_FLAGS extra flags for every member (default: a Raft snapshot every 300
#                              entries keeping 50 for catch-up, so members that were stopped,
#                              cut off or replaced catch up by snapshot; "" for etcd's defaults)
#   CLUSTERFAULTS_KEEP=1       keep the work dir (logs, histories) after a failure
# The subject must take etcd's bootstrap flags (--name, --data-dir, --listen-client-urls,
# --advertise-client-urls, --listen-peer-urls, --initial-advertise-peer-urls (different from the
# listen URL: the proxy), --initial-cluster, --initial-cluster-token, --initial-cluster-state new,
# --heartbeat-interval, --election-timeout). Readiness is a linearizable get on every member.
# The whole run is bounded by `timeout`; every member is killed on exit (by PID).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
SEED=${CLUSTERFAULTS_SEED:-$RANDOM}
DURATION=${CLUSTERFAULTS_DURATION:-40s}
FAULTS=${CLUSTERFAULTS_FAULTS:-5}
KEYS=${CLUSTERFAULTS_KEYS:-5}
SERVER_FLAGS=${CLUSTERFAULTS_SERVER_FLAGS---snapshot-count 300 --experimental-snapshot-catchup-entries 50}
source "$here/../lib/servers.sh"
program="$INTEROP_WORK/etcd-clusterfaults"
CLUSTERFAULTS_PROGRAM=$program "$here/build.sh" >/dev/null
"$program" --selftest
# Bound: the workload plus generous time for start, healing, checks.
seconds=$(python3 -c 'import re,sys; s=sys.argv[1]; u={"ms":0.001,"s":1,"m":60,"h":3600}; print(int(sum(float(n)*u[x] for n,x in re.findall(r"([0-9.]+)(ms|s|m|h)", s))))' "$DURATION")
limit=$((seconds + 240))
echo "clusterfaults: seed $SEED, duration $DURATION, $FAULTS faults, $KEYS keys, binary $SERVER_BIN, flags: $SERVER_FLAGS"
# The program writes its members' PIDs to $INTEROP_WORK/clusterfaults-m*.pid; the EXIT trap of
# servers.sh kills any still running there (they also get SIGKILL if the program dies).
rc=0
# shellcheck disable=SC2086
timeout --signal=TERM --kill-after=10 "$limit" "$program" --bin "$SERVER_BIN" --work "$INTEROP_WORK" \
  --seed "$SEED" --duration "$DURATION" --faults "$FAULTS" --keys "$KEYS" --server-flags "$SERVER_FLAGS" ${CLUSTERFAULTS_ARGS:-} || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "clusterfaults: FAILED (exit $rc) with seed $SEED; replay: CLUSTERFAULTS_SEED=$SEED SERVER_BIN=$SERVER_BIN $0 (CLUSTERFAULTS_KEEP=1 keeps logs and histories)"
  for log in "$INTEROP_WORK"/m*.log; do [ -e "$log" ] && { echo "-- $(basename "$log") (tail)"; tail -8 "$log"; }; done
  if [ "${CLUSTERFAULTS_KEEP:-0}" = 1 ]; then
    keep=$(mktemp -d /tmp/clusterfaults-failed.XXXXXX)
    cp "$INTEROP_WORK"/*.log "$INTEROP_WORK"/history-*.txt "$keep"/ 2>/dev/null || true
    echo "logs and histories kept in $keep"
  fi
  exit 1
fi
# How often members caught up by snapshot (the leader's "sent database snapshot" lines).
sent=$(cat "$INTEROP_WORK"/m*.log 2>/dev/null | grep -c "sent database snapshot to peer" || true)
installed=$(cat "$INTEROP_WORK"/m*.log 2>/dev/null | grep -c "applied incoming snapshot" || true)
echo "clusterfaults: $sent snapshots sent, $installed installed"
