#include "tools/bench/dedicated_channel.h"

#include <chrono>

#include "absl/strings/str_cat.h"

namespace ctxgraph::bench {

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewDedicatedChannel(const std::string& address,
                                                                   int client_index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("ctxgraph.bench.client", client_index);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    return absl::UnavailableError(absl::StrCat("cannot connect to ", address));
  }
  return channel;
}

void PrepareContext(const std::string& token, grpc::ClientContext* context) {
  if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

}  // namespace ctxgraph::bench
