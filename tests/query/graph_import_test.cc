// GraphImport: how many rejects an import's answer lists.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query/graph_writer.h"
#include "tests/query/indexed_graph.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

// `n` ops that could not be decoded, each rejected with `reason`.
std::vector<absl::StatusOr<Mutation>> Undecodable(size_t n, const std::string& reason) {
  return std::vector<absl::StatusOr<Mutation>>(n, absl::InvalidArgumentError(reason));
}

// The answer lists the first rejects only, so that it stays far below the
// message limit (a reject lists its reason); the count covers all of them.
TEST(GraphImportTest, TheAnswerListsTheFirstRejectsAndCountsAll) {
  IndexedGraph g;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<GraphImport> by_count,
                       GraphImport::Begin(g.store(), g.admin_, ImportOptions{}));
  for (int batch = 0; batch < 11; ++batch) ASSERT_OK(by_count->Add(Undecodable(10000, "bad")));
  ASSERT_OK_AND_ASSIGN(ImportResult counted, by_count->Finish());
  EXPECT_EQ(counted.rejected, 110000u);
  ASSERT_EQ(counted.rejects.size(), kMaxReportedRejects);
  EXPECT_EQ(counted.rejects.back().index, kMaxReportedRejects - 1);

  // 20,000 reasons of 1,024 bytes: 16 MiB of them (each charged 16 more).
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<GraphImport> by_bytes,
                       GraphImport::Begin(g.store(), g.admin_, ImportOptions{}));
  for (int batch = 0; batch < 2; ++batch) {
    ASSERT_OK(by_bytes->Add(Undecodable(10000, std::string(1024, 'r'))));
  }
  // Then short ones, which would fit: still not listed, or the list would
  // not be the first rejects in stream order.
  ASSERT_OK(by_bytes->Add(Undecodable(10, "short")));
  ASSERT_OK_AND_ASSIGN(ImportResult sized, by_bytes->Finish());
  EXPECT_EQ(sized.rejected, 20010u);
  ASSERT_EQ(sized.rejects.size(), kMaxReportedRejectBytes / 1040);
  EXPECT_EQ(sized.rejects.back().index, kMaxReportedRejectBytes / 1040 - 1);
}

}  // namespace
}  // namespace ctxgraph
