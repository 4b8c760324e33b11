#include "client/import_sink.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client/connection.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

// One request's memory: every op, string and map entry of a batch is
// allocated here and freed at once by Reset(). The first block is kept
// across resets, so a typical batch allocates nothing from malloc.
class RequestArena {
 public:
  RequestArena() : initial_block_(kInitialBlockBytes) {
    google::protobuf::ArenaOptions options;
    options.initial_block = initial_block_.data();
    options.initial_block_size = initial_block_.size();
    options.max_block_size = kInitialBlockBytes;
    arena_ = std::make_unique<google::protobuf::Arena>(options);
    request_ = google::protobuf::Arena::CreateMessage<v1::ImportRequest>(arena_.get());
  }
  v1::ImportRequest* request() { return request_; }
  void Reset() {
    arena_->Reset();
    request_ = google::protobuf::Arena::CreateMessage<v1::ImportRequest>(arena_.get());
  }

 private:
  static constexpr size_t kInitialBlockBytes = 8 << 20;
  std::vector<char> initial_block_;
  std::unique_ptr<google::protobuf::Arena> arena_;
  v1::ImportRequest* request_;
};

class GrpcImportSink final : public ImportSink {
 public:
  GrpcImportSink(v1::GraphService::StubInterface& stub,
                 std::unique_ptr<grpc::ClientContext> context, v1::ImportOptions options)
      : context_(std::move(context)), options_(std::move(options)) {
    writer_ = stub.Import(context_.get(), &response_);
  }

  v1::ImportRequest* request() override { return arena_.request(); }

  bool Send() override {
    if (closed_) return false;
    if (first_) *arena_.request()->mutable_options() = options_;
    const bool ok = writer_->Write(*arena_.request());
    arena_.Reset();
    first_ = false;
    if (!ok) closed_ = true;
    return ok;
  }

  void Cancel() override {
    context_->TryCancel();
    closed_ = true;
  }

  absl::StatusOr<v1::ImportResponse> Finish() override {
    if (first_ && !closed_) {
      arena_.Reset();
      Send();
    }
    if (!closed_) writer_->WritesDone();
    closed_ = true;
    const grpc::Status status = writer_->Finish();
    if (!status.ok()) return FromGrpcStatus(status);
    return response_;
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  v1::ImportOptions options_;
  v1::ImportResponse response_;  // filled by the call when it finishes
  std::unique_ptr<grpc::ClientWriterInterface<v1::ImportRequest>> writer_;
  RequestArena arena_;
  bool first_ = true;
  bool closed_ = false;
};

class DryRunImportSink final : public ImportSink {
 public:
  explicit DryRunImportSink(v1::ImportOptions options) : options_(std::move(options)) {}

  v1::ImportRequest* request() override { return arena_.request(); }

  bool Send() override {
    if (cancelled_) return false;
    if (first_) *arena_.request()->mutable_options() = options_;
    first_ = false;
    ops_ += arena_.request()->ops_size();
    wire_.clear();
    arena_.request()->SerializeToString(&wire_);
    arena_.Reset();
    return true;
  }

  void Cancel() override { cancelled_ = true; }

  absl::StatusOr<v1::ImportResponse> Finish() override {
    if (cancelled_) return absl::CancelledError("dry run cancelled");
    v1::ImportResponse response;
    response.set_ops_received(ops_);
    return response;
  }

 private:
  v1::ImportOptions options_;
  RequestArena arena_;
  std::string wire_;
  bool first_ = true;
  bool cancelled_ = false;
  uint64_t ops_ = 0;
};

}  // namespace

std::unique_ptr<ImportSink> NewGrpcImportSink(v1::GraphService::StubInterface& stub,
                                              std::unique_ptr<grpc::ClientContext> context,
                                              v1::ImportOptions options) {
  return std::make_unique<GrpcImportSink>(stub, std::move(context), std::move(options));
}

std::unique_ptr<ImportSink> NewDryRunImportSink(v1::ImportOptions options) {
  return std::make_unique<DryRunImportSink>(std::move(options));
}

}  // namespace ctxgraph::client
