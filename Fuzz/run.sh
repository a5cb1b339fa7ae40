#!/usr/bin/env bash
# Builds every libFuzzer target (address sanitizer, into .build-fuzz) and runs each for
# FUZZ_SECONDS (default 10), seeded from Fuzz/Corpus/<target>. Prints one line per target and
# exits non-zero if any target crashed, hung or ran out of memory; the input that did it is kept
# under .build-fuzz/artifacts/. FUZZ_TARGETS="a b" runs only those; extra libFuzzer flags go in
# FUZZ_FLAGS; FUZZ_BUILD_DIR moves the build (default .build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-10}
build=${FUZZ_BUILD_DIR:-.build-fuzz}
targets=${FUZZ_TARGETS:-$(ls Fuzz/Targets)}
export SWIFT_ETCD_FUZZ=1

for target in $targets; do
  # The linker warns about every sanitizer symbol it cannot export; nothing to act on. A failed
  # build must not leave an older binary to run.
  mkdir -p "$build/logs"
  built=0
  swift build --scratch-path "$build" --product "$target" -Xswiftc -sanitize=fuzzer,address \
    >"$build/logs/$target.build.log" 2>&1 || built=$?
  grep -v "Cannot export local symbol" "$build/logs/$target.build.log" | grep -E "error:|Fuzz/.*warning: " || true
  [ "$built" -eq 0 ] && [ -x "$build/debug/$target" ] || { echo "$target: build failed"; exit 1; }
done

failed=0
for target in $targets; do
  # libFuzzer adds what it finds to the first directory: a scratch one, so the committed seeds
  # stay as they are.
  work="$build/corpus/$target"
  mkdir -p "$work" "$build/artifacts" "Fuzz/Corpus/$target"
  log="$build/logs/$target.log"
  mkdir -p "$(dirname "$log")"
  status=0
  "$build/debug/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" ${FUZZ_FLAGS:-} \
    "$work" "Fuzz/Corpus/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  if [ "$status" -eq 0 ]; then
    echo "$target: ${runs:-0} runs in ${elapsed:-$seconds} s, 0 crashes"
  else
    failed=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "$target: ${runs:-?} runs, 1 crash (exit $status): ${artifact:-see $log}"
    grep -m 5 -E "ERROR|Fatal error|SUMMARY|deadly signal|timeout|out-of-memory" "$log" | sed 's/^/    /' || true
  fi
done
exit "$failed"
