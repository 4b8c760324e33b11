#include "storage/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "tests/test_macros.h"

namespace ctxgraph::keys {
namespace {

TEST(KeysTest, U64IsBigEndianSoByteOrderIsNumericOrder) {
  EXPECT_EQ(EncodeU64(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  const std::vector<uint64_t> values = {
      0, 1, 255, 256, 65535, 1ull << 32, (1ull << 63) - 1, 1ull << 63, ~0ull};
  for (size_t i = 1; i < values.size(); ++i) {
    EXPECT_LT(EncodeU64(values[i - 1]), EncodeU64(values[i])) << values[i];
  }
}

TEST(KeysTest, NodeVersionKeyRoundTripsAtBoundaryValues) {
  for (uint64_t iid : {0ull, 1ull, 0x0102030405060708ull, ~0ull}) {
    for (uint64_t v : {0ull, 1ull, 1ull << 40, ~0ull}) {
      ASSERT_OK_AND_ASSIGN(NodeVersionKey k, DecodeNodeVersionKey(EncodeNodeVersionKey({iid, v})));
      EXPECT_EQ(k, (NodeVersionKey{iid, v}));
    }
  }
}

TEST(KeysTest, NewerVersionsOfOneNodeSortFirst) {
  std::vector<std::string> encoded = {EncodeNodeVersionKey({7, 1}), EncodeNodeVersionKey({7, 3}),
                                      EncodeNodeVersionKey({7, 2}), EncodeNodeVersionKey({6, 9}),
                                      EncodeNodeVersionKey({8, 1})};
  std::sort(encoded.begin(), encoded.end());
  std::vector<NodeVersionKey> order;
  for (const auto& e : encoded) order.push_back(*DecodeNodeVersionKey(e));
  EXPECT_EQ(order, (std::vector<NodeVersionKey>{{6, 9}, {7, 3}, {7, 2}, {7, 1}, {8, 1}}));
}

TEST(KeysTest, AsOfSeekLandsOnNewestVersionAtOrBefore) {
  // Seeking (iid, ~V) lands on the first key >= it: the newest version <= V.
  std::vector<std::string> keys = {EncodeNodeVersionKey({7, 10}), EncodeNodeVersionKey({7, 5}),
                                   EncodeNodeVersionKey({7, 2})};
  std::sort(keys.begin(), keys.end());
  auto seek = [&](uint64_t v) {
    auto it = std::lower_bound(keys.begin(), keys.end(), EncodeNodeVersionKey({7, v}));
    return it == keys.end() ? 0 : DecodeNodeVersionKey(*it)->version;
  };
  EXPECT_EQ(seek(1), 0u);
  EXPECT_EQ(seek(2), 2u);
  EXPECT_EQ(seek(4), 2u);
  EXPECT_EQ(seek(5), 5u);
  EXPECT_EQ(seek(9), 5u);
  EXPECT_EQ(seek(kMaxVersion), 10u);
}

TEST(KeysTest, AdjacencyKeyRoundTripsIncludingOddLabels) {
  for (const std::string& label :
       {std::string("PART_OF"), std::string(""), std::string("a\0b", 3), std::string(300, 'x')}) {
    AdjacencyKey in{42, label, ~0ull, 17};
    ASSERT_OK_AND_ASSIGN(AdjacencyKey out, DecodeAdjacencyKey(EncodeAdjacencyKey(in)));
    EXPECT_EQ(out, in);
    EXPECT_TRUE(EncodeAdjacencyKey(in).starts_with(AdjacencyPrefix(42, label)));
    EXPECT_TRUE(EncodeAdjacencyKey(in).starts_with(AdjacencyEdgePrefix(42, label, ~0ull)));
  }
}

TEST(KeysTest, LabelPrefixOfOneLabelNeverMatchesAnother) {
  // "A" must not be a prefix scan match for "AB": the length prefix separates them.
  const std::string a = EncodeAdjacencyKey({1, "AB", 2, 3});
  EXPECT_FALSE(a.starts_with(AdjacencyPrefix(1, "A")));
  const std::string l = EncodeLabelIndexKey({"DocumentX", 5, 1});
  EXPECT_FALSE(l.starts_with(LabelIndexPrefix("Document")));
  EXPECT_TRUE(l.starts_with(LabelIndexPrefix("DocumentX")));
}

TEST(KeysTest, LabelIndexAndPrincipalKeysRoundTrip) {
  ASSERT_OK_AND_ASSIGN(LabelIndexKey l, DecodeLabelIndexKey(EncodeLabelIndexKey({"Person", 9, 4})));
  EXPECT_EQ(l, (LabelIndexKey{"Person", 9, 4}));
  ASSERT_OK_AND_ASSIGN(PrincipalKey p, DecodePrincipalKey(EncodePrincipalKey({"alice", 12})));
  EXPECT_EQ(p, (PrincipalKey{"alice", 12}));
  ASSERT_OK_AND_ASSIGN(uint64_t c, DecodeCommitKey(CommitKey(99)));
  EXPECT_EQ(c, 99u);
}

TEST(KeysTest, LabelKeysRoundTripNewestFirstAndNeverMatchALongerName) {
  for (const std::string& name :
       {std::string("pii"), std::string("team:finance"), std::string(128, 'x')}) {
    for (uint64_t v : {1ull, 1ull << 40, ~0ull}) {
      ASSERT_OK_AND_ASSIGN(LabelKey k, DecodeLabelKey(EncodeLabelKey({name, v})));
      EXPECT_EQ(k, (LabelKey{name, v}));
      EXPECT_TRUE(EncodeLabelKey({name, v}).starts_with(LabelPrefix(name)));
    }
  }
  EXPECT_LT(EncodeLabelKey({"pii", 9}), EncodeLabelKey({"pii", 2}));
  EXPECT_FALSE(EncodeLabelKey({"pii2", 1}).starts_with(LabelPrefix("pii")));
  // Version 0 is never written: (name, 0) sorts after every version of name.
  EXPECT_LT(EncodeLabelKey({"pii", 1}), EncodeLabelKey({"pii", 0}));
  EXPECT_STATUS(DecodeLabelKey(EncodeLabelKey({"pii", 1}) + "z"), absl::StatusCode::kDataLoss,
                "label key: 1 trailing bytes");
  EXPECT_EQ(DecodeLabelKey(EncodeLabelKey({"pii", 1}).substr(0, 6)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeysTest, DecodersRejectTruncatedAndTrailingBytes) {
  const std::string adj = EncodeAdjacencyKey({1, "PART_OF", 2, 3});
  for (size_t n = 0; n < adj.size(); ++n) {
    EXPECT_EQ(DecodeAdjacencyKey(adj.substr(0, n)).status().code(), absl::StatusCode::kDataLoss)
        << n;
  }
  EXPECT_EQ(DecodeAdjacencyKey(adj + "x").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeNodeVersionKey("short").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeLabelIndexKey(std::string("\xff\xff", 2)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodePrincipalKey(EncodePrincipalKey({"bob", 1}) + "z").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeCommitKey("1234567").status().code(), absl::StatusCode::kDataLoss);
}

TEST(KeysTest, AuditKeysRoundTripAndSortBySeq) {
  const std::vector<uint64_t> seqs = {1, 2, 255, 256, 1ull << 40, ~0ull};
  for (size_t i = 0; i < seqs.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(uint64_t seq, DecodeAuditKey(AuditKey(seqs[i])));
    EXPECT_EQ(seq, seqs[i]);
    if (i > 0) {
      EXPECT_LT(AuditKey(seqs[i - 1]), AuditKey(seqs[i])) << seqs[i];
    }
  }
  EXPECT_STATUS(DecodeAuditKey("1234567"), absl::StatusCode::kDataLoss,
                "audit key: expected 8 bytes");
}

}  // namespace
}  // namespace ctxgraph::keys
