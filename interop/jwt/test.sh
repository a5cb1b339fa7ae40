#!/usr/bin/env bash
# JWT tokens across servers: real etcd (REFERENCE_BIN) and SERVER_BIN, each one member started
# with the same `--auth-token jwt,…` keys (RS256 and ES256) and the same auth history (so the
# auth revision a token carries is current on both). A token one server issues (Authenticate
# through the JSON gateway) must be accepted by the other for what the user may do, refused for
# what it may not, and both must refuse a token signed with another key. The tokens etcd issues
# are the ones an application holding an etcd token would present after a migration.
# Knobs: SERVER_BIN (required), REFERENCE_BIN (default /usr/bin/etcd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
checks_failed=0; label=jwt
keys=$INTEROP_WORK/keys; mkdir -p "$keys"
openssl genrsa -out "$keys/rsa.key" 2048 2>/dev/null
openssl rsa -in "$keys/rsa.key" -pubout -out "$keys/rsa.pub" 2>/dev/null
openssl genrsa -out "$keys/other.key" 2048 2>/dev/null
openssl rsa -in "$keys/other.key" -pubout -out "$keys/other.pub" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$keys/ec.key" 2>/dev/null
openssl ec -in "$keys/ec.key" -pubout -out "$keys/ec.pub" 2>/dev/null

b64() { printf '%s' "$1" | base64 -w0; }
# token PORT USER PASSWORD: Authenticate through the gateway.
token() {
  curl -s -X POST "http://127.0.0.1:$1/v3/auth/authenticate" -d "{\"name\":\"$2\",\"password\":\"$3\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("token", ""))'
}
# status PORT TOKEN PATH BODY: the HTTP status of a gateway call carrying TOKEN.
status() { curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$1$3" -H "Authorization: $2" -d "$4"; }
read_k() { status "$1" "$2" /v3/kv/range "{\"key\":\"$(b64 k)\"}"; }
write_k() { status "$1" "$2" /v3/kv/put "{\"key\":\"$(b64 k)\",\"value\":\"$(b64 v)\"}"; }
write_other() { status "$1" "$2" /v3/kv/put "{\"key\":\"$(b64 other)\",\"value\":\"$(b64 v)\"}"; }

setup() { # PORT: the same auth history on both
  local ctl=(etcdctl --endpoints "127.0.0.1:$1" --command-timeout=10s)
  "${ctl[@]}" user add root:rootpw >/dev/null
  "${ctl[@]}" user grant-role root root >/dev/null
  "${ctl[@]}" user add alice:alicepw >/dev/null
  "${ctl[@]}" role add kwriter >/dev/null
  "${ctl[@]}" role grant-permission kwriter readwrite k >/dev/null
  "${ctl[@]}" user grant-role alice kwriter >/dev/null
  "${ctl[@]}" auth enable >/dev/null
}

for method in RS256 ES256; do
  case $method in
    RS256) pub=$keys/rsa.pub priv=$keys/rsa.key ;;
    ES256) pub=$keys/ec.pub priv=$keys/ec.key ;;
  esac
  flag="jwt,pub-key=$pub,priv-key=$priv,sign-method=$method,ttl=5m"
  etcd=$(start_member "etcd-$method" "$REFERENCE_BIN" --auth-token "$flag")
  ours=$(start_member "ours-$method" "$SERVER_BIN" --auth-token "$flag")
  setup "$etcd"; setup "$ours"
  for pair in "etcd:$etcd:ours:$ours" "ours:$ours:etcd:$etcd"; do
    IFS=: read -r issuer from_port verifier to_port <<<"$pair"
    t=$(token "$from_port" alice alicepw)
    check "$method: $issuer issues a JWT" test -n "$t"
    check "$method: $verifier accepts $issuer's token for a permitted read ($(read_k "$to_port" "$t"))" test "$(read_k "$to_port" "$t")" = 200
    check "$method: $verifier accepts $issuer's token for a permitted write" test "$(write_k "$to_port" "$t")" = 200
    check "$method: $verifier refuses $issuer's token for a key alice may not write ($(write_other "$to_port" "$t"))" \
      test "$(write_other "$to_port" "$t")" = "$(write_other "$from_port" "$t")"
  done
  # A token signed with another key (an RS256 key nobody configured).
  forged=$(python3 - "$keys/other.key" "$(token "$etcd" alice alicepw)" <<'PY'
import base64, json, subprocess, sys
key, genuine = sys.argv[1], sys.argv[2]
header, payload = genuine.split(".")[:2]
header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "typ": "JWT"}).encode()).rstrip(b"=").decode()
signing_input = (header + "." + payload).encode()
signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input, capture_output=True).stdout
print(header + "." + payload + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode())
PY
)
  check "$method: both refuse a token signed with another key, alike ($(read_k "$etcd" "$forged") / $(read_k "$ours" "$forged"))" \
    test "$(read_k "$ours" "$forged")" = "$(read_k "$etcd" "$forged")" -a "$(read_k "$ours" "$forged")" != 200
done
echo "jwt: $checks_failed checks failed"
[ "$checks_failed" -eq 0 ]
