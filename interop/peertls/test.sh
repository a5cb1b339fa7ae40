#!/usr/bin/env bash
# Peer TLS: the same checks on a 3-member cluster of REFERENCE_BIN (real etcd) and of SERVER_BIN,
# one after the other, with https peer URLs (start_cluster with CLUSTER_PEER_SCHEME=https):
#   * --peer-auto-tls: the cluster forms and replicates; each member keeps its self-signed pair in
#     <data-dir>/fixtures/peer (key mode 600); a member SIGKILLed and restarted keeps its
#     certificate and catches up;
#   * etcd's CA-signed fixtures (--peer-cert-file, --peer-key-file, --peer-trusted-ca-file,
#     --peer-client-cert-auth, --peer-cert-allowed-cn example.com): the cluster forms and replicates;
#   * --peer-crl-file (etcd's revoke.crl): the cluster forms; a peer connection presenting the
#     revoked certificate is refused, one presenting a valid one is served;
#   * etcd's refusals, word for word: an https peer URL without key and cert, a key without a cert.
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd),
# FIXTURES (default etcd 3.4's integration/fixtures from golang-etcd-server-dev).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
FIXTURES=${FIXTURES:-/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
CTL=(timeout 30 etcdctl --command-timeout=10s --dial-timeout=3s)
failures=0
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then echo "ok    $label: $what"; else echo "FAIL  $label: $what"; failures=$((failures + 1)); fi
}
expect() { # description, text, then a command whose combined output must contain the text
  local what=$1 text=$2; shift 2
  local output; output=$("$@" 2>&1 || true)
  if [[ "$output" == *"$text"* ]]; then echo "ok    $label: $what"
  else echo "FAIL  $label: $what: wanted '$text' in: $output"; failures=$((failures + 1)); fi
}
until_ok() { # SECONDS COMMAND...: retries COMMAND until it succeeds
  local deadline=$((SECONDS + $1)); shift
  while [ $SECONDS -lt $deadline ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
replicates() { # a put on member 0 is served by members 1 and 2
  "${CTL[@]}" --endpoints "127.0.0.1:${CLUSTER_PORTS[0]}" put "$1" "$2" >/dev/null &&
    until_ok 10 bash -c "[ \"\$(${CTL[*]} --endpoints 127.0.0.1:${CLUSTER_PORTS[1]} get $1 --print-value-only --consistency=s)\" = $2 ]" &&
    until_ok 10 bash -c "[ \"\$(${CTL[*]} --endpoints 127.0.0.1:${CLUSTER_PORTS[2]} get $1 --print-value-only --consistency=s)\" = $2 ]"
}
fixtures_kept() { # NAME: every member has cert.pem and a private key.pem under fixtures/peer
  local i
  for i in 0 1 2; do
    [ -s "$INTEROP_WORK/$1-$i/fixtures/peer/cert.pem" ] &&
      [ "$(stat -c %a "$INTEROP_WORK/$1-$i/fixtures/peer/key.pem")" = 600 ] || return 1
  done
}

run_scenarios() { # LABEL BINARY
  label=$1; local binary=$2 before
  CLUSTER_PEER_SCHEME=https start_cluster "$label-auto" "$binary" 3 --peer-auto-tls
  check "auto-TLS cluster replicates" replicates auto one
  check "auto-TLS pairs in fixtures/peer" fixtures_kept "$label-auto"
  before=$(md5sum <"$INTEROP_WORK/$label-auto-2/fixtures/peer/cert.pem")
  local pid; pid=$(cat "$INTEROP_WORK/$label-auto-2.pid")
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  # The killed member may have led: the put is retried through the election (on a loaded machine
  # real etcd, too, answers "request timed out" meanwhile).
  check "a write while a member is down" until_ok 30 "${CTL[@]}" --endpoints "127.0.0.1:${CLUSTER_PORTS[0]}" put while-down 2
  restart_cluster_member "$label-auto" 2
  check "a restarted member catches up over TLS" until_ok 20 bash -c "[ \"\$(${CTL[*]} --endpoints 127.0.0.1:${CLUSTER_PORTS[2]} get while-down --print-value-only --consistency=s)\" = 2 ]"
  check "a restarted member keeps its certificate" [ "$before" = "$(md5sum <"$INTEROP_WORK/$label-auto-2/fixtures/peer/cert.pem")" ]
  stop_cluster "$label-auto" 3

  CLUSTER_PEER_SCHEME=https start_cluster "$label-ca" "$binary" 3 \
    --peer-cert-file "$FIXTURES/server.crt" --peer-key-file "$FIXTURES/server.key.insecure" \
    --peer-trusted-ca-file "$FIXTURES/ca.crt" --peer-client-cert-auth --peer-cert-allowed-cn example.com
  check "CA-signed cluster with client cert auth replicates" replicates signed yes
  stop_cluster "$label-ca" 3

  CLUSTER_PEER_SCHEME=https start_cluster "$label-crl" "$binary" 3 \
    --peer-cert-file "$FIXTURES/server.crt" --peer-key-file "$FIXTURES/server.key.insecure" \
    --peer-trusted-ca-file "$FIXTURES/ca.crt" --peer-client-cert-auth --peer-crl-file "$FIXTURES/revoke.crl"
  check "a cluster with --peer-crl-file replicates" replicates crl yes
  local peerVersion=(timeout 10 curl -s --http1.1 --cacert "$FIXTURES/ca.crt" "https://127.0.0.1:${CLUSTER_PEER_PORTS[0]}/version")
  check "--peer-crl-file: a peer with a valid certificate gets an HTTP answer" \
    "${peerVersion[@]}" --cert "$FIXTURES/server.crt" --key "$FIXTURES/server.key.insecure" -o /dev/null
  check "--peer-crl-file: a peer with a revoked certificate is refused" \
    bash -c "! ${peerVersion[*]} --cert $FIXTURES/server-revoked.crt --key $FIXTURES/server-revoked.key.insecure -o /dev/null"
  stop_cluster "$label-crl" 3

  local peer; peer=$(free_port)
  local single=(--name a --listen-peer-urls "https://127.0.0.1:$peer" --initial-advertise-peer-urls "https://127.0.0.1:$peer"
    --initial-cluster "a=https://127.0.0.1:$peer" --listen-client-urls "http://127.0.0.1:$(free_port)"
    --advertise-client-urls "http://127.0.0.1:$(free_port)")
  expect "an https peer URL without key and cert" \
    "cannot listen on TLS for 127.0.0.1:$peer: KeyFile and CertFile are not presented" \
    timeout 10 "$binary" --data-dir "$INTEROP_WORK/$label-nocert" "${single[@]}"
  expect "a peer key without a certificate" "KeyFile and CertFile must both be present[key: /nonexistent.key, cert: ]" \
    timeout 10 "$binary" --data-dir "$INTEROP_WORK/$label-keyonly" "${single[@]}" --peer-key-file /nonexistent.key
}

run_scenarios reference "$REFERENCE_BIN"
run_scenarios server "$SERVER_BIN"
echo "peertls: $failures failures"
[ "$failures" -eq 0 ]
