#!/usr/bin/env bash
# Runs ctxgraph's libFuzzer targets (tests/fuzz), each for a fixed time,
# starting from its seed corpus, with AddressSanitizer and UndefinedBehavior-
# Sanitizer. Builds them first with clang-14 in build-fuzz (CTXGRAPH_FUZZ=ON),
# installing clang-14 and libclang-rt-14-dev when missing.
#
#   bash tools/fuzz.sh [--seconds N] [TARGET...]
#
# Default: every target, 60 s each, one after the other. Prints per target the
# executions, executions per second and crashes (crash, leak, timeout or
# out-of-memory inputs, saved under build-fuzz/artifacts/); exits nonzero when
# any target crashed. Inputs the fuzzer finds go to build-fuzz/corpus/<target>,
# so the committed seed corpus is never changed by a run.
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), JOBS (default 2).
set -euo pipefail

self=$(readlink -f "$0")  # setup.sh changes directory
source "$(dirname "$0")/setup.sh"  # install_packages, PACKAGES, FUZZ_PACKAGES; cds to the root
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
ALL_TARGETS=(fuzz_keys fuzz_record_codec fuzz_audit_entry fuzz_page_token fuzz_jsonl fuzz_csv
  fuzz_request_validation)

seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    -h|--help) sed -n '2,16p' "$self"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")

install_packages
install_packages "${FUZZ_PACKAGES[@]}"

echo "==> building ${targets[*]} in $FUZZ_BUILD_DIR (clang-14, libFuzzer + ASan + UBSan)"
cmake -S . -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCTXGRAPH_FUZZ=ON >/dev/null
cmake --build "$FUZZ_BUILD_DIR" -j "$JOBS" --target "${targets[@]}"

# Uninstrumented Debian libraries (protobuf, abseil) are not the subject;
# everything the targets call in ctxgraph is instrumented. An allocation
# over -rss_limit_mb (libFuzzer's malloc limit) is reported as a crash: a
# decoder must never size a buffer from an untrusted length.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
summary=()
for t in "${targets[@]}"; do
  work="$FUZZ_BUILD_DIR/corpus/$t"
  artifacts="$FUZZ_BUILD_DIR/artifacts/$t"
  log="$FUZZ_BUILD_DIR/logs/$t.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  rm -f "$artifacts"/*
  echo "==> $t: ${seconds}s"
  rc=0
  "$FUZZ_BUILD_DIR/tests/fuzz/$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  crashes=$(find "$artifacts" -type f | wc -l)
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi  # died without an artifact
  line=$(printf '%-26s executions %-10s exec/s %-7s crashes %s' "$t" "${execs:-?}" "${rate:-?}" \
    "$crashes")
  echo "$line"
  summary+=("$line")
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "    log: $log; inputs: $artifacts/" >&2
    grep -m5 -E "ERROR: |runtime error|fuzz invariant failed" "$log" >&2 || true
  fi
done

echo "==> summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $failed
