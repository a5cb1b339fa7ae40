#!/usr/bin/env bash
# Cluster test: a 3-member cluster of REFERENCE_BIN (real etcd) and a 3-member cluster of
# SERVER_BIN, each started with etcd's bootstrap flags on free loopback ports (start_cluster in
# ../lib/servers.sh), get the same script of real etcdctl (ETCDCTL_API=3) commands: member list,
# endpoint status / health / hashkv over all endpoints and --cluster, puts on member 0 read on
# members 1 and 2 (linearizable and serializable), txn, delete, a watch on member 2 of puts made
# on member 0, a lease used across three members, move-leader, and a member SIGKILLed, written
# around, restarted on its data dir and caught up. Outputs (stdout, stderr, exit code) are
# normalised (normalise.py: IDs become member names, ports become CLIENTi/PEERi, terms, raft
# indexes, db sizes, versions, durations and lease IDs become placeholders or labels) and must be
# identical between the two clusters; every difference is printed as a diff with its step.
# Checks within each cluster (e.g. every member reports the same hashkv) fail the test on their own.
# The clusters run one after the other, so they do not compete for the cores.
#
# Knobs:
#   SERVER_BIN      binary under test (required)
#   REFERENCE_BIN   reference binary (default /usr/bin/etcd)
#   CLUSTER_KEEP=1  keep the per-step outputs (printed path) instead of deleting them
#   CLUSTER_HEARTBEAT_MS / CLUSTER_ELECTION_MS   raft timing flags (default 100 / 1000)
# Readiness is `etcdctl endpoint health` over all endpoints; nothing parses the servers' logs.
# Every command is bounded by `timeout`, every wait by a deadline; all members are killed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
CTL=(timeout 30 etcdctl --command-timeout=10s --dial-timeout=3s)
checks_failed=0

# step NAME [--sort] -- COMMAND...: runs COMMAND, records its normalised output and exit code.
# sh NAME [--sort] SCRIPT: the same for a bash script (pipes, stdin).
step_no=0
record() {
  local name=$1 sort=$2; shift 2
  step_no=$((step_no + 1))
  local file; file=$(printf '%s/%02d-%s' "$out" "$step_no" "$name")
  { "$@" 2>&1; echo "exit=$?"; } >"$file.raw" || true
  python3 "$here/normalise.py" "$out/map.json" $sort <"$file.raw" >"$file"
  printf '%s\n' "$*" >"$file.cmd"
}
step() { local name=$1 sort=""; shift; [ "$1" = --sort ] && { sort=--sort; shift; }; [ "$1" = -- ] && shift; record "$name" "$sort" "$@"; }
sh_step() { local name=$1 sort=""; shift; [ "$1" = --sort ] && { sort=--sort; shift; }; record "$name" "$sort" timeout 60 bash -c "$1"; }

hashkv_equal() { # all members answer the same hashkv (at their latest revision)
  "${CTL[@]}" --endpoints "$ALL" endpoint hashkv -w json |
    python3 -c 'import json,sys; h=[e["HashKV"]["hash"] for e in json.load(sys.stdin)]; sys.exit(not (len(h)==3 and len(set(h))==1))'
}
leader_is() { # every member reports member $1 as the leader
  "${CTL[@]}" --endpoints "$ALL" endpoint status -w json |
    python3 -c 'import json,sys; s=[e["Status"]["leader"] for e in json.load(sys.stdin)]; sys.exit(not (len(s)==3 and set(s)=={'"${ID_DEC[$1]}"'}))'
}

