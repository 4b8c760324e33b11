#include "storage/record_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

NodeRecord SampleNode() {
  NodeRecord n;
  n.id = "doc-00000042";
  n.labels = {"Document"};
  n.props["title"] = Value{std::string("Q3 plan")};
  n.props["pages"] = Value{int64_t{-12}};
  n.props["score"] = Value{2.0};
  n.props["draft"] = Value{true};
  n.props["created_at"] = Value{Timestamp{1772359200000000}};
  n.props["tags"] = Value{ValueList{Value{std::string("a")}, Value{int64_t{1}}}};
  n.boundary = {"pii", "team:eng"};
  n.source = {"wiki", "wiki://space/page/42", Authority::kImported};
  n.provenance = {7, Timestamp{123}, "loader-1", Sha256("x")};
  return n;
}

// Sha256 reuses one OpenSSL context per thread: a call must not see the
// state a previous one left, on any thread (FIPS 180-2 test vectors).
TEST(RecordCodecTest, Sha256MatchesTheStandardVectorsCallAfterCallAndOnEveryThread) {
  const auto check = [] {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(ToHex(Sha256("abc")),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      EXPECT_EQ(ToHex(Sha256("")),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      EXPECT_EQ(ToHex(Sha256(std::string(1000000, 'a'))),
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
  };
  check();
  std::thread other(check);
  other.join();
}

TEST(RecordCodecTest, NodeRoundTripKeepsIntAndDoubleDistinct) {
  const NodeRecord in = SampleNode();
  ASSERT_OK_AND_ASSIGN(NodeRecord out, DecodeNode(EncodeNode(in)));
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.labels, in.labels);
  EXPECT_EQ(out.props, in.props);
  EXPECT_TRUE(std::holds_alternative<double>(out.props["score"].v));
  EXPECT_TRUE(std::holds_alternative<int64_t>(out.props["pages"].v));
  EXPECT_EQ(out.boundary, in.boundary);
  EXPECT_EQ(out.source, in.source);
  EXPECT_EQ(out.provenance.version, 7u);
  EXPECT_EQ(out.provenance.writer, "loader-1");
  EXPECT_EQ(out.provenance.content_hash, in.provenance.content_hash);
  EXPECT_FALSE(out.deleted);
}

TEST(RecordCodecTest, ExtremeValuesRoundTrip) {
  NodeRecord n;
  n.id = "x";
  n.props["min"] = Value{std::numeric_limits<int64_t>::min()};
  n.props["max"] = Value{std::numeric_limits<int64_t>::max()};
  n.props["nan"] = Value{std::numeric_limits<double>::quiet_NaN()};
  n.props["neg0"] = Value{-0.0};
  n.props["before1970"] = Value{Timestamp{-62135596800000000}};
  ASSERT_OK_AND_ASSIGN(NodeRecord out, DecodeNode(EncodeNode(n)));
  EXPECT_EQ(std::get<int64_t>(out.props["min"].v), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<int64_t>(out.props["max"].v), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(std::isnan(std::get<double>(out.props["nan"].v)));
  EXPECT_TRUE(std::signbit(std::get<double>(out.props["neg0"].v)));
  EXPECT_EQ(std::get<Timestamp>(out.props["before1970"].v).micros, -62135596800000000);
}

TEST(RecordCodecTest, EveryTruncationIsDataLossNotACrash) {
  const std::string bytes = EncodeNode(SampleNode());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeNode(bytes.substr(0, n)).status().code(), absl::StatusCode::kDataLoss) << n;
  }
  EXPECT_EQ(DecodeNode(bytes + "!").status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, ACutBeforeATrailingSectionIsDataLossNotARecordWithoutIt) {
  // Cut right before its inherited labels, a node used to decode as one
  // that inherits nothing: visible to callers the labels keep out. An
  // edge cut before its sanitized labels lost a steward's stops.
  NodeRecord node = SampleNode();
  node.inherited = {InheritedLabel{"restricted", 9, ""}};
  const std::string node_bytes = EncodeNode(node);
  EXPECT_EQ(node_bytes[0], static_cast<char>(kRecordFormatWithTrailer));
  ASSERT_OK_AND_ASSIGN(NodeRecord back, DecodeNode(node_bytes));
  EXPECT_EQ(back.inherited, node.inherited);
  for (size_t n = 0; n < node_bytes.size(); ++n) {
    EXPECT_EQ(DecodeNode(node_bytes.substr(0, n)).status().code(), absl::StatusCode::kDataLoss)
        << n;
  }
  EdgeRecord edge{"a", "DERIVED_FROM", "b", {}, {3, {4}, "w", {}}, false, {"pii"}};
  const std::string edge_bytes = EncodeEdge(edge);
  EXPECT_EQ(edge_bytes[0], static_cast<char>(kRecordFormatWithTrailer));
  ASSERT_OK_AND_ASSIGN(EdgeRecord edge_back, DecodeEdge(edge_bytes));
  EXPECT_EQ(edge_back.sanitizes, edge.sanitizes);
  for (size_t n = 0; n < edge_bytes.size(); ++n) {
    EXPECT_EQ(DecodeEdge(edge_bytes.substr(0, n)).status().code(), absl::StatusCode::kDataLoss)
        << n;
  }
  // Records without the section keep format 1 and their bytes; format-1
  // records with one (written before format 2) still decode.
  EXPECT_EQ(EncodeNode(SampleNode())[0], static_cast<char>(kRecordFormat));
  std::string old_node = node_bytes;
  old_node[0] = static_cast<char>(kRecordFormat);
  ASSERT_OK_AND_ASSIGN(NodeRecord old_back, DecodeNode(old_node));
  EXPECT_EQ(old_back.inherited, node.inherited);
  std::string old_edge = edge_bytes;
  old_edge[0] = static_cast<char>(kRecordFormat);
  ASSERT_OK_AND_ASSIGN(EdgeRecord old_edge_back, DecodeEdge(old_edge));
  EXPECT_EQ(old_edge_back.sanitizes, edge.sanitizes);
}

TEST(RecordCodecTest, HugeCountsInCorruptBytesAreRejectedWithoutAllocating) {
  // format, not deleted, id "x", then a label count of 2^63.
  std::string bytes("\x01\x00\x01x", 4);
  bytes += std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
  EXPECT_EQ(DecodeNode(bytes).status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, UnknownFormatByteIsRejected) {
  std::string bytes = EncodeNode(SampleNode());
  bytes[0] = 9;
  EXPECT_EQ(DecodeNode(bytes).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeNode(bytes).status().message(), "node record: unknown format 9");
}

TEST(RecordCodecTest, NestedListsInStoredBytesAreRejected) {
  NodeRecord n;
  n.id = "x";
  n.props["l"] = Value{ValueList{Value{ValueList{}}}};
  EXPECT_EQ(DecodeNode(EncodeNode(n)).status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, EdgeCommitPrincipalTokenRoundTrip) {
  EdgeRecord e{"msg-7", "PART_OF", "conv-2", {{"weight", Value{0.5}}}, {3, {4}, "w", {}}, true};
  ASSERT_OK_AND_ASSIGN(EdgeRecord e2, DecodeEdge(EncodeEdge(e)));
  EXPECT_EQ(e2.from, "msg-7");
  EXPECT_EQ(e2.label, "PART_OF");
  EXPECT_EQ(e2.to, "conv-2");
  EXPECT_EQ(e2.props, e.props);
  EXPECT_TRUE(e2.deleted);

  CommitRecord c{5, {6}, "admin", "import demo"};
  ASSERT_OK_AND_ASSIGN(CommitRecord c2, DecodeCommit(EncodeCommit(c)));
  EXPECT_EQ(c2.version, 5u);
  EXPECT_EQ(c2.description, "import demo");

  PrincipalRecord p{
      "alice", {Role::kAgent, Role::kAuditor}, {"team:*"}, PrincipalStatus::kSuspended, 8};
  ASSERT_OK_AND_ASSIGN(PrincipalRecord p2, DecodePrincipal(EncodePrincipal(p)));
  EXPECT_EQ(p2.roles, p.roles);
  EXPECT_EQ(p2.clearances, p.clearances);
  EXPECT_EQ(p2.status, PrincipalStatus::kSuspended);

  TokenRecord t{"tok_1", "alice", Sha256("secret"), {9}, true, {77}};
  ASSERT_OK_AND_ASSIGN(TokenRecord t2, DecodeToken(EncodeToken(t)));
  EXPECT_EQ(t2.token_hash, t.token_hash);
  EXPECT_TRUE(t2.revoked);
  EXPECT_EQ(t2.expires, Timestamp{77});
}

TEST(RecordCodecTest, ATokenThatNeverExpiresKeepsItsOldBytesAndAnExpiringOneCannotLoseItsExpiry) {
  TokenRecord t{"tok_1", "alice", Sha256("secret"), {9}, false, {}};
  const std::string forever = EncodeToken(t);
  ASSERT_EQ(forever[0], '\x01');                       // format 1, as before tokens could expire
  EXPECT_EQ(forever.size(), 1 + 6 + 6 + 32 + 8 + 1u);  // ids with a 1-byte length
  t.expires = Timestamp{1234};
  const std::string expiring = EncodeToken(t);
  ASSERT_EQ(expiring[0], '\x02');
  EXPECT_EQ(expiring.size(), forever.size() + 8);
  ASSERT_OK_AND_ASSIGN(TokenRecord back, DecodeToken(expiring));
  EXPECT_EQ(back.expires, Timestamp{1234});
  for (size_t n = 0; n < expiring.size(); ++n) {
    EXPECT_EQ(DecodeToken(expiring.substr(0, n)).status().code(), absl::StatusCode::kDataLoss) << n;
  }
  // A never-expiring record given eight more bytes, or format 2 without an
  // expiry, is no record the encoder writes.
  EXPECT_EQ(DecodeToken(forever + expiring.substr(forever.size())).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeToken('\x02' + forever.substr(1) + std::string(8, '\0')).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, LabelDefinitionRoundTripsAndEveryTruncationIsDataLoss) {
  const LabelDefinition label{"team:finance", "Finance team material", true, 7, 3,
                              "steward",      Timestamp{1234567}};
  const std::string bytes = EncodeLabelDefinition(label);
  ASSERT_OK_AND_ASSIGN(LabelDefinition back, DecodeLabelDefinition(bytes));
  EXPECT_EQ(back, label);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeLabelDefinition(bytes.substr(0, n)).status().code(),
              absl::StatusCode::kDataLoss)
        << n;
  }
  EXPECT_EQ(DecodeLabelDefinition(bytes + "x").status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, ContentHashCoversLabelsPropsBoundaryOnly) {
  const NodeRecord a = SampleNode();
  NodeRecord b = a;
  b.provenance = {};
  b.source = {};
  EXPECT_EQ(NodeContentHash(a), NodeContentHash(b));
  b.props["pages"] = Value{-12.0};  // int -> double is a change
  EXPECT_NE(NodeContentHash(a), NodeContentHash(b));
  NodeRecord c = a;
  c.boundary = {"pii"};
  EXPECT_NE(NodeContentHash(a), NodeContentHash(c));
  NodeRecord d = a;
  d.labels = {"Document", "Decision"};
  EXPECT_NE(NodeContentHash(a), NodeContentHash(d));
}

TEST(RecordCodecTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

AuditEntry SampleAuditEntry() {
  AuditEntry e;
  e.seq = 42;
  e.time = Timestamp{1772359200000000};
  e.principal = "agent-7";
  e.action = "retrieve";
  e.snapshot_version = 9;
  e.summary = "seeds=doc-1 hops=2";
  e.items = {{"doc-1", "", "", 3}, {"doc-1", "CITES", "doc-2", 4}};
  e.items_total = 5;
  e.items_digest = Sha256("items");
  e.prev_hash = Sha256("prev");
  e.hash = Sha256("hash");
  return e;
}

TEST(RecordCodecTest, AuditEntryRoundTripsAsBodyThenBothHashes) {
  const AuditEntry e = SampleAuditEntry();
  const std::string bytes = EncodeAuditEntry(e);
  EXPECT_EQ(bytes.substr(0, bytes.size() - 64), EncodeAuditBody(e));
  ASSERT_OK_AND_ASSIGN(AuditEntry back, DecodeAuditEntry(bytes));
  EXPECT_EQ(back, e);
}

TEST(RecordCodecTest, AuditBodyLeavesOutBothHashes) {
  AuditEntry a = SampleAuditEntry(), b = a;
  b.prev_hash = Sha256("other");
  b.hash = Sha256("other");
  EXPECT_EQ(EncodeAuditBody(a), EncodeAuditBody(b));
  b.items[1].version = 5;
  EXPECT_NE(EncodeAuditBody(a), EncodeAuditBody(b));
}

TEST(RecordCodecTest, EveryTruncatedAuditEntryIsDataLoss) {
  const std::string bytes = EncodeAuditEntry(SampleAuditEntry());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodeAuditEntry(bytes.substr(0, n)).status().code(), absl::StatusCode::kDataLoss)
        << n;
  }
  EXPECT_STATUS(DecodeAuditEntry(bytes + "!"), absl::StatusCode::kDataLoss,
                "audit record: trailing bytes");
  AuditEntry fewer = SampleAuditEntry();
  fewer.items_total = 1;  // lists more than it claims in all
  EXPECT_STATUS(DecodeAuditEntry(EncodeAuditEntry(fewer)), absl::StatusCode::kDataLoss,
                "audit record: items_total below the items listed");
}

TEST(RecordCodecTest, AuditItemDigestIsOrderSensitiveAndIncremental) {
  const AuditItem a{"a", "", "", 1}, b{"b", "", "", 1};
  AuditItemDigest ab, ba;
  ab.Add(a);
  const ContentHash after_a = ab.Digest();
  ab.Add(b);
  ba.Add(b);
  ba.Add(a);
  EXPECT_NE(ab.Digest(), ba.Digest());
  EXPECT_NE(ab.Digest(), after_a);
  EXPECT_EQ(ab.Digest(), ab.Digest());  // Digest() does not consume
  // A node and an edge with the same strings concatenated differ.
  AuditItemDigest node, edge;
  node.Add({"ab", "", "", 1});
  edge.Add({"a", "b", "", 1});
  EXPECT_NE(node.Digest(), edge.Digest());
}

// The digest is SHA-256 over each item's documented encoding in order
// (varint length and bytes of the node id, edge label and edge end, then
// varint version; retriever.h), however the bytes reach the hash: here
// multi-byte varints and enough items to cross the digest's internal
// batching several times, checked against the encoding built by hand.
TEST(RecordCodecTest, AuditItemDigestIsSha256OfTheDocumentedEncoding) {
  auto varint = [](std::string* out, uint64_t v) {
    while (v >= 0x80) {
      out->push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out->push_back(static_cast<char>(v));
  };
  std::string expected_bytes;
  AuditItemDigest digest;
  for (uint64_t i = 0; i < 700; ++i) {
    const AuditItem item{std::string(1 + i % 200, static_cast<char>('a' + i % 26)),
                         i % 3 == 0 ? "DERIVED_FROM" : "",
                         i % 3 == 0 ? "doc-" + std::to_string(i) : "",
                         i == 699 ? UINT64_MAX : i * 977 + (uint64_t{1} << (i % 60))};
    for (const std::string* s : {&item.node_id, &item.edge_label, &item.edge_to}) {
      varint(&expected_bytes, s->size());
      expected_bytes += *s;
    }
    varint(&expected_bytes, item.version);
    digest.Add(item);
    if (i == 0 || i == 350) EXPECT_EQ(digest.Digest(), Sha256(expected_bytes)) << i;
  }
  ASSERT_GT(expected_bytes.size(), 3 * 4096u);
  EXPECT_EQ(digest.Digest(), Sha256(expected_bytes));
}

}  // namespace
}  // namespace ctxgraph
