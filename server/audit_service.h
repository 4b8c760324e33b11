// AuditService: thin adapter from ctxgraph.v1.AuditService to AuditReader,
// ReceiptAuditor, AccessReporter and ExposureReporter.
#ifndef CTXGRAPH_SERVER_AUDIT_SERVICE_H_
#define CTXGRAPH_SERVER_AUDIT_SERVICE_H_

#include "ctxgraph/v1/audit.grpc.pb.h"
#include "server/backend.h"

namespace ctxgraph::server {

// Unary and run inline on gRPC's callback threads (see graph_service.h).
// VerifyLog, AccessReport and ExposureReport read the whole log; they are
// occasional auditor and steward calls.
class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  explicit AuditServiceImpl(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* ListEntries(grpc::CallbackServerContext* context,
                                        const v1::ListEntriesRequest* request,
                                        v1::ListEntriesResponse* response) override;
  grpc::ServerUnaryReactor* VerifyLog(grpc::CallbackServerContext* context,
                                      const v1::VerifyLogRequest* request,
                                      v1::VerifyLogResponse* response) override;
  grpc::ServerUnaryReactor* GetReceipt(grpc::CallbackServerContext* context,
                                       const v1::GetReceiptRequest* request,
                                       v1::GetReceiptResponse* response) override;
  grpc::ServerUnaryReactor* ReplayReceipt(grpc::CallbackServerContext* context,
                                          const v1::ReplayReceiptRequest* request,
                                          v1::ReplayReceiptResponse* response) override;
  grpc::ServerUnaryReactor* AccessReport(grpc::CallbackServerContext* context,
                                         const v1::AccessReportRequest* request,
                                         v1::AccessReportResponse* response) override;
  grpc::ServerUnaryReactor* ExposureReport(grpc::CallbackServerContext* context,
                                           const v1::ExposureReportRequest* request,
                                           v1::ExposureReportResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_AUDIT_SERVICE_H_
