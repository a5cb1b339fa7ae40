#!/usr/bin/env bash
# Membership test: a 3-member cluster of REFERENCE_BIN (real etcd) and one of SERVER_BIN get the
# same etcdctl script of membership changes, and the outputs (normalised by
# ../cluster/normalise.py; IDs of members added here become NEWID) must be identical:
# a learner added for a peer URL nobody serves, a duplicate peer URL refused, the learner's peer
# URLs updated, a promotion of a learner that never caught up refused, the learner removed, an
# unknown member refused, a follower removed (its process must exit on its own, as etcd's does),
# writes and reads on the two left, the leader removed (it exits too; the last member leads), a
# second voter added for the lone member (etcd's exception), and a third refused by the strict
# reconfiguration check.
#
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd), MEMBERSHIP_KEEP=1 keeps
# the per-step outputs. Every command is bounded by `timeout`; all members are killed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
CTL=(timeout 30 etcdctl --command-timeout=10s --dial-timeout=3s)
checks_failed=0

step_no=0
# step NAME [--sort] [--no-learner-column] -- COMMAND...: records COMMAND's normalised output and
# exit code. --sort: member lists come in ID order, and added IDs differ between the clusters.
step() {
  local name=$1 sort=cat filter=cat; shift
  [ "$1" = --sort ] && { sort="env LC_ALL=C sort"; shift; }
  [ "$1" = --no-learner-column ] && { filter="cut -d, -f1-5"; shift; }
  [ "$1" = -- ] && shift
  step_no=$((step_no + 1))
  local file; file=$(printf '%s/%02d-%s' "$out" "$step_no" "$name")
  { "$@" 2>&1; echo "exit=$?"; } >"$file.raw" || true
  # The initial-cluster line lists members in ID order, and new IDs differ between runs.
  # etcdctl pads hex IDs to 16 characters: squeeze the padding.
  grep -v '^ETCD_INITIAL_CLUSTER=' "$file.raw" | python3 "$here/../cluster/normalise.py" "$out/map.json" |
    sed -E 's/\b[0-9a-f]{12,16}\b/NEWID/g; s/  +/ /g' | $filter | $sort >"$file"
}
learner_id() { # the hex ID of the member whose peer URL is $1
  "${CTL[@]}" --endpoints "${E[0]}" member list -w json | python3 -c '
import json, sys
members = json.load(sys.stdin)["members"]
found = [m["ID"] for m in members if sys.argv[1] in m.get("peerURLs", [])]
if not found: sys.exit("no member with peer URL %s in %s" % (sys.argv[1], members))
print("%x" % found[0])' "$1"
}

