// PropBytes: the size of a node's props as response budgets count it.
//
// Per prop: key bytes + value bytes, where a string counts its bytes; int,
// double and timestamp 8; bool 1; a list the sum of its elements. Used by
// Retrieve's max_bytes budget and lineage's props bound, so both measure
// the same thing.
#ifndef CTXGRAPH_QUERY_PROP_BYTES_H_
#define CTXGRAPH_QUERY_PROP_BYTES_H_

#include <cstddef>

#include "storage/records.h"

namespace ctxgraph {

size_t PropBytes(const PropMap& props);

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_PROP_BYTES_H_
