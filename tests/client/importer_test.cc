#include "client/importer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/test_macros.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

// Stands in for GraphService.Write: records every request and answers from a
// script, else commits everything.
class FakeWriter {
 public:
  std::vector<v1::WriteRequest> requests;
  std::vector<absl::StatusOr<v1::WriteResponse>> script;  // consumed front first
  uint64_t version = 10;

  WriteFunction AsFunction() {
    return [this](const v1::WriteRequest& request) -> absl::StatusOr<v1::WriteResponse> {
      requests.push_back(request);
      if (!script.empty()) {
        absl::StatusOr<v1::WriteResponse> answer = script.front();
        script.erase(script.begin());
        return answer;
      }
      v1::WriteResponse response;
      response.set_version(++version);
      response.set_committed(true);
      for (const v1::WriteOp& op : request.ops()) {
        if (op.has_upsert_node()) response.set_nodes_written(response.nodes_written() + 1);
        if (op.has_upsert_edge()) response.set_edges_written(response.edges_written() + 1);
      }
      return response;
    };
  }
};

std::string Node(const std::string& id) {
  return absl::StrCat(R"({"type":"node","id":")", id, R"(","labels":["Document"]})");
}
std::string Edge(const std::string& from, const std::string& to) {
  return absl::StrCat(R"({"type":"edge","from":")", from, R"(","label":"REFERENCES","to":")", to,
                      R"("})");
}

// Ids of the ops in `request`, "a->b" for edges.
std::vector<std::string> OpIds(const v1::WriteRequest& request) {
  std::vector<std::string> ids;
  for (const v1::WriteOp& op : request.ops()) {
    if (op.has_upsert_node()) ids.push_back(op.upsert_node().id());
    if (op.has_upsert_edge()) ids.push_back(op.upsert_edge().from() + "->" + op.upsert_edge().to());
    if (op.has_delete_node()) ids.push_back("-" + op.delete_node());
    if (op.has_delete_edge())
      ids.push_back("-" + op.delete_edge().from() + "->" + op.delete_edge().to());
  }
  return ids;
}

using Ids = std::vector<std::string>;

class ImporterTest : public ::testing::Test {
 protected:
  absl::Status Run(const std::string& file, int batch_size = 1000) {
    std::istringstream in(file);
    JsonlImporter importer(writer_.AsFunction(), ImportOptions{batch_size, "import t.jsonl"},
                           diagnostics_);
    return importer.Import(in, &summary_);
  }

  FakeWriter writer_;
  std::ostringstream diagnostics_;
  ImportSummary summary_;
};

TEST_F(ImporterTest, SendsNodesBeforeEdgesWhateverTheLineOrder) {
  ASSERT_OK(Run(Edge("a", "b") + "\n" + Node("a") + "\n\n" + Node("b") + "\n" +
                R"({"type":"delete_edge","from":"x","label":"L","to":"y"})" + "\n" +
                R"({"type":"delete_node","id":"z"})"));
  ASSERT_EQ(writer_.requests.size(), 2u);
  EXPECT_EQ(OpIds(writer_.requests[0]), (Ids{"a", "b", "-z"}));
  EXPECT_EQ(writer_.requests[0].description(), "import t.jsonl (nodes)");
  EXPECT_EQ(OpIds(writer_.requests[1]), (Ids{"a->b", "-x->y"}));
  EXPECT_EQ(writer_.requests[1].description(), "import t.jsonl (edges)");
  EXPECT_EQ(diagnostics_.str(), "");
  EXPECT_EQ(summary_.lines_read, 6u);  // the blank line counts as read
  EXPECT_EQ(summary_.node_ops, 3u);
  EXPECT_EQ(summary_.edge_ops, 2u);
  EXPECT_EQ(summary_.commits, 2u);
  EXPECT_EQ(summary_.last_version, 12u);
  EXPECT_EQ(summary_.nodes_written, 2u);
  EXPECT_EQ(summary_.edges_written, 1u);
  EXPECT_EQ(summary_.rejected, 0u);
}

TEST_F(ImporterTest, SplitsIntoBatches) {
  ASSERT_OK(Run(Node("a") + "\n" + Node("b") + "\n" + Node("c") + "\n" + Edge("a", "b") + "\n" +
                    Node("d") + "\n" + Node("e") + "\n",
                /*batch_size=*/2));
  ASSERT_EQ(writer_.requests.size(), 4u);
  EXPECT_EQ(OpIds(writer_.requests[0]), (Ids{"a", "b"}));
  EXPECT_EQ(OpIds(writer_.requests[1]), (Ids{"c", "d"}));
  EXPECT_EQ(OpIds(writer_.requests[2]), (Ids{"e"}));
  EXPECT_EQ(OpIds(writer_.requests[3]), (Ids{"a->b"}));
  EXPECT_EQ(summary_.lines_read, 6u);  // trailing newline adds no line
}

