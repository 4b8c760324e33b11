// Every on-disk key layout of ctxgraph, in one place.
//
// Integers are big-endian so byte order equals numeric order. Versions are
// stored inverted (~version) so that, within one entity, the newest version
// sorts first: reading "as of V" is a Seek to (entity, ~V) followed by one
// step, and the first entry with the entity's prefix is the answer.
// Variable-length strings inside composite keys carry a 2-byte big-endian
// length prefix, so one string can never be a prefix-collision of another.
//
// Column families and their layouts ('|' separates fields):
//
//   default      "format" | "last_version" | "next_iid" | "page_secret" | "open_session"
//                | "text_config" | "redaction_key" | "inherited_labels"
//                | "history_horizon" | "voided_versions" -> meta values
//   node_ids     node id bytes                         -> iid (u64)   (interning, never deleted)
//   nodes        iid u64 | ~version u64                -> NodeRecord (or tombstone)
//   out_edges    from_iid u64 | len u16 | label | to_iid u64 | ~version u64   -> EdgeRecord
//   in_edges     to_iid u64 | len u16 | label | from_iid u64 | ~version u64   -> EdgeRecord
//   label_index  len u16 | label | iid u64 | ~version u64   -> 1 byte: 1 present, 0 removed
//   commits      version u64                           -> CommitRecord
//   principals   len u16 | principal id | ~version u64 -> PrincipalRecord
//   tokens       'h' | sha256(token) (32)              -> TokenRecord
//                'i' | token id                        -> sha256(token) (32)
//   audit        seq u64 (from 1, dense)               -> AuditEntry (append-only hash chain)
//   labels       len u16 | label name | ~version u64   -> LabelDefinition (the boundary label
//                registry, label_registry.h; never deleted, so a label once defined stays defined)
//
// The keyword index (see text_index.h) lives in four more:
//
//   text_postings  len u16 | term | first_iid u64 | ~version u64 -> PostingBlock
//                  (the postings of `term` for iids from first_iid up to the
//                  next block's first_iid; blocks are never removed, only
//                  rewritten, so at any version they partition the iids)
//   text_stats     'd' | len u16 | term | set u64 | ~version u64
//                                  -> u64: nodes of boundary set `set` holding `term`
//                  'n' | set u64 | ~version u64 -> u64 nodes, u64 total terms
//                  (set 2^64-1 holds the sums over every set)
//   boundary_sets  'k' | BoundarySetLabels(labels) -> set u64   (interning, never deleted;
//                  'i' | set u64 -> BoundarySetLabels(labels)    set 0 is the empty boundary)
//   boundary_log   version u64 | iid u64 -> empty: a node that existed before
//                  `version` changed its boundary (or came back) at it
//
// Adjacency of a node is the prefix scan (iid) of out_edges or in_edges;
// (iid, label) narrows it to one edge label. Every key of a versioned column
// family (nodes, out_edges, in_edges, label_index, principals, labels,
// text_postings, text_stats) ends with the 8-byte ~version, so a version's records can be
// found without decoding; boundary_log keys start with the version.
#ifndef CTXGRAPH_STORAGE_KEYS_H_
#define CTXGRAPH_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ctxgraph::keys {

// Column family names. Never change these values: they are on disk.
inline constexpr char kNodeIdsCf[] = "node_ids";
inline constexpr char kNodesCf[] = "nodes";
inline constexpr char kOutEdgesCf[] = "out_edges";
inline constexpr char kInEdgesCf[] = "in_edges";
inline constexpr char kLabelIndexCf[] = "label_index";
inline constexpr char kCommitsCf[] = "commits";
inline constexpr char kPrincipalsCf[] = "principals";
inline constexpr char kTokensCf[] = "tokens";
inline constexpr char kTextPostingsCf[] = "text_postings";
inline constexpr char kTextStatsCf[] = "text_stats";
inline constexpr char kBoundarySetsCf[] = "boundary_sets";
inline constexpr char kBoundaryLogCf[] = "boundary_log";
inline constexpr char kAuditCf[] = "audit";
inline constexpr char kLabelsCf[] = "labels";

