#include "server/wire_cache.h"

#include <google/protobuf/reflection.h>
#include <google/protobuf/unknown_field_set.h>

namespace ctxgraph::server {

std::string* AddEncodedField(google::protobuf::Message* message, int field) {
  return message->GetReflection()->MutableUnknownFields(message)->AddLengthDelimited(field);
}

}  // namespace ctxgraph::server
