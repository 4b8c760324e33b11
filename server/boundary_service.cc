#include "server/boundary_service.h"

#include <spdlog/spdlog.h>

#include "query/boundary_history.h"
#include "server/logging.h"
#include "server/proto_convert.h"
#include "server/rpc_handler.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

void LabelToProto(const LabelDefinition& label, v1::Label* out) {
  out->set_name(label.name);
  out->set_description(label.description);
  out->set_propagate(label.propagate);
  out->set_version(label.version);
  out->set_created_version(label.created_version);
  out->set_defined_by(label.principal);
  TimestampToProto(label.time, out->mutable_time());
}

void ChangeToProto(const BoundaryChange& change, v1::BoundaryChange* out) {
  out->set_node_id(change.node_id);
  out->mutable_before()->Add(change.before.begin(), change.before.end());
  out->mutable_after()->Add(change.after.begin(), change.after.end());
}

v1::BoundaryEventKind KindToProto(BoundaryEventKind kind) {
  switch (kind) {
    case BoundaryEventKind::kCreated:
      return v1::BOUNDARY_EVENT_KIND_CREATED;
    case BoundaryEventKind::kChanged:
      return v1::BOUNDARY_EVENT_KIND_CHANGED;
    case BoundaryEventKind::kDeleted:
      return v1::BOUNDARY_EVENT_KIND_DELETED;
  }
  return v1::BOUNDARY_EVENT_KIND_UNSPECIFIED;
}

void EventToProto(const BoundaryEvent& event, v1::BoundaryEvent* out) {
  out->set_version(event.version);
  TimestampToProto(event.time, out->mutable_time());
  out->set_principal(event.principal);
  out->set_kind(KindToProto(event.kind));
  out->mutable_before()->Add(event.before.begin(), event.before.end());
  out->mutable_after()->Add(event.after.begin(), event.after.end());
  out->mutable_inherited_before()->Add(event.inherited_before.begin(),
                                       event.inherited_before.end());
  out->mutable_inherited_after()->Add(event.inherited_after.begin(), event.inherited_after.end());
  out->set_reason(event.reason);
}

}  // namespace

grpc::ServerUnaryReactor* BoundaryServiceImpl::DefineLabel(grpc::CallbackServerContext* context,
                                                           const v1::DefineLabelRequest* request,
                                                           v1::DefineLabelResponse* response) {
  return HandleUnary(context, backend_, "DefineLabel", [&](const Caller& caller) {
    LabelDefinition label;
    label.name = request->name();
    label.description = request->description();
    label.propagate = request->propagate();
    ASSIGN_OR_RETURN(DefineLabelResult result,
                     backend_.boundaries.DefineLabel(caller, std::move(label)));
    if (result.changed) {
      spdlog::info("label defined request_id={} name={} by={} version={}", CurrentRequestId(),
                   result.label.name, LogValue(caller.principal.id), result.label.version);
    }
    LabelToProto(result.label, response->mutable_label());
    response->set_changed(result.changed);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* BoundaryServiceImpl::ListLabels(grpc::CallbackServerContext* context,
                                                          const v1::ListLabelsRequest* request,
                                                          v1::ListLabelsResponse* response) {
  return HandleUnary(context, backend_, "ListLabels", [&](const Caller& caller) {
    ASSIGN_OR_RETURN(LabelPage page, backend_.boundaries.ListLabels(caller, request->page_size(),
                                                                    request->page_token(),
                                                                    request->as_of_version()));
    for (const LabelDefinition& label : page.labels) LabelToProto(label, response->add_labels());
    response->set_next_page_token(page.next_page_token);
    response->set_snapshot_version(page.version);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* BoundaryServiceImpl::AssignLabels(grpc::CallbackServerContext* context,
                                                            const v1::AssignLabelsRequest* request,
                                                            v1::AssignLabelsResponse* response) {
  return HandleUnary(context, backend_, "AssignLabels", [&](const Caller& caller) {
    AssignRequest assign;
    assign.node_ids.assign(request->node_ids().begin(), request->node_ids().end());
    assign.type_label = request->type_label();
    assign.downstream_of = request->downstream_of();
    assign.add.assign(request->add().begin(), request->add().end());
    assign.remove.assign(request->remove().begin(), request->remove().end());
    assign.reason = request->reason();
    ASSIGN_OR_RETURN(AssignResult result,
                     backend_.boundaries.AssignLabels(caller, std::move(assign)));
    if (result.committed) {
      spdlog::info("labels assigned request_id={} by={} version={} changed={}", CurrentRequestId(),
                   LogValue(caller.principal.id), result.version, result.changed.size());
    }
    response->set_version(result.version);
    response->set_committed(result.committed);
    for (const BoundaryChange& change : result.changed) {
      ChangeToProto(change, response->add_changed());
    }
    for (const std::string& id : result.unchanged) response->add_unchanged(id);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* BoundaryServiceImpl::SanitizeEdge(grpc::CallbackServerContext* context,
                                                            const v1::SanitizeEdgeRequest* request,
                                                            v1::SanitizeEdgeResponse* response) {
  return HandleUnary(context, backend_, "SanitizeEdge", [&](const Caller& caller) {
    SanitizeRequest sanitize;
    sanitize.from = request->from();
    sanitize.to = request->to();
    sanitize.add.assign(request->add().begin(), request->add().end());
    sanitize.remove.assign(request->remove().begin(), request->remove().end());
    sanitize.reason = request->reason();
    ASSIGN_OR_RETURN(SanitizeResult result,
                     backend_.boundaries.SanitizeEdge(caller, std::move(sanitize)));
    if (result.committed) {
      spdlog::info("edge sanitized request_id={} by={} version={}", CurrentRequestId(),
                   LogValue(caller.principal.id), result.version);
    }
    response->set_version(result.version);
    response->set_committed(result.committed);
    for (const std::string& l : result.before) response->add_before(l);
    for (const std::string& l : result.after) response->add_after(l);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* BoundaryServiceImpl::LabelHistory(grpc::CallbackServerContext* context,
                                                            const v1::LabelHistoryRequest* request,
                                                            v1::LabelHistoryResponse* response) {
  return HandleUnary(context, backend_, "LabelHistory", [&](const Caller& caller) {
    BoundaryHistory history(backend_.graph, backend_.page_tokens, caller);
    ASSIGN_OR_RETURN(BoundaryEventPage page,
                     history.Read(request->node_id(), request->page_size(), request->page_token()));
    for (const BoundaryEvent& event : page.events) EventToProto(event, response->add_events());
    response->set_next_page_token(page.next_page_token);
    response->set_snapshot_version(page.version);
    return absl::OkStatus();
  });
}

}  // namespace ctxgraph::server
