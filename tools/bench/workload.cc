#include "tools/bench/workload.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace ctxgraph::bench {
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const json& s : j) out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

const PrincipalSpec* Workload::FindPrincipal(const std::string& id) const {
  for (const PrincipalSpec& p : principals) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

absl::StatusOr<Workload> LoadWorkload(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open \"", path, "\""));
  Workload w;
  try {
    const json q = json::parse(in);
    w.seed_ids = Strings(q.value("seed_ids", json::array()));
    for (const json& l : q.value("lineage_starts", json::array())) {
      w.lineage_starts.push_back({l.at("id").get<std::string>(), l.value("depth", 10)});
    }
    const json terms = q.value("search_terms", json::object());
    w.common_terms = Strings(terms.value("common", json::array()));
    w.medium_terms = Strings(terms.value("medium", json::array()));
    w.rare_terms = Strings(terms.value("rare", json::array()));
    for (const json& p : q.value("principals", json::array())) {
      w.principals.push_back({p.at("id").get<std::string>(), Strings(p.value("roles", json())),
                              Strings(p.value("clearances", json()))});
    }
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
  if (w.seed_ids.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": seed_ids: empty"));
  }
  return w;
}

}  // namespace ctxgraph::bench
