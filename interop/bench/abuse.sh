#!/usr/bin/env bash
# Benchmark (not a test): each abusive client of interop/abuse/abuse.py against swift-etcd and
# real etcd 3.4.23, each scenario on a freshly started member (so one scenario's heap does not
# hide the next one's) over the same pre-filled store. Prints a table: abuse, what the server
# did (the limit hit), its RSS (and heap, RssAnon) before and at peak, and the p50/p99 of a well-behaved client's
# put+range round during the abuse.
# Env: SERVER_BIN, ETCD_BIN (/usr/bin/etcd), ABUSE_STORE_MIB (64; 1024 for the full size),
# ABUSE_CONNECTIONS (1000; 10000 for the full size), ABUSE_SECONDS (5), ABUSE_STREAMS (20000),
# ONLY (regex over scenario names).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SERVER_BIN=${SERVER_BIN:-$root/.build/release/swift-etcd}
ETCD_BIN=${ETCD_BIN:-/usr/bin/etcd}
STORE_MIB=${ABUSE_STORE_MIB:-64}
CONNECTIONS=${ABUSE_CONNECTIONS:-1000}
SECONDS_EACH=${ABUSE_SECONDS:-5}
STREAMS=${ABUSE_STREAMS:-20000}
ONLY=${ONLY:-.}
driver=$here/../abuse/abuse.py
source "$here/../lib/servers.sh"
# 1 GiB of history needs more than etcd's 2 GiB default quota once compaction is off.
flags=(--quota-backend-bytes 8589934592)
keys=$((STORE_MIB * 16))

SCENARIOS=(
  "idle|--connections $CONNECTIONS"
  "never-read|--streams 4"
  "stream-flood|--streams $STREAMS"
  "huge-header|--header-mib 1"
  "hpack-bomb|--streams 200"
  "ping-flood|"
  "settings-flood|"
  "slowloris|--connections $CONNECTIONS"
  "watch-history|--keys $keys"
  "range-all|"
)

stop_member() {
  local pid; pid=$(cat "$INTEROP_WORK/$1.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

results=$INTEROP_WORK/results.jsonl
for server in "swift-etcd|$SERVER_BIN" "etcd-3.4.23|$ETCD_BIN"; do
  name=${server%%|*} binary=${server#*|}
  port=$(start_member "$name" "$binary" "${flags[@]}")
  echo "$name: filling the store with $STORE_MIB MiB ($keys keys of 64 KiB)" >&2
  python3 "$driver" populate "127.0.0.1:$port" --mib "$STORE_MIB" >/dev/null
  stop_member "$name"
  for entry in "${SCENARIOS[@]}"; do
    scenario=${entry%%|*} options=${entry#*|}
    [[ $scenario =~ $ONLY ]] || continue
    port=$(start_member "$name" "$binary" "${flags[@]}")
    echo "$name: $scenario" >&2
    # shellcheck disable=SC2086 # options are words
    timeout $((SECONDS_EACH + 300)) python3 "$driver" run "$scenario" "127.0.0.1:$port" \
      --pid "$(cat "$INTEROP_WORK/$name.pid")" --seconds "$SECONDS_EACH" $options |
      python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); r["server"]=sys.argv[1]; print(json.dumps(r))' "$name" \
      >>"$results" || echo "{\"server\": \"$name\", \"scenario\": \"$scenario\", \"outcome\": \"driver failed or timed out\"}" >>"$results"
    stop_member "$name"
  done
done

echo "store $STORE_MIB MiB, $CONNECTIONS connections, $SECONDS_EACH s each, $STREAMS streams for the flood"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("| abuse | server | limit hit | RSS before → peak (MiB) | of which heap (RssAnon) | normal client p50 / p99 (ms) | rounds / failures | served after |")
print("|---|---|---|---|---|---|---|---|")
order = {}
for row in rows:
    order.setdefault(row["scenario"], len(order))
for row in sorted(rows, key=lambda r: (order[r["scenario"]], r["server"] != "swift-etcd")):
    print("| %s | %s | %s | %s → %s | %s → %s | %s / %s | %s / %s | %s |" % (
        row["scenario"], row["server"], row["outcome"], row.get("rss_before_mib", "-"), row.get("rss_peak_mib", "-"),
        row.get("anon_before_mib", "-"), row.get("anon_peak_mib", "-"),
        row.get("p50_ms", "-"), row.get("p99_ms", "-"), row.get("rounds", "-"), row.get("failures", "-"),
        "yes" if row.get("served_after") else "NO"))
PY
