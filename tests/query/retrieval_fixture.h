// RetrievalGraph: an IndexedGraph that retrieves and audits receipts, for
// Retriever and ReceiptAuditor tests.
#ifndef CTXGRAPH_TESTS_QUERY_RETRIEVAL_FIXTURE_H_
#define CTXGRAPH_TESTS_QUERY_RETRIEVAL_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/receipt_auditor.h"
#include "query/retriever.h"
#include "tests/query/indexed_graph.h"

namespace ctxgraph {

class RetrievalGraph : public IndexedGraph {
 public:
  absl::StatusOr<RetrievalResult> Retrieve(const Caller& caller, RetrievalRequest request,
                                           RetrieverOptions options = {}) {
    return Retriever(store(), tokens(), caller, options)
        .Retrieve(std::move(request), audit(), receipt_ids());
  }
  ReceiptAuditor Auditor(const Caller& caller) {
    return ReceiptAuditor(store(), tokens(), receipt_ids(), audit(), caller);
  }

  // Reading receipts and the access report needs clearance "*".
  const Caller auditor_ = MakeCaller("auditor", {"*"}, {Role::kAuditor});
};

inline RetrievalRequest Seeds(std::vector<std::string> seeds, int hops = 2) {
  RetrievalRequest r;
  r.seeds = std::move(seeds);
  r.max_hops = hops;
  return r;
}

inline std::vector<std::string> ItemIds(const RetrievalResult& r) {
  std::vector<std::string> ids;
  for (const auto& item : r.items) ids.push_back(item.node->id);
  return ids;
}

// S -REFERENCES-> n1 and n2: each n has 14 bytes of props ("text" + 10),
// and so has each edge ("note" + 10); S has none.
inline void StarWithEdgeProps(RetrievalGraph& g) {
  std::vector<Mutation> m = {NodeOp("S")};
  for (const char* n : {"n1", "n2"}) {
    m.push_back(NodeOp(n, {}, "0123456789"));
    EdgeUpsert e;
    e.edge.from = "S";
    e.edge.label = "REFERENCES";
    e.edge.to = n;
    e.edge.props["note"] = Value{std::string("0123456789")};
    m.push_back(e);
  }
  g.Write(std::move(m));
}

// Everything a caller sees of a result but the receipt id: items (id,
// version, hop, score, via), edges, truncated and the digest.
inline std::string Observable(const RetrievalResult& r) {
  std::string out;
  for (const auto& item : r.items) {
    absl::StrAppend(&out, item.node->id, "@", item.node->provenance.version, " hop=", item.hop,
                    " score=", item.score, " via=");
    for (const auto& e : item.via) absl::StrAppend(&out, e->from, "-", e->label, "->", e->to, ";");
    absl::StrAppend(&out, "\n");
  }
  for (const auto& e : r.edges)
    absl::StrAppend(&out, "edge ", e->from, "-", e->label, "->", e->to, "\n");
  absl::StrAppend(&out, "truncated=", r.truncated, " digest=", ToHex(r.receipt.digest));
  return out;
}

}  // namespace ctxgraph

#endif  // CTXGRAPH_TESTS_QUERY_RETRIEVAL_FIXTURE_H_
