// ArenaAllocator: a protobuf Arena per call for a callback unary method
// whose response is large (Retrieve, Search, the lineage walks). The
// request and the response of one call live on one arena: building the
// response is bump allocation, and freeing it is dropping a few blocks,
// instead of one malloc and one free per message and string.
//
// Use: a member of the service, registered in its constructor with the
// generated SetMessageAllocatorFor_<Method>(&allocator); it must outlive
// the server. Handlers need no change, except that they must not move a
// heap-allocated message into the response (it would be copied).
#ifndef CTXGRAPH_SERVER_ARENA_ALLOCATOR_H_
#define CTXGRAPH_SERVER_ARENA_ALLOCATOR_H_

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

#include <cstddef>

namespace ctxgraph::server {

template <typename Request, typename Response>
class ArenaAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder(); }

 private:
  // The first block, inside the holder, fits a small answer (an error, a
  // few ids) without another allocation; larger ones grow the arena in
  // blocks of up to kMaxBlock, so a 50-item retrieval with props takes a
  // handful of allocations.
  static constexpr size_t kFirstBlock = 2048;
  static constexpr size_t kMaxBlock = 64 * 1024;

  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options(first_block_)) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    // gRPC calls this once the call is done with both messages.
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options(char* first_block) {
      google::protobuf::ArenaOptions options;
      options.initial_block = first_block;
      options.initial_block_size = kFirstBlock;
      options.start_block_size = kFirstBlock;
      options.max_block_size = kMaxBlock;
      return options;
    }

    alignas(std::max_align_t) char first_block_[kFirstBlock];
    google::protobuf::Arena arena_;  // after first_block_: destroyed before it
  };
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_ARENA_ALLOCATOR_H_
