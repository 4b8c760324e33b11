#include "client/neo4j_csv.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/control_chars.h"
#include "client/json_codec.h"
#include "client/rfc3339.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

constexpr size_t kQuotedValueLimit = 64;  // bytes of a bad value echoed in a reason

// `text` with control characters (C0, DEL and C1), quotes and backslashes
// escaped: a reason is one line of the rejects file and of the terminal, and
// a value or header must not forge another line or send terminal escapes.
std::string EscapeForLine(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
      ++i;
    } else if (const size_t taken = AppendControlEscape(Std(text), i, &out); taken > 0) {
      i += taken;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

// `text` in double quotes (escaped), cut at a character boundary after
// kQuotedValueLimit bytes.
std::string QuoteValue(absl::string_view text) {
  size_t cut = text.size();
  if (cut > kQuotedValueLimit) {
    cut = kQuotedValueLimit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  return absl::StrCat("\"", EscapeForLine(text.substr(0, cut)), cut < text.size() ? "...\"" : "\"");
}

// Converts one scalar; on failure returns the reason without the column.
bool ConvertScalar(absl::string_view text, CsvValueType type, v1::Value* value,
                   std::string* reason) {
  switch (type) {
    case CsvValueType::kInt: {
      int64_t i;
      if (!absl::SimpleAtoi(text, &i)) {
        *reason = absl::StrCat(QuoteValue(text), " is not an int");
        return false;
      }
      value->set_int_value(i);
      return true;
    }
    case CsvValueType::kDouble: {
      double d;
      // A decimal number, as JSON writes it: no hex, nan or inf (which
      // SimpleAtod takes), and none out of range.
      const bool decimal =
          !text.empty() && text.find_first_not_of("0123456789.eE+-") == absl::string_view::npos;
      if (!decimal || !absl::SimpleAtod(text, &d) || !std::isfinite(d)) {
        *reason = absl::StrCat(QuoteValue(text), " is not a float");
        return false;
      }
      value->set_double_value(d);
      return true;
    }
    case CsvValueType::kBool:
      if (absl::EqualsIgnoreCase(text, "true")) {
        value->set_bool_value(true);
      } else if (absl::EqualsIgnoreCase(text, "false")) {
        value->set_bool_value(false);
      } else {
        *reason = absl::StrCat(QuoteValue(text), " is not a boolean (want true or false)");
        return false;
      }
      return true;
    case CsvValueType::kString:
      value->set_string_value(text.data(), text.size());
      return true;
    case CsvValueType::kDateTime: {
      if (auto ts = ParseRfc3339Utc(Std(text))) {
        *value->mutable_timestamp_value() = *std::move(ts);
        return true;
      }
      absl::Time time;
      std::string unused;
      if (absl::ParseTime(absl::RFC3339_full, text, &time, &unused)) {
        const absl::Duration since_epoch = time - absl::UnixEpoch();
        const int64_t seconds = absl::ToInt64Seconds(absl::Floor(since_epoch, absl::Seconds(1)));
        auto* ts = value->mutable_timestamp_value();
        ts->set_seconds(seconds);
        ts->set_nanos(
            static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
        return true;
      }
      *reason = absl::StrCat(QuoteValue(text), " is not an RFC 3339 datetime");
      return false;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<Neo4jCsvMapping> Neo4jCsvMapping::FromHeader(CsvFileKind kind,
                                                            const std::string& file,
                                                            const CsvRecord& header) {
  const bool nodes = kind == CsvFileKind::kNodes;
  Neo4jCsvMapping mapping;
  mapping.kind_ = kind;
  auto error = [&](CsvPosition at, absl::string_view message) {
    return absl::InvalidArgumentError(CsvReader::Locate(file, at, message));
  };
  if (!header.error.empty()) return error(header.error_position, header.error);
  int role_count[static_cast<int>(Role::kIgnore) + 1] = {};
  std::vector<std::string> prop_names;
  for (const CsvField& field : header.fields) {
    const absl::string_view h = View(field.text);
    auto column_error = [&](absl::string_view message) {
      return error(field.position, absl::StrCat("column \"", EscapeForLine(h), "\": ", message));
    };
    if (const size_t bad = FindInvalidUtf8(Std(h)); bad != 0) {
      return column_error(absl::StrCat("invalid UTF-8 at byte ", bad));
    }
    Column column;
    column.header = std::string(h);
    const size_t colon = h.rfind(':');
    absl::string_view name = colon == absl::string_view::npos ? h : h.substr(0, colon);
    absl::string_view type = colon == absl::string_view::npos ? "" : h.substr(colon + 1);
    absl::string_view base_type = type.substr(0, type.find('('));  // ":ID(Person)"
    if (base_type == "ID" || base_type == "START_ID" || base_type == "END_ID" ||
        base_type == "TYPE" || base_type == "LABEL") {
      const bool node_column = base_type == "ID" || base_type == "LABEL";
      if (node_column != nodes) {
        return column_error(absl::StrCat(":", base_type, " is not allowed in a ",
                                         nodes ? "node" : "relationship", " file"));
      }
      // An ID space keeps ids of different spaces apart, as in Neo4j:
      // "personId:ID(Person)" value 1 is node "Person:1", and so is
      // ":START_ID(Person)" value 1.
      if (const size_t open = type.find('(');
          open != absl::string_view::npos && base_type != "TYPE" && base_type != "LABEL") {
        if (!absl::EndsWith(type, ")") || open + 2 >= type.size()) {
          return column_error("an ID space is written (Name)");
        }
        column.id_space = std::string(type.substr(open + 1, type.size() - open - 2));
      }
      column.role = base_type == "ID"         ? Role::kId
                    : base_type == "START_ID" ? Role::kStartId
                    : base_type == "END_ID"   ? Role::kEndId
                    : base_type == "TYPE"     ? Role::kType
                                              : Role::kLabels;
    } else if (type == "IGNORE") {
      column.role = Role::kIgnore;
    } else if (nodes && name == "boundary") {
      if (type != "string[]") return column_error("the boundary column must be boundary:string[]");
      column.role = Role::kBoundary;
    } else if (nodes &&
               (name == "source_system" || name == "source_uri" || name == "source_authority")) {
      if (!type.empty() && type != "string") {
        return column_error(absl::StrCat(name, " must be a string column"));
      }
      column.role = name == "source_system" ? Role::kSourceSystem
                    : name == "source_uri"  ? Role::kSourceUri
                                            : Role::kSourceAuthority;
    } else {
      column.role = Role::kProp;
      if (name.empty()) return column_error("empty prop name");
      std::string t = absl::AsciiStrToLower(type);
      if (absl::EndsWith(t, "[]")) {
        column.array = true;
        t.resize(t.size() - 2);
      }
      if (t == "int" || t == "long" || t == "short" || t == "byte") {
        column.type = CsvValueType::kInt;
      } else if (t == "float" || t == "double") {
        column.type = CsvValueType::kDouble;
      } else if (t == "boolean") {
        column.type = CsvValueType::kBool;
      } else if (t == "string" || t.empty()) {
        column.type = CsvValueType::kString;
      } else if (t == "datetime") {
        column.type = CsvValueType::kDateTime;
      } else {
        return column_error(absl::StrCat(
            "unknown type \"", type,
            "\" (want int, long, short, byte, float, double, boolean, string or datetime, "
            "optionally with [])"));
      }
      for (const std::string& seen : prop_names) {
        if (seen == name) return column_error(absl::StrCat("duplicate prop \"", name, "\""));
      }
      prop_names.emplace_back(name);
      column.prop = std::string(name);
    }
    if (column.role != Role::kProp && column.role != Role::kIgnore &&
        ++role_count[static_cast<int>(column.role)] > 1) {
      return column_error("appears twice");
    }
    mapping.columns_.push_back(std::move(column));
  }
  const CsvPosition start = header.position;
  if (nodes) {
    if (role_count[static_cast<int>(Role::kId)] == 0) return error(start, "no :ID column");
  } else {
    if (role_count[static_cast<int>(Role::kStartId)] == 0)
      return error(start, "no :START_ID column");
    if (role_count[static_cast<int>(Role::kEndId)] == 0) return error(start, "no :END_ID column");
    if (role_count[static_cast<int>(Role::kType)] == 0) return error(start, "no :TYPE column");
  }
  return mapping;
}

bool Neo4jCsvMapping::ToOp(const CsvRecord& record, v1::WriteOp* op, std::string* reason) const {
  if (record.fields.size() != columns_.size()) {
    *reason = absl::StrCat("record has ", record.fields.size(), " fields, the header has ",
                           columns_.size());
    return false;
  }
  const bool nodes = kind_ == CsvFileKind::kNodes;
  v1::Node* node = nodes ? op->mutable_upsert_node() : nullptr;
  v1::Edge* edge = nodes ? nullptr : op->mutable_upsert_edge();
  std::string why;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& column = columns_[i];
    const absl::string_view text = View(record.fields[i].text);
    auto fail = [&](absl::string_view message) {
      *reason =
          absl::StrCat("column ", i + 1, " (\"", EscapeForLine(column.header), "\"): ", message);
      return false;
    };
    if (column.role == Role::kIgnore) continue;
    if (const size_t bad = FindInvalidUtf8(Std(text)); bad != 0) {
      return fail(absl::StrCat("invalid UTF-8 at byte ", bad));
    }
    switch (column.role) {
      case Role::kId:
      case Role::kStartId:
      case Role::kEndId: {
        if (text.empty()) return fail("missing id");
        std::string* id = column.role == Role::kId        ? node->mutable_id()
                          : column.role == Role::kStartId ? edge->mutable_from()
                                                          : edge->mutable_to();
        if (!column.id_space.empty()) absl::StrAppend(id, column.id_space, ":");
        id->append(text.data(), text.size());
        break;
      }
      case Role::kType:
        if (text.empty()) return fail("missing type");
        edge->set_label(text.data(), text.size());
        break;
      case Role::kLabels:
      case Role::kBoundary: {
        auto* list =
            column.role == Role::kLabels ? node->mutable_labels() : node->mutable_boundary();
        for (absl::string_view part : absl::StrSplit(text, ';', absl::SkipEmpty())) {
          list->Add(std::string(part));
        }
        break;
      }
      case Role::kSourceSystem:
        if (!text.empty()) node->mutable_source()->set_system(text.data(), text.size());
        break;
      case Role::kSourceUri:
        if (!text.empty()) node->mutable_source()->set_uri(text.data(), text.size());
        break;
      case Role::kSourceAuthority:
        if (!text.empty()) {
          absl::StatusOr<v1::Authority> authority = ParseAuthority(Std(text));
          if (!authority.ok()) {
            return fail(
                absl::StrCat(QuoteValue(text), " is not one of imported, asserted, inferred"));
          }
          node->mutable_source()->set_authority(*authority);
        }
        break;
      case Role::kProp: {
        if (text.empty()) break;  // absent
        auto& props = nodes ? *node->mutable_props() : *edge->mutable_props();
        v1::Value& value = props[column.prop];
        const CsvValueType type = column.type;
        if (!column.array) {
          if (!ConvertScalar(text, type, &value, &why)) return fail(why);
          break;
        }
        v1::ValueList* list = value.mutable_list_value();
        size_t index = 0;
        for (absl::string_view element : absl::StrSplit(text, ';')) {
          if (!ConvertScalar(element, type, list->add_values(), &why)) {
            return fail(absl::StrCat("element ", index, ": ", why));
          }
          ++index;
        }
        break;
      }
      case Role::kIgnore:
        break;
    }
  }
  return true;
}

}  // namespace ctxgraph::client
