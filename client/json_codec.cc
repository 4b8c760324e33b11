#include "client/json_codec.h"

#include <cstdint>
#include <limits>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/rfc3339.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;

// nlohmann's DOM builder plus the checks ParseJsonText promises. The parser
// calls these members through the derived type (sax_parse is a template), so
// hiding the base members is enough; no virtual dispatch is involved.
class StrictDomBuilder : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<json>;

  explicit StrictDomBuilder(json& root) : Base(root, /*allow_exceptions_=*/false) {}

  // nlohmann stores an integer that overflows 64 bits as a double. Keep its
  // lexeme instead, as a binary value (which JSON text can never produce), so
  // ValueFromJson can reject it by name. (A double that overflows is already a
  // parse error: "number overflow parsing '1e999'".)
  bool number_float(double value, const std::string& lexeme) {
    if (lexeme.find_first_of(".eE") != std::string::npos) return Base::number_float(value, lexeme);
    json::binary_t marker(std::vector<std::uint8_t>(lexeme.begin(), lexeme.end()));
    return Base::binary(marker);
  }

  bool start_object(std::size_t len) {
    keys_.emplace_back();
    return Base::start_object(len);
  }
  bool key(std::string& name) {
    if (!keys_.back().insert(name).second) {
      error_ = absl::StrCat("duplicate key \"", name, "\"");
      return false;
    }
    return Base::key(name);
  }
  bool end_object() {
    keys_.pop_back();
    return Base::end_object();
  }
  bool start_array(std::size_t len) {
    keys_.emplace_back();  // keeps keys_ aligned with the nesting; never used
    return Base::start_array(len);
  }
  bool end_array() {
    keys_.pop_back();
    return Base::end_array();
  }

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    // what() is "[json.exception.parse_error.101] parse error at ..."; drop the tag.
    std::string what = ex.what();
    if (const size_t end = what.find("] "); end != std::string::npos) what.erase(0, end + 2);
    error_ = absl::StrCat("invalid JSON: ", what);
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  std::vector<std::set<std::string>> keys_;  // keys seen in each open container
  std::string error_;
};

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    size_t len;
    uint32_t min_code;
    uint32_t code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, min_code = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min_code = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min_code = 0x10000, code = c & 0x07;
    } else {
      return i + 1;
    }
    if (i + len > n) return i + 1;
    for (size_t k = 1; k < len; ++k) {
      if (!IsContinuation(s[i + k])) return i + 1;
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i + 1;
    i += len;
  }
  return 0;
}

absl::StatusOr<json> ParseJsonText(std::string_view text) {
  if (const size_t bad = FindInvalidUtf8(text); bad != 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid UTF-8 at byte ", bad));
  }
  // nlohmann takes a NUL byte for the end of the input and would ignore
  // whatever follows it; JSON text never holds one (a string escapes it).
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: NUL byte at byte ", nul + 1));
  }
  json root;
  StrictDomBuilder builder(root);
  bool ok = false;
  try {
    ok = json::sax_parse(text, &builder);
  } catch (const json::exception& e) {  // not expected with allow_exceptions_ = false
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", e.what()));
  }
  if (!ok) {
    return absl::InvalidArgumentError(builder.error().empty() ? "invalid JSON" : builder.error());
  }
  return root;
}

