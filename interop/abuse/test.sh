#!/usr/bin/env bash
# Abusive clients (abuse.py, CI-sized) against the server under test: after each one the member
# must still serve a well-behaved client, its RSS must stay below a generous bound, and where the
# server has a limit the abuser must have hit it. Latencies are printed, never asserted: timing
# is measured by interop/bench/abuse.sh, beside real etcd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# Far above what any scenario needs over a 32 MiB store (a few hundred MiB), far below what the
# unbounded cases reached (an HPACK bomb: ~20 MiB per stream).
RSS_BOUND_MIB=1024

port=$(start_member abuse "$SERVER_BIN" --quota-backend-bytes 8589934592)
pid=$(cat "$INTEROP_WORK/abuse.pid")
python3 "$here/abuse.py" populate "127.0.0.1:$port" --mib 32 >/dev/null

# check SCENARIO EXPECTED_OUTCOME_REGEX [driver options]: one abuse, then the assertions.
check() {
  local scenario=$1 expected=$2 result; shift 2
  result=$(timeout 120 python3 "$here/abuse.py" run "$scenario" "127.0.0.1:$port" --pid "$pid" --seconds 2 "$@") ||
    { fail "$scenario: the driver failed or timed out"; return; }
  echo "  $result"
  python3 - "$result" "$expected" "$RSS_BOUND_MIB" <<'PY' || failures=$((failures + 1))
import json, re, sys
result, expected, bound = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3])
problems = []
if not result["served_after"]:
    problems.append("the member no longer serves a well-behaved client")
if result["rss_peak_mib"] > bound:
    problems.append("RSS peaked at %s MiB, above %s" % (result["rss_peak_mib"], bound))
if not re.search(expected, result["outcome"]):
    problems.append("outcome %r does not match %r" % (result["outcome"], expected))
for problem in problems:
    print("FAIL: %s: %s" % (result["scenario"], problem))
sys.exit(1 if problems else 0)
PY
}

echo "== abusive clients against one member (32 MiB store)"
check idle "1000 opened, 0 refused" --connections 1000
check never-read "window 0: 0 DATA bytes sent" --streams 2
check stream-flood "opened 5000" --streams 5000
check huge-header "GOAWAY COMPRESSION_ERROR"
check hpack-bomb "RST_STREAM INTERNAL_ERROR" --streams 50
check ping-flood "ENHANCE_YOUR_CALM"
check settings-flood "connection closed"
check slowloris "500 connections" --connections 500
check watch-history "watched: 512 of 512 events" --keys 512
check range-all "answered 32 MiB"

echo "== past --max-concurrent-streams 100"
port=$(start_member limited "$SERVER_BIN" --max-concurrent-streams 100)
pid=$(cat "$INTEROP_WORK/limited.pid")
check stream-flood "advertised MAX_CONCURRENT_STREAMS 100; .*(REFUSED_STREAM|GOAWAY PROTOCOL_ERROR)" --streams 1000

[ "$failures" -eq 0 ] && echo "PASS: abuse" || { echo "$failures failure(s)"; exit 1; }
