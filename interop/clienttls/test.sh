#!/usr/bin/env bash
# Client TLS: the same checks on one member of REFERENCE_BIN (real etcd) and of SERVER_BIN, with
# https client URLs, and then their transcripts compared line by line:
#   * --auto-tls: etcdctl --insecure-skip-tls-verify puts and gets; the self-signed pair is kept
#     in <data-dir>/fixtures/client (key mode 600) and reused by a restarted member; a client
#     that insists on verifying the certificate is refused;
#   * --auto-tls beside --cert-file/--key-file: the files win, with etcd's warning, and no pair is
#     generated;
#   * --client-crl-file with --client-cert-auth: a client certificate whose serial the CRL lists
#     is refused, another one from the same CA is served; both with a PEM CRL made here by openssl
#     and with etcd's own fixtures (a DER CRL that expired in 2021, as TestCtlV3GetRevokedCRL uses).
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd),
# FIXTURES (default etcd 3.4's integration/fixtures from golang-etcd-server-dev).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
FIXTURES=${FIXTURES:-/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
CTL=(timeout 20 etcdctl --command-timeout=5s --dial-timeout=3s)
failures=0
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then echo "ok    $label: $what"; else echo "FAIL  $label: $what"; failures=$((failures + 1)); fi
}
# record LINE: one line of this binary's transcript, compared with the other binary's at the end.
record() { echo "$1" >>"$INTEROP_WORK/$label.transcript"; }

