#include "tests/tools/generated_graph.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ctxgraph::gen_test {
namespace {

using Json = nlohmann::json;

const std::regex& TimestampPattern() {
  static const std::regex kPattern(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  return kPattern;
}

bool IsBoundaryLabel(const std::string& label) {
  static const std::regex kPattern(R"([A-Za-z0-9_.:-]+)");
  return std::regex_match(label, kPattern);
}

std::string NormalDouble(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string("d:") + std::string(buf, end);
}

std::set<std::string> Keys(const Json& object) {
  std::set<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

absl::Status NormalProp(const std::string& name, const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::value_t::string: {
      const std::string& s = value.get_ref<const std::string&>();
      *out = (std::regex_match(s, TimestampPattern()) ? "t:" : "s:") + s;
      return absl::OkStatus();
    }
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      *out = "i:" + std::to_string(value.get<int64_t>());
      return absl::OkStatus();
    case Json::value_t::number_float:
      *out = NormalDouble(value.get<double>());
      return absl::OkStatus();
    case Json::value_t::boolean:
      *out = value.get<bool>() ? "b:true" : "b:false";
      return absl::OkStatus();
    case Json::value_t::array: {
      std::vector<std::string> items;
      for (const Json& item : value) {
        if (!item.is_string()) return absl::InvalidArgumentError("prop " + name + ": list item");
        items.push_back(item.get<std::string>());
      }
      if (items.empty()) return absl::InvalidArgumentError("prop " + name + ": empty list");
      *out = "l:" + absl::StrJoin(items, ";");
      return absl::OkStatus();
    }
    default:
      return absl::InvalidArgumentError("prop " + name + ": unexpected type");
  }
}

absl::Status ParseLabelLine(const Json& line, ParsedLabel* label) {
  if (Keys(line) != std::set<std::string>{"type", "name", "description", "propagate"}) {
    return absl::InvalidArgumentError("boundary keys are not canonical");
  }
  if (!line["name"].is_string() || !IsBoundaryLabel(line["name"].get<std::string>())) {
    return absl::InvalidArgumentError("name");
  }
  if (!line["description"].is_string() || line["description"].get<std::string>().empty()) {
    return absl::InvalidArgumentError("description");
  }
  if (!line["propagate"].is_boolean()) return absl::InvalidArgumentError("propagate");
  *label = ParsedLabel{line["name"].get<std::string>(), line["description"].get<std::string>(),
                       line["propagate"].get<bool>()};
  return absl::OkStatus();
}

absl::Status ParseNodeLine(const Json& line, ParsedNode* node) {
  if (Keys(line) != std::set<std::string>{"type", "id", "labels", "boundary", "props", "source"}) {
    return absl::InvalidArgumentError("node keys are not canonical");
  }
  if (!line["id"].is_string() || line["id"].get<std::string>().empty()) {
    return absl::InvalidArgumentError("id");
  }
  node->id = line["id"];
  if (!line["labels"].is_array() || line["labels"].size() != 1 || !line["labels"][0].is_string()) {
    return absl::InvalidArgumentError("labels must hold one string");
  }
  node->label = line["labels"][0];
  if (!line["boundary"].is_array()) return absl::InvalidArgumentError("boundary");
  for (const Json& label : line["boundary"]) {
    if (!label.is_string() || !IsBoundaryLabel(label.get<std::string>())) {
      return absl::InvalidArgumentError("boundary label " + label.dump());
    }
    node->boundary.push_back(label);
  }
  if (!line["props"].is_object()) return absl::InvalidArgumentError("props");
  for (auto it = line["props"].begin(); it != line["props"].end(); ++it) {
    absl::Status s = NormalProp(it.key(), it.value(), &node->props[it.key()]);
    if (!s.ok()) return s;
  }
  const Json& source = line["source"];
  if (!source.is_object() || Keys(source) != std::set<std::string>{"system", "uri", "authority"}) {
    return absl::InvalidArgumentError("source keys are not canonical");
  }
  node->system = source["system"];
  node->uri = source["uri"];
  node->authority = source["authority"];
  if (node->authority != "imported" && node->authority != "asserted" &&
      node->authority != "inferred") {
    return absl::InvalidArgumentError("source.authority " + node->authority);
  }
  return absl::OkStatus();
}

absl::Status ParseEdgeLine(const Json& line, ParsedEdge* edge) {
  if (Keys(line) != std::set<std::string>{"type", "from", "to", "label", "props"}) {
    return absl::InvalidArgumentError("edge keys are not canonical");
  }
  for (const char* key : {"from", "to", "label"}) {
    if (!line[key].is_string() || line[key].get<std::string>().empty()) {
      return absl::InvalidArgumentError(key);
    }
  }
  edge->from = line["from"];
  edge->to = line["to"];
  edge->label = line["label"];
  const Json& props = line["props"];
  if (!props.is_object()) return absl::InvalidArgumentError("edge props");
  if (props.empty()) return absl::OkStatus();
  if (Keys(props) != std::set<std::string>{"weight"} || !props["weight"].is_number_float()) {
    return absl::InvalidArgumentError("edge props must be {} or {\"weight\": double}");
  }
  edge->weight = NormalDouble(props["weight"].get<double>());
  return absl::OkStatus();
}

}  // namespace

std::string ReadFileOrDie(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) std::abort();
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<ParsedGraph> ReadJsonl(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path.string());
  ParsedGraph graph;
  std::string text;
  for (int64_t n = 1; std::getline(in, text); ++n) {
    auto fail = [n](const absl::Status& s) {
      return absl::InvalidArgumentError(absl::StrCat("line ", n, ": ", s.message()));
    };
    const Json line = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!line.is_object()) return fail(absl::InvalidArgumentError("not a JSON object"));
    const std::string type = line.value("type", "");
    if (type == "boundary") {
      if (!graph.nodes.empty() || !graph.edges.empty()) {
        return fail(absl::InvalidArgumentError("label definition after records"));
      }
      if (absl::Status s = ParseLabelLine(line, &graph.labels.emplace_back()); !s.ok()) {
        return fail(s);
      }
    } else if (type == "node") {
      if (!graph.edges.empty()) return fail(absl::InvalidArgumentError("node after edges"));
      if (absl::Status s = ParseNodeLine(line, &graph.nodes.emplace_back()); !s.ok()) {
        return fail(s);
      }
    } else if (type == "edge") {
      if (absl::Status s = ParseEdgeLine(line, &graph.edges.emplace_back()); !s.ok()) {
        return fail(s);
      }
    } else {
      return fail(absl::InvalidArgumentError("type " + type));
    }
  }
  return graph;
}

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) return absl::InvalidArgumentError("unterminated quote");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          field.push_back(text[i]);
        }
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n') {
        return absl::InvalidArgumentError("text after a closing quote");
      }
      continue;
    }
    if (text[i] == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (text[i] == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field.push_back(text[i]);
    }
    ++i;
  }
  if (!field.empty() || !record.empty()) return absl::InvalidArgumentError("no final newline");
  return records;
}

