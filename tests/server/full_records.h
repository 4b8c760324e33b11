// Node and edge records with every field set, for the tests of what an
// answer encodes (wire caches, retrieval and lineage conversions).
#ifndef CTXGRAPH_TESTS_SERVER_FULL_RECORDS_H_
#define CTXGRAPH_TESTS_SERVER_FULL_RECORDS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "storage/records.h"

namespace ctxgraph::server {

// Two props (a non-ASCII string and an int), a label, a boundary, a source
// and provenance at version 41.
inline std::shared_ptr<NodeRecord> FullNode(const std::string& id) {
  auto node = std::make_shared<NodeRecord>();
  node->id = id;
  node->labels = {"Document"};
  node->props["title"] = Value{std::string("Q3 plan — draft ✓")};
  node->props["pages"] = Value{int64_t{12}};
  node->boundary = {"team:finance"};
  node->source = Source{"drive", "https://drive.example/d/" + id, Authority::kImported};
  node->provenance.version = 41;
  node->provenance.commit_time = Timestamp{1700000001000000};
  node->provenance.writer = "loader";
  node->provenance.content_hash.fill(0x5a);
  return node;
}

// Two props (a double and a timestamp), provenance at `version` and a
// sanitized label.
inline EdgeRecord FullEdge(const std::string& from, const std::string& label, const std::string& to,
                           uint64_t version) {
  EdgeRecord edge;
  edge.from = from;
  edge.label = label;
  edge.to = to;
  edge.props["weight"] = Value{0.5};
  edge.props["since"] = Value{Timestamp{1700000000123456}};
  edge.provenance.version = version;
  edge.provenance.commit_time = Timestamp{1700000001000000};
  edge.provenance.writer = "loader";
  edge.provenance.content_hash.fill(0xcd);
  edge.sanitizes = {"pii"};
  return edge;
}

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_TESTS_SERVER_FULL_RECORDS_H_
