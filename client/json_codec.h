// JSON <-> ctxgraph.v1 proto conversion shared by every client command.
//
// Typing rules (the same for import lines, `put --prop k=v` and output):
//   JSON integer            <-> Value.int_value    (outside int64: rejected)
//   JSON number with . or e <-> Value.double_value (2.0 stays a double)
//   true / false            <-> Value.bool_value
//   RFC 3339 UTC string     <-> Value.timestamp_value (see rfc3339.h)
//   any other string        <-> Value.string_value
//   array of scalars        <-> Value.list_value   (nested arrays/objects rejected)
//   null, object            --> rejected
// Output caveats: a string_value spelled like a timestamp re-imports as a
// timestamp, and a non-finite double prints as null.
//
// Functions here are pure and thread-compatible. None of them throws: every
// failure is an absl::Status whose message names the offending field.
#ifndef CTXGRAPH_CLIENT_JSON_CODEC_H_
#define CTXGRAPH_CLIENT_JSON_CODEC_H_

#include <google/protobuf/map.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ctxgraph/v1/admin.pb.h"
#include "ctxgraph/v1/graph.pb.h"
#include "ctxgraph/v1/types.pb.h"

namespace ctxgraph::client {

namespace v1 = ::ctxgraph::v1;
using PropMap = google::protobuf::Map<std::string, v1::Value>;

// Returns 0 when `text` is valid UTF-8, else the 1-based position of the first
// byte that is not (overlong forms, surrogates and code points above U+10FFFF
// are invalid).
size_t FindInvalidUtf8(std::string_view text);

// Parses one JSON document strictly. Unlike nlohmann::json::parse it
//  - rejects invalid UTF-8:     "invalid UTF-8 at byte N"
//  - rejects duplicate keys:    "duplicate key \"k\""
//  - keeps integers that do not fit 64 bits as a marker that ValueFromJson
//    rejects (nlohmann would silently turn them into doubles);
//  - reports syntax errors as "invalid JSON: parse error at line 1, column C: ..."
//    and doubles that overflow as "invalid JSON: number overflow parsing '1e999'".
// Errors are INVALID_ARGUMENT.
absl::StatusOr<nlohmann::json> ParseJsonText(std::string_view text);

// Converts one prop value. Errors (INVALID_ARGUMENT) do not name the prop; the
// caller prefixes them: "null is not allowed", "object is not allowed",
// "nested list is not allowed", "integer 9223372036854775808 is outside int64";
// list elements are reported as
// "element 2: <reason>".
absl::StatusOr<v1::Value> ValueFromJson(const nlohmann::json& json);

// Converts a "props" object into `out` (cleared first). Errors:
// "\"props\" must be an object", "prop \"k\": <ValueFromJson reason>".
absl::Status PropsFromJson(const nlohmann::json& json, PropMap* out);

// Types the text of `put --prop k=v`: `text` is read as a JSON value when it
// parses as one (numbers, true/false, quoted strings, arrays), otherwise it is
// the plain string `text`; then the rules above apply.
absl::StatusOr<v1::Value> ValueFromCliText(std::string_view text);

// Enum spellings used on the command line and in JSON.
std::string AuthorityName(v1::Authority authority);  // "imported", ..., "" if unspecified
absl::StatusOr<v1::Authority> ParseAuthority(std::string_view name);
std::string RoleName(v1::Role role);  // "agent", ..., "admin"
absl::StatusOr<v1::Role> ParseRole(std::string_view name);
std::string PrincipalStatusName(v1::PrincipalStatus status);  // "active", "suspended"
std::string DirectionName(v1::Direction direction);           // "out", "in", "both"

// Output shapes (--json). Timestamps are RFC 3339 strings; unset ones are "".
nlohmann::json ValueToJson(const v1::Value& value);
nlohmann::json PropsToJson(const PropMap& props);  // keys sorted
// {"system","uri"[,"authority"]}: authority is omitted when unspecified, as in
// the import format.
nlohmann::json SourceToJson(const v1::Source& source);
nlohmann::json ProvenanceToJson(const v1::Provenance& provenance);
// {"id","labels","boundary","inherited_boundary","props","source","provenance"}:
// the node's own boundary labels and, apart, the ones it inherits (always
// [] until label propagation exists).
nlohmann::json NodeToJson(const v1::Node& node);
// {"from","label","to","props","provenance"}
nlohmann::json EdgeToJson(const v1::Edge& edge);
nlohmann::json PrincipalToJson(const v1::Principal& principal);
nlohmann::json TokenInfoToJson(const v1::TokenInfo& token);
nlohmann::json CommitToJson(const v1::Commit& commit);
nlohmann::json WriteResponseToJson(const v1::WriteResponse& response);

// One-line human rendering of a value for tables: strings and timestamps bare,
// numbers and lists as JSON.
std::string ValueToDisplayText(const v1::Value& value);

// Serializes for output; invalid UTF-8 from the server is replaced, never
// thrown. `indent` < 0 gives one compact line.
std::string DumpJson(const nlohmann::json& json, int indent = -1);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_JSON_CODEC_H_
