#include "server/admin_service.h"

#include <spdlog/spdlog.h>

#include "query/backup_admin.h"
#include "server/logging.h"
#include "server/proto_convert.h"
#include "server/rpc_handler.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {

grpc::ServerUnaryReactor* AdminServiceImpl::ChangePrincipal(
    grpc::CallbackServerContext* context, std::string_view method, v1::PrincipalResponse* response,
    const std::function<absl::StatusOr<PrincipalRecord>(const Caller&)>& change) {
  return HandleUnary(context, backend_, method, [&](const Caller& caller) {
    ASSIGN_OR_RETURN(PrincipalRecord p, change(caller));
    spdlog::info("admin request_id={} action={} by={} principal={} version={}", CurrentRequestId(),
                 method, LogValue(caller.principal.id), LogValue(p.id), p.version);
    PrincipalToProto(p, response->mutable_principal());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::CreatePrincipal(
    grpc::CallbackServerContext* context, const v1::CreatePrincipalRequest* request,
    v1::PrincipalResponse* response) {
  return ChangePrincipal(
      context, "CreatePrincipal", response,
      [&](const Caller& caller) -> absl::StatusOr<PrincipalRecord> {
        ASSIGN_OR_RETURN(std::vector<Role> roles, RolesFromProto(request->roles()));
        return backend_.admin.Create(caller, request->id(), std::move(roles),
                                     {request->clearances().begin(), request->clearances().end()});
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetPrincipal(grpc::CallbackServerContext* context,
                                                         const v1::GetPrincipalRequest* request,
                                                         v1::PrincipalResponse* response) {
  return HandleUnary(context, backend_, "GetPrincipal", [&](const Caller& caller) {
    ASSIGN_OR_RETURN(PrincipalRecord p, backend_.admin.Get(caller, request->id()));
    PrincipalToProto(p, response->mutable_principal());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListPrincipals(grpc::CallbackServerContext* context,
                                                           const v1::ListPrincipalsRequest* request,
                                                           v1::ListPrincipalsResponse* response) {
  return HandleUnary(context, backend_, "ListPrincipals", [&](const Caller& caller) {
    ASSIGN_OR_RETURN(std::vector<PrincipalRecord> all, backend_.admin.List(caller));
    for (const auto& p : all) PrincipalToProto(p, response->add_principals());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::SetRoles(grpc::CallbackServerContext* context,
                                                     const v1::SetRolesRequest* request,
                                                     v1::PrincipalResponse* response) {
  return ChangePrincipal(
      context, "SetRoles", response, [&](const Caller& caller) -> absl::StatusOr<PrincipalRecord> {
        ASSIGN_OR_RETURN(std::vector<Role> roles, RolesFromProto(request->roles()));
        return backend_.admin.SetRoles(caller, request->id(), std::move(roles));
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::SetClearances(grpc::CallbackServerContext* context,
                                                          const v1::SetClearancesRequest* request,
                                                          v1::PrincipalResponse* response) {
  return ChangePrincipal(context, "SetClearances", response, [&](const Caller& caller) {
    return backend_.admin.SetClearances(
        caller, request->id(), {request->clearances().begin(), request->clearances().end()},
        request->expected_version());
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::SuspendPrincipal(grpc::CallbackServerContext* context,
                                                             const v1::GetPrincipalRequest* request,
                                                             v1::PrincipalResponse* response) {
  return ChangePrincipal(context, "SuspendPrincipal", response, [&](const Caller& caller) {
    return backend_.admin.SetStatus(caller, request->id(), PrincipalStatus::kSuspended);
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ResumePrincipal(grpc::CallbackServerContext* context,
                                                            const v1::GetPrincipalRequest* request,
                                                            v1::PrincipalResponse* response) {
  return ChangePrincipal(context, "ResumePrincipal", response, [&](const Caller& caller) {
    return backend_.admin.SetStatus(caller, request->id(), PrincipalStatus::kActive);
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::IssueToken(grpc::CallbackServerContext* context,
                                                       const v1::IssueTokenRequest* request,
                                                       v1::IssueTokenResponse* response) {
  return HandleUnary(context, backend_, "IssueToken", [&](const Caller& caller) {
    TokenRecord record;
    ASSIGN_OR_RETURN(IssuedToken token, backend_.admin.IssueToken(caller, request->principal_id(),
                                                                  request->ttl_seconds(), &record));
    spdlog::info("admin request_id={} action=IssueToken by={} principal={} token_id={} ttl_s={}",
                 CurrentRequestId(), LogValue(caller.principal.id),
                 LogValue(request->principal_id()), token.token_id, request->ttl_seconds());
    response->set_token_id(token.token_id);
    response->set_token(token.secret);
    if (record.expires.micros != 0) TimestampToProto(record.expires, response->mutable_expires());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::RevokeToken(grpc::CallbackServerContext* context,
                                                        const v1::RevokeTokenRequest* request,
                                                        v1::RevokeTokenResponse* response) {
  return HandleUnary(context, backend_, "RevokeToken", [&](const Caller& caller) {
    RETURN_IF_ERROR(backend_.admin.RevokeToken(caller, request->token_id()));
    spdlog::info("admin request_id={} action=RevokeToken by={} token_id={}", CurrentRequestId(),
                 LogValue(caller.principal.id), LogValue(request->token_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListTokens(grpc::CallbackServerContext* context,
                                                       const v1::ListTokensRequest* request,
                                                       v1::ListTokensResponse* response) {
  return HandleUnary(context, backend_, "ListTokens", [&](const Caller& caller) {
    ASSIGN_OR_RETURN(std::vector<TokenRecord> tokens,
                     backend_.admin.ListTokens(caller, request->principal_id()));
    const Timestamp now = Now();
    for (const auto& t : tokens) TokenToProto(t, now, response->add_tokens());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::Backup(grpc::ServerContext* context,
                                      const v1::BackupRequest* request,
                                      v1::BackupResponse* response) {
  return HandleRpc(context, backend_, "Backup", [&](const Caller& caller) {
    const BackupAdmin admin(*backend_.db, backend_.data_dir);
    ASSIGN_OR_RETURN(BackupManifest m, admin.Backup(caller, request->dir()));
    spdlog::info(
        "admin request_id={} action=Backup by={} dir={} version={} audit_seq={} files={} bytes={}",
        CurrentRequestId(), LogValue(caller.principal.id), LogValue(request->dir()), m.version,
        m.audit_seq, m.files, m.bytes);
    response->set_dir(request->dir());
    response->set_version(m.version);
    response->set_audit_seq(AuditSeqFor(caller, m.audit_seq));  // the log line keeps it
    response->set_audit_head_hash(ToHex(m.audit_head));
    TimestampToProto(m.created, response->mutable_created());
    response->set_files(m.files);
    response->set_bytes(m.bytes);
    return absl::OkStatus();
  });
}

}  // namespace ctxgraph::server