// Meta keys in the default column family. Never change: on disk.
inline constexpr char kFormatKey[] = "format";
inline constexpr char kLastVersionKey[] = "last_version";
inline constexpr char kNextIidKey[] = "next_iid";
inline constexpr char kPageSecretKey[] = "page_secret";
// Present while a multi-batch commit (CommitSession) is open: its version
// (u64) and the first iid it could intern (u64).
// Found at open, it means the session died, and its records are removed.
inline constexpr char kOpenSessionKey[] = "open_session";
// The keyword index settings the database was created with (TextIndexConfig).
inline constexpr char kTextConfigKey[] = "text_config";
// 32 random bytes keying the opaque ids of redacted lineage stubs
// (query/opaque_id.h). Separate from page_secret so that the two uses never
// share a key. Written at the first open that finds it absent.
inline constexpr char kRedactionKey[] = "redaction_key";
// Present once every node's inherited boundary labels are maintained:
// written at creation, or by the one-time backfill of a database from
// before propagation (GraphStore::BackfillInherited).
inline constexpr char kInheritedKey[] = "inherited_labels";
// The history horizon (u64, history_retention.h): as-of reads before it are
// refused and compaction may drop the versions it shadows. Only ever raised.
inline constexpr char kHistoryHorizonKey[] = "history_horizon";
// Versions whose records were deleted by a removed commit session (u64s,
// ascending): a record of such a version may linger below its delete in
// the LSM tree, so it must never count as shadowing an older version.
inline constexpr char kVoidedVersionsKey[] = "voided_versions";

// Token key tags. Never change: on disk.
inline constexpr char kTokenByHashTag = 'h';
inline constexpr char kTokenByIdTag = 'i';
// text_stats and boundary_sets tags. Never change: on disk.
inline constexpr char kTermSetDocsTag = 'd';
inline constexpr char kSetTotalsTag = 'n';
inline constexpr char kBoundarySetByLabelsTag = 'k';
inline constexpr char kBoundarySetByIdTag = 'i';

// The largest version; "latest" reads seek to it.
inline constexpr uint64_t kMaxVersion = ~uint64_t{0};
// Strings embedded in composite keys are at most this long.
inline constexpr size_t kMaxKeyString = 0xFFFF;

void AppendU64(std::string* out, uint64_t v);
// Decodes 8 big-endian bytes at `in[pos]`; fails when fewer remain.
absl::StatusOr<uint64_t> ReadU64(std::string_view in, size_t pos);
std::string EncodeU64(uint64_t v);

// (iid, version) in the nodes column family.
struct NodeVersionKey {
  uint64_t iid = 0;
  uint64_t version = 0;
  friend bool operator==(const NodeVersionKey&, const NodeVersionKey&) = default;
};
std::string EncodeNodeVersionKey(const NodeVersionKey& k);
absl::StatusOr<NodeVersionKey> DecodeNodeVersionKey(std::string_view key);
std::string NodePrefix(uint64_t iid);

// An adjacency entry seen from `self`: (self, label, other, version). The same
// layout serves out_edges (self = from) and in_edges (self = to).
struct AdjacencyKey {
  uint64_t self = 0;
  std::string label;
  uint64_t other = 0;
  uint64_t version = 0;
  friend bool operator==(const AdjacencyKey&, const AdjacencyKey&) = default;
};
std::string EncodeAdjacencyKey(const AdjacencyKey& k);
absl::StatusOr<AdjacencyKey> DecodeAdjacencyKey(std::string_view key);
std::string AdjacencyPrefix(uint64_t self);
std::string AdjacencyPrefix(uint64_t self, std::string_view label);
// The prefix shared by every version of one edge.
std::string AdjacencyEdgePrefix(uint64_t self, std::string_view label, uint64_t other);

