#!/usr/bin/env bash
# Instructions ctxgraphd executes per call, counted by callgrind: a figure
# that does not move with the host's load, for A/B tests of small changes on
# a VM without hardware counters. Not a throughput: every call is a fresh
# `ctxgraph` process, so each includes a connection's setup (compare kinds
# against `get`, and builds against each other). Repeats of one build agree
# within about 2%: the setup's share varies.
#
# usage: tools/bench/callgrind_calls.sh BIN_DIR DATA_DIR QUERIES_JSON KIND [OUT]
#   BIN_DIR       a build dir with server/ctxgraphd and client/ctxgraph
#   DATA_DIR      a loaded ctxgraphd data dir (e.g. from ctxgraph-bench
#                 --keep-data); a copy is served, the original is untouched
#   QUERIES_JSON  ctxgraph-gen's queries.json
#   KIND          retrieve (2 hops, per seed id) | neighbors | get (per seed
#                 id) | upstream (depth 10, per lineage start)
#   OUT           callgrind output prefix (default /tmp/callgrind-KIND)
# Needs valgrind (apt-get install valgrind) and python3. The seeds are read
# once to warm the caches, then once more counted.
set -euo pipefail
bin=$1 data=$2 queries=$3 kind=$4 out=${5:-/tmp/callgrind-$4}
server=
work=$(mktemp -d /tmp/callgrind-data-XXXXXX)
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; fi; rm -rf "$work"' EXIT
cp -a "$data" "$work/data"
rm -f "$out".*
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out.cg" \
  "$bin/server/ctxgraphd" --data-dir "$work/data" --listen 127.0.0.1:0 \
  --port-file "$work/port" --log-level warn > "$out.log" 2>&1 &
server=$!
until [ -s "$work/port" ]; do
  kill -0 "$server" 2>/dev/null || { echo "ctxgraphd exited; see $out.log" >&2; exit 1; }
  sleep 0.5
done
cli=("$bin/client/ctxgraph" --server "$(cat "$work/port")" --token-file "$work/data/admin.token"
  --timeout 60)
if [ "$kind" = upstream ]; then
  mapfile -t ids < <(python3 -c "import json,sys; print('\n'.join(s['id'] for s in json.load(open(sys.argv[1]))['lineage_starts']))" "$queries")
else
  mapfile -t ids < <(python3 -c "import json,sys; print('\n'.join(json.load(open(sys.argv[1]))['seed_ids']))" "$queries")
fi
one_pass() {
  local n=0
  for id in "${ids[@]}"; do
    case $kind in
      retrieve) args=(context --seed "$id" --hops 2) ;;
      neighbors) args=(neighbors "$id") ;;
      get) args=(get "$id") ;;
      upstream) args=(lineage up "$id" --depth 10) ;;
      *) echo "unknown kind $kind" >&2; exit 2 ;;
    esac
    if "${cli[@]}" "${args[@]}" > /dev/null 2>> "$out.client-errors"; then n=$((n + 1)); fi
  done
  echo "$n"
}
one_pass > /dev/null
callgrind_control -i on "$server" > /dev/null 2>&1
calls=$(one_pass)
callgrind_control -d "$server" > /dev/null 2>&1
if [ "$calls" -eq 0 ]; then echo "no call answered; see $out.client-errors" >&2; exit 1; fi
instructions=$(callgrind_annotate "$out.cg.1" 2> /dev/null | awk '/PROGRAM TOTALS/ && !seen {gsub(",", "", $1); print $1; seen = 1}')
echo "$kind: $calls calls answered, $((instructions / calls)) instructions per call ($out.cg.1)"
