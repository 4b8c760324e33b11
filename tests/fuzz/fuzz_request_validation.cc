// Fuzz target: the request checks every RPC runs before it touches storage.
// The first input byte picks the RPC, the rest is parsed as that RPC's
// serialized request message (bytes that do not parse are skipped, as gRPC
// would refuse them), which then goes through the conversions and validators
// the service and the query layer apply to it (server/proto_convert.h,
// server/retrieval_convert.h, query/validation.h, query/retrieval_request.h,
// query/audit_reader.h, query/graph_reader.h). Invariants:
//   - every refusal is INVALID_ARGUMENT with a message naming a field;
//   - normalizing twice changes nothing the second time;
//   - a parsed request re-serializes to a message that parses back equal;
//   - an accepted Retrieve survives proto -> domain -> proto and its audit
//     summary decodes back to the same request.
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ctxgraph/v1/admin.pb.h"
#include "ctxgraph/v1/audit.pb.h"
#include "ctxgraph/v1/boundary.pb.h"
#include "ctxgraph/v1/context.pb.h"
#include "ctxgraph/v1/graph.pb.h"
#include "ctxgraph/v1/lineage.pb.h"
#include "query/audit_reader.h"
#include "query/graph_reader.h"
#include "query/graph_writer.h"
#include "query/retrieval_request.h"
#include "query/validation.h"
#include "server/proto_convert.h"
#include "server/retrieval_convert.h"
#include "tests/fuzz/fuzz_check.h"

namespace ctxgraph {
namespace {

using google::protobuf::util::MessageDifferencer;

// A refusal must be INVALID_ARGUMENT and say which field.
void CheckRefusal(const absl::Status& st) {
  FUZZ_CHECK(absl::IsInvalidArgument(st));
  FUZZ_CHECK(!st.message().empty());
}

// Runs `check` and asserts its refusal, if any, is a proper one. Returns
// whether it passed.
bool Passes(const absl::Status& st) {
  if (st.ok()) return true;
  CheckRefusal(st);
  return false;
}

template <typename T>
bool Passes(const absl::StatusOr<T>& st) {
  return Passes(st.status());
}

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& in) {
  return {in.begin(), in.end()};
}

// Ids each RPC names: all must pass ValidateId.
bool IdsPass(std::initializer_list<std::pair<std::string_view, const std::string*>> ids) {
  for (const auto& [field, id] : ids) {
    if (!Passes(ValidateId(field, *id))) return false;
  }
  return true;
}

bool TypeLabelsPass(std::string_view field, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!Passes(ValidateTypeLabel(absl::StrCat(std::string(field), "[", i, "]"), labels[i])))
      return false;
  }
  return true;
}

void CheckPageSize(int page_size) {
  auto limit = ResolvePageSize(page_size);
  if (Passes(limit)) FUZZ_CHECK(*limit >= 1 && *limit <= kMaxPageSize);
}

// Normalizes `labels` with `normalize`; on success a second pass must leave
// the normalized set unchanged and it must be sorted and unique.
template <typename Normalize>
void CheckNormalizes(std::vector<std::string> labels, Normalize normalize) {
  if (!Passes(normalize(labels))) return;
  FUZZ_CHECK(std::is_sorted(labels.begin(), labels.end()));
  FUZZ_CHECK(std::adjacent_find(labels.begin(), labels.end()) == labels.end());
  std::vector<std::string> again = labels;
  FUZZ_CHECK(normalize(again).ok());
  FUZZ_CHECK(again == labels);
}

void CheckBoundaryChange(const google::protobuf::RepeatedPtrField<std::string>& add,
                         const google::protobuf::RepeatedPtrField<std::string>& remove) {
  CheckNormalizes(Strings(add),
                  [](std::vector<std::string>& l) { return NormalizeBoundary("add", l); });
  CheckNormalizes(Strings(remove),
                  [](std::vector<std::string>& l) { return NormalizeBoundary("remove", l); });
}

void CheckMutations(std::vector<Mutation> mutations) {
  for (size_t i = 0; i < mutations.size(); ++i) {
    const std::string field = absl::StrCat("ops[", i, "]");
    if (!Passes(ValidateMutation(field, mutations[i]))) return;
    // Validation normalizes in place; the normalized op is valid as it is.
    FUZZ_CHECK(ValidateMutation(field, mutations[i]).ok());
  }
}

void CheckWindow(const google::protobuf::Timestamp* since, const google::protobuf::Timestamp* until,
                 AuditFilter filter) {
  if (since) {
    auto t = server::TimestampFromProto("since", *since);
    if (!Passes(t)) return;
    filter.since = *t;
  }
  if (until) {
    auto t = server::TimestampFromProto("until", *until);
    if (!Passes(t)) return;
    filter.until = *t;
  }
  Passes(ValidateAuditFilter(filter));
}

