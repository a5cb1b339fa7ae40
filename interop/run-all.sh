#!/usr/bin/env bash
# Runs every interop test against the release build and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
SERVER_BIN=${SERVER_BIN:-$PWD/.build/release/swift-etcd}
passed=0; failed=0
for test in interop/*/test.sh; do
  [ -e "$test" ] || continue
  echo "== $test"
  if SERVER_BIN=$SERVER_BIN timeout 600 "$test"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $test"; fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
