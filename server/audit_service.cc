#include "server/audit_service.h"

#include <spdlog/spdlog.h>

#include "query/access_report.h"
#include "query/audit_reader.h"
#include "query/exposure_report.h"
#include "query/receipt_auditor.h"
#include "server/logging.h"
#include "server/metrics.h"
#include "server/proto_convert.h"
#include "server/retrieval_convert.h"
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

// The optional [since, until) window of ListEntries, AccessReport and
// ExposureReport.
template <typename Request>
absl::Status WindowFromProto(const Request& request, std::optional<Timestamp>* since,
                             std::optional<Timestamp>* until) {
  if (request.has_since()) {
    ASSIGN_OR_RETURN(*since, TimestampFromProto("since", request.since()));
  }
  if (request.has_until()) {
    ASSIGN_OR_RETURN(*until, TimestampFromProto("until", request.until()));
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditFilter> FilterFromProto(const v1::ListEntriesRequest& request) {
  AuditFilter filter{request.principal(), request.action(), request.node_id(), {}, {}};
  RETURN_IF_ERROR(WindowFromProto(request, &filter.since, &filter.until));
  return filter;
}

void AccessReportToProto(const AccessReport& report, v1::AccessReportResponse* out) {
  for (const ClearanceUse& c : report.clearances) {
    v1::ClearanceUse* use = out->add_clearances();
    use->set_clearance(c.clearance);
    use->set_used(c.used);
    use->set_items(c.items);
  }
  for (const LabelNeed& n : report.needed_labels) {
    v1::LabelNeed* need = out->add_needed_labels();
    need->set_label(n.label);
    need->set_items(n.items);
  }
  for (const std::string& c : report.unused_clearances) out->add_unused_clearances(c);
  out->set_entries_examined(report.entries_examined);
  out->set_items_examined(report.items_examined);
  out->set_partial(report.partial);
  out->set_items_missing(report.items_missing);
  out->set_policy_version(report.policy_version);
}

void ExposureReportToProto(const ExposureReport& report, v1::ExposureReportResponse* out) {
  for (const ExposureReceipt& r : report.receipts) {
    v1::ExposureReceipt* receipt = out->add_receipts();
    receipt->set_seq(r.seq);
    receipt->set_receipt_id(r.receipt_id);
    TimestampToProto(r.time, receipt->mutable_time());
    receipt->set_principal(r.principal);
    receipt->set_action(r.action);
    receipt->set_snapshot_version(r.snapshot_version);
    for (const ExposedItem& i : r.items) {
      v1::ExposedItem* item = receipt->add_items();
      item->set_node_id(i.node_id);
      item->set_version(i.version);
      item->set_depth(static_cast<uint32_t>(i.depth));
      item->set_redacted(i.redacted);
    }
    receipt->set_items_total(r.items_total);
    receipt->set_items_unlisted(r.items_unlisted);
  }
  out->set_next_page_token(report.next_page_token);
  out->set_closure_nodes(report.closure_nodes);
  out->set_closure_truncated(report.closure_truncated);
  out->set_partial(report.partial);
  out->set_snapshot_version(report.snapshot_version);
  out->set_audit_seq(report.audit_seq);
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::ListEntries(grpc::CallbackServerContext* context,
                                                        const v1::ListEntriesRequest* request,
                                                        v1::ListEntriesResponse* response) {
  return HandleUnary(context, backend_, "ListEntries", [&](const Caller& caller) {
    AuditReader reader(backend_.audit, backend_.page_tokens, caller);
    ASSIGN_OR_RETURN(AuditFilter filter, FilterFromProto(*request));
    ASSIGN_OR_RETURN(AuditEntryPage page,
                     reader.List(filter, request->page_size(), request->page_token()));
    for (const AuditEntry& e : page.entries) AuditEntryToProto(e, response->add_entries());
    ReturnItems(page.entries.size());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::VerifyLog(grpc::CallbackServerContext* context,
                                                      const v1::VerifyLogRequest* request,
                                                      v1::VerifyLogResponse* response) {
  return HandleUnary(context, backend_, "VerifyLog", [&](const Caller& caller) {
    AuditReader reader(backend_.audit, backend_.page_tokens, caller);
    ASSIGN_OR_RETURN(AuditVerifyResult result, reader.Verify());
    response->set_ok(result.ok);
    response->set_entries_checked(result.entries_checked);
    response->set_first_bad_seq(result.first_bad_seq);
    response->set_reason(result.reason);
    response->set_head_seq(result.head_seq);
    response->set_head_hash(ToHex(result.head_hash));
    ServerMetrics::Global().RecordAuditVerify(result.ok, std::chrono::system_clock::now());
    if (!result.ok) {
      spdlog::warn("audit log broken request_id={} seq={} reason={} principal={}",
                   CurrentRequestId(), result.first_bad_seq, LogValue(result.reason),
                   LogValue(caller.principal.id));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetReceipt(grpc::CallbackServerContext* context,
                                                       const v1::GetReceiptRequest* request,
                                                       v1::GetReceiptResponse* response) {
  return HandleUnary(context, backend_, "GetReceipt", [&](const Caller& caller) {
    ReceiptAuditor auditor(backend_.graph, backend_.page_tokens, backend_.receipt_ids,
                           backend_.audit, caller, RetrieverOptionsFor(backend_.limits));
    ASSIGN_OR_RETURN(ReceiptRecord record, auditor.GetReceipt(request->receipt_id()));
    const AuditEntry& e = record.entry;
    ASSIGN_OR_RETURN(std::string receipt_id, backend_.receipt_ids.Encode(e.seq, e.hash));
    ReceiptToProto(RetrievalReceipt{std::move(receipt_id), e.snapshot_version, e.principal,
                                    record.recorded.clearances, e.items_digest},
                   response->mutable_receipt());
    RetrievalRequestToProto(record.recorded.request, response->mutable_request());
    response->set_policy_version(record.recorded.policy_version);
    AuditEntryToProto(e, response->mutable_entry());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ReplayReceipt(grpc::CallbackServerContext* context,
                                                          const v1::ReplayReceiptRequest* request,
                                                          v1::ReplayReceiptResponse* response) {
  // Appends a read-side audit entry: off gRPC's threads while it may wait.
  return HandleUnaryOnPool(
      context, backend_, "ReplayReceipt", [this, request, response](const Caller& caller) {
        ReceiptAuditor auditor(backend_.graph, backend_.page_tokens, backend_.receipt_ids,
                               backend_.audit, caller, RetrieverOptionsFor(backend_.limits));
        ASSIGN_OR_RETURN(ReplayResult r, auditor.Replay(request->receipt_id()));
        response->set_outcome(r.match ? v1::ReplayReceiptResponse::MATCH
                                      : v1::ReplayReceiptResponse::MISMATCH);
        response->set_recorded_digest(ToHex(r.recorded_digest));
        response->set_replay_digest(ToHex(r.replay_digest));
        for (const std::string& id : r.added) response->add_added(id);
        for (const std::string& id : r.removed) response->add_removed(id);
        for (const VersionChange& c : r.changed) {
          v1::VersionChange* out = response->add_changed();
          out->set_node_id(c.node_id);
          out->set_recorded_version(c.recorded_version);
          out->set_replay_version(c.replay_version);
        }
        response->set_order_changed(r.order_changed);
        response->set_content_changed(r.content_changed);
        for (const std::string& id : r.altered) response->add_altered(id);
        response->set_replay_error(r.replay_error);
        response->set_replay_entry_seq(r.replay_seq);
        if (!r.match) {
          spdlog::warn("receipt replayed as MISMATCH request_id={} receipt_id={} by={}",
                       CurrentRequestId(), LogValue(request->receipt_id()),
                       LogValue(caller.principal.id));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::AccessReport(grpc::CallbackServerContext* context,
                                                         const v1::AccessReportRequest* request,
                                                         v1::AccessReportResponse* response) {
  return HandleUnary(context, backend_, "AccessReport", [&](const Caller& caller) {
    AccessReporter reporter(backend_.graph, backend_.principals, backend_.audit, caller);
    AccessReportRequest report_request{request->principal(), {}, {}};
    RETURN_IF_ERROR(WindowFromProto(*request, &report_request.since, &report_request.until));
    ASSIGN_OR_RETURN(ctxgraph::AccessReport report, reporter.Report(report_request));
    AccessReportToProto(report, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ExposureReport(grpc::CallbackServerContext* context,
                                                           const v1::ExposureReportRequest* request,
                                                           v1::ExposureReportResponse* response) {
  // Appends a read-side audit entry: off gRPC's threads while it may wait.
  return HandleUnaryOnPool(
      context, backend_, "ExposureReport", [this, request, response](const Caller& caller) {
        ExposureReporter reporter(backend_.graph, backend_.page_tokens, backend_.opaque_ids,
                                  backend_.receipt_ids, caller, ExposureLimitsFor(backend_.limits));
        ExposureReportRequest report_request;
        report_request.node_id = request->node_id();
        RETURN_IF_ERROR(WindowFromProto(*request, &report_request.since, &report_request.until));
        report_request.as_of = request->as_of_version();
        report_request.page_size = request->page_size();
        report_request.page_token = request->page_token();
        ASSIGN_OR_RETURN(ctxgraph::ExposureReport report,
                         reporter.Report(report_request, backend_.audit));
        ExposureReportToProto(report, response);
        return absl::OkStatus();
      });
}

}  // namespace ctxgraph::server