run_scenario() { # LABEL BINARY
  label=$1; local binary=$2 i
  out="$INTEROP_WORK/out-$label"; mkdir -p "$out"; step_no=0
  echo "== $label: $binary"
  start_cluster "$label" "$binary" 3
  E=(); H=()
  for i in 0 1 2; do E+=("127.0.0.1:${CLUSTER_PORTS[$i]}"); H+=("http://127.0.0.1:${CLUSTER_PORTS[$i]}"); done
  ALL=$CLUSTER_ENDPOINTS
  # IDs and ports of this cluster, for normalise.py.
  local members; members=$("${CTL[@]}" --endpoints "${E[0]}" member list -w json)
  ID_DEC=(); ID_HEX=()
  for i in 0 1 2; do
    ID_DEC+=("$(python3 -c 'import json,sys; print([m["ID"] for m in json.loads(sys.argv[1])["members"] if m["name"]==sys.argv[2]][0])' "$members" "m$i")")
    ID_HEX+=("$(printf '%x' "${ID_DEC[$i]}")")
  done
  python3 - "$members" "${CLUSTER_PORTS[@]}" "${CLUSTER_PEER_PORTS[@]}" >"$out/map.json" <<'PY'
import json, sys
members = json.loads(sys.argv[1]); p = sys.argv[2:]
ids = {str(m["ID"]): m["name"] for m in members["members"]}
ids[str(members["header"]["cluster_id"])] = "CLUSTER"
ports = {p[i]: "CLIENT%d" % i for i in range(3)}
ports.update({p[3 + i]: "PEER%d" % i for i in range(3)})
print(json.dumps({"ids": ids, "ports": ports}))
PY
  # Start from a known leader (m0), so leader columns compare equal across the clusters.
  if ! leader_is 0; then
    "${CTL[@]}" --endpoints "$ALL" move-leader "${ID_HEX[0]}" >/dev/null 2>&1 || true
    check "m0 became leader" until_ok 15 leader_is 0
  fi

  # --- membership and status
  step member-list --sort -- "${CTL[@]}" --endpoints "${E[0]}" member list
  step member-list-json -- "${CTL[@]}" --endpoints "${H[1]}" member list -w json
  step member-list-all -- "${CTL[@]}" --endpoints "$ALL" member list -w table
  step status-cluster-table -- "${CTL[@]}" --endpoints "${E[1]}" endpoint status --cluster -w table
  step status-cluster-json -- "${CTL[@]}" --endpoints "${H[2]}" endpoint status --cluster -w json
  step status-all-table -- "${CTL[@]}" --endpoints "$ALL" endpoint status -w table
  step status-all-json -- "${CTL[@]}" --endpoints "$ALL" endpoint status -w json
  step health-all --sort -- "${CTL[@]}" --endpoints "$ALL" endpoint health
  step health-cluster --sort -- "${CTL[@]}" --endpoints "${E[0]}" endpoint health --cluster
  step hashkv-all -- "${CTL[@]}" --endpoints "$ALL" endpoint hashkv

  # --- KV across members
  step put-a -- "${CTL[@]}" --endpoints "${E[0]}" put k/a 1
  step put-b -- "${CTL[@]}" --endpoints "${H[0]}" put k/b 2 -w json
  step put-c -- "${CTL[@]}" --endpoints "${E[0]}" put k/c 3 --prev-kv
  step put-a2 -- "${CTL[@]}" --endpoints "${E[0]}" put k/a 10 --prev-kv -w json
  step get-m1 -- "${CTL[@]}" --endpoints "${E[1]}" get k/ --prefix
  step get-m2-json -- "${CTL[@]}" --endpoints "${H[2]}" get k/ --prefix -w json
  step get-all -- "${CTL[@]}" --endpoints "$ALL" get k/a --print-value-only
  check "serializable reads on m1, m2 see the puts" until_ok 10 \
    "etcdctl --endpoints ${E[1]} get k/a --consistency=s --print-value-only | grep -qx 10 && etcdctl --endpoints ${E[2]} get k/c --consistency=s --print-value-only | grep -qx 3"
  step get-s-m1 -- "${CTL[@]}" --endpoints "${E[1]}" get k/ --prefix --consistency=s
  step get-s-m2 -- "${CTL[@]}" --endpoints "${H[2]}" get k/ --prefix --consistency=s -w json
  sh_step txn-m0 "etcdctl --command-timeout=10s --endpoints ${E[0]} txn <<< \$'value(\"k/a\") = \"10\"\n\nput k/t yes\ndel k/b\nget k/a\n\nput k/t no\n\n'"
  sh_step txn-m1-else "etcdctl --command-timeout=10s --endpoints ${H[1]} txn -w json <<< \$'version(\"k/a\") = \"1\"\n\nput k/t never\n\nget k/ --prefix\n\n'"
  step get-after-txn-m2 -- "${CTL[@]}" --endpoints "${E[2]}" get k/ --prefix
  step del-m0 -- "${CTL[@]}" --endpoints "${E[0]}" del k/c --prev-kv
  step del-m1-prefix -- "${CTL[@]}" --endpoints "${E[1]}" del k/t --prefix -w json
  check "serializable read on m2 sees the deletes" until_ok 10 \
    "[ \"\$(etcdctl --endpoints ${E[2]} get k/ --prefix --consistency=s --keys-only | grep -c .)\" = 1 ]"
  step get-s-after-del-m2 -- "${CTL[@]}" --endpoints "${E[2]}" get k/ --prefix --consistency=s

  # --- a watch on m2 sees puts made on m0 (from the next revision on, so it cannot start late)
  local rev; rev=$("${CTL[@]}" --endpoints "${E[0]}" get k/a -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
  timeout 30 etcdctl --endpoints "${E[2]}" watch w/ --prefix --rev $((rev + 1)) >"$out/watch.txt" 2>&1 &
  local watch_pid=$!
  for i in 1 2 3; do "${CTL[@]}" --endpoints "${E[0]}" put "w/$i" "v$i" >/dev/null; done
  "${CTL[@]}" --endpoints "${E[0]}" del w/2 >/dev/null
  "${CTL[@]}" --endpoints "${E[0]}" put w/end done >/dev/null
  check "watch on m2 saw the puts on m0" until_ok 10 "grep -qx done '$out/watch.txt'"
  kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true
  step watch-m2 -- cat "$out/watch.txt"
  timeout 10 etcdctl --endpoints "${E[1]}" watch w/ --prefix --rev $((rev + 1)) -w json >"$out/watch-json.txt" 2>&1 &
  watch_pid=$!
  check "history watch on m1" until_ok 10 "grep -q '\"value\":\"ZG9uZQ==\"' '$out/watch-json.txt'"
  kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true
  step watch-history-m1-json -- cat "$out/watch-json.txt"

  # --- a lease across members
  local grant lease
  step lease-grant -- "${CTL[@]}" --endpoints "${E[1]}" lease grant 600
  grant=$(cat "$out/$(printf %02d $step_no)-lease-grant.raw")
  lease=$(awk '/granted/ {print $2}' <<<"$grant")
  step lease-put-m2 -- "${CTL[@]}" --endpoints "${E[2]}" put l/key v --lease="$lease"
  step lease-ttl-m0 -- "${CTL[@]}" --endpoints "${E[0]}" lease timetolive "$lease" --keys
  step lease-list-m1 -- "${CTL[@]}" --endpoints "${H[1]}" lease list
  step lease-keepalive-m2 -- "${CTL[@]}" --endpoints "${E[2]}" lease keep-alive --once "$lease"
  step lease-revoke-m0 -- "${CTL[@]}" --endpoints "${E[0]}" lease revoke "$lease"
  step lease-get-m1 -- "${CTL[@]}" --endpoints "${E[1]}" get l/key -w json
  step lease-ttl-revoked-m2 -- "${CTL[@]}" --endpoints "${E[2]}" lease timetolive "$lease"
  check "hashkv equal on all members" until_ok 10 hashkv_equal
  step hashkv-all-2 -- "${CTL[@]}" --endpoints "$ALL" endpoint hashkv
  step hashkv-all-json -- "${CTL[@]}" --endpoints "$ALL" endpoint hashkv -w json

  # --- move-leader m0 -> m1
  step move-leader -- "${CTL[@]}" --endpoints "$ALL" move-leader "${ID_HEX[1]}"
  check "every member reports m1 as leader" until_ok 10 leader_is 1
  step status-after-move -- "${CTL[@]}" --endpoints "$ALL" endpoint status -w table
  step status-after-move-json -- "${CTL[@]}" --endpoints "${E[0]}" endpoint status --cluster -w json
  step move-leader-not-leader -- "${CTL[@]}" --endpoints "${E[0]}" move-leader "${ID_HEX[2]}"

  # --- m2 killed, writes meanwhile, m2 restarted on its data dir and caught up
  kill_cluster_member "$label" 2 KILL
  step health-m2-down --sort -- "${CTL[@]}" --command-timeout=3s --endpoints "$ALL" endpoint health
  for i in 1 2 3 4 5; do "${CTL[@]}" --endpoints "${E[$((i % 2))]}" put "down/$i" "while-m2-down-$i" >/dev/null; done
  step put-while-down -- "${CTL[@]}" --endpoints "${E[0]}" put down/last final -w json
  step get-while-down-m1 -- "${CTL[@]}" --endpoints "${E[1]}" get down/ --prefix
  restart_cluster_member "$label" 2
  check "cluster healthy after m2's restart" wait_cluster_healthy "$ALL" 60
  check "m2 caught up (serializable get)" until_ok 20 \
    "etcdctl --endpoints ${E[2]} get down/last --consistency=s --print-value-only | grep -qx final"
  step get-s-restarted-m2 -- "${CTL[@]}" --endpoints "${E[2]}" get down/ --prefix --consistency=s
  step get-restarted-m2-json -- "${CTL[@]}" --endpoints "${H[2]}" get down/ --prefix -w json
  check "hashkv equal on all members after the restart" until_ok 20 hashkv_equal
  step hashkv-after-restart -- "${CTL[@]}" --endpoints "$ALL" endpoint hashkv
  step health-after-restart --sort -- "${CTL[@]}" --endpoints "$ALL" endpoint health
  step member-list-final -- "${CTL[@]}" --endpoints "${E[2]}" member list -w json
  step status-final -- "${CTL[@]}" --endpoints "$ALL" endpoint status -w json

  stop_cluster "$label" 3
}

run_scenario reference "$REFERENCE_BIN"
run_scenario subject "$SERVER_BIN"

different=0; count=0
for file in "$INTEROP_WORK"/out-reference/[0-9]*; do
  case $file in *.raw|*.cmd) continue ;; esac
  count=$((count + 1))
  name=$(basename "$file")
  other="$INTEROP_WORK/out-subject/$name"
  if ! diff -q "$file" "$other" >/dev/null 2>&1; then
    different=$((different + 1))
    echo "DIFFERENT: $name: $(cat "$other.cmd" 2>/dev/null || echo missing)"
    diff -u --label reference --label subject "$file" "$other" | sed 's/^/    /' || true
  fi
done
if [ "${CLUSTER_KEEP:-0}" = 1 ]; then
  keep=$(mktemp -d /tmp/cluster-interop-out.XXXXXX); cp -r "$INTEROP_WORK"/out-* "$keep"/; echo "outputs kept in $keep"
fi
echo "cluster: $count steps, $different different, $checks_failed checks failed"
[ "$different" -eq 0 ] && [ "$checks_failed" -eq 0 ] && [ "$count" -gt 40 ]