// (label, iid, version) in label_index.
struct LabelIndexKey {
  std::string label;
  uint64_t iid = 0;
  uint64_t version = 0;
  friend bool operator==(const LabelIndexKey&, const LabelIndexKey&) = default;
};
std::string EncodeLabelIndexKey(const LabelIndexKey& k);
absl::StatusOr<LabelIndexKey> DecodeLabelIndexKey(std::string_view key);
std::string LabelIndexPrefix(std::string_view label);

// (principal id, version) in principals.
struct PrincipalKey {
  std::string id;
  uint64_t version = 0;
  friend bool operator==(const PrincipalKey&, const PrincipalKey&) = default;
};
std::string EncodePrincipalKey(const PrincipalKey& k);
absl::StatusOr<PrincipalKey> DecodePrincipalKey(std::string_view key);
std::string PrincipalPrefix(std::string_view id);

// (label name, version) in labels: the same layout as principals.
struct LabelKey {
  std::string name;
  uint64_t version = 0;
  friend bool operator==(const LabelKey&, const LabelKey&) = default;
};
std::string EncodeLabelKey(const LabelKey& k);
absl::StatusOr<LabelKey> DecodeLabelKey(std::string_view key);
std::string LabelPrefix(std::string_view name);

// The version of a key of any versioned column family (its last 8 bytes).
absl::StatusOr<uint64_t> VersionOfVersionedKey(std::string_view key);

std::string CommitKey(uint64_t version);
absl::StatusOr<uint64_t> DecodeCommitKey(std::string_view key);

// (term, first iid, version) in text_postings.
struct PostingBlockKey {
  std::string term;
  uint64_t first_iid = 0;
  uint64_t version = 0;
  friend bool operator==(const PostingBlockKey&, const PostingBlockKey&) = default;
};
std::string EncodePostingBlockKey(const PostingBlockKey& k);
absl::StatusOr<PostingBlockKey> DecodePostingBlockKey(std::string_view key);
std::string PostingTermPrefix(std::string_view term);

// (term, boundary set, version) in text_stats: how many nodes hold the term.
struct TermSetDocsKey {
  std::string term;
  uint64_t set = 0;
  uint64_t version = 0;
  friend bool operator==(const TermSetDocsKey&, const TermSetDocsKey&) = default;
};
std::string EncodeTermSetDocsKey(const TermSetDocsKey& k);
absl::StatusOr<TermSetDocsKey> DecodeTermSetDocsKey(std::string_view key);
std::string TermSetDocsPrefix(std::string_view term);

// (boundary set, version) in text_stats: node count and total length.
struct SetTotalsKey {
  uint64_t set = 0;
  uint64_t version = 0;
  friend bool operator==(const SetTotalsKey&, const SetTotalsKey&) = default;
};
std::string EncodeSetTotalsKey(const SetTotalsKey& k);
absl::StatusOr<SetTotalsKey> DecodeSetTotalsKey(std::string_view key);
std::string SetTotalsPrefix();

// A sorted label list as bytes: len u16 | label, repeated.
std::string EncodeBoundarySetLabels(const std::vector<std::string>& labels);
absl::StatusOr<std::vector<std::string>> DecodeBoundarySetLabels(std::string_view bytes);
std::string BoundarySetByLabelsKey(const std::vector<std::string>& labels);
std::string BoundarySetByIdKey(uint64_t set);

struct BoundaryLogKey {
  uint64_t version = 0;
  uint64_t iid = 0;
  friend bool operator==(const BoundaryLogKey&, const BoundaryLogKey&) = default;
};
std::string EncodeBoundaryLogKey(const BoundaryLogKey& k);
absl::StatusOr<BoundaryLogKey> DecodeBoundaryLogKey(std::string_view key);
std::string AuditKey(uint64_t seq);
absl::StatusOr<uint64_t> DecodeAuditKey(std::string_view key);

std::string TokenByHashKey(std::string_view sha256);
std::string TokenByIdKey(std::string_view token_id);

}  // namespace ctxgraph::keys

#endif  // CTXGRAPH_STORAGE_KEYS_H_
