#!/usr/bin/env bash
# Soak (on demand, not part of run-all): SOAK_PUTS (default 1,000,000) puts of 256 B over
# SOAK_KEYS (default 10,000) keys with --snapshot-count 10000 on a 3-member cluster of
# REFERENCE_BIN (real etcd) and then of SERVER_BIN, sampling every 5 s each member's WAL and
# snapshot directory sizes (du; etcd's snap directory without its bbolt file `db`), the store's
# size (etcd: member/snap/db, swift-etcd: member/db) and memory (RssAnon: heap, not the store's
# file-backed map). Prints per server: throughput, the largest WAL and snap directories seen, the
# final store size, RssAnon at each quarter of the run, and the time a member takes to restart
# on its data dir. SOAK_SERVERS (default "etcd swift") picks the runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
PUTS=${SOAK_PUTS:-1000000}
KEYS=${SOAK_KEYS:-10000}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
writer=$INTEROP_WORK/writer
bash "$here/../lib/gobuild.sh" main "$here" "$writer" >/dev/null

kib() { du -sk --exclude=db "$1" 2>/dev/null | cut -f1; }
store_kib() { du -sk "$1/member/snap/db" "$1/member/db" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
rss_anon() { awk '/RssAnon/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

soak() { # LABEL BINARY
  local label=$1 binary=$2 i
  start_cluster "$label" "$binary" 3 --snapshot-count 10000 --quota-backend-bytes 8589934592
  local samples="$INTEROP_WORK/$label.samples"
  : >"$samples"
  ( while true; do
      for i in 0 1 2; do
        pid=$(cat "$INTEROP_WORK/$label-$i.pid")
        echo "$i $(kib "$INTEROP_WORK/$label-$i/member/wal") $(kib "$INTEROP_WORK/$label-$i/member/snap") $(rss_anon "$pid") $(store_kib "$INTEROP_WORK/$label-$i")"
      done >>"$samples"
      sleep 5
    done ) &
  local sampler=$!
  "$writer" --endpoints "$CLUSTER_ENDPOINTS" --count "$PUTS" --key-space "$KEYS" --clients 64 --deadline 3600s >"$INTEROP_WORK/$label.writer"
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  # Restart time: one member, killed, until it serves a serializable read again.
  kill_cluster_member "$label" 2
  local started; started=$(date +%s.%N)
  restart_cluster_member "$label" 2
  for _ in $(seq 1 2400); do
    etcdctl --endpoints "127.0.0.1:${CLUSTER_PORTS[2]}" --command-timeout=1s get --consistency=s k000000 >/dev/null 2>&1 && break
    sleep 0.05
  done
  local restart; restart=$(python3 -c "import time; print(round(time.time() - $started, 2))")
  python3 - "$label" "$samples" "$(cat "$INTEROP_WORK/$label.writer")" "$restart" <<'PY'
import sys
label, path, writer, restart = sys.argv[1:5]
rows = [list(map(int, line.split())) for line in open(path) if len(line.split()) == 5]
wal = max(r[1] for r in rows) / 1024
snap = max(r[2] for r in rows) / 1024
by_member = {}
for r in rows: by_member.setdefault(r[0], []).append(r[3])
store = max(r[4] for r in rows[-3:]) / 1024
n = min(len(v) for v in by_member.values())
quarters = [max(v[min(n - 1, n * q // 4)] for v in by_member.values()) / 1024 for q in (0, 1, 2, 3, 4)]
print(f"{label}: {writer}; max WAL dir {wal:.0f} MiB, max snap dir {snap:.1f} MiB, store {store:.0f} MiB; "
      f"RssAnon at 0/25/50/75/100% {'/'.join(f'{q:.0f}' for q in quarters)} MiB; restart {restart} s ({len(rows)} samples)")
PY
  stop_cluster "$label" 3
  rm -rf "$INTEROP_WORK/$label"-[0-9]
}

for server in ${SOAK_SERVERS:-etcd swift}; do
  case $server in
    etcd) soak etcd "$REFERENCE_BIN" ;;
    swift) soak swift "$SERVER_BIN" ;;
  esac
done