TEST_F(ImporterTest, ReportsLocallyInvalidLinesOnceAndDoesNotSendThem) {
  ASSERT_OK(Run(Node("a") + "\n" + R"({"type":"node","id":""})" + "\n" + "not json\n" +
                R"({"type":"edge","from":"a","label":"L"})" + "\n" + Edge("a", "a")));
  EXPECT_EQ(diagnostics_.str(),
            "line 2: \"id\" is empty\n"
            "line 3: invalid JSON: parse error at line 1, column 2: syntax error while parsing "
            "value - invalid literal; last read: 'no'\n"
            "line 4: missing \"to\"\n");
  ASSERT_EQ(writer_.requests.size(), 2u);
  EXPECT_EQ(OpIds(writer_.requests[0]), (Ids{"a"}));
  EXPECT_EQ(OpIds(writer_.requests[1]), (Ids{"a->a"}));
  EXPECT_EQ(summary_.rejected, 3u);
}

TEST_F(ImporterTest, DropsTheOpTheServerNamesAndResendsTheRest) {
  writer_.script.push_back(
      absl::InvalidArgumentError(R"(ops[1]: boundary label "pii2" is not defined)"));
  writer_.script.push_back(
      absl::PermissionDeniedError(R"(ops[2]: not cleared for "team:finance")"));
  ASSERT_OK(Run(Node("a") + "\n" + Node("b") + "\n" + Node("c") + "\n" + Node("d") + "\n"));
  EXPECT_EQ(diagnostics_.str(),
            "line 2: ops[1]: boundary label \"pii2\" is not defined\n"
            "line 4: ops[2]: not cleared for \"team:finance\"\n");
  ASSERT_EQ(writer_.requests.size(), 3u);
  EXPECT_EQ(OpIds(writer_.requests[0]), (Ids{"a", "b", "c", "d"}));
  EXPECT_EQ(OpIds(writer_.requests[1]), (Ids{"a", "c", "d"}));
  EXPECT_EQ(OpIds(writer_.requests[2]), (Ids{"a", "c"}));
  EXPECT_EQ(summary_.rejected, 2u);
  EXPECT_EQ(summary_.node_ops, 2u);
  EXPECT_EQ(summary_.commits, 1u);
}

TEST_F(ImporterTest, EdgeToMissingNodeIsRejectedByLineNumber) {
  writer_.script.push_back(v1::WriteResponse());  // the node batch
  writer_.script.push_back(absl::NotFoundError(R"(ops[0]: edge endpoint "ghost" not found)"));
  ASSERT_OK(Run(Edge("a", "ghost") + "\n" + Node("a")));
  EXPECT_EQ(diagnostics_.str(), "line 1: ops[0]: edge endpoint \"ghost\" not found\n");
  // The batch became empty: nothing more is sent.
  EXPECT_EQ(writer_.requests.size(), 2u);
  EXPECT_EQ(summary_.rejected, 1u);
  EXPECT_EQ(summary_.edge_ops, 0u);
}

TEST_F(ImporterTest, ReimportIsReportedAsUnchanged) {
  v1::WriteResponse unchanged;
  unchanged.set_version(42);
  unchanged.set_committed(false);
  unchanged.set_unchanged(2);
  writer_.script = {unchanged, unchanged};
  ASSERT_OK(Run(Node("a") + "\n" + Node("b") + "\n" + Edge("a", "b") + "\n" + Edge("b", "a")));
  EXPECT_EQ(summary_.commits, 0u);
  EXPECT_EQ(summary_.unchanged, 4u);
  EXPECT_EQ(summary_.last_version, 42u);
  EXPECT_EQ(summary_.node_ops, 2u);
  EXPECT_EQ(summary_.edge_ops, 2u);
}

TEST_F(ImporterTest, CallFailuresAbortTheImport) {
  writer_.script.push_back(absl::UnavailableError("connection refused"));
  EXPECT_EQ(Run(Node("a") + "\n" + Edge("a", "a")), absl::UnavailableError("connection refused"));
  EXPECT_EQ(writer_.requests.size(), 1u);
  EXPECT_EQ(summary_.lines_read, 2u);
  EXPECT_EQ(summary_.commits, 0u);
}

TEST_F(ImporterTest, PerOpCodeWithoutUsableIndexAborts) {
  // No "ops[i]" prefix: the whole batch is wrong, not one line.
  writer_.script.push_back(absl::InvalidArgumentError("too many ops"));
  EXPECT_EQ(Run(Node("a")).code(), absl::StatusCode::kInvalidArgument);
  // An index outside the batch.
  writer_.script.push_back(absl::InvalidArgumentError("ops[5]: bad"));
  EXPECT_EQ(Run(Node("a")).message(), "ops[5]: bad");
  // An "ops[i]" message with a code that means the call failed.
  writer_.script.push_back(absl::InternalError("ops[0]: storage failure"));
  EXPECT_EQ(Run(Node("a")).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(diagnostics_.str(), "");
}

TEST(FailingOpIndexTest, ParsesOnlyALeadingOpsIndex) {
  EXPECT_EQ(FailingOpIndex("ops[0]: x"), 0);
  EXPECT_EQ(FailingOpIndex("ops[17].upsert_node.id: empty"), 17);
  EXPECT_EQ(FailingOpIndex("ops[]: x"), -1);
  EXPECT_EQ(FailingOpIndex("ops[-1]: x"), -1);
  EXPECT_EQ(FailingOpIndex("ops[1"), -1);
  EXPECT_EQ(FailingOpIndex("write: ops[1]: x"), -1);
  EXPECT_EQ(FailingOpIndex("ops[99999999999999999999]"), -1);
}

}  // namespace
}  // namespace ctxgraph::client
