#include "client/jsonl_reader.h"

#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/json_codec.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;

absl::Status CheckKeys(const json& object, std::initializer_list<std::string_view> allowed,
                       const char* type) {
  for (const auto& [key, unused] : object.items()) {
    if (!absl::c_linear_search(allowed, key)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown key \"", key, "\" for type ", type));
    }
  }
  return absl::OkStatus();
}

// Reads the required non-empty string `object[field]`.
absl::StatusOr<std::string> RequiredString(const json& object, const char* field) {
  const auto it = object.find(field);
  if (it == object.end())
    return absl::InvalidArgumentError(absl::StrCat("missing \"", field, "\""));
  if (!it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", field, "\" must be a string"));
  }
  if (it->get_ref<const std::string&>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", field, "\" is empty"));
  }
  return it->get<std::string>();
}

// Appends the optional array of non-empty strings `object[field]` to `out`.
absl::Status OptionalStringList(const json& object, const char* field,
                                google::protobuf::RepeatedPtrField<std::string>* out) {
  const auto it = object.find(field);
  if (it == object.end()) return absl::OkStatus();
  if (!it->is_array()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", field, "\" must be an array of strings"));
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& element = (*it)[i];
    if (!element.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("\"", field, "[", i, "]\" must be a string"));
    }
    if (element.get_ref<const std::string&>().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("\"", field, "[", i, "]\" is empty"));
    }
    out->Add(element.get<std::string>());
  }
  return absl::OkStatus();
}

absl::Status OptionalProps(const json& object, PropMap* out) {
  const auto it = object.find("props");
  if (it == object.end()) return absl::OkStatus();
  return PropsFromJson(*it, out);
}

absl::Status ParseSource(const json& j, v1::Source* source) {
  if (!j.is_object()) return absl::InvalidArgumentError("\"source\" must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key != "system" && key != "uri" && key != "authority") {
      return absl::InvalidArgumentError(absl::StrCat("unknown key \"source.", key, "\""));
    }
    if (!value.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("\"source.", key, "\" must be a string"));
    }
  }
  if (j.contains("system")) source->set_system(j["system"].get<std::string>());
  if (j.contains("uri")) source->set_uri(j["uri"].get<std::string>());
  if (j.contains("authority")) {
    absl::StatusOr<v1::Authority> authority = ParseAuthority(j["authority"].get<std::string>());
    if (!authority.ok()) {
      return absl::InvalidArgumentError(
          "\"source.authority\" must be one of imported, asserted, inferred");
    }
    source->set_authority(*authority);
  }
  return absl::OkStatus();
}

