#include "server/retrieval_convert.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/proto_convert.h"
#include "tests/server/full_records.h"

namespace ctxgraph::server {
namespace {

using google::protobuf::util::MessageDifferencer;

std::shared_ptr<const EdgeRecord> Edge(const std::string& from, const std::string& label,
                                       const std::string& to) {
  auto edge = std::make_shared<EdgeRecord>();
  edge->from = from;
  edge->label = label;
  edge->to = to;
  edge->props["weight"] = Value{0.5};  // in memory; an EdgeRef never carries it
  edge->provenance.version = 40;
  return edge;
}

// What building the message field by field gives.
v1::RetrievedItem Built(const RetrievedItem& item) {
  v1::RetrievedItem out;
  NodeToProto(*item.node, out.mutable_node());
  out.set_score(item.score);
  out.set_hop(item.hop);
  for (const auto& edge : item.via) EdgeRefToProto(*edge, out.add_via());
  return out;
}

std::vector<RetrievedItem> Items() {
  return {
      {FullNode("doc-1"), 0.25, 0, {}},  // a seed: hop 0 is left out
      {FullNode("doc-2"),
       0x1.2116d04f00facp-2,
       2,
       {Edge("doc-1", "REFERENCES", "doc-3"), Edge("doc-3", "DERIVED_FROM", "doc-2")}},
      {FullNode("doc-3"), 0.0, 1, {Edge("doc-1", "REFERENCES", "doc-3")}},  // score 0 left out
      {FullNode("doc-4"), -0.0, -1, {Edge("", "", "doc-4")}},  // -0.0 and a negative hop are sent
      // Ids long enough for two-byte lengths, in the via edge and around it.
      {FullNode("doc-5"),
       1e-300,
       5,
       {Edge(std::string(200, 'f'), "PART_OF", std::string(130, 't'))}},
  };
}

// AppendRetrievedItem writes these fields by hand: a field added to either
// message must be added there too (and to Built above).
TEST(RetrievalConvertTest, TheHandWrittenMessagesHaveTheFieldsItWrites) {
  EXPECT_EQ(v1::RetrievedItem::descriptor()->field_count(), 4);
  EXPECT_EQ(v1::EdgeRef::descriptor()->field_count(), 3);
}

TEST(RetrievalConvertTest, AnItemParsesAsTheMessageBuiltFieldByField) {
  for (size_t budget : {size_t{0}, size_t{1} << 20}) {  // nodes encoded, or kept and copied
    NodeWireCache nodes(budget);
    for (int pass = 0; pass < 2; ++pass) {
      for (const RetrievedItem& item : Items()) {
        std::string bytes;
        AppendRetrievedItem(item, nodes, &bytes);
        v1::RetrievedItem parsed;
        ASSERT_TRUE(parsed.ParseFromString(bytes)) << item.node->id;
        const v1::RetrievedItem expected = Built(item);
        EXPECT_TRUE(MessageDifferencer::Equals(parsed, expected))
            << item.node->id << "\n"
            << parsed.DebugString() << "\nwanted\n"
            << expected.DebugString();
        // Byte for byte as the generated code writes the other fields, once
        // both hold the same node bytes: a kept entry's (a map's order is
        // the serializer's choice, from one encoding to the next).
        if (budget == 0) continue;
        v1::RetrievedItem reference = expected;
        reference.clear_node();
        std::string node_bytes;
        nodes.AppendNode(item.node, &node_bytes);
        std::string expected_bytes(1, static_cast<char>(0x0a));  // field 1, length-delimited
        for (size_t n = node_bytes.size();; n >>= 7) {           // its length, a varint
          expected_bytes.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
          if (n < 0x80) break;
        }
        expected_bytes += node_bytes + reference.SerializeAsString();
        EXPECT_EQ(bytes, expected_bytes) << item.node->id;
      }
    }
  }
}

TEST(RetrievalConvertTest, AResponseParsesWithItemsEdgesAndReceiptInOrder) {
  RetrievalResult result;
  result.items = Items();
  result.edges = {Edge("doc-1", "REFERENCES", "doc-3"), Edge("doc-3", "DERIVED_FROM", "doc-2")};
  result.truncated = true;
  result.receipt.receipt_id = "0123456789abcdef0123456789abcdef";
  result.receipt.snapshot_version = 41;
  result.receipt.principal = "agent-1";
  result.receipt.clearances = {"team:finance"};
  NodeWireCache nodes(size_t{1} << 20);
  EdgeWireCache edges(size_t{1} << 20);
  v1::RetrieveResponse response;
  RetrievalResultToProto(result, nodes, edges, &response);
  EXPECT_EQ(response.items_size(), 0);  // encoded fields until parsed
  v1::RetrieveResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(response.SerializeAsString()));

  v1::RetrieveResponse expected;
  for (const RetrievedItem& item : result.items) *expected.add_items() = Built(item);
  for (const auto& edge : result.edges) EdgeToProto(*edge, expected.add_edges());
  expected.set_truncated(true);
  ReceiptToProto(result.receipt, expected.mutable_receipt());
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, expected)) << parsed.DebugString();
  ASSERT_EQ(parsed.items_size(), 5);
  EXPECT_EQ(parsed.items(1).via(1).label(), "DERIVED_FROM");
  EXPECT_EQ(parsed.receipt().receipt_id(), "0123456789abcdef0123456789abcdef");
}

}  // namespace
}  // namespace ctxgraph::server
