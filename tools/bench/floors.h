// Floors: what the machine can do at all, measured in the same run so the
// ctxgraph numbers can be read against them.
//   - an empty unary gRPC call (grpc.health.v1.Health/Check) to the same
//     ctxgraphd, driven as the ctxgraph operations are (call_loop.h), and
//     the same call answered NOT_FOUND;
//   - raw random point Gets on a private RocksDB with small keys.
#ifndef CTXGRAPH_TOOLS_BENCH_FLOORS_H_
#define CTXGRAPH_TOOLS_BENCH_FLOORS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/call_loop.h"
#include "tools/bench/load_driver.h"

namespace rocksdb {
class DB;
}

namespace ctxgraph::bench {

// Health/Check with an empty request and no token, each client on its own
// channel. Any non-OK status is an error.
AsyncCallFactory EmptyGrpcCall(const std::string& address);

// The same call for a service the server does not know, which it answers
// NOT_FOUND: what gRPC itself costs for a call that ends NOT_FOUND, as most
// of a restricted principal's reads of hidden nodes do. NOT_FOUND counts as
// not found; any other status is an error.
AsyncCallFactory NotFoundGrpcCall(const std::string& address);

// A RocksDB in a temporary directory holding `keys` keys "k%010d" with
// 100-byte values, compacted, so Gets hit SST files and the block cache as a
// real store's would. Removed on destruction. The DB is thread-safe.
class RocksDbFloor {
 public:
  static absl::StatusOr<std::unique_ptr<RocksDbFloor>> Create(uint64_t keys);
  ~RocksDbFloor();
  RocksDbFloor(const RocksDbFloor&) = delete;
  RocksDbFloor& operator=(const RocksDbFloor&) = delete;

  // Random point Gets of existing keys; a miss is an error.
  OperationFactory RandomGets() const;

 private:
  RocksDbFloor(std::string dir, std::unique_ptr<rocksdb::DB> db, uint64_t keys);

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  uint64_t keys_;
};

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_FLOORS_H_
