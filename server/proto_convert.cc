#include "server/proto_convert.h"

#include "absl/strings/str_cat.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, as protobuf's Timestamp allows.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

absl::StatusOr<Value> ValueFromProto(const FieldName& field, const v1::Value& in, bool in_list) {
  switch (in.kind_case()) {
    case v1::Value::kStringValue:
      return Value{in.string_value()};
    case v1::Value::kIntValue:
      return Value{static_cast<int64_t>(in.int_value())};
    case v1::Value::kDoubleValue:
      return Value{in.double_value()};
    case v1::Value::kBoolValue:
      return Value{in.bool_value()};
    case v1::Value::kTimestampValue: {
      ASSIGN_OR_RETURN(Timestamp t, TimestampFromProto(field, in.timestamp_value()));
      return Value{t};
    }
    case v1::Value::kListValue: {
      if (in_list) return InvalidField(field, "lists cannot be nested");
      ValueList list;
      list.reserve(in.list_value().values_size());
      for (int i = 0; i < in.list_value().values_size(); ++i) {
        ASSIGN_OR_RETURN(Value v, ValueFromProto(FieldName(field, static_cast<size_t>(i)),
                                                 in.list_value().values(i), /*in_list=*/true));
        list.push_back(std::move(v));
      }
      return Value{std::move(list)};
    }
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return InvalidField(field, "value has no kind set");
}

void ValueToProto(const Value& value, v1::Value* out) {
  std::visit(
      [out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out->set_string_value(x);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out->set_int_value(x);
        } else if constexpr (std::is_same_v<T, double>) {
          out->set_double_value(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->set_bool_value(x);
        } else if constexpr (std::is_same_v<T, Timestamp>) {
          TimestampToProto(x, out->mutable_timestamp_value());
        } else {
          auto* list = out->mutable_list_value();
          for (const Value& e : x) ValueToProto(e, list->add_values());
        }
      },
      value.v);
}

absl::StatusOr<PropMap> PropsFromProto(const FieldName& field,
                                       const google::protobuf::Map<std::string, v1::Value>& in) {
  PropMap props;
  for (const auto& [key, value] : in) {
    ASSIGN_OR_RETURN(Value v, ValueFromProto(FieldName::Key(field, key), value,
                                             /*in_list=*/false));
    props.emplace(key, std::move(v));
  }
  return props;
}

void PropsToProto(const PropMap& props, google::protobuf::Map<std::string, v1::Value>* out) {
  for (const auto& [key, value] : props) ValueToProto(value, &(*out)[key]);
}

void ProvenanceToProto(const Provenance& p, v1::Provenance* out) {
  out->set_version(p.version);
  TimestampToProto(p.commit_time, out->mutable_commit_time());
  out->set_writer(p.writer);
  out->set_content_hash(ToHex(p.content_hash));
}

absl::StatusOr<Authority> AuthorityFromProto(const FieldName& field, int authority) {
  if (authority < 0 || authority > static_cast<int>(Authority::kInferred)) {
    return InvalidField(field, absl::StrCat("unknown authority ", authority));
  }
  return static_cast<Authority>(authority);
}

}  // namespace

absl::StatusOr<Timestamp> TimestampFromProto(const std::string& field,
                                             const google::protobuf::Timestamp& ts) {
  return TimestampFromProto(FieldName(field), ts);
}

absl::StatusOr<Timestamp> TimestampFromProto(const FieldName& field,
                                             const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return InvalidField(field, "timestamp out of range");
  }
  return Timestamp{ts.seconds() * 1000000 + ts.nanos() / 1000};
}

void TimestampToProto(Timestamp t, google::protobuf::Timestamp* out) {
  int64_t seconds = t.micros / 1000000;
  int64_t micros = t.micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(micros * 1000));
}

absl::StatusOr<Mutation> MutationFromProto(const FieldName& field, const v1::WriteOp& op) {
  switch (op.op_case()) {
    case v1::WriteOp::kUpsertNode: {
      const FieldName f(field, ".upsert_node");
      const v1::Node& in = op.upsert_node();
      NodeUpsert m;
      m.node.id = in.id();
      m.node.labels.assign(in.labels().begin(), in.labels().end());
      m.node.boundary.assign(in.boundary().begin(), in.boundary().end());
      ASSIGN_OR_RETURN(m.node.props, PropsFromProto(FieldName(f, ".props"), in.props()));
      m.node.source.system = in.source().system();
      m.node.source.uri = in.source().uri();
      ASSIGN_OR_RETURN(
          m.node.source.authority,
          AuthorityFromProto(FieldName(f, ".source.authority"), in.source().authority()));
      return Mutation{std::move(m)};
    }
    case v1::WriteOp::kDeleteNode:
      return Mutation{NodeDelete{op.delete_node()}};
    case v1::WriteOp::kUpsertEdge: {
      const v1::Edge& in = op.upsert_edge();
      EdgeUpsert m;
      m.edge.from = in.from();
      m.edge.label = in.label();
      m.edge.to = in.to();
      ASSIGN_OR_RETURN(m.edge.props,
                       PropsFromProto(FieldName(field, ".upsert_edge.props"), in.props()));
      return Mutation{std::move(m)};
    }
    case v1::WriteOp::kDeleteEdge:
      return Mutation{
          EdgeDelete{op.delete_edge().from(), op.delete_edge().label(), op.delete_edge().to()}};
    case v1::WriteOp::kDefineLabel: {
      LabelDefine m;
      m.label.name = op.define_label().name();
      m.label.description = op.define_label().description();
      m.label.propagate = op.define_label().propagate();
      return Mutation{std::move(m)};
    }
    case v1::WriteOp::OP_NOT_SET:
      break;
  }
  return InvalidField(field, "op has no kind set");
}

