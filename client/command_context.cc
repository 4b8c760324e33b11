#include "client/command_context.h"

#include <iostream>

#include "client/json_codec.h"

namespace ctxgraph::client {

int CommandContext::Fail(const absl::Status& status, int exit_code) const {
  std::cerr << "error: " << StatusText(status) << std::endl;
  return exit_code;
}

void CommandContext::PrintJson(const nlohmann::json& json) const {
  std::cout << DumpJson(json, 2) << std::endl;
}

}  // namespace ctxgraph::client
