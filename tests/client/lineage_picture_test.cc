// Lineage pictures: exact dot and mermaid text for answers with stubs,
// cycles, truncation and ids that need escaping.
#include "client/lineage_picture.h"

#include <gtest/gtest.h>

namespace ctxgraph::client {
namespace {

void AddNode(v1::LineageResponse* r, const std::string& id, int depth, bool redacted = false) {
  v1::LineageNode* n = r->add_nodes();
  n->mutable_node()->set_id(id);
  if (!redacted) n->mutable_node()->mutable_provenance()->set_version(3);
  n->set_redacted(redacted);
  n->set_depth(depth);
  n->set_layer(depth);
}

void AddEdge(v1::LineageResponse* r, const std::string& from, const std::string& to) {
  v1::Edge* e = r->add_edges();
  e->set_from(from);
  e->set_label("DERIVED_FROM");
  e->set_to(to);
}

// Downstream of export: sum"q and a stub derive from it, a\b from sum"q,
// and export from a\b again, closing a cycle; the walk was truncated.
v1::LineageResponse Downstream() {
  v1::LineageResponse r;
  AddNode(&r, "export", 0);
  AddNode(&r, "sum\"q", 1);
  AddNode(&r, "redacted:abcd", 1, /*redacted=*/true);
  AddNode(&r, "a\\b", 2);
  AddEdge(&r, "sum\"q", "export");
  AddEdge(&r, "redacted:abcd", "export");
  AddEdge(&r, "a\\b", "sum\"q");
  AddEdge(&r, "export", "a\\b");
  v1::LineageCycle* c = r.add_cycles();
  for (const char* id : {"a\\b", "export", "sum\"q"}) c->add_node_ids(id);
  v1::EdgeRef* closing = c->add_closing_edges();
  closing->set_from("export");
  closing->set_label("DERIVED_FROM");
  closing->set_to("a\\b");
  r.set_truncated(true);
  return r;
}

TEST(LineagePictureTest, DotDrawsStubsDashedAndCyclesBold) {
  EXPECT_EQ(RenderDot(PictureOf(Downstream())),
            R"txt(digraph lineage {
  rankdir=LR;
  node [shape=box];
  // cycle: "a\\b", "export", "sum\"q"
  // truncated: the work bound left lineage out
  "export" [label="export\ndepth 0, v3", penwidth=2];
  "sum\"q" [label="sum\"q\ndepth 1, v3"];
  "redacted:abcd" [label="redacted\ndepth 1", style="dashed,filled", color="#999999", fillcolor="#eeeeee", fontcolor="#666666"];
  "a\\b" [label="a\\b\ndepth 2, v3"];
  "sum\"q" -> "export" [label="DERIVED_FROM"];
  "redacted:abcd" -> "export" [label="DERIVED_FROM"];
  "a\\b" -> "sum\"q" [label="DERIVED_FROM"];
  "export" -> "a\\b" [label="DERIVED_FROM (cycle)", style=bold, color="#cc0000"];
}
)txt");
}

TEST(LineagePictureTest, MermaidUsesSafeHandlesAndEntityCodes) {
  EXPECT_EQ(RenderMermaid(PictureOf(Downstream())),
            R"txt(flowchart LR
  %% cycle: "a\b", "export", "sum#quot;q"
  %% truncated: the work bound left lineage out
  n0["export<br>depth 0, v3"]
  n1["sum#quot;q<br>depth 1, v3"]
  n2["redacted<br>depth 1"]
  n3["a\b<br>depth 2, v3"]
  n1 -->|"DERIVED_FROM"| n0
  n2 -->|"DERIVED_FROM"| n0
  n3 -->|"DERIVED_FROM"| n1
  n0 ==>|"DERIVED_FROM (cycle)"| n3
  classDef start stroke-width:3px
  class n0 start
  classDef redacted stroke-dasharray:5 5,fill:#eeeeee,stroke:#999999,color:#666666
  class n2 redacted
)txt");
}

TEST(LineagePictureTest, EveryCharacterThatCouldBreakOutIsEscaped) {
  v1::LineageResponse r;
  AddNode(&r, "x\"]\n#<b>&`y\r", 0);
  EXPECT_EQ(RenderDot(PictureOf(r)), R"txt(digraph lineage {
  rankdir=LR;
  node [shape=box];
  "x\"]\n#<b>&`y\r" [label="x\"]\n#<b>&`y\r\ndepth 0, v3", penwidth=2];
}
)txt");
  EXPECT_EQ(RenderMermaid(PictureOf(r)), R"txt(flowchart LR
  n0["x#quot;]#10;#35;#lt;b#gt;#amp;#96;y#13;<br>depth 0, v3"]
  classDef start stroke-width:3px
  class n0 start
)txt");
}

TEST(LineagePictureTest, PathNotesItsDirectionAndTruncation) {
  v1::LineagePathResponse r;
  r.set_direction(v1::LINEAGE_DIRECTION_DOWNSTREAM);
  r.set_truncated(true);
  for (const char* id : {"export", "report"}) {
    v1::LineageNode* n = r.add_nodes();
    n->mutable_node()->set_id(id);
    n->mutable_node()->mutable_provenance()->set_version(7);
    n->set_depth(r.nodes_size() - 1);
  }
  v1::Edge* e = r.add_edges();
  e->set_from("report");
  e->set_label("DERIVED_FROM");
  e->set_to("export");
  EXPECT_EQ(RenderMermaid(PictureOf(r)), R"txt(flowchart LR
  %% path: downstream, from the first node to what was derived from it
  %% truncated: the work bound cut the search; a shorter chain may exist
  n0["export<br>depth 0, v7"]
  n1["report<br>depth 1, v7"]
  n1 -->|"DERIVED_FROM"| n0
  classDef start stroke-width:3px
  class n0 start
)txt");
  EXPECT_EQ(RenderDot(PictureOf(r)), R"txt(digraph lineage {
  rankdir=LR;
  node [shape=box];
  // path: downstream, from the first node to what was derived from it
  // truncated: the work bound cut the search; a shorter chain may exist
  "export" [label="export\ndepth 0, v7", penwidth=2];
  "report" [label="report\ndepth 1, v7"];
  "report" -> "export" [label="DERIVED_FROM"];
}
)txt");
}

TEST(LineagePictureTest, EmptyAnswerIsAnEmptyGraph) {
  EXPECT_EQ(RenderDot(PictureOf(v1::LineageResponse())),
            "digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n}\n");
  EXPECT_EQ(RenderMermaid(PictureOf(v1::LineageResponse())), "flowchart LR\n");
}

}  // namespace
}  // namespace ctxgraph::client
