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
    # The port must be this member's: on a shared machine another server may have taken it
    # between free_port and the bind, and would answer the health check in its place.
    if ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$port" --command-timeout=1s endpoint health >/dev/null 2>&1 &&
      ss -ltnpH "sport = :$port" | grep -q "pid=$pid,"; then
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

# ---- Multi-member clusters ------------------------------------------------------------------
# start_cluster NAME BINARY N [flags...]: starts members NAME-0 .. NAME-(N-1) of BINARY as one
# cluster (etcd's bootstrap flags, --initial-cluster-state new), each on free loopback client and
# peer ports with a fresh data dir $INTEROP_WORK/NAME-i, and waits (bounded) until
# `etcdctl endpoint health` over all endpoints succeeds. Run it in the current shell, not in a
# command substitution: it sets
#   CLUSTER_ENDPOINTS   127.0.0.1:P0,127.0.0.1:P1,...
#   CLUSTER_PORTS       (P0 P1 ...)       client ports, member i at index i
#   CLUSTER_PEER_PORTS  (Q0 Q1 ...)       peer ports
# and writes $INTEROP_WORK/NAME-i.{pid,log,args}; NAME-i.args holds the member's exact command
# line, so restart_cluster_member starts it again with the same flags on the same data dir.
# Member names are m0, m1, ... in every cluster, so outputs of two clusters line up.
# CLUSTER_HEARTBEAT_MS / CLUSTER_ELECTION_MS (defaults 100 / 1000, etcd's) set the raft timing;
# CLUSTER_START_TIMEOUT (default 60 s) bounds the wait for health. CLUSTER_PEER_SCHEME (default
# http) is the peer URLs' scheme: https needs peer TLS flags (e.g. --peer-auto-tls) among the flags.
start_cluster() {
  local name=$1 binary=$2 count=$3; shift 3
  local i initial="" scheme=${CLUSTER_PEER_SCHEME:-http}
  CLUSTER_PORTS=(); CLUSTER_PEER_PORTS=(); CLUSTER_ENDPOINTS=""
  for i in $(seq 0 $((count - 1))); do
    CLUSTER_PORTS+=("$(free_port)"); CLUSTER_PEER_PORTS+=("$(free_port)")
    initial+="${initial:+,}m$i=$scheme://127.0.0.1:${CLUSTER_PEER_PORTS[$i]}"
    CLUSTER_ENDPOINTS+="${CLUSTER_ENDPOINTS:+,}127.0.0.1:${CLUSTER_PORTS[$i]}"
  done
  for i in $(seq 0 $((count - 1))); do
    local args=("$binary" --name "m$i" --data-dir "$INTEROP_WORK/$name-$i"
      --listen-client-urls "http://127.0.0.1:${CLUSTER_PORTS[$i]}"
      --advertise-client-urls "http://127.0.0.1:${CLUSTER_PORTS[$i]}"
      --listen-peer-urls "$scheme://127.0.0.1:${CLUSTER_PEER_PORTS[$i]}"
      --initial-advertise-peer-urls "$scheme://127.0.0.1:${CLUSTER_PEER_PORTS[$i]}"
      --initial-cluster "$initial" --initial-cluster-token "interop-$name" --initial-cluster-state new
      --heartbeat-interval "${CLUSTER_HEARTBEAT_MS:-100}" --election-timeout "${CLUSTER_ELECTION_MS:-1000}" "$@")
    printf '%s\0' "${args[@]}" >"$INTEROP_WORK/$name-$i.args"
    launch_cluster_member "$name" "$i"
  done
  wait_cluster_healthy "$CLUSTER_ENDPOINTS" "${CLUSTER_START_TIMEOUT:-60}" || {
    echo "cluster $name ($binary) did not become healthy:" >&2
    for i in $(seq 0 $((count - 1))); do echo "-- $name-$i" >&2; tail -15 "$INTEROP_WORK/$name-$i.log" >&2; done
    return 1
  }
}

# launch_cluster_member NAME I: starts member I from its saved command line, without waiting.
launch_cluster_member() {
  local name=$1 i=$2 args
  mapfile -d '' args <"$INTEROP_WORK/$name-$i.args"
  "${args[@]}" >>"$INTEROP_WORK/$name-$i.log" 2>&1 &
  INTEROP_PIDS+=("$!")
  echo "$!" >"$INTEROP_WORK/$name-$i.pid"
}

# wait_cluster_healthy ENDPOINTS [SECONDS]: until `etcdctl endpoint health` over all of the
# comma-separated ENDPOINTS succeeds (default 60 s); returns 1 on timeout.
wait_cluster_healthy() {
  local endpoints=$1 deadline=$((SECONDS + ${2:-60}))
  while [ $SECONDS -lt "$deadline" ]; do
    if ETCDCTL_API=3 timeout 10 etcdctl --endpoints "$endpoints" --command-timeout=2s endpoint health >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# kill_cluster_member NAME I [SIGNAL]: signals member I (default KILL) and, unless the signal is
# STOP or CONT, waits for it to exit.
kill_cluster_member() {
  local name=$1 i=$2 sig=${3:-KILL} pid
  pid=$(cat "$INTEROP_WORK/$name-$i.pid")
  kill "-$sig" "$pid" 2>/dev/null || true
  case $sig in STOP|CONT) ;; *) wait "$pid" 2>/dev/null || true ;; esac
}

# restart_cluster_member NAME I: starts member I again with the same flags on its data dir.
restart_cluster_member() { launch_cluster_member "$1" "$2"; }

# stop_cluster NAME N: SIGTERM to every member, then waits (bounded, then SIGKILL).
stop_cluster() {
  local name=$1 count=$2 i pid
  for i in $(seq 0 $((count - 1))); do kill -TERM "$(cat "$INTEROP_WORK/$name-$i.pid")" 2>/dev/null || true; done
  for i in $(seq 0 $((count - 1))); do
    pid=$(cat "$INTEROP_WORK/$name-$i.pid")
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# until_ok SECONDS COMMAND...: retries COMMAND (eval'd in a subshell, so it may call the test's
# functions; each etcdctl in it is bounded by its own timeouts) until it succeeds.
until_ok() {
  local deadline=$((SECONDS + $1)); shift
  while [ $SECONDS -lt $deadline ]; do
    if (eval "$*") >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# check DESCRIPTION COMMAND...: runs COMMAND; a failure is printed with the test's $label and
# counted in its $checks_failed.
check() {
  local what=$1; shift
  if ! "$@"; then echo "CHECK FAILED ($label): $what"; checks_failed=$((checks_failed + 1)); fi
}
