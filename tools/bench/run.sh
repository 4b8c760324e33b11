#!/usr/bin/env bash
# Runs ctxgraph-bench at a named scale with sensible defaults.
#
#   tools/bench/run.sh quick   100k nodes, clients 1 and 8, 3 s per op (a few minutes)
#   tools/bench/run.sh 1m      1M nodes, clients 1 and 8, 30 s per op
#
# The graph comes from ctxgraph-gen (seed 1), cached in build/bench-cache/;
# results go to build/bench-results/<scale>-<UTC time>.{json,md}. Extra
# arguments are passed to ctxgraph-bench (e.g. --no-postgres,
# --import-args=--bulk; note the "=", since the value starts with "--").
# BUILD_DIR overrides the build directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
scale=${1:-}
shift || true
case $scale in
  quick) nodes=100000 seconds=3 ;;
  1m) nodes=1000000 seconds=30 ;;
  *) echo "usage: tools/bench/run.sh quick|1m [ctxgraph-bench flags...]" >&2; exit 2 ;;
esac

for bin in tools/gen/ctxgraph-gen tools/bench/ctxgraph-bench server/ctxgraphd client/ctxgraph; do
  if [[ ! -x $BUILD/$bin ]]; then
    echo "missing $BUILD/$bin: build it first, e.g." \
      "ninja -C $BUILD ctxgraph-gen ctxgraph-bench ctxgraphd ctxgraph" >&2
    exit 1
  fi
done

data=$BUILD/bench-cache/gen-$nodes-seed1
if [[ ! -f $data/queries.json ]]; then
  echo "generating $nodes nodes into $data" >&2
  "$BUILD/tools/gen/ctxgraph-gen" --nodes "$nodes" --seed 1 --out "$data.tmp"
  rm -rf "$data"
  mv "$data.tmp" "$data"
fi

results=$BUILD/bench-results
mkdir -p "$results"
stamp=$scale-$(date -u +%Y%m%dT%H%M%SZ)
"$BUILD/tools/bench/ctxgraph-bench" --data "$data" --clients 1,8 --seconds "$seconds" \
  --bin-dir "$BUILD" --pg-script "$ROOT/tools/bench/pg_setup.sh" \
  --out "$results/$stamp.json" --markdown "$results/$stamp.md" "$@"
echo "results: $results/$stamp.json and $results/$stamp.md" >&2
