// AuditReader::List over a log longer than one call's scan budget: short and
// empty pages carry a next token, and following the tokens lists every
// matching entry exactly once.
#include "query/audit_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/query/indexed_graph.h"
#include "tests/query/make_caller.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

AuditEntry Read(std::string principal, int64_t micros) {
  AuditEntry e;
  e.principal = std::move(principal);
  e.action = "retrieve";
  e.time = Timestamp{micros};
  e.summary = "query=q";
  return e;
}

AuditFilter By(std::string principal) {
  AuditFilter filter;
  filter.principal = std::move(principal);
  return filter;
}

class AuditReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Twenty entries; bob's are 3, 4 and 17.
    for (int seq = 1; seq <= 20; ++seq) {
      const bool bob = seq == 3 || seq == 4 || seq == 17;
      ASSERT_OK(g_.audit().Append(Read(bob ? "bob" : "alice", 1000 * seq)));
    }
  }

  // Every page of `filter` with `page_size` and a budget of 5 entries read
  // per call: the seqs of each page.
  std::vector<std::vector<uint64_t>> Pages(const AuditFilter& filter, int page_size) {
    const AuditReader reader(g_.audit(), g_.tokens(), auditor_);
    std::vector<std::vector<uint64_t>> pages;
    std::string token;
    do {
      absl::StatusOr<AuditEntryPage> page = reader.List(filter, page_size, token, 5);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok() || pages.size() > 20) break;
      pages.emplace_back();
      for (const AuditEntry& e : page->entries) pages.back().push_back(e.seq);
      token = page->next_page_token;
    } while (!token.empty());
    return pages;
  }

  IndexedGraph g_;
  const Caller auditor_ = MakeCaller("carol", {"*"}, {Role::kAuditor});
};

TEST_F(AuditReaderTest, AFilterMatchingLittleAnswersPageByPageWithinTheBudget) {
  using Seqs = std::vector<uint64_t>;
  // Reads 1-5 (3, 4 match), 6-10, 11-15, 16-20 (17 matches), then the end.
  EXPECT_EQ(Pages(By("bob"), 10), (std::vector<Seqs>{{3, 4}, {}, {}, {17}}));
  // A full page resumes right after its last entry: 1-4 (3; 4 matches
  // beyond it), 4-8 (4), 9-13, 14-18 (17), 19-20.
  EXPECT_EQ(Pages(By("bob"), 1), (std::vector<Seqs>{{3}, {4}, {}, {17}, {}}));
  // Nothing matching: empty pages to the end of the log, then no token.
  EXPECT_EQ(Pages(By("dave"), 10), (std::vector<Seqs>{{}, {}, {}, {}}));
}

TEST_F(AuditReaderTest, WithTheDefaultBudgetOnePageHoldsEveryMatch) {
  const AuditReader reader(g_.audit(), g_.tokens(), auditor_);
  ASSERT_OK_AND_ASSIGN(AuditEntryPage page, reader.List(By("bob"), 10, ""));
  std::vector<uint64_t> seqs;
  for (const AuditEntry& e : page.entries) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{3, 4, 17}));
  EXPECT_EQ(page.next_page_token, "");
}

}  // namespace
}  // namespace ctxgraph
