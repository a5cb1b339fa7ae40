#!/usr/bin/env bash
# The HTTP/1.1 endpoints on the client port, beside gRPC, against real etcd's: /health and
# /version bodies and headers, the metric families /metrics reports (same names, same TYPE),
# the mvcc operation counters under the same commands,
# etcd's answers to unknown paths and other methods, and gRPC still served on the same port.
#
# The server under test reports etcd 3.5 and real etcd here is 3.4.23, so version numbers
# differ; /health answers in etcd 3.4's form, without 3.5's reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
ETCD_BIN=${ETCD_BIN:-/usr/bin/etcd}
source "$here/../lib/servers.sh"
export ETCDCTL_API=3
failures=0
check() { # description, wanted, got
  if [[ "$2" == "$3" ]]; then echo "ok    $1"
  else echo "FAIL  $1: wanted '$2', got '$3'"; failures=$((failures + 1)); fi
}

real=$(start_member real "$ETCD_BIN")
ours=$(start_member ours "$SERVER_BIN")

# curl_reply PORT PATH [curl flags...]: the status code, the headers that matter (names lower
# case, sorted: HTTP does not order them), then the body as a Python literal (a trailing
# newline shows).
curl_reply() {
  local port=$1 path=$2; shift 2
  curl -s -m 5 -D - "$@" "http://127.0.0.1:$port$path" | python3 -c '
import sys
head, _, body = sys.stdin.buffer.read().decode().partition("\r\n\r\n")
lines = head.split("\r\n")
headers = sorted(
    name.lower() + ":" + value for name, _, value in (line.partition(":") for line in lines[1:])
    if name.lower() not in ("date", "content-length", "transfer-encoding"))
print(lines[0].split(" ")[1]); print("\n".join(headers)); print(repr(body))'
}

real_health=$(curl_reply "$real" /health)
our_health=$(curl_reply "$ours" /health)
check "/health answers 200 with etcd's headers and body" "$real_health" "$our_health"
check "/health says true, as etcd 3.4 does" "'{\"health\":\"true\"}'" "$(tail -1 <<<"$our_health")"

normalise_versions() { sed -E 's/[0-9]+\.[0-9]+\.[0-9]+/X.Y.Z/g'; }
check "/version has etcd's form and headers" \
  "$(curl_reply "$real" /version | normalise_versions)" "$(curl_reply "$ours" /version | normalise_versions)"
reported=$(timeout 10 etcdctl --endpoints "127.0.0.1:$ours" endpoint status -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["version"])')
check "/version names the release Status reports" "$reported" \
  "$(curl -s -m 5 "http://127.0.0.1:$ours/version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["etcdserver"])')"

for path in /livez /readyz /no/such/path; do
  check "$path is etcd's 404" "$(curl_reply "$real" "$path")" "$(curl_reply "$ours" "$path")"
done
for path in /health /version; do
  check "POST $path is etcd's 405" "$(curl_reply "$real" "$path" -X POST)" "$(curl_reply "$ours" "$path" -X POST)"
done

real_metrics=$(curl -s -m 5 "http://127.0.0.1:$real/metrics")
our_metrics=$(curl -s -m 5 "http://127.0.0.1:$ours/metrics")
check "/metrics content type" "$(curl -s -m 5 -o /dev/null -w '%{content_type}' "http://127.0.0.1:$real/metrics")" \
  "$(curl -s -m 5 -o /dev/null -w '%{content_type}' "http://127.0.0.1:$ours/metrics")"
# Every family the server under test reports must be one of etcd's, with etcd's type and help.
our_families=$(grep -E '^# (TYPE|HELP) ' <<<"$our_metrics")
[ -n "$our_families" ] || { echo "FAIL  /metrics reports no families"; failures=$((failures + 1)); }
while read -r line; do
  if grep -qxF -- "$line" <<<"$real_metrics"; then echo "ok    etcd has: $line"
  else echo "FAIL  etcd's /metrics lacks: $line"; failures=$((failures + 1)); fi
done <<<"$our_families"
for family in etcd_server_has_leader etcd_server_is_leader etcd_server_leader_changes_seen_total \
  etcd_server_proposals_committed_total etcd_server_proposals_applied_total etcd_server_proposals_pending \
  etcd_server_proposals_failed_total etcd_server_version etcd_mvcc_db_total_size_in_bytes \
  etcd_debugging_mvcc_keys_total process_start_time_seconds process_resident_memory_bytes process_open_fds; do
  check "$family is reported" "1" "$(grep -c "^# TYPE $family " <<<"$our_metrics" || true)"
done
check "a lone member leads" "etcd_server_has_leader 1" "$(grep '^etcd_server_has_leader ' <<<"$our_metrics")"
check "the version sample is labelled" "etcd_server_version{server_version=\"$reported\"} 1" \
  "$(grep '^etcd_server_version' <<<"$our_metrics")"

# gRPC on the same port is unaffected.
timeout 10 etcdctl --endpoints "127.0.0.1:$ours" put /http/key value >/dev/null
check "etcdctl endpoint status over gRPC" "1" \
  "$(timeout 10 etcdctl --endpoints "127.0.0.1:$ours" endpoint status -w json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
check "the key count follows a put" "etcd_debugging_mvcc_keys_total 1" \
  "$(curl -s -m 5 "http://127.0.0.1:$ours/metrics" | grep '^etcd_debugging_mvcc_keys_total ')"

# The mvcc operation counters move as etcd's do under the same commands (a Range, prev_kv reads,
# a txn's compares, a lease revocation's deletes: etcd's metricsTxnWrite rules).
mvcc_counters() { curl -s -m 5 "http://127.0.0.1:$1/metrics" | grep -E '^etcd(_debugging)?_mvcc_(range|put|delete|txn)_total '; }
mvcc_workload() {
  local e=(timeout 10 etcdctl --endpoints "127.0.0.1:$1") lease
  "${e[@]}" put k v && "${e[@]}" put k v2 --prev-kv && "${e[@]}" get k && "${e[@]}" get k --consistency=s &&
    "${e[@]}" get --prefix "" --sort-by=KEY --order=DESCEND --limit 1 && "${e[@]}" del k --prev-kv && "${e[@]}" del nothing &&
    printf 'value("k") = "v2"\nversion("k") > "0"\n\nput a 1\nget a\n\nput b 1\nput c 1\n\n' | "${e[@]}" txn &&
    printf '\n\nget a\nget b\n\n\n' | "${e[@]}" txn &&
    lease=$("${e[@]}" lease grant 100 | awk '{print $2}') &&
    "${e[@]}" put x 1 --lease "$lease" && "${e[@]}" put y 1 --lease "$lease" && "${e[@]}" lease revoke "$lease" &&
    curl -s -m 5 "http://127.0.0.1:$1/v3/kv/range" -X POST -d '{"key":"aw=="}'
}
mvcc_deltas() { # PORT: the counters' increase over the workload
  local before; before=$(mvcc_counters "$1")
  mvcc_workload "$1" >/dev/null
  join <(echo "$before") <(mvcc_counters "$1") | awk '{print $1, $3 - $2}'
}
real_deltas=$(mvcc_deltas "$real"); our_deltas=$(mvcc_deltas "$ours")
[ "$(wc -l <<<"$our_deltas")" = 8 ] || { echo "FAIL  the mvcc counters are missing: $our_deltas"; failures=$((failures + 1)); }
check "etcd_mvcc_{range,put,delete,txn}_total move as etcd's" "$real_deltas" "$our_deltas"

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all HTTP endpoint checks passed"
