#include "tests/server/privacy_model.h"

#include <algorithm>
#include <deque>
#include <sstream>

namespace ctxgraph::privacy_model {

namespace {

constexpr char kDerivedFrom[] = "DERIVED_FROM";

bool LabelMatches(const std::set<std::string>& labels, const std::string& label) {
  return labels.empty() || labels.count(label) > 0;
}

// The server's adjacency order of edge labels: length first, then bytes
// (keys carry a u16 length before the label).
bool LabelBefore(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

bool Cleared(const std::vector<std::string>& clearances, const std::string& label) {
  for (const std::string& c : clearances) {
    if (c == "*" || c == label) return true;
    if (c.size() >= 2 && c.substr(c.size() - 2) == ":*") {
      const std::string ns = c.substr(0, c.size() - 1);  // "team:"
      if (label.size() > ns.size() && label.compare(0, ns.size(), ns) == 0) return true;
    }
  }
  return false;
}

void PrivacyModel::DefineLabel(const std::string& name, bool propagate) {
  propagate_.emplace(name, propagate);  // the flag is fixed at first definition
}

void PrivacyModel::Commit(uint64_t version, ModelGraph graph) {
  for (const auto& [id, node] : graph.nodes) {
    if (std::find(intern_order_.begin(), intern_order_.end(), id) == intern_order_.end()) {
      intern_order_.push_back(id);
    }
  }
  versions_[version] = std::move(graph);
  inherited_.clear();
}

const ModelGraph& PrivacyModel::At(uint64_t version) const {
  static const ModelGraph kEmpty;
  auto it = versions_.upper_bound(version);
  if (it == versions_.begin()) return kEmpty;
  return std::prev(it)->second;
}

const std::map<std::string, std::set<std::string>>& PrivacyModel::Inherited(
    uint64_t version) const {
  auto at = versions_.upper_bound(version);
  const uint64_t key = at == versions_.begin() ? 0 : std::prev(at)->first;
  if (auto cached = inherited_.find(key); cached != inherited_.end()) return cached->second;
  const ModelGraph& g = At(version);
  std::map<std::string, std::set<std::string>>& inherited = inherited_[key];
  for (const auto& [id, node] : g.nodes) inherited[id];
  // Least fixpoint: start empty and apply the rule until nothing changes.
  bool changed = true;
  while (changed) {
    changed = false;
    for (const auto& [key, edge] : g.edges) {
      const auto& [from, label, to] = key;
      if (label != kDerivedFrom) continue;
      std::set<std::string> carried = g.nodes.at(to).own;
      carried.insert(inherited[to].begin(), inherited[to].end());
      for (const std::string& l : carried) {
        auto p = propagate_.find(l);
        if (p == propagate_.end() || !p->second || edge.sanitizes.count(l)) continue;
        if (inherited[from].insert(l).second) changed = true;
      }
    }
  }
  return inherited;
}

std::set<std::string> PrivacyModel::Effective(const std::string& id, uint64_t version) const {
  const ModelGraph& g = At(version);
  auto it = g.nodes.find(id);
  if (it == g.nodes.end()) return {};
  std::set<std::string> labels = it->second.own;
  const auto& inherited = Inherited(version);
  labels.insert(inherited.at(id).begin(), inherited.at(id).end());
  return labels;
}

bool PrivacyModel::Visible(const std::string& id, const ModelCaller& caller,
                           uint64_t version) const {
  if (!At(version).nodes.count(id)) return false;
  auto cleared = [&](uint64_t v) {
    for (const std::string& l : Effective(id, v)) {
      if (!Cleared(caller.clearances, l)) return false;
    }
    return true;
  };
  if (!cleared(version)) return false;
  // Now: the latest version, or for a node deleted since, the last version
  // that held it.
  uint64_t now = 0;
  for (auto it = versions_.rbegin(); it != versions_.rend() && it->first > version; ++it) {
    if (it->second.nodes.count(id)) {
      now = it->first;
      break;
    }
  }
  if (now != 0 && !cleared(now)) return false;
  return true;
}

std::vector<std::string> PrivacyModel::ListNodes(const std::string& type, const ModelCaller& caller,
                                                 uint64_t version) const {
  const ModelGraph& g = At(version);
  std::vector<std::string> out;
  for (const std::string& id : intern_order_) {
    auto it = g.nodes.find(id);
    if (it == g.nodes.end()) continue;
    const auto& types = it->second.types;
    if (std::find(types.begin(), types.end(), type) == types.end()) continue;
    if (Visible(id, caller, version)) out.push_back(id);
  }
  return out;
}

std::optional<std::vector<std::string>> PrivacyModel::Neighbors(const std::string& id, Dir dir,
                                                                const std::set<std::string>& labels,
                                                                const ModelCaller& caller,
                                                                uint64_t version) const {
  if (!Visible(id, caller, version)) return std::nullopt;
  const ModelGraph& g = At(version);
  auto intern = [&](const std::string& n) {
    return std::find(intern_order_.begin(), intern_order_.end(), n) - intern_order_.begin();
  };
  struct Item {
    int direction;  // 0 out, 1 in
    std::string label;
    long other;
    std::string key;
  };
  std::vector<Item> items;
  for (const auto& [key, edge] : g.edges) {
    const auto& [from, label, to] = key;
    if (!LabelMatches(labels, label)) continue;
    if (dir != Dir::kIn && from == id && Visible(to, caller, version)) {
      items.push_back({0, label, intern(to), "OUT:" + label + ":" + to});
    }
    if (dir != Dir::kOut && to == id && Visible(from, caller, version)) {
      items.push_back({1, label, intern(from), "IN:" + label + ":" + from});
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.direction != b.direction) return a.direction < b.direction;
    if (a.label != b.label) return LabelBefore(a.label, b.label);
    return a.other < b.other;
  });
  std::vector<std::string> out;
  for (const Item& i : items) out.push_back(i.key);
  return out;
}

std::set<std::string> PrivacyModel::SearchHits(const std::string& word,
                                               const std::set<std::string>& types,
                                               const ModelCaller& caller, uint64_t version) const {
  std::set<std::string> out;
  for (const auto& [id, node] : At(version).nodes) {
    if (!node.words.count(word)) continue;
    if (!types.empty() && std::none_of(node.types.begin(), node.types.end(),
                                       [&](const std::string& t) { return types.count(t); })) {
      continue;
    }
    if (Visible(id, caller, version)) out.insert(id);
  }
  return out;
}

template <typename Ok>
std::map<std::string, int> PrivacyModel::Distances(const std::string& start, bool forward,
                                                   int max_depth,
                                                   const std::set<std::string>& labels,
                                                   uint64_t version, Ok ok) const {
  const ModelGraph& g = At(version);
  std::map<std::string, int> dist{{start, 0}};
  std::deque<std::string> queue{start};
  while (!queue.empty()) {
    const std::string n = queue.front();
    queue.pop_front();
    if (dist[n] == max_depth) continue;
    for (const auto& [key, edge] : g.edges) {
      const auto& [from, label, to] = key;
      if (!LabelMatches(labels, label)) continue;
      const std::string& near = forward ? from : to;
      const std::string& far = forward ? to : from;
      if (near != n || dist.count(far) || !ok(far)) continue;
      dist[far] = dist[n] + 1;
      queue.push_back(far);
    }
  }
  return dist;
}

std::map<std::string, int> PrivacyModel::Reach(const std::vector<std::string>& seeds, int max_hops,
                                               Dir dir, const std::set<std::string>& labels,
                                               const ModelCaller& caller, uint64_t version) const {
  const ModelGraph& g = At(version);
  std::map<std::string, int> hop;
  std::deque<std::string> queue;
  for (const std::string& s : seeds) {
    if (hop.emplace(s, 0).second) queue.push_back(s);
  }
  while (!queue.empty()) {
    const std::string n = queue.front();
    queue.pop_front();
    if (hop[n] == max_hops) continue;
    for (const auto& [key, edge] : g.edges) {
      const auto& [from, label, to] = key;
      if (!LabelMatches(labels, label)) continue;
      std::vector<std::string> next;
      if (dir != Dir::kIn && from == n) next.push_back(to);
      if (dir != Dir::kOut && to == n) next.push_back(from);
      for (const std::string& m : next) {
        if (hop.count(m) || !Visible(m, caller, version)) continue;
        hop[m] = hop[n] + 1;
        queue.push_back(m);
      }
    }
  }
  return hop;
}

std::set<std::string> PrivacyModel::EdgesAmong(const std::map<std::string, int>& nodes,
                                               const std::set<std::string>& labels,
                                               uint64_t version) const {
  std::set<std::string> out;
  for (const auto& [key, edge] : At(version).edges) {
    const auto& [from, label, to] = key;
    if (LabelMatches(labels, label) && nodes.count(from) && nodes.count(to)) {
      out.insert(from + "|" + label + "|" + to);
    }
  }
  return out;
}

bool PrivacyModel::Walkable(const std::string& id, const ModelCaller& caller,
                            uint64_t version) const {
  if (caller.auditor) return At(version).nodes.count(id) > 0;
  return Visible(id, caller, version);
}

LineageAnswer PrivacyModel::Lineage(const std::string& start, bool upstream, int max_depth,
                                    const std::set<std::string>& labels, const ModelCaller& caller,
                                    uint64_t version) const {
  const std::set<std::string> walk_labels =
      labels.empty() ? std::set<std::string>{kDerivedFrom} : labels;
  LineageAnswer answer;
  const std::map<std::string, int> dist =
      Distances(start, upstream, max_depth, walk_labels, version,
                [&](const std::string& n) { return Walkable(n, caller, version); });
  for (const auto& [id, depth] : dist) {
    if (Visible(id, caller, version)) {
      answer.visible[id] = depth;
    } else {
      answer.stub_depths.insert(depth);
    }
  }
  for (const auto& [key, edge] : At(version).edges) {
    const auto& [from, label, to] = key;
    const std::string& near = upstream ? from : to;
    const std::string& far = upstream ? to : from;
    auto d = dist.find(near);
    if (walk_labels.count(label) && d != dist.end() && d->second == max_depth && !dist.count(far) &&
        Walkable(far, caller, version)) {
      answer.depth_limited = true;
    }
  }
  return answer;
}

std::optional<PathAnswer> PrivacyModel::Path(const std::string& from, const std::string& to,
                                             int max_depth, const std::set<std::string>& labels,
                                             const ModelCaller& caller, uint64_t version) const {
  const std::set<std::string> walk_labels =
      labels.empty() ? std::set<std::string>{kDerivedFrom} : labels;
  auto ok = [&](const std::string& n) { return Walkable(n, caller, version); };
  const auto up = Distances(from, true, max_depth, walk_labels, version, ok);
  const auto down = Distances(from, false, max_depth, walk_labels, version, ok);
  auto u = up.find(to);
  auto d = down.find(to);
  if (u == up.end() && d == down.end()) return std::nullopt;
  if (u != up.end() && (d == down.end() || u->second <= d->second)) {
    return PathAnswer{true, u->second};
  }
  return PathAnswer{false, d->second};
}

std::string PrivacyModel::Dump() const {
  std::ostringstream out;
  out << "labels:";
  for (const auto& [l, p] : propagate_) out << " " << l << (p ? "(propagate)" : "");
  out << "\n";
  for (const auto& [version, g] : versions_) {
    const auto inherited = Inherited(version);
    out << "version " << version << ":\n";
    for (const auto& [id, n] : g.nodes) {
      out << "  node " << id << " types=[";
      for (const auto& t : n.types) out << t << " ";
      out << "] own=[";
      for (const auto& l : n.own) out << l << " ";
      out << "] inherited=[";
      for (const auto& l : inherited.at(id)) out << l << " ";
      out << "] words=[";
      for (const auto& w : n.words) out << w << " ";
      out << "]\n";
    }
    for (const auto& [key, e] : g.edges) {
      out << "  edge " << std::get<0>(key) << " -" << std::get<1>(key) << "-> " << std::get<2>(key);
      if (!e.sanitizes.empty()) {
        out << " sanitizes=[";
        for (const auto& l : e.sanitizes) out << l << " ";
        out << "]";
      }
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace ctxgraph::privacy_model
