#!/usr/bin/env bash
# Auth and RBAC: the same etcdctl script against one member of REFERENCE_BIN (real etcd) and of
# SERVER_BIN, transcripts (output, error line, exit code of every command) compared line by line:
# user/role/permission management, auth enable, permitted and denied KV, txn, watch, lease and
# maintenance operations, wrong passwords, forged tokens, deleted users, invalid management,
# and auth disable restoring open access.
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3

# run LABEL PORT: the script; every command's transcript goes to $INTEROP_WORK/LABEL.transcript.
run() {
  local label=$1 port=$2 out=$INTEROP_WORK/$1.transcript
  # c ARGS...: one etcdctl command; stdout, etcdctl's "Error:" line (not its retry logging), exit code.
  c() {
    local stdout stderr rc
    stdout=$(timeout 20 etcdctl --endpoints "127.0.0.1:$port" --dial-timeout=3s --command-timeout=5s "$@" 2>"$INTEROP_WORK/err") && rc=0 || rc=$?
    stderr=$(grep -E '^Error:' "$INTEROP_WORK/err" || true)
    { echo "\$ etcdctl $*"; [ -n "$stdout" ] && echo "$stdout"; [ -n "$stderr" ] && echo "$stderr"; echo "rc=$rc"; } >>"$out"
  }
  # w ARGS...: a watch as USER that must end at once (denied) or print one event within 3 s.
  w() {
    local stdout rc
    stdout=$(timeout 3 etcdctl --endpoints "127.0.0.1:$port" --dial-timeout=3s "$@" 2>&1 | grep -v '"level"') && rc=0 || rc=$?
    { echo "\$ etcdctl $* (watch)"; echo "$stdout"; } >>"$out"
  }
  local root=(--user root:rootpw) alice=(--user alice:alicepw)
  c user add root:rootpw
  c user add root:again
  c role add root
  c user grant-role root root
  c user add alice:alicepw
  c user add bob --no-password
  c role add rw-foo
  c role add rw-foo
  c role grant-permission rw-foo readwrite foo --prefix
  c role add ro-bar
  c role grant-permission ro-bar read bar
  c role grant-permission ro-bar write zz --from-key
  c role grant-permission nosuch read x
  c user grant-role alice rw-foo
  c user grant-role alice ro-bar
  c user grant-role alice nosuch
  c put bar barvalue
  c auth enable
  # Permitted and denied operations.
  c put foo1 v1
  c "${alice[@]}" put foo1 v1
  c "${alice[@]}" put foo2 v2 --prev-kv
  c "${alice[@]}" get foo --prefix
  c "${alice[@]}" get bar
  c "${alice[@]}" put bar x
  c "${alice[@]}" get b --prefix
  c "${alice[@]}" get "" --from-key
  c "${alice[@]}" put zzz x
  c "${alice[@]}" get zzz
  c "${alice[@]}" del foo2 --prev-kv
  c "${alice[@]}" del bar
  c --user alice:wrong get foo1
  c --user nobody:pw get foo1
  c --user bob: get foo1
  c "${alice[@]}" user list
  c "${alice[@]}" user get alice
  c "${alice[@]}" user get root
  c "${alice[@]}" role get rw-foo
  c "${alice[@]}" role get root
  c "${alice[@]}" role add newrole
  c "${alice[@]}" auth disable
  c "${alice[@]}" snapshot save "$INTEROP_WORK/$label.snap.db"
  c "${alice[@]}" defrag
  c "${alice[@]}" endpoint hashkv
  c "${alice[@]}" member add m2 --peer-urls=http://127.0.0.1:1
  c "${root[@]}" defrag
  c "${root[@]}" get foo --prefix
  c "${root[@]}" user list
  c "${root[@]}" role list
  c "${root[@]}" user get alice
  c "${root[@]}" role get ro-bar
  # Invalid management.
  c "${root[@]}" user delete root
  c "${root[@]}" user revoke-role root root
  c "${root[@]}" role delete root
  c "${root[@]}" user revoke-role alice nosuch
  c "${root[@]}" role revoke-permission rw-foo nope
  c "${root[@]}" user delete ghost
  c "${root[@]}" role delete ghost
  # Txn: every compare and op checked.
  printf 'value("foo1") = "v1"\n\nput foo3 v3\n\nput foo4 v4\n\n' >"$INTEROP_WORK/txn-ok"
  printf 'value("bar") = "barvalue"\n\nput foo5 v5\n\nput foo6 v6\n\n' >"$INTEROP_WORK/txn-read-compare"
  printf 'value("foo1") = "v1"\n\nput foo7 v7\n\nput secret x\n\n' >"$INTEROP_WORK/txn-denied"
  c "${alice[@]}" txn <"$INTEROP_WORK/txn-ok"
  c "${alice[@]}" txn <"$INTEROP_WORK/txn-read-compare"
  c "${alice[@]}" txn <"$INTEROP_WORK/txn-denied"
  c "${root[@]}" get foo7
  # Leases: revoking one attached to a key the user may not write is denied.
  local lease
  lease=$(etcdctl --endpoints "127.0.0.1:$port" "${root[@]}" lease grant 100 | awk '{print $2}')
  c "${root[@]}" put secret s --lease="$lease"
  c "${alice[@]}" lease revoke "$lease"
  c "${alice[@]}" put foo8 x --lease="$lease"
  c "${root[@]}" get secret
  # Watch: a key the user may not read is cancelled by the server.
  w "${alice[@]}" watch secret
  (sleep 1; etcdctl --endpoints "127.0.0.1:$port" "${root[@]}" put foo9 nine >/dev/null) &
  w "${alice[@]}" watch foo9
  wait
  # A deleted user's and a changed password's sessions end.
  c "${root[@]}" user passwd alice --interactive=false <<<'newpw'
  c "${alice[@]}" get foo1
  c --user alice:newpw get foo1
  c "${root[@]}" user delete alice
  c --user alice:newpw get foo1
  c "${root[@]}" role revoke-permission ro-bar bar
  c "${root[@]}" role get ro-bar
  c "${root[@]}" role delete rw-foo
  c "${root[@]}" auth disable
  c get foo1
  c put after-disable ok
  c user list
}

