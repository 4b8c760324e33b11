// AdminService: thin adapter from ctxgraph.v1.AdminService to PrincipalAdmin.
#ifndef CTXGRAPH_SERVER_ADMIN_SERVICE_H_
#define CTXGRAPH_SERVER_ADMIN_SERVICE_H_

#include "ctxgraph/v1/admin.grpc.pb.h"
#include "server/backend.h"

namespace ctxgraph::server {

// Every method but Backup is unary, short, and runs inline on gRPC's
// callback threads (see graph_service.h). Backup stays synchronous: it may
// copy the whole database and must not hold a callback thread.
using AdminServiceBase = v1::AdminService::WithCallbackMethod_CreatePrincipal<
    v1::AdminService::WithCallbackMethod_GetPrincipal<
        v1::AdminService::WithCallbackMethod_ListPrincipals<
            v1::AdminService::WithCallbackMethod_SetRoles<
                v1::AdminService::WithCallbackMethod_SetClearances<
                    v1::AdminService::WithCallbackMethod_SuspendPrincipal<
                        v1::AdminService::WithCallbackMethod_ResumePrincipal<
                            v1::AdminService::WithCallbackMethod_IssueToken<
                                v1::AdminService::WithCallbackMethod_RevokeToken<
                                    v1::AdminService::WithCallbackMethod_ListTokens<
                                        v1::AdminService::Service>>>>>>>>>>;

class AdminServiceImpl final : public AdminServiceBase {
 public:
  explicit AdminServiceImpl(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* CreatePrincipal(grpc::CallbackServerContext* context,
                                            const v1::CreatePrincipalRequest* request,
                                            v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* GetPrincipal(grpc::CallbackServerContext* context,
                                         const v1::GetPrincipalRequest* request,
                                         v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* ListPrincipals(grpc::CallbackServerContext* context,
                                           const v1::ListPrincipalsRequest* request,
                                           v1::ListPrincipalsResponse* response) override;
  grpc::ServerUnaryReactor* SetRoles(grpc::CallbackServerContext* context,
                                     const v1::SetRolesRequest* request,
                                     v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* SetClearances(grpc::CallbackServerContext* context,
                                          const v1::SetClearancesRequest* request,
                                          v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* SuspendPrincipal(grpc::CallbackServerContext* context,
                                             const v1::GetPrincipalRequest* request,
                                             v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* ResumePrincipal(grpc::CallbackServerContext* context,
                                            const v1::GetPrincipalRequest* request,
                                            v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* context,
                                       const v1::IssueTokenRequest* request,
                                       v1::IssueTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* context,
                                        const v1::RevokeTokenRequest* request,
                                        v1::RevokeTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListTokens(grpc::CallbackServerContext* context,
                                       const v1::ListTokensRequest* request,
                                       v1::ListTokensResponse* response) override;
  grpc::Status Backup(grpc::ServerContext* context, const v1::BackupRequest* request,
                      v1::BackupResponse* response) override;

 private:
  // Runs an admin change, logs who did what, and returns the principal.
  grpc::ServerUnaryReactor* ChangePrincipal(
      grpc::CallbackServerContext* context, std::string_view method,
      v1::PrincipalResponse* response,
      const std::function<absl::StatusOr<PrincipalRecord>(const Caller&)>& change);

  Backend& backend_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_ADMIN_SERVICE_H_