absl::Status ParseNode(const json& line, v1::Node* node) {
  if (auto s = CheckKeys(line, {"type", "id", "labels", "boundary", "props", "source"}, "node");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> id = RequiredString(line, "id");
  if (!id.ok()) return id.status();
  node->set_id(*std::move(id));
  if (auto s = OptionalStringList(line, "labels", node->mutable_labels()); !s.ok()) return s;
  if (auto s = OptionalStringList(line, "boundary", node->mutable_boundary()); !s.ok()) return s;
  if (auto s = OptionalProps(line, node->mutable_props()); !s.ok()) return s;
  if (const auto it = line.find("source"); it != line.end()) {
    return ParseSource(*it, node->mutable_source());
  }
  return absl::OkStatus();
}

// Reads from/label/to, in that order, into an Edge or an EdgeRef.
template <class EdgeLike>
absl::Status ParseEndpoints(const json& line, EdgeLike* edge) {
  absl::StatusOr<std::string> from = RequiredString(line, "from");
  if (!from.ok()) return from.status();
  absl::StatusOr<std::string> label = RequiredString(line, "label");
  if (!label.ok()) return label.status();
  absl::StatusOr<std::string> to = RequiredString(line, "to");
  if (!to.ok()) return to.status();
  edge->set_from(*std::move(from));
  edge->set_label(*std::move(label));
  edge->set_to(*std::move(to));
  return absl::OkStatus();
}

absl::Status ParseBoundary(const json& line, v1::LabelDefinition* label) {
  if (auto s = CheckKeys(line, {"type", "name", "description", "propagate"}, "boundary"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> name = RequiredString(line, "name");
  if (!name.ok()) return name.status();
  label->set_name(*std::move(name));
  if (const auto it = line.find("description"); it != line.end()) {
    if (!it->is_string()) return absl::InvalidArgumentError("\"description\" must be a string");
    label->set_description(it->get<std::string>());
  }
  if (const auto it = line.find("propagate"); it != line.end()) {
    if (!it->is_boolean()) return absl::InvalidArgumentError("\"propagate\" must be true or false");
    label->set_propagate(it->get<bool>());
  }
  return absl::OkStatus();
}

json StringList(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return std::vector<std::string>(list.begin(), list.end());
}

}  // namespace

absl::StatusOr<v1::WriteOp> ParseImportLine(std::string_view text) {
  absl::StatusOr<json> parsed = ParseJsonText(text);
  if (!parsed.ok()) return parsed.status();
  const json& line = *parsed;
  if (!line.is_object()) return absl::InvalidArgumentError("line is not a JSON object");
  const auto type_it = line.find("type");
  if (type_it == line.end()) return absl::InvalidArgumentError("missing \"type\"");
  if (!type_it->is_string()) return absl::InvalidArgumentError("\"type\" must be a string");
  const std::string& type = type_it->get_ref<const std::string&>();

  v1::WriteOp op;
  absl::Status status;
  if (type == "node") {
    status = ParseNode(line, op.mutable_upsert_node());
  } else if (type == "edge") {
    status = CheckKeys(line, {"type", "from", "label", "to", "props"}, "edge");
    if (status.ok()) status = ParseEndpoints(line, op.mutable_upsert_edge());
    if (status.ok()) status = OptionalProps(line, op.mutable_upsert_edge()->mutable_props());
  } else if (type == "delete_node") {
    status = CheckKeys(line, {"type", "id"}, "delete_node");
    if (status.ok()) {
      absl::StatusOr<std::string> id = RequiredString(line, "id");
      if (id.ok()) {
        op.set_delete_node(*std::move(id));
      } else {
        status = id.status();
      }
    }
  } else if (type == "delete_edge") {
    status = CheckKeys(line, {"type", "from", "label", "to"}, "delete_edge");
    if (status.ok()) status = ParseEndpoints(line, op.mutable_delete_edge());
  } else if (type == "boundary") {
    status = ParseBoundary(line, op.mutable_define_label());
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown type \"", type, "\" (want node, edge, delete_node, delete_edge or boundary)"));
  }
  if (!status.ok()) return status;
  return op;
}

std::string FormatImportLine(const v1::WriteOp& op) {
  json line;
  switch (op.op_case()) {
    case v1::WriteOp::kUpsertNode: {
      const v1::Node& node = op.upsert_node();
      line = {{"type", "node"},
              {"id", node.id()},
              {"labels", StringList(node.labels())},
              {"boundary", StringList(node.boundary())},
              {"props", PropsToJson(node.props())}};
      if (node.has_source()) line["source"] = SourceToJson(node.source());
      break;
    }
    case v1::WriteOp::kUpsertEdge: {
      const v1::Edge& edge = op.upsert_edge();
      line = {{"type", "edge"},
              {"from", edge.from()},
              {"label", edge.label()},
              {"to", edge.to()},
              {"props", PropsToJson(edge.props())}};
      break;
    }
    case v1::WriteOp::kDeleteNode:
      line = {{"type", "delete_node"}, {"id", op.delete_node()}};
      break;
    case v1::WriteOp::kDeleteEdge:
      line = {{"type", "delete_edge"},
              {"from", op.delete_edge().from()},
              {"label", op.delete_edge().label()},
              {"to", op.delete_edge().to()}};
      break;
    case v1::WriteOp::kDefineLabel:
      line = {{"type", "boundary"},
              {"name", op.define_label().name()},
              {"description", op.define_label().description()},
              {"propagate", op.define_label().propagate()}};
      break;
    case v1::WriteOp::OP_NOT_SET:
      line = json::object();
      break;
  }
  return DumpJson(line);
}

}  // namespace ctxgraph::client
