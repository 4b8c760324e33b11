#include "tools/bench/postgres_operations.h"

#include <libpq-fe.h>

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ctxgraph::bench {
namespace {

// Every visible neighbour of $1 by any edge label, in both directions. The
// start node must itself be visible (RLS on nodes decides), like GetNode.
constexpr char kNeighborsSql[] = R"sql(
SELECT e.label, e.dir, n.id, n.labels, n.boundary, n.props
FROM (SELECT label, 'out' AS dir, dst AS other FROM edges WHERE src = $1
      UNION ALL
      SELECT label, 'in', src FROM edges WHERE dst = $1) e
JOIN nodes n ON n.id = e.other
WHERE EXISTS (SELECT 1 FROM nodes s WHERE s.id = $1)
LIMIT 50)sql";

// Breadth-first to depth 2 over both directions; a node hidden by RLS stops
// the walk there, as it would for a caller who cannot see it. Each hop looks
// up the edges of the nodes it came from (LATERAL, by the src and dst
// indexes). The earlier form, joining a UNION ALL of the whole edges table,
// ran at 5-10 queries/s at 1M nodes against 2,398-5,526 for this one.
constexpr char kRetrieveSql[] = R"sql(
WITH RECURSIVE hop(id, depth) AS (
  SELECT id, 0 FROM nodes WHERE id = $1
  UNION
  SELECT n.id, h.depth + 1
  FROM hop h
  CROSS JOIN LATERAL (SELECT dst AS b FROM edges WHERE src = h.id
                      UNION ALL
                      SELECT src FROM edges WHERE dst = h.id) e
  JOIN nodes n ON n.id = e.b
  WHERE h.depth < 2)
SELECT n.id, n.labels, n.boundary, n.props
FROM (SELECT id, min(depth) AS depth FROM hop WHERE depth > 0 GROUP BY id) r
JOIN nodes n ON n.id = r.id
ORDER BY r.depth
LIMIT 50)sql";

constexpr char kSearchSql[] = R"sql(
SELECT n.id, n.props->>'title', ts_rank(n.tsv, q) AS rank
FROM nodes n, plainto_tsquery('english', $1) q
WHERE n.tsv @@ q
ORDER BY rank DESC
LIMIT 10)sql";

// Upstream lineage: what a node was derived from, transitively. An edge
// `a DERIVED_FROM b` means a was derived from b (ctxgraph-gen's lineage depth
// counts these edges from a), so the walk goes from src to dst, up to 10
// levels, through visible nodes only. LineageService.Upstream follows the
// same direction (from -> to) and answers the same nodes at the same minimum
// depths, plus the start at depth 0 (query/lineage.h).
constexpr char kLineageSql[] = R"sql(
WITH RECURSIVE up(id, depth) AS (
  SELECT id, 0 FROM nodes WHERE id = $1
  UNION
  SELECT n.id, u.depth + 1
  FROM up u
  JOIN edges e ON e.src = u.id AND e.label = 'DERIVED_FROM'
  JOIN nodes n ON n.id = e.dst
  WHERE u.depth < 10)
SELECT id, min(depth) FROM up WHERE depth > 0 GROUP BY id)sql";

const char* Sql(PgQuery query) {
  switch (query) {
    case PgQuery::kGetNode:
      return "SELECT id, labels, boundary, props FROM nodes WHERE id = $1";
    case PgQuery::kListNeighbors:
      return kNeighborsSql;
    case PgQuery::kRetrieve2Hop:
      return kRetrieveSql;
    case PgQuery::kSearchCommon:
    case PgQuery::kSearchRare:
      return kSearchSql;
    case PgQuery::kLineageUpstream:
      return kLineageSql;
  }
  return "";
}

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConn = std::unique_ptr<PGconn, PgConnCloser>;

struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultClearer>;

std::string ConnError(PGconn* conn) {
  return std::string(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
}

class PgOp : public Operation {
 public:
  PgOp(PgConn conn, PgQuery query, const Workload* workload)
      : conn_(std::move(conn)), query_(query), workload_(workload) {}

  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    const std::string& param = Parameter(rng);
    const char* values[] = {param.c_str()};
    PgResult result(PQexecPrepared(conn_.get(), "q", 1, values, nullptr, nullptr, 0));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
      *error = ConnError(conn_.get());
      return Outcome::kError;
    }
    return PQntuples(result.get()) > 0 ? Outcome::kOk : Outcome::kNotFound;
  }

 private:
  const std::string& Parameter(std::mt19937_64& rng) const {
    switch (query_) {
      case PgQuery::kSearchCommon:
        return PickOne(workload_->common_terms, rng);
      case PgQuery::kSearchRare:
        return PickOne(workload_->rare_terms, rng);
      case PgQuery::kLineageUpstream:
        return PickOne(workload_->lineage_starts, rng).id;
      default:
        return PickOne(workload_->seed_ids, rng);
    }
  }

  PgConn conn_;
  PgQuery query_;
  const Workload* workload_;
};

// Connects, sets the clearances and prepares statement "q".
absl::StatusOr<PgConn> Connect(const std::string& conninfo, const std::string& clearances,
                               PgQuery query) {
  PgConn conn(PQconnectdb(conninfo.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("postgres connect: ", ConnError(conn.get())));
  }
  const char* values[] = {clearances.c_str()};
  PgResult set(PQexecParams(conn.get(), "SELECT set_config('app.clearances', $1, false)", 1,
                            nullptr, values, nullptr, nullptr, 0));
  if (PQresultStatus(set.get()) != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat("postgres set clearances: ", ConnError(conn.get())));
  }
  PgResult prepared(PQprepare(conn.get(), "q", Sql(query), 1, nullptr));
  if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
    return absl::InternalError(
        absl::StrCat("postgres prepare ", PgQueryOpName(query), ": ", ConnError(conn.get())));
  }
  return conn;
}

}  // namespace

const char* PgQueryOpName(PgQuery query) {
  switch (query) {
    case PgQuery::kGetNode:
      return "get_node";
    case PgQuery::kListNeighbors:
      return "list_neighbors";
    case PgQuery::kRetrieve2Hop:
      return "retrieve_2hop";
    case PgQuery::kSearchCommon:
      return "search_common";
    case PgQuery::kSearchRare:
      return "search_rare";
    case PgQuery::kLineageUpstream:
      return "lineage_upstream_10";
  }
  return "?";
}

OperationFactory PostgresOperation(PgQuery query, std::string conninfo, std::string clearances,
                                   const Workload* workload) {
  return [=](int) -> absl::StatusOr<std::unique_ptr<Operation>> {
    const bool needs_terms = query == PgQuery::kSearchCommon || query == PgQuery::kSearchRare;
    if ((query == PgQuery::kSearchCommon && workload->common_terms.empty()) ||
        (query == PgQuery::kSearchRare && workload->rare_terms.empty()) ||
        (query == PgQuery::kLineageUpstream && workload->lineage_starts.empty())) {
      return absl::FailedPreconditionError(
          absl::StrCat(PgQueryOpName(query), ": queries.json has no ",
                       needs_terms ? "search terms" : "lineage_starts", " for it"));
    }
    absl::StatusOr<PgConn> conn = Connect(conninfo, clearances, query);
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<Operation>(std::make_unique<PgOp>(*std::move(conn), query, workload));
  };
}

}  // namespace ctxgraph::bench
