// The records ctxgraph stores: nodes, edges, commits, principals, tokens
// and boundary label definitions.
//
// These are plain value types with no RocksDB or protobuf in them; the codec
// (record_codec.h) turns them into bytes and back, and the server converts
// them to and from the wire types.
#ifndef CTXGRAPH_STORAGE_RECORDS_H_
#define CTXGRAPH_STORAGE_RECORDS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ctxgraph {

// Microseconds since the Unix epoch, UTC.
struct Timestamp {
  int64_t micros = 0;
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

struct Value;
using ValueList = std::vector<Value>;

// A typed property value. int64 and double stay distinct. Lists hold scalars
// only; validation (query/validation.h) rejects nested lists.
struct Value {
  std::variant<std::string, int64_t, double, bool, Timestamp, ValueList> v;
  friend bool operator==(const Value&, const Value&) = default;
};

// Sorted by key, so iteration order is canonical.
using PropMap = std::map<std::string, Value>;

enum class Authority : uint8_t { kUnspecified = 0, kImported = 1, kAsserted = 2, kInferred = 3 };

struct Source {
  std::string system;
  std::string uri;
  Authority authority = Authority::kUnspecified;
  friend bool operator==(const Source&, const Source&) = default;
};

using ContentHash = std::array<uint8_t, 32>;  // SHA-256

// Filled in by the store at commit time; never taken from a client.
struct Provenance {
  uint64_t version = 0;
  Timestamp commit_time;
  std::string writer;  // principal id
  ContentHash content_hash{};
};

// A boundary label a node inherits: `label` is defined with propagate=true
// and an ancestor (`from_iid`, the internal id of a node that carries it as
// its own label) reaches the node along DERIVED_FROM edges none of which
// sanitizes it. When several ancestors carry it, the one with the smallest
// internal id is named.
struct InheritedLabel {
  std::string label;
  uint64_t from_iid = 0;
  // Not stored: the origin's id, filled in by a read path (query/) only
  // when the reader may see the origin; empty otherwise.
  std::string from_id;
  friend bool operator==(const InheritedLabel&, const InheritedLabel&) = default;
};

struct NodeRecord {
  std::string id;
  std::vector<std::string> labels;  // sorted, unique, non-empty when live
  PropMap props;
  std::vector<std::string> boundary;  // its own boundary labels: sorted, unique
  // Labels propagated to it (sorted by label, unique): maintained by the
  // store at write time, never taken from a client. Its effective boundary,
  // which decides who sees it, is `boundary` plus these.
  std::vector<InheritedLabel> inherited;
  Source source;
  Provenance provenance;
  bool deleted = false;  // a tombstone: the node does not exist at this version
};

// `node.boundary` plus the labels of `node.inherited`: sorted, unique.
std::vector<std::string> EffectiveBoundary(const NodeRecord& node);

struct EdgeRecord {
  std::string from;
  std::string label;
  std::string to;
  PropMap props;
  Provenance provenance;
  bool deleted = false;
  // Boundary labels a steward stopped at this DERIVED_FROM edge (e.g. an
  // anonymised export stops "pii"): sorted, unique. Set only by
  // BoundaryService; a writer's upsert keeps them.
  std::vector<std::string> sanitizes;
};

enum class EdgeDirection { kOut, kIn };

// One live edge seen from a node, as GraphStore::ScanAdjacency returns it.
struct AdjacencyEntry {
  EdgeDirection direction;
  uint64_t other_iid;
  EdgeRecord edge;
};

struct CommitRecord {
  uint64_t version = 0;
  Timestamp time;
  std::string principal;
  std::string description;
};

enum class Role : uint8_t { kAgent = 1, kAuditor = 2, kSteward = 3, kLoader = 4, kAdmin = 5 };

enum class PrincipalStatus : uint8_t { kActive = 1, kSuspended = 2 };

struct PrincipalRecord {
  std::string id;
  std::vector<Role> roles;              // sorted, unique
  std::vector<std::string> clearances;  // sorted, unique
  PrincipalStatus status = PrincipalStatus::kActive;
  uint64_t version = 0;  // commit that wrote this state
};

// A boundary label's definition in the registry (label_registry.h), as of
// the commit that wrote it. Labels are never removed.
struct LabelDefinition {
  std::string name;  // a boundary label, e.g. "pii" or "team:finance"
  std::string description;
  // Whether the label flows along DERIVED_FROM edges to derived nodes
  // (NodeRecord::inherited). Fixed when the label is first defined.
  bool propagate = false;
  uint64_t version = 0;          // the commit that wrote this state
  uint64_t created_version = 0;  // the commit that first defined the label
  std::string principal;         // who wrote this state
  Timestamp time;                // when (the commit time)
  friend bool operator==(const LabelDefinition&, const LabelDefinition&) = default;
};

// One node or edge an audit entry names: a node when `edge_label` is empty,
// else the edge (node_id = its `from`, edge_label, edge_to). `version` is the
// record version returned (reads) or written (commits).
struct AuditItem {
  std::string node_id;
  std::string edge_label;
  std::string edge_to;
  uint64_t version = 0;
  friend bool operator==(const AuditItem&, const AuditItem&) = default;
};

// One entry of the audit log (storage/audit_log.h). Never holds a token or a
// node prop value: only ids, versions, hashes and a request summary.
struct AuditEntry {
  uint64_t seq = 0;  // from 1, assigned by the log
  Timestamp time;
  std::string principal;
  std::string action;             // "write", "import", "admin.create_principal", "search", ...
  uint64_t snapshot_version = 0;  // the version read, or the version a commit wrote
  std::string summary;            // what was asked, without secrets or prop values
  std::vector<AuditItem> items;   // at most kMaxAuditItems, in order
  uint64_t items_total = 0;       // all items, listed or not
  ContentHash items_digest{};     // SHA-256 over all items in order (AuditItemDigest)
  ContentHash prev_hash{};        // hash of entry seq-1; zeros for seq 1
  ContentHash hash{};             // SHA-256(prev_hash || EncodeAuditBody(entry))
  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

struct TokenRecord {
  std::string token_id;  // public handle
  std::string principal_id;
  ContentHash token_hash{};  // SHA-256 of the secret; the secret is never stored
  Timestamp created;
  bool revoked = false;
  // When it stops signing in; micros 0: never (and so for every record
  // written before tokens could expire).
  Timestamp expires;
};

// Whether a token expiring at `expires` (micros 0: never) no longer signs
// in at `now`: the one rule every expiry check applies.
inline bool ExpiredAt(Timestamp expires, Timestamp now) {
  return expires.micros != 0 && now.micros >= expires.micros;
}

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_RECORDS_H_
