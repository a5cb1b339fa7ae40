#!/usr/bin/env bash
# etcd's JSON gateway (grpc-gateway) on the client port, differential against real etcd 3.4.23:
# the same curl requests, in the same order, to a fresh member of each; every reply's status,
# headers, trailers and JSON body must match after compare.py's normalisation (member and
# cluster IDs, terms, sizes, hashes, tokens and the release differ legitimately). Covers KV,
# leases, watch and keep-alive streams, cluster, maintenance, election, auth with the
# Authorization header, the /v3beta prefix, and bad input (malformed JSON, wrong types, unknown
# routes, wrong methods, missing and oversized bodies), which must change nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
ETCD_BIN=${ETCD_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
failures=0
checks=0

real=$(start_member real "$ETCD_BIN")
ours=$(start_member ours "$SERVER_BIN")

# reply PORT PATH BODY [curl flags...]: the normalised reply; BODY "-" sends none (a GET unless
# the flags say otherwise). Streams end when curl's 2 s limit cuts them.
reply() {
  local port=$1 path=$2 body=$3; shift 3
  local data=()
  [ "$body" = "-" ] || data=(--data-binary "$body")
  { curl -si -m 2 "$@" "${data[@]}" "http://127.0.0.1:$port$path" || true; } | python3 "$here/compare.py"
}

# same DESCRIPTION PATH BODY [curl flags...] [-- KEY]: both servers must answer alike; after
# "--", the server under test may add KEY at the top of the body where etcd 3.4 has none.
same() {
  local description=$1; shift
  local theirs mine flags=() extra=""
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then extra=$2; break; fi
    flags+=("$1"); shift
  done
  # Both at once: each server's state depends only on its own requests.
  reply "$real" "${flags[@]}" >"$INTEROP_WORK/theirs" &
  local pid=$!
  mine=$(reply "$ours" "${flags[@]}")
  wait "$pid"
  theirs=$(cat "$INTEROP_WORK/theirs")
  if [ -n "$extra" ]; then
    mine=$(python3 -c '
import json, sys
key = sys.argv[1]
for line in sys.stdin.read().split("\n"):
    try:
        value = json.loads(line)
    except ValueError:
        print(line); continue
    if isinstance(value, dict): value.pop(key, None)
    print(json.dumps(value, sort_keys=True))' "$extra" <<<"$mine")
  fi
  checks=$((checks + 1))
  if [ "$theirs" == "$mine" ]; then
    echo "ok    $description"
  else
    echo "FAIL  $description"
    diff <(echo "$theirs") <(echo "$mine") | sed 's/^/      /' || true
    failures=$((failures + 1))
  fi
}

b64() { printf '%s' "$1" | base64 -w0; }
foo=$(b64 foo); bar=$(b64 bar); zero=$(b64 0)

# ---- KV
same "put" /v3/kv/put "{\"key\":\"$foo\",\"value\":\"$bar\"}"
same "put with prev_kv" /v3/kv/put "{\"key\":\"$foo\",\"value\":\"$(b64 baz)\",\"prev_kv\":true}"
same "put a second key" /v3/kv/put "{\"key\":\"$(b64 foo2)\",\"value\":\"$bar\"}"
same "range one key" /v3/kv/range "{\"key\":\"$foo\"}"
same "range a prefix, sorted descending by key" /v3/kv/range \
  "{\"key\":\"$foo\",\"range_end\":\"$(b64 fop)\",\"sort_order\":\"DESCEND\",\"sort_target\":\"KEY\"}"
same "range with camelCase names and a quoted limit" /v3/kv/range \
  "{\"key\":\"$foo\",\"rangeEnd\":\"$(b64 fop)\",\"limit\":\"1\",\"keysOnly\":true}"
same "range count only" /v3/kv/range "{\"key\":\"$zero\",\"range_end\":\"$zero\",\"count_only\":true}"
same "range at an old revision" /v3/kv/range "{\"key\":\"$foo\",\"revision\":2}"
same "range a future revision" /v3/kv/range "{\"key\":\"$foo\",\"revision\":\"100\"}"
same "txn that succeeds" /v3/kv/txn \
  "{\"compare\":[{\"target\":\"VERSION\",\"key\":\"$foo\",\"result\":\"GREATER\",\"version\":\"0\"}],\"success\":[{\"request_range\":{\"key\":\"$foo\"}},{\"request_put\":{\"key\":\"$(b64 t)\",\"value\":\"$bar\"}}],\"failure\":[]}"
same "txn that fails" /v3/kv/txn \
  "{\"compare\":[{\"target\":\"CREATE\",\"key\":\"$foo\",\"create_revision\":\"0\"}],\"success\":[{\"request_put\":{\"key\":\"$foo\"}}],\"failure\":[{\"request_delete_range\":{\"key\":\"$(b64 t)\",\"prev_kv\":true}}]}"
same "txn with etcd's old malformed form" /v3/kv/txn \
  "{\"compare\":[{\"result\":0,\"target\":1,\"key\":\"$foo\",\"TargetUnion\":null}],\"success\":[{\"Request\":{\"RequestPut\":{\"key\":\"$foo\"}}}]}"
same "delete a range with prev_kvs" /v3/kv/deleterange "{\"key\":\"$(b64 foo2)\",\"prev_kv\":true}"
same "compact" /v3/kv/compaction "{\"revision\":\"3\",\"physical\":true}"
same "range a compacted revision" /v3/kv/range "{\"key\":\"$foo\",\"revision\":2}"

# ---- Leases (a chosen ID, so both servers' IDs agree)
same "lease grant" /v3/lease/grant '{"ID":1000,"TTL":"60"}'
same "lease grant of a taken ID" /v3/lease/grant '{"ID":"1000","TTL":60}'
same "put on the lease" /v3/kv/put "{\"key\":\"$(b64 leased)\",\"value\":\"$bar\",\"lease\":\"1000\"}"
same "time to live with keys" /v3/lease/timetolive '{"ID":"1000","keys":true}'
same "time to live, old path" /v3/kv/lease/timetolive '{"ID":"1000"}'
same "time to live of no lease" /v3/lease/timetolive '{"ID":"4242"}'
same "leases" /v3/lease/leases '{}'
same "leases, old path" /v3/kv/lease/leases '{}'
same "keep-alive stream" /v3/lease/keepalive '{"ID":"1000"}'
same "revoke" /v3/lease/revoke '{"ID":"1000"}'
same "revoke again, old path" /v3/kv/lease/revoke '{"ID":"1000"}'

# ---- Watch (newline-delimited results)
same "watch from revision 1 with prev_kv" /v3/watch \
  "{\"create_request\":{\"key\":\"$foo\",\"range_end\":\"$(b64 fop)\",\"start_revision\":\"4\",\"prev_kv\":true}}"
same "watch with filters" /v3/watch \
  "{\"create_request\":{\"key\":\"$zero\",\"range_end\":\"$zero\",\"start_revision\":4,\"filters\":[\"NODELETE\",0]}}"
same "watch of a compacted revision" /v3/watch "{\"create_request\":{\"key\":\"$foo\",\"start_revision\":1}}"
same "watch: two requests, the second a cancel" /v3/watch \
  "{\"create_request\":{\"key\":\"$foo\",\"watch_id\":7}} {\"cancel_request\":{\"watch_id\":7}}"
same "watch: a bad first request" /v3/watch '{"create_request":{"key":1}}'
same "watch: garbage" /v3/watch 'x'

# ---- Cluster and maintenance
same "member list" /v3/cluster/member/list '{}'
same "member remove of no member" /v3/cluster/member/remove '{"ID":"12345"}'
same "status" /v3/maintenance/status '{}'
# etcd 3.5 gives Alarm and Defragment responses a header, which etcd 3.4 leaves out; the server
# under test reports 3.5.
same "alarm list" /v3/maintenance/alarm '{"action":"GET"}' -- header
same "alarm deactivate of nothing" /v3/maintenance/alarm '{"action":"DEACTIVATE","alarm":"NOSPACE"}' -- header
same "defragment" /v3/maintenance/defragment '{}' -- header
same "hash" /v3/maintenance/hash '{}'
same "transfer leadership to no member" /v3/maintenance/transfer-leadership '{"targetID":"7"}'

# ---- Election recipes
same "election leader of nobody" /v3/election/leader "{\"name\":\"$(b64 e)\"}"
same "proclaim without a leader key" /v3/election/proclaim '{}'
same "resign without a leader key" /v3/election/resign '{}'

# ---- Auth: the token travels in the Authorization header
same "user add root" /v3/auth/user/add '{"name":"root","password":"toor"}'
same "user add without password option" /v3/auth/user/add '{"name":"nopass","options":{"no_password":true}}'
same "user add again" /v3/auth/user/add '{"name":"root","password":"x"}'
same "role add root" /v3/auth/role/add '{"name":"root"}'
same "role add reader" /v3/auth/role/add '{"name":"reader"}'
same "role grant permission" /v3/auth/role/grant \
  "{\"name\":\"reader\",\"perm\":{\"permType\":\"READ\",\"key\":\"$foo\",\"range_end\":\"$(b64 fop)\"}}"
same "role get" /v3/auth/role/get '{"role":"reader"}'
same "role list" /v3/auth/role/list '{}'
same "user grant root" /v3/auth/user/grant '{"user":"root","role":"root"}'
same "user get" /v3/auth/user/get '{"name":"root"}'
same "user list" /v3/auth/user/list '{}'
same "auth enable" /v3/auth/enable '{}'
same "put without a token" /v3/kv/put "{\"key\":\"$foo\",\"value\":\"$bar\"}"
same "authenticate with a wrong password" /v3/auth/authenticate '{"name":"root","password":"nope"}'
same "authenticate" /v3/auth/authenticate '{"name":"root","password":"toor"}'
token() { curl -s -m 2 "http://127.0.0.1:$1/v3/auth/authenticate" -d '{"name":"root","password":"toor"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
real_token=$(token "$real"); our_token=$(token "$ours")
authorised() { # DESCRIPTION PATH BODY: each server with its own token
  local description=$1 path=$2 body=$3 theirs mine
  reply "$real" "$path" "$body" -H "Authorization: $real_token" >"$INTEROP_WORK/theirs" &
  local pid=$!
  mine=$(reply "$ours" "$path" "$body" -H "Authorization: $our_token")
  wait "$pid"
  theirs=$(cat "$INTEROP_WORK/theirs")
  checks=$((checks + 1))
  if [ "$theirs" == "$mine" ]; then echo "ok    $description"
  else echo "FAIL  $description"; diff <(echo "$theirs") <(echo "$mine") | sed 's/^/      /' || true; failures=$((failures + 1)); fi
}
authorised "put with the token" /v3/kv/put "{\"key\":\"$foo\",\"value\":\"$bar\"}"
authorised "range with the token" /v3/kv/range "{\"key\":\"$foo\"}"
checks=$((checks + 1))
if [ "$(reply "$ours" /v3/kv/range "{\"key\":\"$foo\"}" -H "Grpc-Metadata-Token: $our_token")" == \
  "$(reply "$ours" /v3/kv/range "{\"key\":\"$foo\"}" -H "Authorization: $our_token")" ]; then
  echo "ok    the token in a Grpc-Metadata-Token header"
else
  echo "FAIL  the token in a Grpc-Metadata-Token header"; failures=$((failures + 1))
fi
same "put with a bad token" /v3/kv/put "{\"key\":\"$foo\",\"value\":\"$bar\"}" -H "Authorization: bogus"
authorised "auth disable" /v3/auth/disable '{}'

# ---- Prefixes, methods, preflight
same "the /v3beta prefix" /v3beta/kv/range "{\"key\":\"$foo\"}"
same "no /v3alpha prefix" /v3alpha/kv/range "{\"key\":\"$foo\"}"
same "a CORS preflight" /v3/kv/range - -X OPTIONS
same "GET on a route" /v3/kv/range -
same "PUT on a route" /v3/kv/range '{}' -X PUT
same "an unknown route" /v3/kv/nope '{}'
same "an unknown route, GET" /v3/nope -
same "a route with a trailing slash" /v3/kv/range/ '{}'

# ---- Bad input: etcd's errors, and nothing changes
snapshot() { reply "$1" /v3/kv/range "{\"key\":\"$zero\",\"range_end\":\"$zero\"}"; }
before_real=$(snapshot "$real"); before_ours=$(snapshot "$ours")
same "missing body" /v3/kv/put - -X POST
same "empty object" /v3/kv/put '{}'
same "malformed JSON" /v3/kv/put '{"key":'
same "malformed JSON: a bare word" /v3/kv/put 'key=foo'
same "not an object" /v3/kv/put '["key"]'
same "a number for bytes" /v3/kv/put '{"key":5,"value":"YmFy"}'
same "bad base64" /v3/kv/put '{"key":"Zm9","value":"YmFy"}'
same "a word for an integer" /v3/kv/put "{\"key\":\"$foo\",\"lease\":\"abc\"}"
same "a fraction for an integer" /v3/kv/put "{\"key\":\"$foo\",\"lease\":1.5}"
same "an integer too large" /v3/kv/range "{\"key\":\"$foo\",\"limit\":\"9223372036854775808\"}"
same "a string for a bool" /v3/kv/put "{\"key\":\"$foo\",\"prev_kv\":\"yes\"}"
same "an unknown enum name" /v3/kv/range "{\"key\":\"$foo\",\"sort_order\":\"SIDEWAYS\"}"
same "a number for a message" /v3/kv/txn '{"compare":5}'
same "an object for a list" /v3/kv/txn '{"success":{}}'
same "a oneof given whole" /v3/kv/txn '{"success":[{"request":{}}]}'
same "an empty request op" /v3/kv/txn '{"success":[{}]}'
same "nesting too deep for Go" /v3/kv/put "$(printf '%.0s[' $(seq 1 10001))"
same "a control character in a string" /v3/auth/user/add "$(printf '{"name":"a\001b"}')"
same "unknown fields are ignored" /v3/kv/range "{\"key\":\"$foo\",\"nonsense\":{\"deep\":[1,2]}}"
same "a bad grpc-timeout header" /v3/kv/range "{\"key\":\"$foo\"}" -H "Grpc-Timeout: soon"
huge=$(head -c 2400000 /dev/zero | base64 -w0)
printf '{"key":"%s","value":"%s"}' "$foo" "$huge" >"$INTEROP_WORK/huge.json"
same "a value over the request limit" /v3/kv/put "@$INTEROP_WORK/huge.json"
checks=$((checks + 1))
if [ "$before_real" == "$(snapshot "$real")" ] && [ "$before_ours" == "$(snapshot "$ours")" ] &&
  [ "$before_real" == "$before_ours" ]; then
  echo "ok    the bad input changed nothing on either server"
else
  echo "FAIL  the bad input changed the store"; failures=$((failures + 1))
fi

# ---- Over TLS (curl speaks HTTP/2 there), with --cipher-suites and --max-concurrent-streams
fixtures=/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures
start_tls_member() { # DIRNAME BINARY: prints the https client port
  local dir=$1 binary=$2 port peer; port=$(free_port); peer=$(free_port)
  "$binary" --name interop --data-dir "$INTEROP_WORK/$dir" \
    --listen-client-urls "https://localhost:$port" --advertise-client-urls "https://localhost:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "interop=http://127.0.0.1:$peer" --cert-file "$fixtures/server.crt" \
    --key-file "$fixtures/server.key.insecure" --cipher-suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \
    --max-concurrent-streams 2 >>"$INTEROP_WORK/$dir.log" 2>&1 &
  echo "$!" >"$INTEROP_WORK/$dir.pid"
  for _ in $(seq 1 150); do
    curl -s -m 1 --cacert "$fixtures/ca.crt" "https://localhost:$port/health" | grep -q true && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "TLS member $dir did not become healthy" >&2; tail -20 "$INTEROP_WORK/$dir.log" >&2; return 1
}
if [ -e "$fixtures/server.crt" ]; then
  real_tls=$(start_tls_member real-tls "$ETCD_BIN"); ours_tls=$(start_tls_member ours-tls "$SERVER_BIN")
  tls_reply() { # PORT PATH BODY [curl flags...]
    local port=$1 path=$2 body=$3; shift 3
    { curl -si -m 2 --cacert "$fixtures/ca.crt" "$@" --data-binary "$body" "https://localhost:$port$path" || true; } |
      python3 "$here/compare.py"
  }
  same_tls() { # DESCRIPTION PATH BODY [curl flags...]
    local description=$1 theirs mine; shift
    # Both at once, as in `same`: the stream-limit check below depends on when each runs.
    tls_reply "$real_tls" "$@" >"$INTEROP_WORK/theirs" &
    local pid=$!
    mine=$(tls_reply "$ours_tls" "$@")
    wait "$pid"
    theirs=$(cat "$INTEROP_WORK/theirs")
    checks=$((checks + 1))
    if [ "$theirs" == "$mine" ]; then echo "ok    TLS: $description"
    else echo "FAIL  TLS: $description"; diff <(echo "$theirs") <(echo "$mine") | sed 's/^/      /' || true; failures=$((failures + 1)); fi
  }
  same_tls "put over HTTP/2" /v3/kv/put "{\"key\":\"$foo\",\"value\":\"$bar\"}"
  same_tls "range over HTTP/1.1" /v3/kv/range "{\"key\":\"$foo\"}" --http1.1
  same_tls "a watch stream over HTTP/2" /v3/watch "{\"create_request\":{\"key\":\"$foo\",\"start_revision\":1}}"
  same_tls "a server error with its trailer over HTTP/2" /v3/lease/revoke '{"ID":"5"}'
  same_tls "a listed cipher suite" /v3/kv/range "{\"key\":\"$foo\"}" --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256
  same_tls "an unlisted cipher suite is refused" /v3/kv/range "{\"key\":\"$foo\"}" --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
  # The gateway's calls share one connection's stream limit: two open watches leave no room.
  for port in "$real_tls" "$ours_tls"; do
    for _ in 1 2; do
      curl -s -m 8 --cacert "$fixtures/ca.crt" "https://localhost:$port/v3/watch" -d '{"create_request":{"key":"eA=="}}' >/dev/null &
    done
  done
  sleep 2
  same_tls "a call beyond --max-concurrent-streams waits" /v3/kv/range "{\"key\":\"$foo\"}"
  wait  # for the watches, cut at 8 s
  same_tls "and goes through once the watches end" /v3/kv/range "{\"key\":\"$foo\"}"
else
  echo "FAIL  TLS checks: etcd's test certificates ($fixtures, golang-etcd-server-dev) are not installed"
  failures=$((failures + 1))
fi

# ---- etcd3gw (PyPI, installed by `make deps`), a real client of the gateway
checks=$((checks + 1))
theirs=$(timeout 60 python3 "$here/etcd3gw_calls.py" "$real" 2>&1 || true)
mine=$(timeout 60 python3 "$here/etcd3gw_calls.py" "$ours" 2>&1 || true)
if [ "$theirs" == "$mine" ] && grep -q "^members:" <<<"$mine"; then
  echo "ok    etcd3gw's basic calls ($(wc -l <<<"$mine") of them)"
else
  echo "FAIL  etcd3gw's basic calls"; diff <(echo "$theirs") <(echo "$mine") | sed 's/^/      /' || true
  failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then echo "$failures of $checks gateway checks failed"; exit 1; fi
echo "all $checks gateway checks passed"
