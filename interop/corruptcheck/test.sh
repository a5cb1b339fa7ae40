#!/usr/bin/env bash
# --experimental-initial-corrupt-check on a 3-member cluster of the server under test (http peer
# URLs): the members start and serve with the flag (given as a flag, as --flag=true and as
# ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK); a restarted member with the flag checks its peers and
# serves, also with one peer down; a member whose store was changed offline (same revision,
# different HashKV) restarted with the flag exits with status 1 and etcd's fatal line
# "<member id> found data inconsistency with peers"; without the flag it starts as before; with
# --experimental-corrupt-check-time the leader finds the changed member while serving and raises
# the CORRUPT alarm, after which writes are refused everywhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
failures=0
ok() { echo "ok    $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }

declare -a CLIENT PEER PID
initial_cluster=""
for i in 0 1 2; do
  CLIENT[$i]=$(free_port); PEER[$i]=$(free_port)
  initial_cluster="${initial_cluster:+$initial_cluster,}m$i=http://127.0.0.1:${PEER[$i]}"
done
all_endpoints="127.0.0.1:${CLIENT[0]},127.0.0.1:${CLIENT[1]},127.0.0.1:${CLIENT[2]}"

# start_m I [flags...]: starts member I in the background (its log: $INTEROP_WORK/mI.log).
start_m() {
  local i=$1; shift
  echo "---- start m$i $*" >>"$INTEROP_WORK/m$i.log"
  "$SERVER_BIN" --name "m$i" --data-dir "$INTEROP_WORK/m$i" \
    --listen-client-urls "http://127.0.0.1:${CLIENT[$i]}" --advertise-client-urls "http://127.0.0.1:${CLIENT[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${PEER[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${PEER[$i]}" \
    --initial-cluster "$initial_cluster" --initial-cluster-token corruptcheck --initial-cluster-state new "$@" \
    >>"$INTEROP_WORK/m$i.log" 2>&1 &
  PID[$i]=$!
  INTEROP_PIDS+=("${PID[$i]}")
}
healthy() { # I: member I answers a linearizable read within 15 s
  for _ in $(seq 1 150); do
    etcdctl --endpoints "127.0.0.1:${CLIENT[$1]}" --command-timeout=1s get probe >/dev/null 2>&1 && return 0
    kill -0 "${PID[$1]}" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
stop_m() { kill -TERM "${PID[$1]}"; wait "${PID[$1]}" || true; }
# The lines of member I's log since its last start.
last_run() { awk '/^---- start /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$INTEROP_WORK/m$1.log"; }

# 1. A new cluster with the flag in its three spellings (a new member is not checked, as in etcd).
start_m 0 --experimental-initial-corrupt-check
ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK=true start_m 1
start_m 2 --experimental-initial-corrupt-check=true
for i in 0 1 2; do
  if healthy "$i"; then ok "m$i started with the flag serves"; else fail "m$i did not serve"; tail -20 "$INTEROP_WORK/m$i.log"; fi
done
grep -q "recognized and used environment variable ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK=true" "$INTEROP_WORK/m1.log" \
  && ok "ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK is mapped" || fail "ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK not recognized"
for n in $(seq 1 20); do etcdctl --endpoints "$all_endpoints" put "key$n" "value$n" >/dev/null; done
etcdctl --endpoints "$all_endpoints" put corrupt-me original-value >/dev/null

# Every member applied everything: the same HashKV at the same revision.
same_hashes() {
  local out
  for _ in $(seq 1 50); do
    out=$(etcdctl --endpoints "$all_endpoints" -w json endpoint hashkv 2>/dev/null | python3 -c '
import json,sys; r=json.load(sys.stdin); print(len({(x["HashKV"]["header"]["revision"], x["HashKV"]["hash"]) for x in r}), len(r))') || true
    [ "$out" = "1 3" ] && return 0
    sleep 0.1
  done
  return 1
}
same_hashes && ok "the three members have one HashKV" || fail "members disagree before any corruption"
id_of() { etcdctl --endpoints "$all_endpoints" member list | awk -F', ' -v n="m$1" '$3 == n {print $1}'; }
id2=$(id_of 2)

# 2. A restarted member with the flag checks its peers and serves.
stop_m 0
start_m 0 --experimental-initial-corrupt-check
if healthy 0 && last_run 0 | grep -q "initial corruption checking passed; no corruption"; then
  ok "restarted m0 passed the check and serves"
else fail "restarted m0: $(last_run 0 | tail -5)"; fi
last_run 0 | grep -E "corruption|hash" | sed 's/^/      m0: /'
last_run 0 | grep -q "starting initial corruption check" && ok "the check logged its start" || fail "no start line"

# 3. With a peer down the check skips it and passes.
stop_m 1
stop_m 0
start_m 0 --experimental-initial-corrupt-check
if healthy 0 && last_run 0 | grep -q "failed hash kv request" &&
  last_run 0 | grep -q "initial corruption checking passed; no corruption"; then
  ok "an unreachable peer is logged and skipped"
else fail "m0 with m1 down: $(last_run 0 | tail -5)"; fi
start_m 1 --experimental-initial-corrupt-check
healthy 1 && ok "m1 rejoins with the flag" || fail "m1 did not rejoin: $(last_run 1 | tail -5)"
same_hashes || fail "members disagree after the restarts"

# 4. m2's store changed offline at the same revision: with the flag it refuses to start.
stop_m 2
changed=$(python3 "$here/corrupt_store.py" "$INTEROP_WORK/m2")
echo "      offline change in m2's store: $changed"
start_m 2 --experimental-initial-corrupt-check
status=0
for _ in $(seq 1 300); do kill -0 "${PID[2]}" 2>/dev/null || break; sleep 0.1; done
if kill -0 "${PID[2]}" 2>/dev/null; then fail "m2 still running after 30 s"; kill -9 "${PID[2]}"; fi
wait "${PID[2]}" || status=$?
last_run 2 | grep -E "corruption|hash|inconsistency" | sed 's/^/      m2: /'
[ "$status" = 1 ] && ok "the corrupt member exits with status 1" || fail "the corrupt member exited with status $status"
if last_run 2 | grep -q "$id2 found data inconsistency with peers"; then
  ok "it prints etcd's line: $(last_run 2 | grep -o "$id2 found data inconsistency with peers")"
else fail "no inconsistency line: $(last_run 2 | tail -5)"; fi
last_run 2 | grep -q "found different hash values from remote peer" && ok "it names the differing peers" || fail "no per-peer line"
if etcdctl --endpoints "127.0.0.1:${CLIENT[2]}" --command-timeout=1s get probe >/dev/null 2>&1; then
  fail "the corrupt member served clients"
else ok "the corrupt member never served clients"; fi

# 5. Without the flag nothing of the check runs: the member starts on its changed store.
start_m 2
if healthy 2 && ! last_run 2 | grep -q "initial corruption check"; then ok "without the flag the member starts unchecked"
else fail "m2 without the flag: $(last_run 2 | tail -5)"; fi
stop_m 2

# 6. --experimental-corrupt-check-time: with m2's store still changed, the leader's periodic
#    check raises CORRUPT through the log; every member then refuses writes with etcd's
#    "corrupt cluster" and still serves reads.
for i in 0 1; do stop_m "$i"; done
for i in 0 1 2; do start_m "$i" --experimental-corrupt-check-time=1s; done
for i in 0 1 2; do healthy "$i" || fail "m$i did not serve with the periodic check"; done
if until_ok 20 "etcdctl --endpoints $all_endpoints alarm list | grep -q 'alarm:CORRUPT'"; then
  ok "the periodic check raised CORRUPT: $(etcdctl --endpoints "$all_endpoints" alarm list | tr '\n' ' ')"
else fail "no CORRUPT alarm after 20 s: $(grep -h -E 'corruption|hash' "$INTEROP_WORK"/m*.log | tail -5)"; fi
grep -h -q "same compact revision then hashes must match" "$INTEROP_WORK"/m*.log \
  && ok "the leader logged etcd's mismatch line" || fail "no mismatch line"
for i in 0 1 2; do
  out=$(etcdctl --endpoints "127.0.0.1:${CLIENT[$i]}" --command-timeout=3s put after-corrupt x 2>&1 || true)
  # etcdctl also logs its one retry of the DATA_LOSS answer; the last line is its error.
  [ "$(tail -1 <<<"$out")" = "Error: etcdserver: corrupt cluster" ] && ok "m$i refuses a put: $(tail -1 <<<"$out")" || fail "m$i put: $out"
done
etcdctl --endpoints "127.0.0.1:${CLIENT[1]}" get key1 --print-value-only | grep -qx value1 \
  && ok "reads are still served" || fail "reads refused under CORRUPT"

for i in 0 1 2; do stop_m "$i"; done
if [ "$failures" -gt 0 ]; then echo "$failures failure(s); logs:"; tail -n 30 "$INTEROP_WORK"/m*.log; exit 1; fi
echo "all corruption-check checks passed"
