#!/usr/bin/env bash
# Join test: a 3-member cluster of REFERENCE_BIN (real etcd) and one of SERVER_BIN get the same
# script, and the outputs (normalised by ../cluster/normalise.py; IDs of members added here
# become NEWID) must be identical:
# - a learner is added, started with --initial-cluster-state existing and the ETCD_INITIAL_CLUSTER
#   `member add` printed, catches up from the log, serves serializable reads, refuses writes and
#   linearizable reads ("rpc not supported for learner"), and is promoted through a follower
#   (forwarded to the leader); it then takes writes;
# - a voter is replaced under a write load: removed (its process exits), its data wiped, added back
#   with the same peer URL and started with --initial-cluster-state existing; every write the load
#   had acknowledged is then on every member;
# - joins with flags that do not match the cluster are refused with etcd's reasons.
#
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd), JOIN_KEEP=1 keeps the
# per-step outputs. Every command is bounded by `timeout`; all members are killed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
CTL=(timeout 30 etcdctl --command-timeout=10s --dial-timeout=3s)
checks_failed=0

step_no=0
# step NAME [--sort] -- COMMAND...: records COMMAND's normalised output and exit code.
step() {
  local name=$1 sort=cat; shift
  [ "$1" = --sort ] && { sort="env LC_ALL=C sort"; shift; }
  [ "$1" = -- ] && shift
  step_no=$((step_no + 1))
  local file; file=$(printf '%s/%02d-%s' "$out" "$step_no" "$name")
  { "$@" 2>&1; echo "exit=$?"; } >"$file.raw" || true
  grep -v '^ETCD_INITIAL_CLUSTER' "$file.raw" | python3 "$here/../cluster/normalise.py" "$out/map.json" |
    sed -E 's/\b[0-9a-f]{12,16}\b/NEWID/g; s/  +/ /g' | $sort >"$file"
}
member_id() { # the hex ID of the member whose peer URL is $1
  "${CTL[@]}" --endpoints "${E[0]}" member list -w json | python3 -c '
import json, sys
found = [m["ID"] for m in json.load(sys.stdin)["members"] if sys.argv[1] in m.get("peerURLs", [])]
if not found: sys.exit("no member with peer URL %s" % sys.argv[1])
print("%x" % found[0])' "$1"
}
# join LABEL-INDEX BINARY NAME CLIENT PEER INITIAL_CLUSTER: starts a member that joins.
join() {
  local dir=$1 binary=$2 name=$3 client=$4 peer=$5 initial=$6
  printf '%s\0' "$binary" --name "$name" --data-dir "$INTEROP_WORK/$dir" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$initial" --initial-cluster-state existing >"$INTEROP_WORK/$dir.args"
  launch_cluster_member "${dir%-*}" "${dir##*-}"
}
count_on() { # ENDPOINT PREFIX: the number of keys under PREFIX, read serializably
  "${CTL[@]}" --endpoints "$1" get "$2" --prefix --consistency=s -w json |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("count", 0))'
}
# refused_join NAME INITIAL_CLUSTER: a join that must fail; prints etcd's reason if the log has it.
refused_join() {
  local name=$1 initial=$2 client peer log
  client=$(free_port); peer=$(free_port); log="$INTEROP_WORK/$label-refused-$name.log"
  timeout 30 "$binary" --name "$name" --data-dir "$INTEROP_WORK/$label-refused-$name" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$initial${initial:+,}$name=http://127.0.0.1:$peer" --initial-cluster-state existing \
    >"$log" 2>&1 && echo "started" || echo "refused"
  grep -oE 'member count is unequal|PeerURLs: no match found for existing member|cannot fetch cluster info from peer urls' "$log" | head -1
}

