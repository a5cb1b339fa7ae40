#!/usr/bin/env bash
# Disk faults: for each fault SWIFT_ETCD_FAULTS injects (see Sources/Storage/DiskFaults.swift),
# real etcdctl puts run against the member until the fault fires. The member must stop with
# status 1 and a log line naming the failing file (or refuse to start, naming it), and after a
# restart without the fault every acknowledged put must be there; the put that got an error is
# either absent or present whole. A file-size limit (ulimit -f, EFBIG) is checked the same way.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# wait_exit PID SECONDS: the member's exit status once it has stopped, or "running".
wait_exit() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt "$deadline" ]; do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo running; else wait "$pid" 2>/dev/null && echo 0 || echo $?; fi
}

# check_after_restart NAME ACKED FAILED_KEY FAILED_VALUE: restarts NAME without faults; every
# acknowledged put must be readable, the failed one absent or whole, and a new put must work.
check_after_restart() {
  local name=$1 acked=$2 failed_key=$3 failed_value=$4 port key value got lost=0
  port=$(start_member "$name" "$SERVER_BIN") || { fail "$name: no clean restart"; return; }
  while read -r key value; do
    got=$(timeout 10 etcdctl --endpoints "127.0.0.1:$port" get --print-value-only "$key")
    [ "$got" = "$value" ] || { fail "$name: acknowledged $key=$value reads '$got'"; lost=$((lost + 1)); }
  done <"$acked"
  if [ -n "$failed_key" ]; then
    got=$(timeout 10 etcdctl --endpoints "127.0.0.1:$port" get --print-value-only "$failed_key")
    [ -z "$got" ] || [ "$got" = "$failed_value" ] || fail "$name: the failed put $failed_key reads '$got'"
    echo "  the put that failed ($failed_key) is $([ -n "$got" ] && echo present || echo absent) after the restart"
  fi
  timeout 10 etcdctl --endpoints "127.0.0.1:$port" put after-restart ok >/dev/null || fail "$name: no put after the restart"
  grep -q "repaired a torn WAL tail" "$INTEROP_WORK/$name.log" && echo "  the restart repaired a torn WAL tail"
  echo "  $(wc -l <"$acked") acknowledged puts, $lost lost"
  kill "$(cat "$INTEROP_WORK/$name.pid")"; wait_exit "$(cat "$INTEROP_WORK/$name.pid")" 20 >/dev/null
}

# run_fault NAME SPEC EXPECTED_LOG [flags]: puts until the injected fault stops the member.
run_fault() {
  local name=$1 spec=$2 expected=$3; shift 3
  local acked="$INTEROP_WORK/$name.acked" port pid status failed_key="" failed_value="" i
  : >"$acked"
  echo "== $name: SWIFT_ETCD_FAULTS=$spec"
  # Not in a command substitution: the member must be this shell's child for its exit status.
  SWIFT_ETCD_FAULTS=$spec start_member "$name" "$SERVER_BIN" "$@" >"$INTEROP_WORK/port" || { fail "$name: did not start"; return; }
  port=$(cat "$INTEROP_WORK/port")
  pid=$(cat "$INTEROP_WORK/$name.pid")
  for i in $(seq 1 300); do
    if timeout 10 etcdctl --endpoints "127.0.0.1:$port" --command-timeout=5s put "$name/$i" "value-$i" \
      >"$INTEROP_WORK/put.out" 2>&1; then
      grep -q '^OK$' "$INTEROP_WORK/put.out" || fail "$name: put $i said $(cat "$INTEROP_WORK/put.out")"
      echo "$name/$i value-$i" >>"$acked"
    else
      failed_key="$name/$i"; failed_value="value-$i"; break
    fi
  done
  status=$(wait_exit "$pid" 20)
  [ "$status" = 1 ] || fail "$name: exit status $status, expected 1"
  grep -q "$expected" "$INTEROP_WORK/$name.log" || fail "$name: no '$expected' in the log"
  echo "  member stopped with status $status: $(grep -m1 critical "$INTEROP_WORK/$name.log" | sed 's/^[^ ]* //')"
  check_after_restart "$name" "$acked" "$failed_key" "$failed_value"
}

