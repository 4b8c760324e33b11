#!/bin/bash
# How long a token revocation takes while a bulk import holds the commit
# lock: starts ctxgraphd on a fresh data dir, creates a loader, starts
# `ctxgraph import --bulk FILE` as it, revokes the loader's token SECONDS
# later and prints how long the revocation took, then what the import and
# the server said. Usage:
#   bash tools/bench/revoke_during_load.sh [BUILD_DIR] [FILE] [SECONDS]
set -euo pipefail
B=${1:-build}
FILE=${2:-$B/bench-cache/gen-1000000-seed1/graph.jsonl}
AFTER=${3:-10}
D=$(mktemp -d /tmp/ctxgraph-revoke.XXXXXX)
trap 'kill $SP 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$D"' EXIT
"$B/server/ctxgraphd" --data-dir "$D" --listen 127.0.0.1:0 --port-file "$D/port" \
  --log-level warn > "$D/server.log" 2>&1 &
SP=$!
for _ in $(seq 100); do [ -s "$D/port" ] && break; sleep 0.1; done
CG=("$B/client/ctxgraph" --server "$(cat "$D/port")" --token-file "$D/admin.token")
"${CG[@]}" principal create bulkloader --role loader --role steward --clearance '*' > /dev/null
"${CG[@]}" --json principal token bulkloader > "$D/token.json"
python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['token'])" "$D/token.json" \
  > "$D/loader.token"
TOKEN_ID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['token_id'])" \
  "$D/token.json")
"$B/client/ctxgraph" --server "$(cat "$D/port")" --token-file "$D/loader.token" \
  import --bulk "$FILE" > "$D/import.log" 2>&1 &
IP=$!
sleep "$AFTER"
START=$(date +%s.%N)
"${CG[@]}" principal revoke-token "$TOKEN_ID" > /dev/null
END=$(date +%s.%N)
echo "revocation took $(echo "$END - $START" | bc) s, $AFTER s into the import"
wait $IP || echo "import exit status $?"
tail -n 2 "$D/import.log"
grep -E "ending|cancelled" "$D/server.log" || true
