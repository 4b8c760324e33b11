#include "server/lineage_convert.h"

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

// A stub's record holds its opaque id and nothing else.
std::shared_ptr<const NodeRecord> Stub(const std::string& opaque_id) {
  auto node = std::make_shared<NodeRecord>();
  node->id = opaque_id;
  return node;
}

// An edge that touches a stub has provenance.version 0. The walk leaves
// only its ends and label; this one keeps the rest, which must not be sent.
EdgeRecord Edge(const std::string& from, const std::string& to, uint64_t version) {
  EdgeRecord edge = FullEdge(from, "DERIVED_FROM", to, version);
  if (version == 0) edge.props["note"] = Value{std::string("canary edge prop")};
  return edge;
}

LineageGraph Graph() {
  LineageGraph graph;
  graph.nodes = {
      {FullNode("dec-1"), false, 0, 0},  // the start: depth and layer 0 are left out
      {FullNode("doc-2"), false, 1, 1},
      {Stub("x-0123456789abcdef"), true, 1, 2},
      // Ids long enough for two-byte lengths; a depth past one byte.
      {FullNode(std::string(200, 'n')), false, 300, 301},
  };
  for (EdgeRecord edge : {Edge("dec-1", "doc-2", 40), Edge("dec-1", "x-0123456789abcdef", 0),
                          Edge("doc-2", std::string(200, 'n'), 39)}) {
    graph.edges.push_back(std::make_shared<const EdgeRecord>(std::move(edge)));
  }
  graph.cycles = {{{"doc-2", std::string(200, 'n')}, {Edge(std::string(200, 'n'), "doc-2", 38)}}};
  graph.truncated = true;
  graph.depth_limited = true;
  graph.snapshot_version = 42;
  graph.audit_seq = 7;
  return graph;
}

// What building the messages field by field gives.
void BuiltNode(const LineageNode& node, bool ids_only, v1::LineageNode* out) {
  if (node.redacted || ids_only) {
    out->mutable_node()->set_id(node.node->id);
  } else {
    NodeToProto(*node.node, out->mutable_node());
  }
  out->set_redacted(node.redacted);
  out->set_depth(node.depth);
  out->set_layer(node.layer);
}

void BuiltEdge(const EdgeRecord& edge, bool ids_only, v1::Edge* out) {
  if (edge.provenance.version != 0 && !ids_only) {
    EdgeToProto(edge, out);
    return;
  }
  out->set_from(edge.from);
  out->set_label(edge.label);
  out->set_to(edge.to);
}

v1::LineageResponse Built(const LineageGraph& graph, bool ids_only) {
  v1::LineageResponse out;
  for (const LineageNode& node : graph.nodes) BuiltNode(node, ids_only, out.add_nodes());
  for (const auto& edge : graph.edges) BuiltEdge(*edge, ids_only, out.add_edges());
  for (const LineageCycle& cycle : graph.cycles) {
    v1::LineageCycle* c = out.add_cycles();
    for (const std::string& id : cycle.node_ids) c->add_node_ids(id);
    for (const EdgeRecord& edge : cycle.closing_edges) EdgeRefToProto(edge, c->add_closing_edges());
  }
  out.set_truncated(graph.truncated);
  out.set_depth_limited(graph.depth_limited);
  out.set_snapshot_version(graph.snapshot_version);
  out.set_audit_seq(graph.audit_seq);
  return out;
}

void ExpectSame(const google::protobuf::Message& got, const google::protobuf::Message& wanted) {
  EXPECT_TRUE(MessageDifferencer::Equals(got, wanted)) << got.DebugString() << "\nwanted\n"
                                                       << wanted.DebugString();
}

// The nodes and edges are written by hand: a field added to these messages
// must be added there too (and to BuiltNode and BuiltEdge above).
TEST(LineageConvertTest, TheHandWrittenMessagesHaveTheFieldsItWrites) {
  EXPECT_EQ(v1::LineageNode::descriptor()->field_count(), 4);
  EXPECT_EQ(v1::LineageResponse::descriptor()->field_count(), 7);
  EXPECT_EQ(v1::LineagePathResponse::descriptor()->field_count(), 6);
}

