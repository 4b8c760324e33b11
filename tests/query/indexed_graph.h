// IndexedGraph: a real database in a temporary directory with its keyword
// index and graph store, written as an admin, for query-layer tests that
// read through Searcher, Retriever or ReceiptAuditor.
#ifndef CTXGRAPH_TESTS_QUERY_INDEXED_GRAPH_H_
#define CTXGRAPH_TESTS_QUERY_INDEXED_GRAPH_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/graph_writer.h"
#include "query/page_token.h"
#include "query/receipt_id.h"
#include "storage/graph_store.h"
#include "storage/text_index.h"
#include "tests/query/make_caller.h"
#include "tests/storage/temp_dir.h"
#include "tests/test_macros.h"

namespace ctxgraph {

// A Document node with a wiki source and, when `text` is given, a "text" prop.
inline Mutation NodeOp(const std::string& id, std::vector<std::string> boundary = {},
                       const std::string& text = "") {
  NodeUpsert m;
  m.node.id = id;
  m.node.labels = {"Document"};
  m.node.boundary = std::move(boundary);
  if (!text.empty()) m.node.props["text"] = Value{text};
  m.node.source = Source{"wiki", "wiki://" + id, Authority::kImported};
  return m;
}

inline Mutation EdgeOp(const std::string& from, const std::string& label, const std::string& to) {
  EdgeUpsert m;
  m.edge.from = from;
  m.edge.label = label;
  m.edge.to = to;
  return m;
}

class IndexedGraph {
 public:
  IndexedGraph() {
    auto db = Database::Open(dir_.path(), DatabaseOptions{});
    EXPECT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    text_ = std::make_unique<TextIndex>(db_.get(), TextIndexConfig{});
    EXPECT_OK(text_->Open());
    labels_ = std::make_unique<LabelRegistry>(db_.get());
    EXPECT_OK(labels_->Load());
    store_ = std::make_unique<GraphStore>(db_.get(), text_.get(), labels_.get());
    tokens_ = std::make_unique<PageTokenCodec>(db_->secret());
    receipt_ids_ = std::make_unique<ReceiptIdCodec>(db_->secret());
  }

  // Commits `m` as admin_; returns the new version (0, and a test failure,
  // when the write fails).
  uint64_t Write(std::vector<Mutation> m) {
    GraphWriter writer(*store_);
    auto r = writer.Write(admin_, std::move(m), "test");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->version : 0;
  }

  // Defines `labels` in the registry in one commit as admin_ (a write must
  // before it puts a label on a node); returns the new version.
  uint64_t DefineLabels(const std::vector<std::string>& labels) {
    std::vector<Mutation> defines;
    for (const std::string& name : labels) {
      defines.push_back(
          LabelDefine{LabelDefinition{.name = name, .description = "test label " + name}});
    }
    return Write(std::move(defines));
  }

  Database& db() { return *db_; }
  GraphStore& store() { return *store_; }
  const GraphStore& store() const { return *store_; }
  const TextIndex& text() const { return *text_; }
  const PageTokenCodec& tokens() const { return *tokens_; }
  const ReceiptIdCodec& receipt_ids() const { return *receipt_ids_; }
  // The audit seq a receipt id names (0, and a test failure, for one that
  // does not decode).
  uint64_t SeqOf(std::string_view receipt_id) const {
    absl::StatusOr<std::optional<ReceiptRef>> ref = receipt_ids_->Decode(receipt_id);
    EXPECT_TRUE(ref.ok() && ref->has_value()) << receipt_id;
    return ref.ok() && *ref ? (*ref)->seq : 0;
  }
  AuditLog& audit() { return db_->audit(); }

  const Caller admin_ = MakeCaller("admin", {"*"}, {Role::kAdmin});

 private:
  TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<TextIndex> text_;
  std::unique_ptr<LabelRegistry> labels_;
  std::unique_ptr<GraphStore> store_;
  std::unique_ptr<PageTokenCodec> tokens_;
  std::unique_ptr<ReceiptIdCodec> receipt_ids_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_TESTS_QUERY_INDEXED_GRAPH_H_