# start_tls_member DIR BINARY [etcdctl TLS flags --] [server flags...]: a member with an https
# client URL; waits (bounded) until `endpoint health` with the etcdctl flags before `--` answers,
# and sets PORT. The command line is kept in DIR.args for restart_tls_member.
start_tls_member() {
  local dir=$1 binary=$2; shift 2
  local ctl_flags=()
  while [ "$1" != -- ]; do ctl_flags+=("$1"); shift; done
  shift
  PORT=$(free_port); local peer; peer=$(free_port)
  local args=("$binary" --name interop --data-dir "$INTEROP_WORK/$dir"
    --listen-client-urls "https://127.0.0.1:$PORT" --advertise-client-urls "https://127.0.0.1:$PORT"
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer"
    --initial-cluster "interop=http://127.0.0.1:$peer" --initial-cluster-token interop "$@")
  printf '%s\0' "${args[@]}" >"$INTEROP_WORK/$dir.args"
  printf '%s\0' "${ctl_flags[@]}" >"$INTEROP_WORK/$dir.ctl"
  echo "$PORT" >"$INTEROP_WORK/$dir.port"
  launch_tls_member "$dir"
}
launch_tls_member() {
  local dir=$1 args ctl_flags pid port
  mapfile -d '' args <"$INTEROP_WORK/$dir.args"
  mapfile -d '' ctl_flags <"$INTEROP_WORK/$dir.ctl"
  port=$(cat "$INTEROP_WORK/$dir.port")
  "${args[@]}" >>"$INTEROP_WORK/$dir.log" 2>&1 &
  pid=$!
  INTEROP_PIDS+=("$pid")
  echo "$pid" >"$INTEROP_WORK/$dir.pid"
  for _ in $(seq 1 100); do
    if timeout 3 etcdctl --dial-timeout=1s --command-timeout=2s --endpoints "https://127.0.0.1:$port" "${ctl_flags[@]}" \
      endpoint health >/dev/null 2>&1 &&
      ss -ltnpH "sport = :$port" | grep -q "pid=$pid,"; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "member $dir did not become healthy:" >&2; tail -20 "$INTEROP_WORK/$dir.log" >&2
  return 1
}
stop_tls_member() {
  local pid; pid=$(cat "$INTEROP_WORK/$1.pid")
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# ctl DIR [etcdctl flags...] -- COMMAND...: etcdctl against member DIR; prints its output, and
# "Error:" if it failed without saying so.
ctl() {
  local dir=$1; shift
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  "${CTL[@]}" --endpoints "https://127.0.0.1:$(cat "$INTEROP_WORK/$dir.port")" "${flags[@]}" "$@" 2>&1 || echo "Error: exit $?"
}
# refused OUTPUT: etcdctl failed (its own "Error:" line or our exit marker).
refused() { [[ "$1" == *"Error:"* ]]; }

make_certificates() { # a CA, a server certificate for 127.0.0.1, two client certificates, one revoked
  local dir=$INTEROP_WORK/pki
  mkdir -p "$dir/ca"
  : >"$dir/ca/index.txt"
  cat >"$dir/ca.cnf" <<CONF
[ ca ]
default_ca = local
[ local ]
database = $dir/ca/index.txt
default_md = sha256
default_crl_days = 30
[ server ]
subjectAltName = IP:127.0.0.1
extendedKeyUsage = serverAuth
[ client ]
extendedKeyUsage = clientAuth
CONF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=interop-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  local name
  for name in server good revoked; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
      -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
    local profile=client; [ $name = server ] && profile=server
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
      -extfile "$dir/ca.cnf" -extensions "$profile" -out "$dir/$name.crt" 2>/dev/null
  done
  openssl ca -config "$dir/ca.cnf" -keyfile "$dir/ca.key" -cert "$dir/ca.crt" -revoke "$dir/revoked.crt" 2>/dev/null
  openssl ca -config "$dir/ca.cnf" -keyfile "$dir/ca.key" -cert "$dir/ca.crt" -gencrl -out "$dir/revoke.crl" 2>/dev/null
}

run_scenarios() { # LABEL BINARY
  label=$1; local binary=$2 out before
  : >"$INTEROP_WORK/$label.transcript"
  # etcdctl 3.4 speaks plaintext even to https endpoints unless told --insecure-transport=false.
  local insecure=(--insecure-transport=false --insecure-skip-tls-verify)

  start_tls_member "$label-auto" "$binary" "${insecure[@]}" -- --auto-tls
  out=$(ctl "$label-auto" "${insecure[@]}" -- put foo bar); record "auto put: $out"
  check "auto-TLS put" [ "$out" = OK ]
  out=$(ctl "$label-auto" "${insecure[@]}" -- get foo); record "auto get: $out"
  check "auto-TLS get" [ "$out" = $'foo\nbar' ]
  local fixtures=$INTEROP_WORK/$label-auto/fixtures/client
  check "auto-TLS pair in fixtures/client" [ -s "$fixtures/cert.pem" ]
  check "auto-TLS key is private" [ "$(stat -c %a "$fixtures/key.pem")" = 600 ]
  record "auto subject: $(openssl x509 -in "$fixtures/cert.pem" -noout -subject)"
  record "auto SAN: $(openssl x509 -in "$fixtures/cert.pem" -noout -ext subjectAltName | tail -1 | tr -d ' ')"
  out=$(ctl "$label-auto" --insecure-transport=false -- get foo)
  record "auto verifying client refused: $(refused "$out" && echo yes || echo no)"
  check "a client verifying the self-signed certificate is refused" refused "$out"
  before=$(md5sum <"$fixtures/cert.pem")
  stop_tls_member "$label-auto"
  launch_tls_member "$label-auto"
  check "a restarted member keeps its certificate" [ "$before" = "$(md5sum <"$fixtures/cert.pem")" ]
  out=$(ctl "$label-auto" "${insecure[@]}" -- get foo --print-value-only); record "auto get after restart: $out"
  check "auto-TLS get after restart" [ "$out" = bar ]
  stop_tls_member "$label-auto"

  local pki=$INTEROP_WORK/pki verified=(--cacert "$INTEROP_WORK/pki/ca.crt")
  start_tls_member "$label-both" "$binary" "${verified[@]}" -- --auto-tls \
    --cert-file "$pki/server.crt" --key-file "$pki/server.key"
  out=$(ctl "$label-both" "${verified[@]}" -- put both yes); record "files beside auto put: $out"
  check "the certificate files win over --auto-tls" [ "$out" = OK ]
  check "etcd's warning when both are given" grep -q "ignoring client auto TLS since certs given" "$INTEROP_WORK/$label-both.log"
  check "no pair generated when files are given" [ ! -e "$INTEROP_WORK/$label-both/fixtures/client" ]
  stop_tls_member "$label-both"

  local good=(--cacert "$pki/ca.crt" --cert "$pki/good.crt" --key "$pki/good.key")
  local bad=(--cacert "$pki/ca.crt" --cert "$pki/revoked.crt" --key "$pki/revoked.key")
  start_tls_member "$label-crl" "$binary" "${good[@]}" -- --cert-file "$pki/server.crt" --key-file "$pki/server.key" \
    --trusted-ca-file "$pki/ca.crt" --client-cert-auth --client-crl-file "$pki/revoke.crl"
  out=$(ctl "$label-crl" "${bad[@]}" -- put k v)
  record "CRL revoked refused: $(refused "$out" && echo yes || echo no)"
  check "a revoked client certificate is refused" refused "$out"
  out=$(ctl "$label-crl" "${good[@]}" -- put k v); record "CRL good put: $out"
  check "another certificate of the CA is served" [ "$out" = OK ]
  stop_tls_member "$label-crl"

  local fixture_good=(--cacert "$FIXTURES/ca.crt" --cert "$FIXTURES/server.crt" --key "$FIXTURES/server.key.insecure")
  local fixture_bad=(--cacert "$FIXTURES/ca.crt" --cert "$FIXTURES/server-revoked.crt" --key "$FIXTURES/server-revoked.key.insecure")
  start_tls_member "$label-fixcrl" "$binary" "${fixture_good[@]}" -- --cert-file "$FIXTURES/server.crt" \
    --key-file "$FIXTURES/server.key.insecure" --trusted-ca-file "$FIXTURES/ca.crt" --client-cert-auth \
    --client-crl-file "$FIXTURES/revoke.crl"
  out=$(ctl "$label-fixcrl" "${fixture_bad[@]}" -- put k v)
  record "fixture CRL revoked refused: $(refused "$out" && echo yes || echo no)"
  check "etcd's fixtures: the revoked certificate is refused (expired DER CRL)" refused "$out"
  out=$(ctl "$label-fixcrl" "${fixture_good[@]}" -- put k v); record "fixture CRL good put: $out"
  check "etcd's fixtures: the other certificate is served" [ "$out" = OK ]
  stop_tls_member "$label-fixcrl"
}

make_certificates
run_scenarios reference "$REFERENCE_BIN"
run_scenarios server "$SERVER_BIN"
# The self-signed certificates' names differ only in the host list, which is the same here.
if diff "$INTEROP_WORK/reference.transcript" "$INTEROP_WORK/server.transcript"; then
  echo "ok    transcripts match"
else
  echo "FAIL  transcripts differ (< reference, > server)"; failures=$((failures + 1))
fi
echo "clienttls: $failures failures"
[ "$failures" -eq 0 ]