run_scenario() { # LABEL BINARY
  label=$1; binary=$2
  local i
  out="$INTEROP_WORK/out-$label"; mkdir -p "$out"; step_no=0
  echo "== $label: $binary"
  start_cluster "$label" "$binary" 3
  # etcd's strict reconfiguration check wants every peer connected for its health interval (5 s).
  sleep 6
  E=(); for i in 0 1 2; do E+=("127.0.0.1:${CLUSTER_PORTS[$i]}"); done
  local members; members=$("${CTL[@]}" --endpoints "${E[0]}" member list -w json)
  local client3 peer3; client3=$(free_port); peer3=$(free_port)
  python3 - "$members" "${CLUSTER_PORTS[@]}" "${CLUSTER_PEER_PORTS[@]}" "$client3" "$peer3" >"$out/map.json" <<'PY'
import json, sys
members = json.loads(sys.argv[1]); p = sys.argv[2:]
ids = {str(m["ID"]): m["name"] for m in members["members"]}
ids[str(members["header"]["cluster_id"])] = "CLUSTER"
ports = {p[i]: "CLIENT%d" % i for i in range(3)}
ports.update({p[3 + i]: "PEER%d" % i for i in range(3)})
ports.update({p[6]: "CLIENT3", p[7]: "PEER3"})
print(json.dumps({"ids": ids, "ports": ports}))
PY
  for i in $(seq 1 40); do "${CTL[@]}" --endpoints "${E[0]}" put "seed/$i" "v$i" >/dev/null; done

  # A learner joins, catches up, and is promoted.
  local added initial
  added=$("${CTL[@]}" --endpoints "${E[0]}" member add m3 --learner --peer-urls="http://127.0.0.1:$peer3")
  initial=$(sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p' <<<"$added")
  join "$label-3" "$binary" m3 "$client3" "$peer3" "$initial"
  local L="127.0.0.1:$client3"
  check "the learner catches up" until_ok 30 "[ \"\$(count_on $L seed/)\" = 40 ]"
  step learner-serializable-get -- "${CTL[@]}" --endpoints "$L" get seed/1 --consistency=s
  step learner-put -- "${CTL[@]}" --endpoints "$L" put on/learner x
  step learner-linearizable-get -- timeout 30 etcdctl --command-timeout=2s --endpoints "$L" get seed/1
  step list-with-learner --sort -- "${CTL[@]}" --endpoints "${E[1]}" member list
  local learner; learner=$(member_id "http://127.0.0.1:$peer3")
  local leader; leader=$("${CTL[@]}" --endpoints "${E[0]}" endpoint status -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["leader"])')
  local follower=""
  for i in 0 1 2; do
    if ! "${CTL[@]}" --endpoints "${E[$i]}" endpoint status -w json | grep -q "\"member_id\":$leader,"; then follower=${E[$i]}; break; fi
  done
  step promote-through-follower -- "${CTL[@]}" --endpoints "$follower" member promote "$learner"
  step promote-again -- "${CTL[@]}" --endpoints "$follower" member promote "$learner"
  step list-after-promote --sort -- "${CTL[@]}" --endpoints "${E[2]}" member list
  check "the promoted member takes writes" until_ok 20 "${CTL[*]} --endpoints $L put on/promoted yes"
  step promoted-get -- "${CTL[@]}" --endpoints "$L" get on/promoted

  # m2 is replaced under a write load.
  local acked="$INTEROP_WORK/$label-acked"; : >"$acked"
  ( n=0; while [ ! -e "$INTEROP_WORK/$label-stop" ]; do
      n=$((n + 1))
      if timeout 10 etcdctl --command-timeout=3s --endpoints "${E[0]},${E[1]}" put "load/$n" "$n" >/dev/null 2>&1; then echo "$n" >>"$acked"; fi
    done ) &
  local writer=$!
  local m2_hex; m2_hex=$(member_id "http://127.0.0.1:${CLUSTER_PEER_PORTS[2]}")
  local m2_pid; m2_pid=$(cat "$INTEROP_WORK/$label-2.pid")
  step remove-m2 -- "${CTL[@]}" --endpoints "${E[0]}" member remove "$m2_hex"
  check "removed m2 exits on its own" until_ok 20 "! kill -0 $m2_pid"
  rm -rf "$INTEROP_WORK/$label-2"
  sleep 6
  added=$("${CTL[@]}" --endpoints "${E[0]}" member add m2 --peer-urls="http://127.0.0.1:${CLUSTER_PEER_PORTS[2]}")
  initial=$(sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p' <<<"$added")
  join "$label-2" "$binary" m2 "${CLUSTER_PORTS[2]}" "${CLUSTER_PEER_PORTS[2]}" "$initial"
  check "the replacement m2 becomes healthy" wait_cluster_healthy "${E[2]}" 30
  sleep 1
  touch "$INTEROP_WORK/$label-stop"; wait "$writer" || true
  local written; written=$(wc -l <"$acked")
  echo "$label: $written writes acknowledged during the replacement"
  check "the load was acknowledged" test "$written" -gt 0
  for i in 0 1 2; do
    check "every acknowledged write is on member $i" until_ok 20 "[ \"\$(count_on ${E[$i]} load/)\" -ge $written ]"
  done
  check "every acknowledged write is on m3" until_ok 20 "[ \"\$(count_on $L load/)\" -ge $written ]"
  step list-after-replace --sort -- "${CTL[@]}" --endpoints "${E[2]}" member list
  step seed-on-replacement -- "${CTL[@]}" --endpoints "${E[2]}" get seed/ --prefix --keys-only --consistency=s

  # Joins whose flags do not describe the cluster.
  local urls; urls=$(IFS=,; for i in 0 1 2; do printf '%s\n' "m$i=http://127.0.0.1:${CLUSTER_PEER_PORTS[$i]}"; done | paste -sd,)
  step join-count-unequal -- refused_join m8 "m0=http://127.0.0.1:${CLUSTER_PEER_PORTS[0]}"
  step join-unmatched-urls -- refused_join m8 "$urls"
  step join-nobody-answers -- refused_join m8 "m0=http://127.0.0.1:$(free_port)"

  stop_cluster "$label" 4
}

run_scenario reference "$REFERENCE_BIN"
run_scenario subject "$SERVER_BIN"

different=0; count=0
for file in "$INTEROP_WORK"/out-reference/[0-9]*; do
  case $file in *.raw) continue ;; esac
  count=$((count + 1))
  other="$INTEROP_WORK/out-subject/$(basename "$file")"
  if ! diff -u "$file" "$other" >"$INTEROP_WORK/diff.txt"; then
    different=$((different + 1)); echo "DIFFERENT: $(basename "$file")"; cat "$INTEROP_WORK/diff.txt"
  fi
done
if [ "${JOIN_KEEP:-0}" = 1 ]; then cp -r "$INTEROP_WORK"/out-* /tmp/ && echo "kept in /tmp/out-*"; fi
echo "$count steps compared, $different different, $checks_failed checks failed"
[ "$different" -eq 0 ] && [ "$checks_failed" -eq 0 ] && [ "$count" -gt 0 ]
