#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for ctxgraph-bench, loaded with the same
# graph as ctxgraph. PostgreSQL refuses to run as root, so the server and
# psql run as the `postgres` OS user (runuser when root, sudo otherwise).
#
#   pg_setup.sh install                      apt-get postgresql-15 + libpq-dev if missing
#   pg_setup.sh start CLUSTER_DIR PORT       initdb CLUSTER_DIR/data, serve on 127.0.0.1:PORT
#   pg_setup.sh load CLUSTER_DIR PORT        schema, COPY CLUSTER_DIR/csv/{nodes,edges}.csv,
#                                            indexes, row-level security, ANALYZE
#   pg_setup.sh stop CLUSTER_DIR             stop the server, remove CLUSTER_DIR
#
# Queries connect as the non-superuser role `bench` (so row-level security
# applies) and set their clearances per connection:
#   SET app.clearances = 'team:t00,team:t01,team:t02'   (exact, 'ns:*' or '*')
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin

as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres -- "$@"; fi
}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

install() {
  local missing=()
  [[ -x $PGBIN/initdb ]] || missing+=(postgresql-15)
  dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
  if ((${#missing[@]})); then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start() {
  local dir=$1 port=$2
  install
  as_root chown -R postgres:postgres "$dir"
  as_postgres "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log"
  # Sized for a bulk load on a small machine; durability stays on
  # (fsync, synchronous_commit), as for ctxgraphd's default sync writes.
  # wal_level=minimal lets COPY into a table created in the same transaction
  # skip the WAL, the standard bulk-load path.
  cat <<CONF | as_postgres tee -a "$dir/data/postgresql.conf" >/dev/null
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 64
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 1GB
max_wal_size = 8GB
wal_level = minimal
max_wal_senders = 0
CONF
  as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
}

load() {
  local dir=$1 port=$2
  as_root chown -R postgres:postgres "$dir/csv"
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres <<SQL
BEGIN;
CREATE TABLE nodes (
  id text NOT NULL,
  labels text[] NOT NULL,
  boundary text[] NOT NULL,
  props jsonb NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english',
      coalesce(props->>'title', '') || ' ' || coalesce(props->>'text', ''))) STORED);
CREATE TABLE edges (src text NOT NULL, label text NOT NULL, dst text NOT NULL);
COPY nodes (id, labels, boundary, props) FROM '$dir/csv/nodes.csv' WITH (FORMAT csv);
COPY edges (src, label, dst) FROM '$dir/csv/edges.csv' WITH (FORMAT csv);
ALTER TABLE nodes ADD PRIMARY KEY (id);
CREATE INDEX edges_src_label ON edges (src, label);
CREATE INDEX edges_dst_label ON edges (dst, label);
CREATE INDEX nodes_tsv ON nodes USING gin (tsv);

-- ctxgraph's boundary rule: visible iff every boundary label is matched by
-- a clearance (exact, 'ns:*' for labels starting 'ns:', or '*').
CREATE FUNCTION cg_visible(boundary text[]) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS \$\$
  SELECT NOT EXISTS (
    SELECT 1 FROM unnest(boundary) AS b(label)
    WHERE NOT EXISTS (
      SELECT 1
      FROM unnest(string_to_array(current_setting('app.clearances', true), ',')) AS c(clearance)
      WHERE c.clearance = '*' OR c.clearance = b.label
         OR (c.clearance LIKE '%:*' AND starts_with(b.label, left(c.clearance, -1)))))
\$\$;
-- The policy tries two cheap, exact shortcuts before the general rule, which
-- only sessions holding an 'ns:*' wildcard need: without wildcards a node is
-- visible iff its boundary is a subset of the clearances, and '*' sees all.
-- (cg_visible alone is not inlined and costs microseconds per row; PostgreSQL
-- evaluates the policy on every row a non-leakproof qual such as tsv @@ q
-- looks at, since such a qual may not run before it, so the GIN index cannot
-- serve searches under RLS and this cost multiplies.)
ALTER TABLE nodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY nodes_visible ON nodes FOR SELECT USING (
  boundary <@ string_to_array(current_setting('app.clearances', true), ',')
  OR '*' = ANY (string_to_array(current_setting('app.clearances', true), ','))
  OR (strpos(current_setting('app.clearances', true), '*') > 0 AND cg_visible(boundary)));
CREATE ROLE bench LOGIN;
GRANT SELECT ON nodes, edges TO bench;
COMMIT;
ANALYZE nodes;
ANALYZE edges;
SQL
}

stop() {
  local dir=$1
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null || true
  fi
  rm -rf -- "$dir"
}

cmd=${1:-}
shift || true
case $cmd in
  install) install ;;
  start) start "$@" ;;
  load) load "$@" ;;
  stop) stop "$@" ;;
  *) echo "usage: pg_setup.sh install | start DIR PORT | load DIR PORT | stop DIR" >&2; exit 2 ;;
esac
