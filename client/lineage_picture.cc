#include "client/lineage_picture.h"

#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ctxgraph::client {
namespace {

template <class Response>
void AddNodesAndEdges(const Response& r, LineagePicture* out) {
  for (const v1::LineageNode& n : r.nodes()) {
    out->nodes.push_back(LineagePicture::Node{n.node().id(), n.redacted(), n.depth(),
                                              n.redacted() ? 0 : n.node().provenance().version()});
  }
  for (const v1::Edge& e : r.edges()) {
    out->edges.push_back(LineagePicture::Edge{e.from(), e.label(), e.to(), false});
  }
}

// `s` as a dot double-quoted string.
std::string DotQuoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

// `s` as text inside a Mermaid double-quoted label.
std::string MermaidText(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '#':
        out += "#35;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '&':
        out += "#amp;";
        break;
      case '`':
        out += "#96;";
        break;
      case '\n':
        out += "#10;";
        break;
      case '\r':
        out += "#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// "<id><br>depth D, vV", or "redacted<br>depth D" for a stub; `id` is
// already escaped for the format.
std::string NodeCaption(const LineagePicture::Node& n, const std::string& id,
                        const std::string& line_break) {
  if (n.redacted) return absl::StrCat("redacted", line_break, "depth ", n.depth);
  return absl::StrCat(id, line_break, "depth ", n.depth, ", v", n.version);
}

template <class Quote>
std::vector<std::string> CommentLines(const LineagePicture& picture, Quote quote) {
  std::vector<std::string> lines;
  for (const auto& cycle : picture.cycles) {
    std::vector<std::string> ids;
    for (const std::string& id : cycle) ids.push_back(quote(id));
    lines.push_back(absl::StrCat("cycle: ", absl::StrJoin(ids, ", ")));
  }
  for (const std::string& note : picture.notes) lines.push_back(note);
  return lines;
}

}  // namespace

LineagePicture PictureOf(const v1::LineageResponse& response) {
  LineagePicture out;
  AddNodesAndEdges(response, &out);
  std::set<std::tuple<std::string, std::string, std::string>> closing;
  for (const v1::LineageCycle& c : response.cycles()) {
    out.cycles.emplace_back(c.node_ids().begin(), c.node_ids().end());
    for (const v1::EdgeRef& e : c.closing_edges()) closing.emplace(e.from(), e.label(), e.to());
  }
  for (LineagePicture::Edge& e : out.edges) {
    e.closes_cycle = closing.contains({e.from, e.label, e.to});
  }
  if (response.truncated()) out.notes.push_back("truncated: the work bound left lineage out");
  if (response.depth_limited()) {
    out.notes.push_back("depth limited: the lineage goes on beyond the depth asked for");
  }
  return out;
}

LineagePicture PictureOf(const v1::LineagePathResponse& response) {
  LineagePicture out;
  AddNodesAndEdges(response, &out);
  out.notes.push_back(response.direction() == v1::LINEAGE_DIRECTION_UPSTREAM
                          ? "path: upstream, from the first node to its source"
                          : "path: downstream, from the first node to what was derived from it");
  if (response.truncated()) {
    out.notes.push_back("truncated: the work bound cut the search; a shorter chain may exist");
  }
  return out;
}

std::string RenderDot(const LineagePicture& picture) {
  std::string out = "digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n";
  for (const std::string& line : CommentLines(picture, DotQuoted)) {
    absl::StrAppend(&out, "  // ", line, "\n");
  }
  for (size_t i = 0; i < picture.nodes.size(); ++i) {
    const LineagePicture::Node& n = picture.nodes[i];
    absl::StrAppend(&out, "  ", DotQuoted(n.id), " [label=", DotQuoted(NodeCaption(n, n.id, "\n")));
    if (n.redacted) {
      absl::StrAppend(&out,
                      ", style=\"dashed,filled\", color=\"#999999\", fillcolor=\"#eeeeee\", "
                      "fontcolor=\"#666666\"");
    }
    if (i == 0) absl::StrAppend(&out, ", penwidth=2");
    absl::StrAppend(&out, "];\n");
  }
  for (const LineagePicture::Edge& e : picture.edges) {
    absl::StrAppend(&out, "  ", DotQuoted(e.from), " -> ", DotQuoted(e.to), " [label=",
                    DotQuoted(e.closes_cycle ? absl::StrCat(e.label, " (cycle)") : e.label));
    if (e.closes_cycle) absl::StrAppend(&out, ", style=bold, color=\"#cc0000\"");
    absl::StrAppend(&out, "];\n");
  }
  return out + "}\n";
}

std::string RenderMermaid(const LineagePicture& picture) {
  std::string out = "flowchart LR\n";
  for (const std::string& line : CommentLines(picture, [](const std::string& id) {
         return absl::StrCat("\"", MermaidText(id), "\"");
       })) {
    absl::StrAppend(&out, "  %% ", line, "\n");
  }
  absl::flat_hash_map<std::string, std::string> handle;  // id -> n<i>
  std::vector<std::string> redacted;
  for (size_t i = 0; i < picture.nodes.size(); ++i) {
    const LineagePicture::Node& n = picture.nodes[i];
    const std::string h = absl::StrCat("n", i);
    handle.emplace(n.id, h);
    absl::StrAppend(&out, "  ", h, "[\"", NodeCaption(n, MermaidText(n.id), "<br>"), "\"]\n");
    if (n.redacted) redacted.push_back(h);
  }
  for (const LineagePicture::Edge& e : picture.edges) {
    auto from = handle.find(e.from), to = handle.find(e.to);
    // The server only returns edges between returned nodes.
    if (from == handle.end() || to == handle.end()) continue;
    absl::StrAppend(&out, "  ", from->second, e.closes_cycle ? " ==>|\"" : " -->|\"",
                    MermaidText(e.closes_cycle ? absl::StrCat(e.label, " (cycle)") : e.label),
                    "\"| ", to->second, "\n");
  }
  if (!picture.nodes.empty()) {
    absl::StrAppend(&out, "  classDef start stroke-width:3px\n  class n0 start\n");
  }
  if (!redacted.empty()) {
    absl::StrAppend(&out,
                    "  classDef redacted stroke-dasharray:5 5,fill:#eeeeee,stroke:#999999,"
                    "color:#666666\n  class ",
                    absl::StrJoin(redacted, ","), " redacted\n");
  }
  return out;
}

}  // namespace ctxgraph::client
