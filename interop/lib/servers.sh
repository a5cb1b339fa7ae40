# Shared by the interop tests: start a member (real etcd or the server under test) on free
# loopback ports with a fresh data dir, and stop everything started, by PID, on exit.
# Use: source it, then `port=$(start_member NAME BINARY [extra flags...])`.
INTEROP_WORK=$(mktemp -d /tmp/swift-etcd-interop.XXXXXX)
INTEROP_PIDS=()
interop_cleanup() {
  # start_member usually runs in a command substitution (a subshell), so its PIDs reach this
  # shell only through the .pid files.
  local pid
  # Our own children: their PIDs stay ours until we reap them.
  for pid in "${INTEROP_PIDS[@]}"; do
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # The subshells' children: only while still running on our work dir (a PID may be reused).
  for pid in $(cat "$INTEROP_WORK"/*.pid 2>/dev/null); do
    if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$INTEROP_WORK"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$INTEROP_WORK"
}
trap interop_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_member DIRNAME BINARY [flags...]: prints the client port; the member's PID is written to
# $INTEROP_WORK/DIRNAME.pid (and appended to INTEROP_PIDS when not run in a subshell).
start_member() {
  local dir=$1 binary=$2; shift 2
  local port peer; port=$(free_port); peer=$(free_port)
  "$binary" --name interop --data-dir "$INTEROP_WORK/$dir" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "interop=http://127.0.0.1:$peer" --initial-cluster-token interop "$@" \
    >>"$INTEROP_WORK/$dir.log" 2>&1 &
  local pid=$!
  INTEROP_PIDS+=("$pid")
  echo "$pid" >"$INTEROP_WORK/$dir.pid"
  for _ in $(seq 1 150); do
    if ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$port" --command-timeout=1s endpoint health >/dev/null 2>&1; then
      echo "$port"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "member $dir ($binary) did not become healthy:" >&2; tail -20 "$INTEROP_WORK/$dir.log" >&2
  return 1
}

# The IDs differ only if the flags differ; normalise them anyway, in JSON and in hex text (hex
# without leading zeros: an ID whose top digits are 0 prints shorter).
normalise_ids() {
  sed -E -e 's/memberID:[0-9]+/memberID:ID/g' -e 's/"(cluster_id|member_id|ID|leader)":[0-9]+/"\1":ID/g' -e 's/"(ClusterID|MemberID)" : [0-9]+/"\1" : ID/g' \
    -e 's/\b[0-9a-f]{12,16}\b/HEXID/g'
}
