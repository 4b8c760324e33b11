// Conversions between ctxgraph.v1 wire messages and domain records.
//
// Wire-to-domain conversions check what only the wire can get wrong (a Value
// with no kind, an out-of-range timestamp, an unknown enum) and answer
// INVALID_ARGUMENT naming the field; shape rules live in query/validation.
#ifndef CTXGRAPH_SERVER_PROTO_CONVERT_H_
#define CTXGRAPH_SERVER_PROTO_CONVERT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctxgraph/v1/admin.pb.h"
#include "ctxgraph/v1/graph.pb.h"
#include "query/field_name.h"
#include "query/graph_reader.h"
#include "storage/graph_store.h"
#include "storage/records.h"

namespace ctxgraph::server {

// INVALID_ARGUMENT "<field>: timestamp out of range" outside 0001..9999.
absl::StatusOr<Timestamp> TimestampFromProto(const std::string& field,
                                             const google::protobuf::Timestamp& ts);
absl::StatusOr<Timestamp> TimestampFromProto(const FieldName& field,
                                             const google::protobuf::Timestamp& ts);
void TimestampToProto(Timestamp t, google::protobuf::Timestamp* out);

absl::StatusOr<std::vector<Mutation>> MutationsFromProto(const v1::WriteRequest& request);
// `field` names the op in errors, e.g. "ops[12]".
absl::StatusOr<Mutation> MutationFromProto(const FieldName& field, const v1::WriteOp& op);

void NodeToProto(const NodeRecord& node, v1::Node* out);
void EdgeToProto(const EdgeRecord& edge, v1::Edge* out);
// The edge's identity only: from, label, to.
void EdgeRefToProto(const EdgeRecord& edge, v1::EdgeRef* out);
void CommitToProto(const CommitRecord& commit, v1::Commit* out);
void PrincipalToProto(const PrincipalRecord& principal, v1::Principal* out);
// `now`: the time `expired` is told against.
void TokenToProto(const TokenRecord& token, Timestamp now, v1::TokenInfo* out);

absl::StatusOr<std::vector<Role>> RolesFromProto(const google::protobuf::RepeatedField<int>& roles);
DirectionFilter DirectionFromProto(v1::Direction direction);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_PROTO_CONVERT_H_