absl::StatusOr<ParsedGraph> ReadCsv(const std::filesystem::path& dir) {
  ParsedGraph graph;
  absl::StatusOr<ParsedGraph> labels = ReadJsonl(dir / "labels.jsonl");
  if (!labels.ok()) return labels.status();
  if (!labels->nodes.empty() || !labels->edges.empty()) {
    return absl::InvalidArgumentError("labels.jsonl: holds records other than boundary lines");
  }
  graph.labels = std::move(labels->labels);
  absl::StatusOr<std::vector<std::vector<std::string>>> nodes =
      ParseCsv(ReadFileOrDie(dir / "nodes.csv"));
  if (!nodes.ok()) return nodes.status();
  const std::vector<std::string> kWantHeader = {"id:ID",
                                                ":LABEL",
                                                "boundary:string[]",
                                                "title",
                                                "text",
                                                "created_at:datetime",
                                                "page_count:int",
                                                "confidence:double",
                                                "draft:boolean",
                                                "tags:string[]",
                                                "source_system",
                                                "source_uri",
                                                "source_authority"};
  if (nodes->empty() || (*nodes)[0] != kWantHeader) {
    return absl::InvalidArgumentError("nodes.csv: header");
  }
  for (size_t r = 1; r < nodes->size(); ++r) {
    const std::vector<std::string>& f = (*nodes)[r];
    if (f.size() != kWantHeader.size()) {
      return absl::InvalidArgumentError(absl::StrCat("nodes.csv record ", r, ": field count"));
    }
    ParsedNode& node = graph.nodes.emplace_back();
    node.id = f[0];
    node.label = f[1];
    if (!f[2].empty()) node.boundary = absl::StrSplit(f[2], ';');
    if (!f[3].empty()) node.props["title"] = "s:" + f[3];
    if (!f[4].empty()) node.props["text"] = "s:" + f[4];
    if (!f[5].empty()) node.props["created_at"] = "t:" + f[5];
    if (!f[6].empty()) node.props["page_count"] = "i:" + f[6];
    if (!f[7].empty()) node.props["confidence"] = NormalDouble(std::strtod(f[7].c_str(), nullptr));
    if (!f[8].empty()) node.props["draft"] = "b:" + f[8];
    if (!f[9].empty()) node.props["tags"] = "l:" + f[9];
    node.system = f[10];
    node.uri = f[11];
    node.authority = f[12];
  }

  absl::StatusOr<std::vector<std::vector<std::string>>> edges =
      ParseCsv(ReadFileOrDie(dir / "relationships.csv"));
  if (!edges.ok()) return edges.status();
  const std::vector<std::string> kEdgeHeader = {":START_ID", ":END_ID", ":TYPE", "weight:double"};
  if (edges->empty() || (*edges)[0] != kEdgeHeader) {
    return absl::InvalidArgumentError("relationships.csv: header");
  }
  for (size_t r = 1; r < edges->size(); ++r) {
    const std::vector<std::string>& f = (*edges)[r];
    if (f.size() != kEdgeHeader.size()) {
      return absl::InvalidArgumentError(absl::StrCat("relationships.csv record ", r, ": fields"));
    }
    graph.edges.push_back(
        {f[0], f[2], f[1], f[3].empty() ? "" : NormalDouble(std::strtod(f[3].c_str(), nullptr))});
  }
  return graph;
}

}  // namespace ctxgraph::gen_test
