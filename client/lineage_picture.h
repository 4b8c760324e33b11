// Lineage pictures: a LineageService answer drawn as a Graphviz digraph
// (`dot`) or a Mermaid flowchart (`mermaid`), for `ctxgraph lineage
// up|down|path --format dot|mermaid`.
//
// What is drawn. Every returned node, in the server's order, labelled with
// its id, depth and version; the start (the first node) with a heavier
// border. A redacted stub (an auditor's view of a node it may not see) is a
// dashed grey box labelled "redacted" and its depth, its opaque id kept
// only as the graph identifier, never as its label. Edges point as stored
// (`a -DERIVED_FROM-> b`: a was derived from b) and carry their label; an
// edge that closes a cycle the server reported is drawn bold red (dot) or
// thick (mermaid) with "(cycle)" after its label, and each cycle is listed
// in a comment with its nodes. A truncated walk, one limited by depth, and
// a path's direction are noted as comments.
//
// Escaping. dot: identifiers and labels are double-quoted with `\` and `"`
// escaped and line breaks written as `\n`, so any id is one token. mermaid:
// node identifiers are n0, n1, ... in node order (ids may hold any
// character); labels are double-quoted with `"`, `#`, `<`, `>`, `&` and
// backtick written as Mermaid entity codes (`#quot;`, `#35;`, ...) and line
// breaks as `#10;`. Comments get the same escaping, so no id can end one.
//
// Output ends with a newline. Pure functions: no I/O, no state.
#ifndef CTXGRAPH_CLIENT_LINEAGE_PICTURE_H_
#define CTXGRAPH_CLIENT_LINEAGE_PICTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ctxgraph/v1/lineage.pb.h"

namespace ctxgraph::client {

// A lineage answer reduced to what a picture shows.
struct LineagePicture {
  struct Node {
    std::string id;  // the opaque id for a stub
    bool redacted = false;
    int depth = 0;
    uint64_t version = 0;  // 0 for a stub
  };
  struct Edge {
    std::string from;
    std::string label;
    std::string to;
    bool closes_cycle = false;
  };
  std::vector<Node> nodes;  // the start first
  std::vector<Edge> edges;
  std::vector<std::vector<std::string>> cycles;  // the node ids of each, sorted
  std::vector<std::string> notes;                // one comment line each
};

// Up and Down answers; Path answers (their direction becomes a note).
LineagePicture PictureOf(const v1::LineageResponse& response);
LineagePicture PictureOf(const v1::LineagePathResponse& response);

std::string RenderDot(const LineagePicture& picture);
std::string RenderMermaid(const LineagePicture& picture);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_LINEAGE_PICTURE_H_