absl::StatusOr<v1::Value> ValueFromJson(const json& j) {
  v1::Value value;
  switch (j.type()) {
    case json::value_t::null:
      return absl::InvalidArgumentError("null is not allowed");
    case json::value_t::object:
      return absl::InvalidArgumentError("object is not allowed");
    case json::value_t::boolean:
      value.set_bool_value(j.get<bool>());
      return value;
    case json::value_t::number_integer:
      value.set_int_value(j.get<int64_t>());
      return value;
    case json::value_t::number_unsigned: {
      const uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return absl::InvalidArgumentError(absl::StrCat("integer ", u, " is outside int64"));
      }
      value.set_int_value(static_cast<int64_t>(u));
      return value;
    }
    case json::value_t::number_float:
      value.set_double_value(j.get<double>());
      return value;
    case json::value_t::string: {
      const auto& text = j.get_ref<const std::string&>();
      if (auto ts = ParseRfc3339Utc(text)) {
        *value.mutable_timestamp_value() = *std::move(ts);
      } else {
        value.set_string_value(text);
      }
      return value;
    }
    case json::value_t::array: {
      auto* list = value.mutable_list_value();
      for (size_t i = 0; i < j.size(); ++i) {
        const json& element = j[i];
        if (element.is_array()) {
          return absl::InvalidArgumentError(
              absl::StrCat("element ", i, ": nested list is not allowed"));
        }
        absl::StatusOr<v1::Value> v = ValueFromJson(element);
        if (!v.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("element ", i, ": ", v.status().message()));
        }
        *list->add_values() = *std::move(v);
      }
      return value;
    }
    case json::value_t::binary: {  // an integer ParseJsonText could not hold
      const auto& bytes = j.get_binary();
      return absl::InvalidArgumentError(
          absl::StrCat("integer ", std::string(bytes.begin(), bytes.end()), " is outside int64"));
    }
    case json::value_t::discarded:
      break;
  }
  return absl::InvalidArgumentError("invalid value");
}

absl::Status PropsFromJson(const json& j, PropMap* out) {
  out->clear();
  if (!j.is_object()) return absl::InvalidArgumentError("\"props\" must be an object");
  for (const auto& [key, element] : j.items()) {
    absl::StatusOr<v1::Value> value = ValueFromJson(element);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("prop \"", key, "\": ", value.status().message()));
    }
    (*out)[key] = *std::move(value);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Value> ValueFromCliText(std::string_view text) {
  if (const size_t bad = FindInvalidUtf8(text); bad != 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid UTF-8 at byte ", bad));
  }
  absl::StatusOr<json> parsed = ParseJsonText(text);
  if (!parsed.ok()) return ValueFromJson(json(std::string(text)));
  return ValueFromJson(*parsed);
}

std::string AuthorityName(v1::Authority authority) {
  switch (authority) {
    case v1::AUTHORITY_IMPORTED:
      return "imported";
    case v1::AUTHORITY_ASSERTED:
      return "asserted";
    case v1::AUTHORITY_INFERRED:
      return "inferred";
    default:
      return "";
  }
}

absl::StatusOr<v1::Authority> ParseAuthority(std::string_view name) {
  if (name == "imported") return v1::AUTHORITY_IMPORTED;
  if (name == "asserted") return v1::AUTHORITY_ASSERTED;
  if (name == "inferred") return v1::AUTHORITY_INFERRED;
  return absl::InvalidArgumentError("authority must be one of imported, asserted, inferred");
}

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_AGENT:
      return "agent";
    case v1::ROLE_AUDITOR:
      return "auditor";
    case v1::ROLE_STEWARD:
      return "steward";
    case v1::ROLE_LOADER:
      return "loader";
    case v1::ROLE_ADMIN:
      return "admin";
    default:
      return absl::StrCat("role(", static_cast<int>(role), ")");
  }
}

absl::StatusOr<v1::Role> ParseRole(std::string_view name) {
  if (name == "agent") return v1::ROLE_AGENT;
  if (name == "auditor") return v1::ROLE_AUDITOR;
  if (name == "steward") return v1::ROLE_STEWARD;
  if (name == "loader") return v1::ROLE_LOADER;
  if (name == "admin") return v1::ROLE_ADMIN;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown role \"", std::string(name), "\" (want agent, auditor, steward, loader or admin)"));
}

std::string PrincipalStatusName(v1::PrincipalStatus status) {
  switch (status) {
    case v1::PRINCIPAL_STATUS_ACTIVE:
      return "active";
    case v1::PRINCIPAL_STATUS_SUSPENDED:
      return "suspended";
    default:
      return "unspecified";
  }
}

std::string DirectionName(v1::Direction direction) {
  switch (direction) {
    case v1::DIRECTION_IN:
      return "in";
    case v1::DIRECTION_BOTH:
      return "both";
    default:
      return "out";
  }
}

