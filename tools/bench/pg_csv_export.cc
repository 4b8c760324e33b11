#include "tools/bench/pg_csv_export.h"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace ctxgraph::bench {
namespace {

using nlohmann::json;

std::vector<std::string> StringArray(const json& record, const char* field) {
  std::vector<std::string> out;
  auto it = record.find(field);
  if (it == record.end() || !it->is_array()) return out;
  for (const json& s : *it) out.push_back(s.get<std::string>());
  return out;
}

}  // namespace

std::string PgArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string CsvField(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

absl::StatusOr<CsvExportStats> ExportGraphCsv(const std::string& jsonl_path,
                                              const std::string& out_dir) {
  const auto start = std::chrono::steady_clock::now();
  std::ifstream in(jsonl_path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open \"", jsonl_path, "\""));
  std::ofstream nodes(out_dir + "/nodes.csv", std::ios::binary);
  std::ofstream edges(out_dir + "/edges.csv", std::ios::binary);
  if (!nodes || !edges) {
    return absl::InternalError(absl::StrCat("cannot write CSV files in \"", out_dir, "\""));
  }
  CsvExportStats stats;
  std::string line;
  for (uint64_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    try {
      const json record = json::parse(line);
      const std::string type = record.value("type", "");
      if (type == "node") {
        const json props = record.value("props", json::object());
        nodes << CsvField(record.at("id").get<std::string>()) << ','
              << CsvField(PgArrayLiteral(StringArray(record, "labels"))) << ','
              << CsvField(PgArrayLiteral(StringArray(record, "boundary"))) << ','
              << CsvField(props.dump()) << '\n';
        ++stats.nodes;
      } else if (type == "edge") {
        edges << CsvField(record.at("from").get<std::string>()) << ','
              << CsvField(record.at("label").get<std::string>()) << ','
              << CsvField(record.at("to").get<std::string>()) << '\n';
        ++stats.edges;
      }
    } catch (const json::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(jsonl_path, ":", line_no, ": ", e.what()));
    }
  }
  nodes.close();
  edges.close();
  if (!nodes || !edges) return absl::InternalError("writing the CSV files failed");
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace ctxgraph::bench
