#!/usr/bin/env bash
# etcd's --config-file and the listener flags kubeadm-style deployments use, differential against
# real etcd (REFERENCE_BIN): one YAML file (etcd's keys, with keys set to etcd's defaults as
# etcd's sample has them) starts each server while ETCD_* variables and other flags are ignored;
# two --listen-client-urls both serve; a --listen-metrics-urls listener serves /health and
# /metrics and nothing else. Then etcd's refusals, word for word (a missing file, an https metrics
# URL without certificates), swift-etcd's own (--enable-v2), and --logger zap's JSON lines.
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
CTL=(timeout 20 etcdctl --command-timeout=5s --dial-timeout=3s)
failures=0
expect() { # description, text, then a command whose combined output must contain the text
  local what=$1 text=$2; shift 2
  local output; output=$("$@" 2>&1 || true)
  if [[ "$output" == *"$text"* ]]; then echo "ok    $what"
  else echo "FAIL  $what: wanted '$text' in: $output"; failures=$((failures + 1)); fi
}

# The same ports for both servers, so that the cluster IDs (a hash of the peer URLs) compare.
client=$(free_port); peer=$(free_port); metrics=$(free_port)
observe() { # LABEL BINARY: starts BINARY from a config file and prints what clients see
  local label=$1 binary=$2 pid
  cat >"$INTEROP_WORK/$label.yml" <<YAML
name: 'fromfile'
data-dir: $INTEROP_WORK/$label
listen-client-urls: http://127.0.0.1:$client,http://127.0.0.2:$client
advertise-client-urls: http://127.0.0.1:$client
listen-peer-urls: http://127.0.0.1:$peer
initial-advertise-peer-urls: http://127.0.0.1:$peer
initial-cluster: fromfile=http://127.0.0.1:$peer
initial-cluster-token: 'file-token'
initial-cluster-state: 'new'
listen-metrics-urls: http://127.0.0.1:$metrics
max-txn-ops: 2
snapshot-count: 10000
heartbeat-interval: 100
election-timeout: 1000
quota-backend-bytes: 0
max-snapshots: 5
max-wals: 5
wal-dir:
cors:
discovery:
discovery-fallback: 'proxy'
proxy: 'off'
strict-reconfig-check: true
enable-v2: false
client-transport-security:
  cert-file:
  key-file:
  client-cert-auth: false
  trusted-ca-file:
  auto-tls: false
log-level: info
log-outputs: [stderr]
force-new-cluster: false
auto-compaction-mode: periodic
auto-compaction-retention: "1"
YAML
  ETCD_NAME=from-environment ETCD_MAX_TXN_OPS=100 \
    "$binary" --config-file "$INTEROP_WORK/$label.yml" --name from-command-line >"$INTEROP_WORK/$label.log" 2>&1 &
  pid=$!
  INTEROP_PIDS+=("$pid")
  until_ok 20 "${CTL[@]}" --endpoints "127.0.0.1:$client" endpoint health || { echo "$label never became healthy"; tail -20 "$INTEROP_WORK/$label.log"; }
  echo "member list: $("${CTL[@]}" --endpoints "127.0.0.2:$client" member list -w json |
    python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["header"]["cluster_id"], [(x["name"], x["peerURLs"]) for x in m["members"]])' |
    sed "s/$peer/PEER/g")"
  echo "put on the second client URL: $("${CTL[@]}" --endpoints "127.0.0.2:$client" put k v 2>&1)"
  echo "get on both: $("${CTL[@]}" --endpoints "127.0.0.1:$client,127.0.0.2:$client" get k --print-value-only 2>&1)"
  echo "max-txn-ops from the file: $(printf '\nput a 1\nput b 2\nput c 3\n\n\n' | "${CTL[@]}" --endpoints "127.0.0.1:$client" txn 2>&1 | grep ^Error)"
  echo "metrics listener /health: $(curl -s "http://127.0.0.1:$metrics/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["health"])')"
  echo "metrics listener /metrics has etcd_server_has_leader: $(curl -s "http://127.0.0.1:$metrics/metrics" | grep -c '^etcd_server_has_leader 1')"
  echo "metrics listener /version: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics/version")"
  echo "metrics listener gateway: $(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "http://127.0.0.1:$metrics/v3/kv/range")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

observe etcd "$REFERENCE_BIN" >"$INTEROP_WORK/etcd.out"
observe swift "$SERVER_BIN" >"$INTEROP_WORK/swift.out"
cat "$INTEROP_WORK/swift.out"
if diff "$INTEROP_WORK/etcd.out" "$INTEROP_WORK/swift.out"; then echo "ok    the config file gives what etcd gives"
else echo "FAIL  the config file: swift-etcd differs from etcd (diff above)"; failures=$((failures + 1)); fi
grep -q "loaded server configuration" "$INTEROP_WORK/swift.log" && echo "ok    the config file's load is logged" ||
  { echo "FAIL  no 'loaded server configuration' line"; failures=$((failures + 1)); }

for binary in "$REFERENCE_BIN" "$SERVER_BIN"; do
  expect "$(basename "$binary"): a missing config file" "open $INTEROP_WORK/missing.yml: no such file or directory" \
    timeout 5 "$binary" --config-file "$INTEROP_WORK/missing.yml"
  expect "$(basename "$binary"): an https metrics URL without certificates" \
    "cannot listen on TLS for 127.0.0.1:1: KeyFile and CertFile are not presented" \
    timeout 5 "$binary" --data-dir "$INTEROP_WORK/nometricstls" --listen-metrics-urls https://127.0.0.1:1
done
printf 'enable-v2: true\n' >"$INTEROP_WORK/v2.yml"
expect "enable-v2 in a config file is refused" "--enable-v2 is not supported" \
  timeout 5 "$SERVER_BIN" --config-file "$INTEROP_WORK/v2.yml"
expect "--enable-v2 on the command line is refused" "--enable-v2 is not supported" \
  timeout 5 "$SERVER_BIN" --enable-v2 --data-dir "$INTEROP_WORK/v2"
printf 'wal-dir: /elsewhere\n' >"$INTEROP_WORK/waldir.yml"
expect "a config key swift-etcd cannot honour is refused" "config file key wal-dir: /elsewhere is not supported" \
  timeout 5 "$SERVER_BIN" --config-file "$INTEROP_WORK/waldir.yml"

# --logger zap: every line is etcd 3.5's JSON (level, ts, caller, msg first).
client=$(free_port); peer=$(free_port)
"$SERVER_BIN" --logger zap --data-dir "$INTEROP_WORK/zap" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "default=http://127.0.0.1:$peer" \
  2>"$INTEROP_WORK/zap.log" &
pid=$!
INTEROP_PIDS+=("$pid")
until_ok 20 "${CTL[@]}" --endpoints "127.0.0.1:$client" endpoint health
kill "$pid"; wait "$pid" 2>/dev/null || true
if python3 - "$INTEROP_WORK/zap.log" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert any("ready to serve client requests" in l for l in lines), "no ready line"
for line in lines:
    record = json.loads(line)
    assert list(record)[:4] == ["level", "ts", "caller", "msg"], line
    assert record["level"] in ("debug", "info", "warn", "error", "fatal"), line
PY
then echo "ok    --logger zap writes JSON lines only ($(wc -l <"$INTEROP_WORK/zap.log") lines)"
else echo "FAIL  --logger zap: not JSON lines"; failures=$((failures + 1)); fi

echo "configfile: $failures failures"
[ "$failures" -eq 0 ]