# start_refused NAME SPEC EXPECTED_LOG: a fault while the WAL is created refuses the start, naming
# the file; a start without it then works on the same data dir.
start_refused() {
  local name=$1 spec=$2 expected=$3 acked="$INTEROP_WORK/$1.acked" status
  : >"$acked"
  echo "== $name: SWIFT_ETCD_FAULTS=$spec at the first start"
  if SWIFT_ETCD_FAULTS=$spec start_member "$name" "$SERVER_BIN" >/dev/null 2>&1; then fail "$name: started"; return; fi
  status=$(wait_exit "$(cat "$INTEROP_WORK/$name.pid")" 20)
  [ "$status" = 1 ] || fail "$name: exit status $status, expected 1"
  grep -q "$expected" "$INTEROP_WORK/$name.log" || fail "$name: no '$expected' in the log"
  echo "  refused to start with status $status: $(grep -m1 critical "$INTEROP_WORK/$name.log" | sed 's/^[^ ]* //')"
  check_after_restart "$name" "$acked" "" ""
}

# A new single member uses 3 WAL fsyncs and 3 writes before it serves; after=8 leaves a few puts.
run_fault wal-fsync-eio "wal-fsync:eio@after=8" 'sync .*\.wal: Input/output error.*WAL write failed; stopping'
run_fault wal-fsync-enospc "wal-fsync:enospc@after=8" 'sync .*\.wal: No space left on device.*WAL write failed; stopping'
run_fault wal-write-eio "wal-write:eio@after=8" 'write .*\.wal: Input/output error.*WAL write failed; stopping'
run_fault wal-write-enospc "wal-write:enospc@after=8" 'write .*\.wal: No space left on device.*WAL write failed; stopping'
# Half a record reaches the file: the restart must repair the torn tail.
run_fault wal-short-write "wal-write:short@after=8" 'write .*\.wal: No space left on device.*WAL write failed; stopping'
# --snapshot-count 5: the first snapshot file's write fails.
run_fault snap-write-eio "snap-write:eio" 'write .*\.snap\.tmp: Input/output error.*saving a snapshot failed; stopping' --snapshot-count 5
run_fault snap-fsync-enospc "snap-fsync:enospc" 'sync .*\.snap\.tmp: No space left on device.*saving a snapshot failed; stopping' --snapshot-count 5
start_refused wal-allocate-enospc "wal-allocate:enospc" 'cannot start: allocate .*\.wal\.tmp: No space left on device'
start_refused wal-create-fsync-eio "wal-fsync:eio" 'cannot start: sync .*\.wal\.tmp: Input/output error'

# ulimit -f below the 64 MiB WAL segment: preallocating it is EFBIG (not SIGXFSZ's kill).
echo "== file-size-limit: ulimit -f 1024 (1 MiB)"
if ( ulimit -f 1024; start_member file-size-limit "$SERVER_BIN" >/dev/null 2>&1 ); then fail "file-size-limit: started"; fi
grep -q 'cannot start: allocate .*\.wal\.tmp: File too large' "$INTEROP_WORK/file-size-limit.log" ||
  fail "file-size-limit: no EFBIG naming the segment in the log: $(tail -3 "$INTEROP_WORK/file-size-limit.log")"
echo "  $(grep -m1 critical "$INTEROP_WORK/file-size-limit.log" | sed 's/^[^ ]* //')"
check_after_restart file-size-limit /dev/null "" ""

[ "$failures" -eq 0 ] || { echo "diskfaults: $failures failures"; exit 1; }
echo "diskfaults: every fault stopped the member naming the file, and no acknowledged put was lost"
