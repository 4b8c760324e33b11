// The canonical JSONL import format: one JSON object per line, each turned
// into one ctxgraph.v1.WriteOp.
//
//   {"type":"node","id":"doc-00000042","labels":["Document"],"boundary":["team:eng"],
//    "props":{"title":"Q3 plan","created_at":"2026-03-01T10:00:00Z"},
//    "source":{"system":"wiki","uri":"wiki://space/page/42","authority":"imported"}}
//   {"type":"edge","from":"msg-00000007","to":"conv-00000002","label":"PART_OF","props":{}}
//   {"type":"delete_node","id":"doc-00000042"}
//   {"type":"delete_edge","from":"msg-00000007","label":"PART_OF","to":"conv-00000002"}
//   {"type":"boundary","name":"pii","description":"Personal data","propagate":true}
//
// (Each example is one line in a file.) Keys per type; no other key is
// accepted, so a typo such as "lables" is an error rather than silently lost:
//   node:        type, id (required); labels, boundary (arrays of non-empty
//                strings), props (object), source (object with system, uri,
//                authority: "imported" | "asserted" | "inferred"; absent =
//                unspecified)
//   edge:        type, from, label, to (required); props
//   delete_node: type, id
//   delete_edge: type, from, label, to
//   boundary:    type, name (required); description (string), propagate
//                (true/false; absent = false). Defines a boundary label
//                (a define_label op): the server applies it only for a
//                principal holding the steward or admin role, before the
//                records after it.
// Required strings must be non-empty. Prop values are typed as described in
// json_codec.h: integer -> int, number with '.' or exponent -> double, bool,
// RFC 3339 UTC string -> timestamp, other string, array of scalars -> list;
// null, objects and nested arrays are rejected.
//
// Only shape and types are checked here. Rules that need the server's state
// or configuration (id length, control characters, defined boundary labels,
// edge endpoints that exist) are the server's to enforce.
#ifndef CTXGRAPH_CLIENT_JSONL_READER_H_
#define CTXGRAPH_CLIENT_JSONL_READER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ctxgraph/v1/graph.pb.h"

namespace ctxgraph::client {

// Parses one import line (without its newline). On failure returns
// INVALID_ARGUMENT whose message is the reason alone, e.g.
//   invalid UTF-8 at byte 17
//   invalid JSON: parse error at line 1, column 9: ...
//   duplicate key "id"
//   line is not a JSON object
//   missing "type" | "type" must be a string
//   unknown type "nod" (want node, edge, delete_node, delete_edge or boundary)
//   unknown key "lables" for type node | unknown key "source.sytem"
//   missing "id" | "id" must be a string | "id" is empty
//   "labels" must be an array of strings | "labels[1]" must be a string |
//   "labels[1]" is empty
//   "props" must be an object | prop "n": integer 9223372036854775808 is outside int64
//   "source" must be an object | "source.uri" must be a string |
//   "source.authority" must be one of imported, asserted, inferred
//   "description" must be a string | "propagate" must be true or false
// The caller adds the line number.
absl::StatusOr<ctxgraph::v1::WriteOp> ParseImportLine(std::string_view line);

// The inverse: one compact import line (no newline) for `op`, which
// ParseImportLine turns back into an equal WriteOp. Output-only fields
// (provenance) are not written. Keys appear in sorted order.
std::string FormatImportLine(const ctxgraph::v1::WriteOp& op);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_JSONL_READER_H_