void CheckRetrieve(const v1::RetrieveRequest& proto) {
  auto request = server::RetrievalRequestFromProto(proto);
  if (!Passes(request)) return;
  if (!Passes(NormalizeRetrievalRequest(*request))) return;
  RetrievalRequest again = *request;
  FUZZ_CHECK(NormalizeRetrievalRequest(again).ok() && again == *request);
  // proto -> domain -> proto -> domain is the identity on a normalized request.
  v1::RetrieveRequest round;
  server::RetrievalRequestToProto(*request, &round);
  auto back = server::RetrievalRequestFromProto(round);
  FUZZ_CHECK(back.ok() && NormalizeRetrievalRequest(*back).ok() && *back == *request);
  // The audit summary replays the same request.
  RecordedRetrieval recorded;
  recorded.request = *request;
  recorded.policy_version = proto.as_of_version();
  auto decoded = DecodeRetrievalSummary(EncodeRetrievalSummary(recorded));
  FUZZ_CHECK(decoded.ok() && decoded->request == *request &&
             decoded->policy_version == recorded.policy_version);
}

template <typename Request>
bool Parse(std::string_view bytes, Request* request) {
  if (!request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  // Unknown fields survive a round trip too, so compare whole messages.
  Request again;
  FUZZ_CHECK(again.ParseFromString(request->SerializeAsString()));
  FUZZ_CHECK(MessageDifferencer::Equals(again, *request));
  return true;
}

// One entry per RPC, in proto order; the comment names the RPC.
void CheckRpc(int rpc, std::string_view bytes) {
  switch (rpc) {
    case 0: {  // AdminService.CreatePrincipal
      v1::CreatePrincipalRequest r;
      if (!Parse(bytes, &r) || !IdsPass({{"id", &r.id()}})) return;
      if (!Passes(server::RolesFromProto(r.roles()))) return;
      CheckNormalizes(Strings(r.clearances()), [](std::vector<std::string>& l) {
        return NormalizeClearances("clearances", l);
      });
      return;
    }
    case 1:  // AdminService.GetPrincipal, SuspendPrincipal, ResumePrincipal
    case 2:
    case 3: {
      v1::GetPrincipalRequest r;
      if (Parse(bytes, &r)) IdsPass({{"id", &r.id()}});
      return;
    }
    case 4: {  // AdminService.SetRoles
      v1::SetRolesRequest r;
      if (Parse(bytes, &r) && IdsPass({{"id", &r.id()}})) Passes(server::RolesFromProto(r.roles()));
      return;
    }
    case 5: {  // AdminService.SetClearances
      v1::SetClearancesRequest r;
      if (!Parse(bytes, &r) || !IdsPass({{"id", &r.id()}})) return;
      CheckNormalizes(Strings(r.clearances()), [](std::vector<std::string>& l) {
        return NormalizeClearances("clearances", l);
      });
      return;
    }
    case 6: {  // AdminService.IssueToken
      v1::IssueTokenRequest r;
      if (Parse(bytes, &r)) IdsPass({{"principal_id", &r.principal_id()}});
      return;
    }
    case 7: {  // AdminService.ListTokens
      v1::ListTokensRequest r;
      if (Parse(bytes, &r) && !r.principal_id().empty()) {
        IdsPass({{"principal_id", &r.principal_id()}});
      }
      return;
    }
    case 8: {  // AdminService.RevokeToken, Backup, ListPrincipals: parse only
      v1::RevokeTokenRequest r;
      Parse(bytes, &r);
      v1::BackupRequest b;
      Parse(bytes, &b);
      v1::ListPrincipalsRequest l;
      Parse(bytes, &l);
      return;
    }
    case 9: {  // GraphService.Write
      v1::WriteRequest r;
      if (!Parse(bytes, &r) || !Passes(CheckBatchOps(r.ops_size(), kMaxBatchOps))) return;
      auto mutations = server::MutationsFromProto(r);
      if (Passes(mutations)) CheckMutations(std::move(*mutations));
      Passes(ValidateDescription("description", r.description()));
      return;
    }
    case 10: {  // GraphService.Import: each op on its own
      v1::ImportRequest r;
      if (!Parse(bytes, &r)) return;
      std::vector<Mutation> ops;
      for (int i = 0; i < r.ops_size(); ++i) {
        auto op = server::MutationFromProto(FieldName(absl::StrCat("ops[", i, "]")), r.ops(i));
        if (Passes(op)) ops.push_back(std::move(*op));
      }
      CheckMutations(std::move(ops));
      return;
    }
    case 11: {  // GraphService.GetNode
      v1::GetNodeRequest r;
      if (Parse(bytes, &r)) IdsPass({{"id", &r.id()}});
      return;
    }
    case 12: {  // GraphService.ListNodes
      v1::ListNodesRequest r;
      if (!Parse(bytes, &r) || !Passes(ValidateTypeLabel("label", r.label()))) return;
      CheckPageSize(r.page_size());
      return;
    }
    case 13: {  // GraphService.ListNeighbors
      v1::ListNeighborsRequest r;
      if (!Parse(bytes, &r)) return;
      if (!v1::Direction_IsValid(r.direction())) return;  // refused by the service
      if (!IdsPass({{"id", &r.id()}}) || !TypeLabelsPass("edge_labels", Strings(r.edge_labels())))
        return;
      CheckPageSize(r.page_size());
      return;
    }
    case 14: {  // GraphService.GetCommit: any version is a valid question
      v1::GetCommitRequest r;
      Parse(bytes, &r);
      return;
    }
    case 15: {  // AuditService.ListEntries
      v1::ListEntriesRequest r;
      if (!Parse(bytes, &r)) return;
      CheckWindow(r.has_since() ? &r.since() : nullptr, r.has_until() ? &r.until() : nullptr,
                  AuditFilter{r.principal(), r.action(), r.node_id(), {}, {}});
      return;
    }
    case 16: {  // AuditService.GetReceipt, ReplayReceipt, VerifyLog: parse only
      v1::GetReceiptRequest g;
      Parse(bytes, &g);
      v1::ReplayReceiptRequest p;
      Parse(bytes, &p);
      v1::VerifyLogRequest v;
      Parse(bytes, &v);
      return;
    }
    case 17: {  // AuditService.AccessReport
      v1::AccessReportRequest r;
      if (!Parse(bytes, &r) || r.principal().empty()) return;  // "principal: required"
      CheckWindow(r.has_since() ? &r.since() : nullptr, r.has_until() ? &r.until() : nullptr,
                  AuditFilter{r.principal(), "", "", {}, {}});
      return;
    }
    case 18: {  // AuditService.ExposureReport
      v1::ExposureReportRequest r;
      if (!Parse(bytes, &r) || !IdsPass({{"node_id", &r.node_id()}})) return;
      CheckWindow(r.has_since() ? &r.since() : nullptr, r.has_until() ? &r.until() : nullptr,
                  AuditFilter{});
      return;
    }
    case 19:  // LineageService.Upstream, Downstream
    case 20: {
      v1::LineageRequest r;
      if (!Parse(bytes, &r) || !IdsPass({{"node_id", &r.node_id()}})) return;
      TypeLabelsPass("edge_labels", Strings(r.edge_labels()));
      return;
    }
    case 21: {  // LineageService.Path
      v1::LineagePathRequest r;
      if (!Parse(bytes, &r) || !IdsPass({{"from", &r.from()}, {"to", &r.to()}})) return;
      TypeLabelsPass("edge_labels", Strings(r.edge_labels()));
      return;
    }
    case 22: {  // ContextService.Search
      v1::SearchRequest r;
      if (!Parse(bytes, &r) || !TypeLabelsPass("labels", Strings(r.labels()))) return;
      CheckPageSize(r.page_size());
      return;
    }
    case 23: {  // ContextService.Retrieve
      v1::RetrieveRequest r;
      if (Parse(bytes, &r)) CheckRetrieve(r);
      return;
    }
    case 24: {  // BoundaryService.DefineLabel
      v1::DefineLabelRequest r;
      if (!Parse(bytes, &r)) return;
      LabelDefinition label;
      label.name = r.name();
      label.description = r.description();
      label.propagate = r.propagate();
      Passes(ValidateLabelDefinition("", label));
      return;
    }
    case 25: {  // BoundaryService.ListLabels
      v1::ListLabelsRequest r;
      if (Parse(bytes, &r)) CheckPageSize(r.page_size());
      return;
    }
    case 26: {  // BoundaryService.AssignLabels
      v1::AssignLabelsRequest r;
      if (!Parse(bytes, &r)) return;
      for (int i = 0; i < r.node_ids_size(); ++i) {
        if (!Passes(ValidateId(absl::StrCat("node_ids[", i, "]"), r.node_ids(i)))) return;
      }
      if (!r.type_label().empty() && !Passes(ValidateTypeLabel("type_label", r.type_label())))
        return;
      if (!r.downstream_of().empty() && !IdsPass({{"downstream_of", &r.downstream_of()}})) return;
      CheckBoundaryChange(r.add(), r.remove());
      return;
    }
    case 27: {  // BoundaryService.SanitizeEdge
      v1::SanitizeEdgeRequest r;
      if (!Parse(bytes, &r) || !IdsPass({{"from", &r.from()}, {"to", &r.to()}})) return;
      CheckBoundaryChange(r.add(), r.remove());
      return;
    }
    case 28: {  // BoundaryService.LabelHistory
      v1::LabelHistoryRequest r;
      if (Parse(bytes, &r) && IdsPass({{"node_id", &r.node_id()}})) CheckPageSize(r.page_size());
      return;
    }
  }
}

}  // namespace
}  // namespace ctxgraph

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Proto3 parsing logs every string field with invalid UTF-8; the refusal
  // is what matters here, not the log line.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  if (size == 0) return 0;
  ctxgraph::CheckRpc(data[0] % 29,
                     std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