json ValueToJson(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      return value.string_value();
    case v1::Value::kIntValue:
      return value.int_value();
    case v1::Value::kDoubleValue:
      return value.double_value();
    case v1::Value::kBoolValue:
      return value.bool_value();
    case v1::Value::kTimestampValue:
      return FormatRfc3339Utc(value.timestamp_value());
    case v1::Value::kListValue: {
      json list = json::array();
      for (const v1::Value& element : value.list_value().values()) {
        list.push_back(ValueToJson(element));
      }
      return list;
    }
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return nullptr;
}

json PropsToJson(const PropMap& props) {
  json out = json::object();
  for (const auto& [key, value] : props) out[key] = ValueToJson(value);
  return out;
}

json SourceToJson(const v1::Source& source) {
  json out = {{"system", source.system()}, {"uri", source.uri()}};
  if (source.authority() != v1::AUTHORITY_UNSPECIFIED) {
    out["authority"] = AuthorityName(source.authority());
  }
  return out;
}

namespace {
std::string TimestampText(bool present, const google::protobuf::Timestamp& ts) {
  return present ? FormatRfc3339Utc(ts) : "";
}
}  // namespace

json ProvenanceToJson(const v1::Provenance& p) {
  return {{"version", p.version()},
          {"commit_time", TimestampText(p.has_commit_time(), p.commit_time())},
          {"writer", p.writer()},
          {"content_hash", p.content_hash()}};
}

json NodeToJson(const v1::Node& node) {
  json inherited = json::array();
  for (const v1::InheritedLabel& l : node.inherited()) {
    inherited.push_back({{"label", l.label()}, {"from", l.from()}});
  }
  return {{"id", node.id()},
          {"labels", std::vector<std::string>(node.labels().begin(), node.labels().end())},
          {"boundary", std::vector<std::string>(node.boundary().begin(), node.boundary().end())},
          {"inherited_boundary", std::vector<std::string>(node.inherited_boundary().begin(),
                                                          node.inherited_boundary().end())},
          {"inherited", std::move(inherited)},
          {"props", PropsToJson(node.props())},
          {"source", SourceToJson(node.source())},
          {"provenance", ProvenanceToJson(node.provenance())}};
}

json EdgeToJson(const v1::Edge& edge) {
  return {{"from", edge.from()},
          {"label", edge.label()},
          {"to", edge.to()},
          {"props", PropsToJson(edge.props())},
          {"sanitizes", std::vector<std::string>(edge.sanitizes().begin(), edge.sanitizes().end())},
          {"provenance", ProvenanceToJson(edge.provenance())}};
}

json PrincipalToJson(const v1::Principal& p) {
  json roles = json::array();
  for (int role : p.roles()) roles.push_back(RoleName(static_cast<v1::Role>(role)));
  return {{"id", p.id()},
          {"roles", roles},
          {"clearances", std::vector<std::string>(p.clearances().begin(), p.clearances().end())},
          {"status", PrincipalStatusName(p.status())},
          {"version", p.version()}};
}

json TokenInfoToJson(const v1::TokenInfo& t) {
  return {{"token_id", t.token_id()},
          {"principal_id", t.principal_id()},
          {"created", TimestampText(t.has_created(), t.created())},
          {"revoked", t.revoked()},
          {"expires", TimestampText(t.has_expires(), t.expires())},  // "": never
          {"expired", t.expired()}};
}

json CommitToJson(const v1::Commit& c) {
  return {{"version", c.version()},
          {"time", TimestampText(c.has_time(), c.time())},
          {"principal", c.principal()},
          {"description", c.description()}};
}

json WriteResponseToJson(const v1::WriteResponse& r) {
  return {{"version", r.version()},
          {"committed", r.committed()},
          {"nodes_written", r.nodes_written()},
          {"edges_written", r.edges_written()},
          {"deleted", r.deleted()},
          {"unchanged", r.unchanged()}};
}

std::string ValueToDisplayText(const v1::Value& value) {
  if (value.has_string_value()) return value.string_value();
  if (value.has_timestamp_value()) return FormatRfc3339Utc(value.timestamp_value());
  return DumpJson(ValueToJson(value));
}

std::string DumpJson(const json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

}  // namespace ctxgraph::client
