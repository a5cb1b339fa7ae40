#!/usr/bin/env bash
# The server binary's command line, as etcd's users drive it: unknown flags name themselves,
# etcd's cluster flags are checked with etcd's messages, ETCD_* variables set flags (the command
# line wins), and SIGTERM stops the server cleanly with every acknowledged write kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
source "$here/../lib/servers.sh"
failures=0
expect() { # description, then the command's combined output must contain the text
  local description=$1 text=$2; shift 2
  local output; output=$("$@" 2>&1 || true)
  if [[ "$output" == *"$text"* ]]; then echo "ok    $description"
  else echo "FAIL  $description: wanted '$text' in: $output"; failures=$((failures + 1)); fi
}

expect "an unknown flag is named" "--bogus-flag" timeout 5 "$SERVER_BIN" --bogus-flag
# Go's flags take the next argument as the value whatever it looks like, so -1 is a quota here.
expect "a negative value after a flag is its value, as in Go" "--bogus-flag" \
  timeout 5 "$SERVER_BIN" --quota-backend-bytes -1 --bogus-flag
expect "a bad URL scheme gets etcd's message" "URL scheme must be http, https, unix, or unixs: foo://127.0.0.1:1" \
  timeout 5 "$SERVER_BIN" --listen-client-urls foo://127.0.0.1:1
expect "a bad --initial-cluster-state" 'invalid value "bogus" for flag -initial-cluster-state' \
  timeout 5 "$SERVER_BIN" --initial-cluster-state bogus
expect "this member missing from --initial-cluster" "couldn't find local name \"a\" in the initial cluster configuration" \
  timeout 5 "$SERVER_BIN" --name a --data-dir "$INTEROP_WORK/x" --initial-advertise-peer-urls http://127.0.0.1:1 \
  --initial-cluster b=http://127.0.0.1:1
expect "advertised peer URLs must match --initial-cluster" "--initial-cluster has a=http://127.0.0.1:2 but missing from --initial-advertise-peer-urls=http://127.0.0.1:1" \
  timeout 5 "$SERVER_BIN" --name a --data-dir "$INTEROP_WORK/x" --initial-advertise-peer-urls http://127.0.0.1:1 \
  --initial-cluster a=http://127.0.0.1:2
# etcd's timing checks, in etcd's order and words.
expect "a zero heartbeat" "--heartbeat-interval must be >0 (set to 0ms)" \
  timeout 5 "$SERVER_BIN" --data-dir "$INTEROP_WORK/x" --heartbeat-interval 0
expect "a zero election timeout" "--election-timeout must be >0 (set to 0ms)" \
  timeout 5 "$SERVER_BIN" --data-dir "$INTEROP_WORK/x" --election-timeout 0
expect "an election timeout under 5 heartbeats" "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]" \
  timeout 5 "$SERVER_BIN" --data-dir "$INTEROP_WORK/x" --election-timeout 400
expect "an election timeout over 50 s" "--election-timeout[60000ms] is too long, and should be set less than 50000ms" \
  timeout 5 "$SERVER_BIN" --data-dir "$INTEROP_WORK/x" --election-timeout 60000
expect "a duplicate peer URL in --initial-cluster" "initial cluster a=http://127.0.0.1:1,b=http://127.0.0.1:1 has duplicate url" \
  timeout 5 "$SERVER_BIN" --name a --data-dir "$INTEROP_WORK/x" --initial-advertise-peer-urls http://127.0.0.1:1 \
  --initial-cluster a=http://127.0.0.1:1,b=http://127.0.0.1:1
expect "an https client URL without key and cert" \
  "TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:1 with HTTPS scheme" \
  timeout 5 "$SERVER_BIN" --data-dir "$INTEROP_WORK/x" --listen-client-urls https://127.0.0.1:1 --advertise-client-urls https://127.0.0.1:1
expect "an unknown ETCD_ variable is reported" "unrecognized environment variable ETCD_BOGUS=1" \
  env ETCD_BOGUS=1 timeout 5 "$SERVER_BIN" --bogus-flag

# ETCD_* variables configure the member; a flag given on the command line wins.
port=$(free_port); peer=$(free_port)
ETCD_NAME=fromenv ETCD_DATA_DIR="$INTEROP_WORK/env" ETCD_LISTEN_CLIENT_URLS="http://127.0.0.1:$port" \
ETCD_ADVERTISE_CLIENT_URLS="http://127.0.0.1:$port" ETCD_INITIAL_ADVERTISE_PEER_URLS="http://127.0.0.1:$peer" \
ETCD_LISTEN_PEER_URLS="http://127.0.0.1:$peer" ETCD_MAX_TXN_OPS=1000 \
  "$SERVER_BIN" --max-txn-ops 2 >"$INTEROP_WORK/env.log" 2>&1 &
pid=$!
INTEROP_PIDS+=("$pid")
for _ in $(seq 1 100); do
  ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$port" --command-timeout=1s endpoint health >/dev/null 2>&1 && break
  sleep 0.1
done
export ETCDCTL_API=3
expect "ETCD_NAME names the member" "fromenv" etcdctl --endpoints "127.0.0.1:$port" member list
expect "--max-txn-ops on the command line beats ETCD_MAX_TXN_OPS" "too many operations in txn request" \
  bash -c "printf '\nput a 1\nput b 2\nput c 3\n\n\n' | etcdctl --endpoints 127.0.0.1:$port txn"
etcdctl --endpoints "127.0.0.1:$port" put kept before-sigterm >/dev/null
[ -d "$INTEROP_WORK/env/member" ] && echo "ok    ETCD_DATA_DIR chose the data dir" || { echo "FAIL  no data dir from ETCD_DATA_DIR"; failures=$((failures + 1)); }

kill -TERM "$pid"
if wait "$pid"; then echo "ok    SIGTERM stops the server with exit status 0"
else echo "FAIL  SIGTERM exit status $?"; failures=$((failures + 1)); fi
ETCD_NAME=fromenv ETCD_DATA_DIR="$INTEROP_WORK/env" ETCD_LISTEN_CLIENT_URLS="http://127.0.0.1:$port" \
ETCD_ADVERTISE_CLIENT_URLS="http://127.0.0.1:$port" ETCD_INITIAL_ADVERTISE_PEER_URLS="http://127.0.0.1:$peer" \
ETCD_LISTEN_PEER_URLS="http://127.0.0.1:$peer" "$SERVER_BIN" >>"$INTEROP_WORK/env.log" 2>&1 &
INTEROP_PIDS+=("$!")
for _ in $(seq 1 100); do
  etcdctl --endpoints "127.0.0.1:$port" --command-timeout=1s endpoint health >/dev/null 2>&1 && break
  sleep 0.1
done
expect "a restart after SIGTERM keeps the write" "before-sigterm" etcdctl --endpoints "127.0.0.1:$port" get kept
echo "flags: $failures failures"
[ "$failures" -eq 0 ]
