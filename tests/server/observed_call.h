// ObservedCall: one unary RPC with a bearer token, returning everything the
// client could observe of it as one string — code, message, binary details,
// the serialized response, initial and trailing metadata, and every page
// token's base64url-decoded bytes — so privacy tests can scan it for data
// the caller must not learn, or compare two calls byte for byte.
#ifndef CTXGRAPH_TESTS_SERVER_OBSERVED_CALL_H_
#define CTXGRAPH_TESTS_SERVER_OBSERVED_CALL_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "query/base64url.h"

namespace ctxgraph::server {

// Appends every metadata entry but x-request-id's value: a fresh random id
// per call, which would make any two transcripts differ.
inline void AppendMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                           std::string* out) {
  for (const auto& [key, value] : metadata) {
    const std::string name(key.data(), key.size());
    absl::StrAppend(out, "|", name, "=",
                    name == "x-request-id" ? "*" : std::string(value.data(), value.size()));
  }
}

// Runs `method` and returns the transcript; `*status` gets the status.
template <typename Stub, typename Req, typename Resp>
std::string ObservedCall(Stub* stub,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                         const std::string& token, const Req& request, Resp* response,
                         grpc::Status* status) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context.AddMetadata("authorization", "Bearer " + token);
  *status = (stub->*method)(&context, request, response);
  std::string out =
      absl::StrCat("code=", static_cast<int>(status->error_code()),
                   "|message=", status->error_message(), "|details=", status->error_details(),
                   "|response=", response->SerializeAsString(), "|initial");
  AppendMetadata(context.GetServerInitialMetadata(), &out);
  out += "|trailing";
  AppendMetadata(context.GetServerTrailingMetadata(), &out);
  // Page tokens are opaque base64url: scan what they decode to as well.
  if constexpr (requires { response->next_page_token(); }) {
    if (std::optional<std::string> raw = Base64UrlDecode(response->next_page_token())) {
      absl::StrAppend(&out, "|token=", *raw);
    }
  }
  return out;
}

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_TESTS_SERVER_OBSERVED_CALL_H_
