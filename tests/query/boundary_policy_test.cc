#include "query/boundary_policy.h"

#include <gtest/gtest.h>

namespace ctxgraph {
namespace {

struct Case {
  std::vector<std::string> clearances;
  std::vector<std::string> boundary;
  bool visible;
};

class BoundaryMatrixTest : public ::testing::TestWithParam<Case> {};

TEST_P(BoundaryMatrixTest, VisibleIffEveryLabelIsCleared) {
  const Case& c = GetParam();
  EXPECT_EQ(BoundaryPolicy(c.clearances).CanSee(c.boundary), c.visible);
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, BoundaryMatrixTest,
    ::testing::Values(
        // Unlabeled nodes: visible to everyone, even with no clearances.
        Case{{}, {}, true}, Case{{"pii"}, {}, true},
        // Deny by default.
        Case{{}, {"pii"}, false}, Case{{}, {"team:eng"}, false},
        // Exact.
        Case{{"pii"}, {"pii"}, true}, Case{{"pii"}, {"restricted"}, false},
        Case{{"team:eng"}, {"team:finance"}, false}, Case{{"piii"}, {"pii"}, false},
        Case{{"pi"}, {"pii"}, false},
        // Namespace wildcard: only labels inside the namespace.
        Case{{"team:*"}, {"team:eng"}, true}, Case{{"team:*"}, {"team:finance"}, true},
        Case{{"team:*"}, {"team"}, false}, Case{{"team:*"}, {"teams:eng"}, false},
        Case{{"team:*"}, {"pii"}, false}, Case{{"team:*"}, {"personal:alice"}, false},
        Case{{"team:*"}, {"team:eng:sub"}, true},
        // Everything.
        Case{{"*"}, {"pii", "team:finance", "personal:alice", "restricted"}, true},
        // Multi-label nodes need every label.
        Case{{"pii"}, {"pii", "team:finance"}, false},
        Case{{"team:finance"}, {"pii", "team:finance"}, false},
        Case{{"pii", "team:finance"}, {"pii", "team:finance"}, true},
        Case{{"pii", "team:*"}, {"pii", "team:finance"}, true},
        Case{{"team:*"}, {"team:eng", "team:finance"}, true},
        Case{{"team:eng"}, {"team:eng", "team:finance"}, false}));

}  // namespace
}  // namespace ctxgraph
