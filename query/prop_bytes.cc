#include "query/prop_bytes.h"

#include <string>
#include <type_traits>
#include <variant>

namespace ctxgraph {
namespace {

size_t ValueBytes(const Value& value) {
  return std::visit(
      [](const auto& v) -> size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v.size();
        } else if constexpr (std::is_same_v<T, bool>) {
          return 1;
        } else if constexpr (std::is_same_v<T, ValueList>) {
          size_t sum = 0;
          for (const Value& element : v) sum += ValueBytes(element);
          return sum;
        } else {
          return 8;
        }
      },
      value.v);
}

}  // namespace

size_t PropBytes(const PropMap& props) {
  size_t sum = 0;
  for (const auto& [key, value] : props) sum += key.size() + ValueBytes(value);
  return sum;
}

}  // namespace ctxgraph