absl::StatusOr<std::vector<Mutation>> MutationsFromProto(const v1::WriteRequest& request) {
  std::vector<Mutation> out;
  out.reserve(request.ops_size());
  const FieldName ops("ops");
  for (int i = 0; i < request.ops_size(); ++i) {
    ASSIGN_OR_RETURN(Mutation m,
                     MutationFromProto(FieldName(ops, static_cast<size_t>(i)), request.ops(i)));
    out.push_back(std::move(m));
  }
  return out;
}

void NodeToProto(const NodeRecord& node, v1::Node* out) {
  out->set_id(node.id);
  for (const auto& l : node.labels) out->add_labels(l);
  PropsToProto(node.props, out->mutable_props());
  for (const auto& b : node.boundary) out->add_boundary(b);
  for (const InheritedLabel& l : node.inherited) {
    out->add_inherited_boundary(l.label);
    v1::InheritedLabel* inherited = out->add_inherited();
    inherited->set_label(l.label);
    inherited->set_from(l.from_id);
  }
  out->mutable_source()->set_system(node.source.system);
  out->mutable_source()->set_uri(node.source.uri);
  out->mutable_source()->set_authority(static_cast<v1::Authority>(node.source.authority));
  ProvenanceToProto(node.provenance, out->mutable_provenance());
}

void EdgeToProto(const EdgeRecord& edge, v1::Edge* out) {
  out->set_from(edge.from);
  out->set_label(edge.label);
  out->set_to(edge.to);
  PropsToProto(edge.props, out->mutable_props());
  ProvenanceToProto(edge.provenance, out->mutable_provenance());
  for (const auto& l : edge.sanitizes) out->add_sanitizes(l);
}

void EdgeRefToProto(const EdgeRecord& edge, v1::EdgeRef* out) {
  out->set_from(edge.from);
  out->set_label(edge.label);
  out->set_to(edge.to);
}

void CommitToProto(const CommitRecord& commit, v1::Commit* out) {
  out->set_version(commit.version);
  TimestampToProto(commit.time, out->mutable_time());
  out->set_principal(commit.principal);
  out->set_description(commit.description);
}

void PrincipalToProto(const PrincipalRecord& p, v1::Principal* out) {
  out->set_id(p.id);
  for (Role r : p.roles) out->add_roles(static_cast<v1::Role>(r));
  for (const auto& c : p.clearances) out->add_clearances(c);
  out->set_status(p.status == PrincipalStatus::kActive ? v1::PRINCIPAL_STATUS_ACTIVE
                                                       : v1::PRINCIPAL_STATUS_SUSPENDED);
  out->set_version(p.version);
}

void TokenToProto(const TokenRecord& token, Timestamp now, v1::TokenInfo* out) {
  out->set_token_id(token.token_id);
  out->set_principal_id(token.principal_id);
  TimestampToProto(token.created, out->mutable_created());
  out->set_revoked(token.revoked);
  if (token.expires.micros != 0) {
    TimestampToProto(token.expires, out->mutable_expires());
    out->set_expired(ExpiredAt(token.expires, now));
  }
}

absl::StatusOr<std::vector<Role>> RolesFromProto(
    const google::protobuf::RepeatedField<int>& roles) {
  std::vector<Role> out;
  for (int i = 0; i < roles.size(); ++i) {
    const int r = roles.Get(i);
    if (r < static_cast<int>(Role::kAgent) || r > static_cast<int>(Role::kAdmin)) {
      return InvalidField(FieldName(FieldName("roles"), static_cast<size_t>(i)),
                          absl::StrCat("unknown role ", r));
    }
    out.push_back(static_cast<Role>(r));
  }
  return out;
}

DirectionFilter DirectionFromProto(v1::Direction direction) {
  switch (direction) {
    case v1::DIRECTION_IN:
      return DirectionFilter::kIn;
    case v1::DIRECTION_BOTH:
      return DirectionFilter::kBoth;
    default:
      return DirectionFilter::kOut;
  }
}

}  // namespace ctxgraph::server