TEST(LineageConvertTest, NodesAndEdgesParseAsTheMessagesBuiltFieldByField) {
  const LineageGraph graph = Graph();
  for (bool ids_only : {false, true}) {
    for (size_t budget : {size_t{0}, size_t{1} << 20}) {  // encoded, or kept and copied
      NodeWireCache nodes(budget);
      EdgeWireCache edges(budget);
      for (int pass = 0; pass < 2; ++pass) {
        SCOPED_TRACE(testing::Message()
                     << "ids_only " << ids_only << " budget " << budget << " pass " << pass);
        const uint64_t node_hits = nodes.stats().hits, edge_hits = edges.stats().hits;
        for (const LineageNode& node : graph.nodes) {
          std::string bytes;
          AppendLineageNode(node, ids_only, nodes, &bytes);
          v1::LineageNode parsed, wanted;
          ASSERT_TRUE(parsed.ParseFromString(bytes)) << node.node->id;
          BuiltNode(node, ids_only, &wanted);
          ExpectSame(parsed, wanted);
          // Byte for byte what the generated code writes for the ids view.
          if (ids_only || node.redacted) {
            EXPECT_EQ(bytes, wanted.SerializeAsString());
          }
        }
        for (const auto& shared : graph.edges) {
          const EdgeRecord& edge = *shared;
          std::string bytes;
          AppendLineageEdge(edge, ids_only, edges, &bytes);
          v1::Edge parsed, wanted;
          ASSERT_TRUE(parsed.ParseFromString(bytes)) << edge.to;
          BuiltEdge(edge, ids_only, &wanted);
          ExpectSame(parsed, wanted);
          if (ids_only || edge.provenance.version == 0) {
            EXPECT_EQ(bytes, wanted.SerializeAsString());
            EXPECT_EQ(bytes.find("canary"), std::string::npos);
          }
        }
        // Whole records: the second pass copies what the first kept (three
        // nodes and two edges; the stub and its edge are never kept).
        const bool kept = pass == 1 && budget > 0 && !ids_only;
        EXPECT_EQ(nodes.stats().hits - node_hits, kept ? 3u : 0u);
        EXPECT_EQ(edges.stats().hits - edge_hits, kept ? 2u : 0u);
      }
    }
  }
}

TEST(LineageConvertTest, AnAnswerParsesWithItsNodesEdgesAndCyclesInOrder) {
  const LineageGraph graph = Graph();
  for (bool ids_only : {false, true}) {
    SCOPED_TRACE(ids_only);
    NodeWireCache nodes(size_t{1} << 20);
    EdgeWireCache edges(size_t{1} << 20);
    v1::LineageResponse response;
    LineageGraphToProto(graph, ids_only, nodes, edges, &response);
    // Written as encoded fields: unset in the message itself.
    EXPECT_EQ(response.nodes_size(), 0);
    EXPECT_EQ(response.edges_size(), 0);
    v1::LineageResponse parsed;
    ASSERT_TRUE(parsed.ParseFromString(response.SerializeAsString()));
    ExpectSame(parsed, Built(graph, ids_only));
    ASSERT_EQ(parsed.nodes_size(), 4);
    EXPECT_EQ(parsed.nodes(2).node().id(), "x-0123456789abcdef");
    EXPECT_TRUE(parsed.nodes(2).redacted());
    EXPECT_EQ(parsed.nodes(2).node().labels_size(), 0);  // a stub shows nothing else
    EXPECT_EQ(parsed.nodes(1).node().props_size(), ids_only ? 0 : 2);
    ASSERT_EQ(parsed.edges_size(), 3);
    EXPECT_EQ(parsed.edges(1).has_provenance(), false);  // touches the stub
    EXPECT_EQ(parsed.edges(1).props_size(), 0);
    EXPECT_EQ(parsed.edges(1).sanitizes_size(), 0);
    EXPECT_EQ(parsed.edges(0).has_provenance(), !ids_only);
  }
}

TEST(LineageConvertTest, APathParsesAsTheMessageBuiltFieldByField) {
  const LineageGraph graph = Graph();
  LineagePath path;
  path.direction = LineageDirection::kDownstream;
  path.nodes = {graph.nodes[0], graph.nodes[2], graph.nodes[1]};
  path.edges = {graph.edges[1], graph.edges[0]};
  path.truncated = true;
  path.snapshot_version = 42;
  path.audit_seq = 9;
  NodeWireCache nodes(0);
  EdgeWireCache edges(0);
  v1::LineagePathResponse response;
  LineagePathToProto(path, nodes, edges, &response);
  v1::LineagePathResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(response.SerializeAsString()));
  v1::LineagePathResponse wanted;
  wanted.set_direction(v1::LINEAGE_DIRECTION_DOWNSTREAM);
  for (const LineageNode& node : path.nodes) BuiltNode(node, false, wanted.add_nodes());
  for (const auto& edge : path.edges) BuiltEdge(*edge, false, wanted.add_edges());
  wanted.set_truncated(true);
  wanted.set_snapshot_version(42);
  wanted.set_audit_seq(9);
  ExpectSame(parsed, wanted);
}

}  // namespace
}  // namespace ctxgraph::server
