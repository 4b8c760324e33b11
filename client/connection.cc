#include "client/connection.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ctxgraph::client {
namespace {

const char* GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

// `origin` names where the token came from, for error messages.
absl::StatusOr<std::string> CheckToken(absl::string_view raw, const std::string& origin) {
  const std::string token(absl::StripAsciiWhitespace(raw));
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(origin, " is empty"));
  for (const char c : token) {
    if (c < 0x21 || c > 0x7E) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": token contains characters not allowed in a header"));
    }
  }
  return token;
}

}  // namespace

std::string ResolveServerAddress(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = GetEnv("CTXGRAPH_SERVER")) return env;
  return kDefaultServer;
}

absl::StatusOr<std::string> ReadLocalFile(const std::string& origin, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": cannot read: ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat(origin, ": cannot read"));
  return content.str();
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  const std::string origin = absl::StrCat("token file \"", path, "\"");
  absl::StatusOr<std::string> content = ReadLocalFile(origin, path);
  if (!content.ok()) return content.status();
  return CheckToken(*content, origin);
}

absl::StatusOr<std::string> ResolveToken(const std::string& token_file_flag) {
  if (!token_file_flag.empty()) return ReadTokenFile(token_file_flag);
  if (const char* env = GetEnv("CTXGRAPH_TOKEN")) return CheckToken(env, "CTXGRAPH_TOKEN");
  if (const char* env = GetEnv("CTXGRAPH_TOKEN_FILE")) return ReadTokenFile(env);
  return std::string();
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::string StatusText(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

ServerConnection::ServerConnection(const std::string& address, std::string token,
                                   absl::Duration timeout)
    : ServerConnection(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
                       std::move(token), timeout) {}

ServerConnection::ServerConnection(std::shared_ptr<grpc::Channel> channel, std::string token,
                                   absl::Duration timeout)
    : token_(std::move(token)),
      timeout_(timeout),
      channel_(std::move(channel)),
      graph_(ctxgraph::v1::GraphService::NewStub(channel_)),
      admin_(ctxgraph::v1::AdminService::NewStub(channel_)),
      audit_(ctxgraph::v1::AuditService::NewStub(channel_)),
      context_(ctxgraph::v1::ContextService::NewStub(channel_)),
      lineage_(ctxgraph::v1::LineageService::NewStub(channel_)),
      boundary_(ctxgraph::v1::BoundaryService::NewStub(channel_)) {}

std::unique_ptr<grpc::ClientContext> ServerConnection::NewCallContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  return context;
}

std::unique_ptr<grpc::ClientContext> ServerConnection::NewStreamContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  return context;
}

}  // namespace ctxgraph::client
