#!/usr/bin/env bash
# ctxgraph's one entry point for a fresh Debian 12 machine.
#
#   bash tools/setup.sh demo   install what is missing, build, start ctxgraphd
#                              on a demo dataset and print how to query it
#   bash tools/setup.sh test   install what is missing, build, run every test
#   bash tools/setup.sh build  install what is missing and build
#   bash tools/setup.sh crashtest [CYCLES]
#                              build, then SIGKILL ctxgraphd CYCLES times
#                              (default 200; 2000 for the long run) under
#                              concurrent writes and check nothing was lost
#   bash tools/setup.sh hardening
#                              the test suite, then everything kept out of it
#                              for time: the whole suite under ASan + UBSan,
#                              storage and query tests under TSan, every fuzz
#                              target for 60 s, 200 crash-test kills and 200
#                              simulated power losses (.ci/run --hardening)
#
# Environment: BUILD_DIR (default build), JOBS (default 2), DEMO_PORT
# (default 50051), DEMO_DIR (default demo-data).
#
# tools/fuzz.sh and tools/sanitize.sh source this file for install_packages.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}

PACKAGES=(
  g++ cmake ninja-build pkg-config
  librocksdb-dev libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev
  protobuf-compiler libabsl-dev libboost-graph-dev libspdlog-dev libssl-dev
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libicu-dev libgtest-dev libgmock-dev zlib1g-dev libpq-dev
  openssl libcpp-httplib-dev libjemalloc-dev
)
# Only for tools/fuzz.sh (libFuzzer needs clang); the default install
# does not take them.
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# install_packages [PACKAGE...]: installs those missing (default: PACKAGES).
install_packages() {
  local missing=()
  local wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${PACKAGES[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing: ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

build() {
  echo "==> building in $BUILD_DIR"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

run_tests() {
  echo "==> running the test suite"
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 300
}

run_demo() {
  local port=${DEMO_PORT:-50051}
  local dir=${DEMO_DIR:-demo-data}
  local cli="$BUILD_DIR/client/ctxgraph"
  rm -rf "$dir"
  mkdir -p "$dir"
  "$BUILD_DIR/server/ctxgraphd" --data-dir "$dir" --listen "127.0.0.1:$port" \
    --port-file "$dir/port" &
  local server=$!
  trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' INT TERM
  for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
  [ -s "$dir/port" ] || { echo "ctxgraphd did not start" >&2; exit 1; }

  local admin=(--server "127.0.0.1:$port" --token-file "$dir/admin.token")
  # The file defines its boundary labels first (the admin may), then loads.
  "$cli" "${admin[@]}" import tools/demo/demo.jsonl
  # Four principals with different clearances, to see boundaries at work.
  "$cli" "${admin[@]}" principal create eng-agent --role agent --clearance team:eng >/dev/null
  "$cli" "${admin[@]}" principal create finance-agent --role agent \
    --clearance team:finance --clearance pii >/dev/null
  "$cli" "${admin[@]}" principal create auditor --role auditor --clearance '*' >/dev/null
  "$cli" "${admin[@]}" principal create steward --role steward --clearance '*' >/dev/null
  for p in eng-agent finance-agent auditor steward; do
    "$cli" "${admin[@]}" --json principal token "$p" |
      sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' >"$dir/$p.token"
    chmod 600 "$dir/$p.token"
  done

  cat <<MSG

ctxgraphd is serving the demo graph on 127.0.0.1:$port (data in $dir/).
Tokens: $dir/admin.token (admin, sees everything), $dir/eng-agent.token (team:eng),
        $dir/finance-agent.token (team:finance + pii), $dir/auditor.token,
        $dir/steward.token (defines and assigns boundary labels).
Try:
  $cli --server 127.0.0.1:$port --token-file $dir/eng-agent.token ls --label Document
  $cli --server 127.0.0.1:$port --token-file $dir/finance-agent.token ls --label Document
  $cli --server 127.0.0.1:$port --token-file $dir/eng-agent.token neighbors doc-00000001 --direction both
  $cli --server 127.0.0.1:$port --token-file $dir/admin.token --json get dec-00000001
  $cli --server 127.0.0.1:$port --token-file $dir/eng-agent.token label ls
Press Ctrl-C to stop the server.
MSG
  wait $server
}

# Sourced (by tools/fuzz.sh, tools/sanitize.sh): definitions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-}" in
  demo) install_packages; build; run_demo ;;
  test) install_packages; build; run_tests ;;
  build) install_packages; build ;;
  crashtest)
    install_packages; build
    "$BUILD_DIR/tools/crashtest/ctxgraph-crashtest" --cycles "${2:-200}" \
      --json "$BUILD_DIR/crashtest-${2:-200}.json" ;;
  hardening)
    install_packages; build; run_tests
    bash tools/sanitize.sh asan
    bash tools/sanitize.sh tsan
    bash tools/fuzz.sh --seconds 60
    "$BUILD_DIR/tools/crashtest/ctxgraph-crashtest" --cycles 200 --seed 1
    "$BUILD_DIR/tools/powerloss/ctxgraph-powerloss" --cycles 200 --seed 7 ;;
  *) echo "usage: bash tools/setup.sh demo|test|build|crashtest [CYCLES]|hardening" >&2; exit 2 ;;
esac
