// ReceiptIdCodec: ids round-trip to the entry they name, say nothing of its
// seq or of the order of two entries, and depend on the database's secret.
#include "query/receipt_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

ContentHash HashOf(uint8_t fill) {
  ContentHash h{};
  h.fill(fill);
  return h;
}

bool IsLowerHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(ReceiptIdTest, AnIdDecodesToItsSeqAndTheStartOfItsHash) {
  const ReceiptIdCodec codec("secret one");
  ContentHash hash = HashOf(0);
  for (int i = 0; i < 32; ++i) hash[i] = static_cast<uint8_t>(i * 7 + 1);
  for (uint64_t seq : {uint64_t{1}, uint64_t{2}, uint64_t{1} << 40, ~uint64_t{0}}) {
    ASSERT_OK_AND_ASSIGN(const std::string id, codec.Encode(seq, hash));
    EXPECT_EQ(id.size(), kReceiptIdDigits);
    EXPECT_TRUE(IsLowerHex(id)) << id;
    EXPECT_EQ(codec.Encode(seq, hash).value(), id);  // the same entry, the same id
    ASSERT_OK_AND_ASSIGN(const std::optional<ReceiptRef> ref, codec.Decode(id));
    ASSERT_TRUE(ref.has_value());
    EXPECT_EQ(ref->seq, seq);
    EXPECT_TRUE(ref->Names(hash));
    ContentHash later_bytes = hash;
    later_bytes[31] ^= 0xff;  // only the first 8 bytes are kept
    EXPECT_TRUE(ref->Names(later_bytes));
    ContentHash other = hash;
    other[7] ^= 1;
    EXPECT_FALSE(ref->Names(other));
  }
}

// Consecutive seqs under one hash: ids that share no visible structure, so
// neither the seq nor the order of two receipts can be read off them.
TEST(ReceiptIdTest, ConsecutiveSeqsGiveUnrelatedIds) {
  const ReceiptIdCodec codec("secret one");
  const ContentHash hash = HashOf(0xab);
  std::vector<std::string> ids;
  for (uint64_t seq = 1; seq <= 256; ++seq) ids.push_back(codec.Encode(seq, hash).value());
  std::set<std::string> distinct, prefixes;
  int rising = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    distinct.insert(ids[i]);
    prefixes.insert(ids[i].substr(0, 4));
    if (i > 0 && ids[i - 1] < ids[i]) ++rising;
  }
  EXPECT_EQ(distinct.size(), 256u);
  // A counter in clear would share its leading digits across the run and
  // rise at every step; these spread over the 65,536 four-digit prefixes
  // and rise about every other step, as random ids do.
  EXPECT_GT(prefixes.size(), 240u);
  EXPECT_GT(rising, 96);
  EXPECT_LT(rising, 160);
}

TEST(ReceiptIdTest, AnotherSecretGivesOtherIdsAndCannotReadThem) {
  const ReceiptIdCodec one("secret one"), two("secret two");
  const ContentHash hash = HashOf(0x11);
  const std::string id = one.Encode(42, hash).value();
  EXPECT_NE(two.Encode(42, hash).value(), id);
  ASSERT_OK_AND_ASSIGN(const std::optional<ReceiptRef> ref, two.Decode(id));
  ASSERT_TRUE(ref.has_value());                      // any 32 hex digits decode...
  EXPECT_FALSE(ref->seq == 42 && ref->Names(hash));  // ...to no entry of ours
}

TEST(ReceiptIdTest, OnlyThirtyTwoLowerCaseHexDigitsDecode) {
  const ReceiptIdCodec codec("secret one");
  const std::string id = codec.Encode(7, HashOf(1)).value();
  for (const std::string& bad :
       {std::string(), id.substr(1), id + "0", std::string(31, 'a') + "A",
        std::string(31, 'a') + "g", std::string(31, 'a') + " ", std::string("7")}) {
    ASSERT_OK_AND_ASSIGN(const std::optional<ReceiptRef> ref, codec.Decode(bad));
    EXPECT_FALSE(ref.has_value()) << bad;
  }
}

}  // namespace
}  // namespace ctxgraph
