#include "client/op_limits.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

std::string Oversized(size_t size) {
  return absl::StrCat("oversized value: string of ", size, " bytes exceeds the limit of ",
                      kMaxStringValueBytes);
}

absl::Status CheckProps(const google::protobuf::Map<std::string, v1::Value>& props) {
  for (const auto& [key, value] : props) {
    if (value.has_string_value() && value.string_value().size() > kMaxStringValueBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("prop \"", key, "\": ", Oversized(value.string_value().size())));
    }
    if (!value.has_list_value()) continue;
    const auto& values = value.list_value().values();
    for (int i = 0; i < values.size(); ++i) {
      if (values[i].has_string_value() && values[i].string_value().size() > kMaxStringValueBytes) {
        return absl::InvalidArgumentError(absl::StrCat("prop \"", key, "\": element ", i, ": ",
                                                       Oversized(values[i].string_value().size())));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckValueSizes(const v1::WriteOp& op) {
  if (op.has_upsert_node()) return CheckProps(op.upsert_node().props());
  if (op.has_upsert_edge()) return CheckProps(op.upsert_edge().props());
  return absl::OkStatus();
}

}  // namespace ctxgraph::client
