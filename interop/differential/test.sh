#!/usr/bin/env bash
# Differential test: the same script of real etcdctl (3.4) commands against real etcd and the
# server under test, started alike; stdout, stderr and exit codes must be identical after
# normalising cluster and member IDs. Every difference is printed as a diff with its command.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SERVER_BIN=${SERVER_BIN:?set SERVER_BIN to the server under test}
REFERENCE_BIN=${REFERENCE_BIN:-/usr/bin/etcd}
COMMANDS=${COMMANDS:-$here/commands.txt}
source "$here/../lib/servers.sh"

# MEMBER_FLAGS: extra flags for both members (e.g. a small quota).
# shellcheck disable=SC2086
reference=$(start_member reference "$REFERENCE_BIN" ${MEMBER_FLAGS:-})
# shellcheck disable=SC2086
subject=$(start_member subject "$SERVER_BIN" ${MEMBER_FLAGS:-})

run() { # port line; a line "sh SCRIPT" runs SCRIPT in bash with $ETCDCTL set (for watches)
  local port=$1 line=$2
  local ETCDCTL="etcdctl --endpoints 127.0.0.1:$port --command-timeout=10s"
  if [[ "$line" == "sh "* ]]; then line=${line#sh }; else line="$ETCDCTL $line"; fi
  # Each command is bounded, so one that never ends fails the test instead of hanging it.
  (export ETCDCTL_API=3 ETCDCTL; timeout 60 bash -c "$line" 2>&1; echo "exit=$?") \
    | grep -v '"caller":"clientv3/retry_interceptor.go' | normalise_ids
}

failures=0; count=0
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  count=$((count + 1))
  expected=$(run "$reference" "$line")
  actual=$(run "$subject" "$line")
  if [ "$expected" != "$actual" ]; then
    failures=$((failures + 1))
    echo "DIFFERENT: etcdctl $line"
    diff -u <(echo "$expected") <(echo "$actual") | sed 's/^/    /' || true
  fi
done <"$COMMANDS"
echo "differential: $count commands, $failures different"
[ "$failures" -eq 0 ]
