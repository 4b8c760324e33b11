// MakeCaller: a Caller for query-layer tests, without an authenticator.
#ifndef CTXGRAPH_TESTS_QUERY_MAKE_CALLER_H_
#define CTXGRAPH_TESTS_QUERY_MAKE_CALLER_H_

#include <string>
#include <vector>

#include "query/caller.h"

namespace ctxgraph {

inline Caller MakeCaller(std::string id, std::vector<std::string> clearances,
                         std::vector<Role> roles = {Role::kAgent}) {
  return Caller(PrincipalRecord{std::move(id), std::move(roles), std::move(clearances),
                                PrincipalStatus::kActive, 0});
}

}  // namespace ctxgraph

#endif  // CTXGRAPH_TESTS_QUERY_MAKE_CALLER_H_