run_scenario() { # LABEL BINARY
  label=$1; local binary=$2 i
  out="$INTEROP_WORK/out-$label"; mkdir -p "$out"; step_no=0
  echo "== $label: $binary"
  start_cluster "$label" "$binary" 3
  # etcd's strict reconfiguration check wants every peer connected for its health interval (5 s).
  sleep 6
  E=(); for i in 0 1 2; do E+=("127.0.0.1:${CLUSTER_PORTS[$i]}"); done
  local members; members=$("${CTL[@]}" --endpoints "${E[0]}" member list -w json)
  local new1 new2 new3 new4
  new1=$(free_port); new2=$(free_port); new3=$(free_port); new4=$(free_port)
  python3 - "$members" "${CLUSTER_PORTS[@]}" "${CLUSTER_PEER_PORTS[@]}" "$new1" "$new2" "$new3" "$new4" >"$out/map.json" <<'PY'
import json, sys
members = json.loads(sys.argv[1]); p = sys.argv[2:]
ids = {str(m["ID"]): m["name"] for m in members["members"]}
ids[str(members["header"]["cluster_id"])] = "CLUSTER"
ports = {p[i]: "CLIENT%d" % i for i in range(3)}
ports.update({p[3 + i]: "PEER%d" % i for i in range(3)})
ports.update({p[6 + i]: "NEWPEER%d" % i for i in range(4)})
print(json.dumps({"ids": ids, "ports": ports}))
PY
  local m0_hex; m0_hex=$(python3 -c 'import json,sys; print("%x" % [m["ID"] for m in json.loads(sys.argv[1])["members"] if m["name"]=="m0"][0])' "$members")
  # m0 leads, so the member removed below is a follower in both clusters.
  "${CTL[@]}" --endpoints "$CLUSTER_ENDPOINTS" move-leader "$m0_hex" >/dev/null 2>&1 || true
  local m0_dec; m0_dec=$(python3 -c 'import json,sys; print([m["ID"] for m in json.loads(sys.argv[1])["members"] if m["name"]=="m0"][0])' "$members")
  check "m0 leads" until_ok 15 "etcdctl --endpoints ${E[0]} endpoint status -w json | grep -q '\"leader\":$m0_dec'"
  local m2_hex; m2_hex=$(python3 -c 'import json,sys; print("%x" % [m["ID"] for m in json.loads(sys.argv[1])["members"] if m["name"]=="m2"][0])' "$members")

  step add-learner -- "${CTL[@]}" --endpoints "${E[0]}" member add learner1 --learner --peer-urls="http://127.0.0.1:$new1"
  step add-duplicate-url -- "${CTL[@]}" --endpoints "${E[1]}" member add again --peer-urls="http://127.0.0.1:$new4,http://127.0.0.1:$new1"
  step add-existing-member-url -- "${CTL[@]}" --endpoints "${E[1]}" member add again --peer-urls="http://127.0.0.1:${CLUSTER_PEER_PORTS[1]}"
  step list-with-learner --sort -- "${CTL[@]}" --endpoints "${E[2]}" member list
  local learner; learner=$(learner_id "http://127.0.0.1:$new1")
  step update-learner -- "${CTL[@]}" --endpoints "${E[1]}" member update "$learner" --peer-urls="http://127.0.0.1:$new2"
  step update-to-taken-url -- "${CTL[@]}" --endpoints "${E[1]}" member update "$learner" --peer-urls="http://127.0.0.1:${CLUSTER_PEER_PORTS[0]}"
  step update-unknown -- "${CTL[@]}" --endpoints "${E[1]}" member update 1234abcd --peer-urls="http://127.0.0.1:$new3"
  # etcd 3.4 marks an updated learner a voter in its member list (raft keeps it a learner;
  # 3.5 fixed the list): swift-etcd keeps it a learner, as 3.5 does, so that column is not compared.
  step list-after-update --sort --no-learner-column -- "${CTL[@]}" --endpoints "${E[0]}" member list
  step promote-voter -- "${CTL[@]}" --endpoints "${E[0]}" member promote "$m2_hex"
  step remove-learner -- "${CTL[@]}" --endpoints "${E[2]}" member remove "$learner"
  step remove-learner-again -- "${CTL[@]}" --endpoints "${E[2]}" member remove "$learner"
  step remove-unknown -- "${CTL[@]}" --endpoints "${E[2]}" member remove 1234abcd

  local m2_pid; m2_pid=$(cat "$INTEROP_WORK/$label-2.pid")
  step remove-m2 -- "${CTL[@]}" --endpoints "${E[0]}" member remove "$m2_hex"
  check "removed m2 exits on its own" until_ok 20 "! kill -0 $m2_pid"
  step list-after-remove --sort -- "${CTL[@]}" --endpoints "${E[1]}" member list
  step put-after-remove -- "${CTL[@]}" --endpoints "${E[0]},${E[1]}" put after/remove yes
  step get-after-remove -- "${CTL[@]}" --endpoints "${E[1]}" get after/remove
  step health-after-remove -- "${CTL[@]}" --endpoints "${E[0]}" endpoint health
  # The leader (m0) removed: it hands over (swift-etcd) or leads on until it stops (etcd 3.4);
  # m1 is left alone and leads.
  local m0_pid; m0_pid=$(cat "$INTEROP_WORK/$label-0.pid")
  step remove-leader -- "${CTL[@]}" --endpoints "${E[1]}" member remove "$m0_hex"
  check "removed leader m0 exits on its own" until_ok 20 "! kill -0 $m0_pid"
  # etcd 3.4 answers a put right after "request timed out, possibly due to previous leader
  # failure" until m1 has won its election; swift-etcd's hand-over makes it work at once.
  check "a put on m1 succeeds after the leader's removal" until_ok 15 "etcdctl --endpoints ${E[1]} put after/leader yes"
  step get-after-leader-removed -- "${CTL[@]}" --endpoints "${E[1]}" get after/ --prefix
  # A second voter for a lone member is allowed (then no quorum until it starts); a third is not.
  step add-voter -- "${CTL[@]}" --endpoints "${E[1]}" member add voter3 --peer-urls="http://127.0.0.1:$new3"
  step add-voter-no-quorum -- "${CTL[@]}" --endpoints "${E[1]}" member add voter4 --peer-urls="http://127.0.0.1:$new4"
  step list-final --sort -- "${CTL[@]}" --endpoints "${E[1]}" member list
  step get-final -- "${CTL[@]}" --endpoints "${E[1]}" get after/ --prefix --consistency=s

  kill -TERM "$(cat "$INTEROP_WORK/$label-1.pid")" 2>/dev/null || true
  local pid; pid=$(cat "$INTEROP_WORK/$label-1.pid")
  until_ok 20 "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
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
if [ "${MEMBERSHIP_KEEP:-0}" = 1 ]; then cp -r "$INTEROP_WORK"/out-* /tmp/ && echo "kept in /tmp/out-*"; fi
echo "$count steps compared, $different different, $checks_failed checks failed"
[ "$different" -eq 0 ] && [ "$checks_failed" -eq 0 ] && [ "$count" -gt 0 ]
