// Shape validation of everything a client can send, before it reaches the
// store. Each check answers INVALID_ARGUMENT with a message that starts with
// the field path it was given and says why, e.g.
//   ops[3].upsert_node.id: must be 1..256 bytes, got 0
//   ops[0].upsert_node.boundary[1]: "pii " has a character outside [A-Za-z0-9_.:-]
// Normalizing functions sort and deduplicate label sets in place.
#ifndef CTXGRAPH_QUERY_VALIDATION_H_
#define CTXGRAPH_QUERY_VALIDATION_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "query/field_name.h"
#include "storage/graph_store.h"
#include "storage/records.h"

namespace ctxgraph {

// Limits on what one record or request may hold.
inline constexpr size_t kMaxIdBytes = 256;
inline constexpr size_t kMaxLabelBytes = 128;
inline constexpr size_t kMaxLabelsPerNode = 64;
inline constexpr size_t kMaxProps = 1024;
inline constexpr size_t kMaxPropKeyBytes = 256;
inline constexpr size_t kMaxStringValueBytes = size_t{1} << 20;
inline constexpr size_t kMaxListElements = 10000;
inline constexpr size_t kMaxDescriptionBytes = 4096;

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// Node ids and principal ids: 1..256 bytes of UTF-8 without control chars.
absl::Status ValidateId(std::string_view field, std::string_view id);
// Type labels and edge labels: 1..128 bytes of [A-Za-z0-9_].
absl::Status ValidateTypeLabel(std::string_view field, std::string_view label);
// An edge label filter (ListNeighbors, Retrieve, lineage): at most
// kMaxLabelFilter labels, each a type label, named `field`[i]; sorted
// and deduplicated in place. Search's node label filter has the same cap.
inline constexpr size_t kMaxLabelFilter = 64;
absl::Status NormalizeEdgeLabelFilter(std::string_view field, std::vector<std::string>& labels);
// INVALID_ARGUMENT "`field`: at most 64 labels, got N" past kMaxLabelFilter:
// for the server to refuse a filter before it copies it out of the request.
absl::Status CheckLabelFilterSize(std::string_view field, size_t labels);
// Boundary labels: 1..128 bytes of [A-Za-z0-9_.:-].
absl::Status ValidateBoundaryLabel(std::string_view field, std::string_view label);
// A clearance: a boundary label, "ns:*", or "*".
absl::Status ValidateClearance(std::string_view field, std::string_view clearance);
absl::Status ValidateProps(std::string_view field, const PropMap& props);
// A commit description: at most kMaxDescriptionBytes of UTF-8.
absl::Status ValidateDescription(std::string_view field, std::string_view description);
// A label definition: `name` a boundary label (so never "*" or "ns:*", which
// are clearance syntax) and a description of 1..kMaxDescriptionBytes of
// UTF-8. Fields are named "<field>.name" and "<field>.description" ("name"
// and "description" when `field` is empty).
absl::Status ValidateLabelDefinition(std::string_view field, const LabelDefinition& label);

// Validates and normalizes (sorts, deduplicates) a set of labels.
absl::Status NormalizeTypeLabels(std::string_view field, std::vector<std::string>& labels,
                                 bool require_one);
absl::Status NormalizeBoundary(std::string_view field, std::vector<std::string>& boundary);
absl::Status NormalizeClearances(std::string_view field, std::vector<std::string>& clearances);

// Validates and normalizes one mutation; `field` is its path, e.g. "ops[3]".
absl::Status ValidateMutation(const FieldName& field, Mutation& mutation);
absl::Status ValidateMutation(std::string_view field, Mutation& mutation);

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_VALIDATION_H_
