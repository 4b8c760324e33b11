// AdminService: thin adapter from ctxgraph.v1.AdminService to PrincipalAdmin.
#ifndef CTXGRAPH_SERVER_ADMIN_SERVICE_H_
#define CTXGRAPH_SERVER_ADMIN_SERVICE_H_

#include "ctxgraph/v1/admin.grpc.pb.h"
#include "server/backend.h"

namespace ctxgraph::server {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  explicit AdminServiceImpl(Backend& backend) : backend_(backend) {}

  grpc::Status CreatePrincipal(grpc::ServerContext* context,
                               const v1::CreatePrincipalRequest* request,
                               v1::PrincipalResponse* response) override;
  grpc::Status GetPrincipal(grpc::ServerContext* context, const v1::GetPrincipalRequest* request,
                            v1::PrincipalResponse* response) override;
  grpc::Status ListPrincipals(grpc::ServerContext* context,
                              const v1::ListPrincipalsRequest* request,
                              v1::ListPrincipalsResponse* response) override;
  grpc::Status SetRoles(grpc::ServerContext* context, const v1::SetRolesRequest* request,
                        v1::PrincipalResponse* response) override;
  grpc::Status SetClearances(grpc::ServerContext* context, const v1::SetClearancesRequest* request,
                             v1::PrincipalResponse* response) override;
  grpc::Status SuspendPrincipal(grpc::ServerContext* context,
                                const v1::GetPrincipalRequest* request,
                                v1::PrincipalResponse* response) override;
  grpc::Status ResumePrincipal(grpc::ServerContext* context, const v1::GetPrincipalRequest* request,
                               v1::PrincipalResponse* response) override;
  grpc::Status IssueToken(grpc::ServerContext* context, const v1::IssueTokenRequest* request,
                          v1::IssueTokenResponse* response) override;
  grpc::Status RevokeToken(grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
                           v1::RevokeTokenResponse* response) override;
  grpc::Status ListTokens(grpc::ServerContext* context, const v1::ListTokensRequest* request,
                          v1::ListTokensResponse* response) override;

 private:
  // Runs an admin change, logs who did what, and returns the principal.
  grpc::Status ChangePrincipal(
      grpc::ServerContext* context, std::string_view method, v1::PrincipalResponse* response,
      const std::function<absl::StatusOr<PrincipalRecord>(const Caller&)>& change);

  Backend& backend_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_ADMIN_SERVICE_H_
