#include "server/audit_service.h"

#include <spdlog/spdlog.h>

#include "query/audit_reader.h"
#include "server/proto_convert.h"
#include "server/rpc_handler.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

void AuditEntryToProto(const AuditEntry& e, v1::AuditEntry* out) {
  out->set_seq(e.seq);
  TimestampToProto(e.time, out->mutable_time());
  out->set_principal(e.principal);
  out->set_action(e.action);
  out->set_snapshot_version(e.snapshot_version);
  out->set_summary(e.summary);
  for (const AuditItem& item : e.items) {
    v1::AuditItem* i = out->add_items();
    i->set_node_id(item.node_id);
    i->set_edge_label(item.edge_label);
    i->set_edge_to(item.edge_to);
    i->set_version(item.version);
  }
  out->set_items_total(e.items_total);
  out->set_items_digest(ToHex(e.items_digest));
  out->set_prev_hash(ToHex(e.prev_hash));
  out->set_hash(ToHex(e.hash));
}

absl::StatusOr<AuditFilter> FilterFromProto(const v1::ListEntriesRequest& request) {
  AuditFilter filter{request.principal(), request.action(), request.node_id(), {}, {}};
  if (request.has_since()) {
    ASSIGN_OR_RETURN(filter.since, TimestampFromProto("since", request.since()));
  }
  if (request.has_until()) {
    ASSIGN_OR_RETURN(filter.until, TimestampFromProto("until", request.until()));
  }
  return filter;
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::ListEntries(grpc::CallbackServerContext* context,
                                                        const v1::ListEntriesRequest* request,
                                                        v1::ListEntriesResponse* response) {
  return HandleUnary(context, backend_.authenticator, "ListEntries", [&](const Caller& caller) {
    AuditReader reader(backend_.audit, backend_.page_tokens, caller);
    ASSIGN_OR_RETURN(AuditFilter filter, FilterFromProto(*request));
    ASSIGN_OR_RETURN(AuditEntryPage page,
                     reader.List(filter, request->page_size(), request->page_token()));
    for (const AuditEntry& e : page.entries) AuditEntryToProto(e, response->add_entries());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::VerifyLog(grpc::CallbackServerContext* context,
                                                      const v1::VerifyLogRequest* request,
                                                      v1::VerifyLogResponse* response) {
  return HandleUnary(context, backend_.authenticator, "VerifyLog", [&](const Caller& caller) {
    AuditReader reader(backend_.audit, backend_.page_tokens, caller);
    ASSIGN_OR_RETURN(AuditVerifyResult result, reader.Verify());
    response->set_ok(result.ok);
    response->set_entries_checked(result.entries_checked);
    response->set_first_bad_seq(result.first_bad_seq);
    response->set_reason(result.reason);
    response->set_head_seq(result.head_seq);
    response->set_head_hash(ToHex(result.head_hash));
    if (!result.ok) {
      spdlog::warn("audit log broken at seq {}: {} (checked by {})", result.first_bad_seq,
                   result.reason, caller.principal.id);
    }
    return absl::OkStatus();
  });
}

}  // namespace ctxgraph::server
