#!/usr/bin/env bash
# Auto-compaction, compared with real etcd: bad --auto-compaction-* values get etcd's message and
# exit status from both binaries, and with a periodic retention of 1s both members compact old
# revisions on their own (reads below it fail as compacted) while the latest value still reads.
# Revision mode compacts only every 5 minutes: its timing is covered by the unit tests, here
# only that both accept it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
failures=0
pass() { echo "ok    $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }

# rejected DESCRIPTION TEXT [flags...]: both binaries must exit 1 with TEXT in their output.
# Loopback URLs on free ports, so a binary that wrongly starts serves nowhere else; timeout ends it.
rejected() {
  local description=$1 text=$2; shift 2
  local binary output status port peer
  for binary in etcd "$SERVER_BIN"; do
    port=$(free_port); peer=$(free_port)
    status=0
    output=$(timeout 10 "$binary" --data-dir "$(mktemp -d "$INTEROP_WORK/rejected.XXXXXX")" \
      --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
      --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
      --initial-cluster "default=http://127.0.0.1:$peer" "$@" 2>&1) || status=$?
    if [[ $status -eq 1 && "$output" == *"$text"* ]]; then pass "$description ($(basename "$binary"))"
    else fail "$description ($(basename "$binary")): wanted exit 1 and '$text', got exit $status: $(tail -3 <<<"$output")"; fi
  done
}

rejected "an unknown mode" 'unknown auto-compaction-mode "foo"' --auto-compaction-mode=foo
rejected "an unknown mode is reported before a bad retention" 'unknown auto-compaction-mode "foo"' \
  --auto-compaction-mode=foo --auto-compaction-retention=abc
rejected "a retention that is no duration" 'error parsing CompactionRetention: time: invalid duration "abc"' \
  --auto-compaction-retention=abc
rejected "a retention without a unit" 'error parsing CompactionRetention: time: missing unit in duration "1.5"' \
  --auto-compaction-retention=1.5
rejected "a negative integer retention" 'error parsing CompactionRetention: time: missing unit in duration "-3"' \
  --auto-compaction-mode=revision --auto-compaction-retention=-3
rejected "a retention with an unknown unit" 'error parsing CompactionRetention: time: unknown unit "x" in duration "5x"' \
  --auto-compaction-mode=revision --auto-compaction-retention=5x
rejected "a unit that is not ASCII, quoted byte by byte" \
  'error parsing CompactionRetention: time: unknown unit "\xc2\xb5" in duration "5\xc2\xb5"' \
  --auto-compaction-mode=revision --auto-compaction-retention=5µ
ETCD_AUTO_COMPACTION_MODE=bogus rejected "a bad mode from ETCD_AUTO_COMPACTION_MODE" \
  'unknown auto-compaction-mode "bogus"'

# Both accept revision mode (its first look is 5 minutes away), with a count and with a Go
# duration in Greek-mu microseconds (its nanoseconds are the revisions).
for binary in etcd "$SERVER_BIN"; do
  for retention in 1000 5μs; do
    if start_member "revision-${retention//[^0-9a-z]/_}-$(basename "$binary")" "$binary" \
      --auto-compaction-mode=revision --auto-compaction-retention="$retention" >/dev/null; then
      pass "revision mode starts with retention $retention ($(basename "$binary"))"
    else fail "revision mode does not start with retention $retention ($(basename "$binary"))"; fi
  done
done

# Periodic, 1s: puts over ~3 seconds, then (bounded wait) a read at revision 1 must be refused
# as compacted by both, and the latest value must still read.
etcd_port=$(start_member etcd etcd --auto-compaction-mode=periodic --auto-compaction-retention=1s)
server_port=$(start_member server "$SERVER_BIN" --auto-compaction-mode=periodic --auto-compaction-retention=1s)
for i in $(seq 1 10); do
  for port in "$etcd_port" "$server_port"; do etcdctl --endpoints "127.0.0.1:$port" put k "v$i" >/dev/null; done
  sleep 0.3
done
for name in etcd server; do
  port=$([ "$name" = etcd ] && echo "$etcd_port" || echo "$server_port")
  refused=""
  for _ in $(seq 1 100); do
    if ! output=$(etcdctl --endpoints "127.0.0.1:$port" get k --rev=1 2>&1); then refused=$output; break; fi
    sleep 0.2
  done
  if [[ "$refused" == *"required revision has been compacted"* ]]; then pass "$name: revision 1 was auto-compacted"
  else fail "$name: revision 1 still reads (or another error) after 20s: ${refused:-$output}"; fi
  latest=$(etcdctl --endpoints "127.0.0.1:$port" get k --print-value-only)
  [ "$latest" = v10 ] && pass "$name: the latest value still reads" || fail "$name: latest value '$latest', wanted v10"
  if grep -q "Finished auto-compaction at revision" "$INTEROP_WORK/$name.log"; then pass "$name: logs each compaction as etcd does"
  else fail "$name: no 'Finished auto-compaction' line in its log"; fi
done
echo "autocompaction: $failures failures"
[ "$failures" -eq 0 ]