# brute_force LABEL PORT: with auth on, loops of wrong-password logins must not stall another
# client: bcrypt runs on its own threads, not on the event loops.
brute_force() {
  local label=$1 port=$2 loops=() pid started elapsed
  local ctl=(timeout 20 etcdctl --endpoints "127.0.0.1:$port" --dial-timeout=3s --command-timeout=5s)
  "${ctl[@]}" --user root:rootpw auth enable >/dev/null 2>&1 || "${ctl[@]}" auth enable >/dev/null
  for _ in 1 2 3 4; do
    (for _ in $(seq 1 10); do "${ctl[@]}" --user root:wrong get x >/dev/null 2>&1 || true; done) &
    loops+=("$!")
  done
  sleep 1
  started=$(date +%s%N)
  "${ctl[@]}" endpoint status >/dev/null
  elapsed=$((($(date +%s%N) - started) / 1000000))
  for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ "$elapsed" -lt 2000 ]; then
    echo "ok    auth: $label answered another client in ${elapsed} ms during a wrong-password loop"
  else
    echo "FAIL  auth: $label took ${elapsed} ms to answer another client during a wrong-password loop"
    failures=$((failures + 1))
  fi
}
failures=0

ref_port=$(start_member reference "$REFERENCE_BIN")
run reference "$ref_port"
srv_port=$(start_member server "$SERVER_BIN")
run server "$srv_port"
brute_force reference "$ref_port"
brute_force server "$srv_port"

# Ports, lease IDs and the per-run paths differ by design.
for label in reference server; do
  sed -E -e "s/$label\.snap/LABEL.snap/" -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
    -e 's/(--lease=|lease revoke )[0-9a-f]+/\1LEASE/' "$INTEROP_WORK/$label.transcript" >"$INTEROP_WORK/$label.normalised"
done
if diff -u "$INTEROP_WORK/reference.normalised" "$INTEROP_WORK/server.normalised"; then
  echo "ok    auth: $(grep -c '^\$ ' "$INTEROP_WORK/server.transcript") etcdctl commands give the same output and exit codes"
else
  echo "FAIL  auth: transcripts differ (- real etcd, + server under test)"
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
