#include "tools/bench/floors.h"

#include <grpcpp/generic/generic_stub.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench/dedicated_channel.h"
#include "tools/bench/process_control.h"

namespace ctxgraph::bench {
namespace {

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";

// A service name gRPC's default health service does not know: Check answers
// it NOT_FOUND.
constexpr char kUnknownService[] = "ctxgraph.bench.NoSuchService";
static_assert(sizeof(kUnknownService) - 1 < 128, "EmptyCallOp writes its length in one byte");

// Health/Check with a HealthCheckRequest whose only field is `service`, sent
// as raw bytes. The answer is kept as raw bytes (a ByteBuffer) and never
// parsed: the floor is the call alone. `service` empty is an empty request,
// zero bytes on the wire, which the server answers OK; kUnknownService is
// answered NOT_FOUND, with a short message of gRPC's and no body.
class EmptyCallOp : public AsyncCall {
 public:
  EmptyCallOp(std::shared_ptr<grpc::Channel> channel, std::string_view service)
      : stub_(std::move(channel)), expect_not_found_(!service.empty()) {
    // Field 1 (`service`), length-delimited; the name is shorter than 128
    // bytes, so its length is one byte. One slice even when empty: a
    // ByteBuffer with no slices at all is not sent.
    std::string bytes;
    if (!service.empty()) {
      bytes.push_back('\x0a');
      bytes.push_back(static_cast<char>(service.size()));
      bytes.append(service);
    }
    grpc::Slice slice(bytes);
    request_ = grpc::ByteBuffer(&slice, 1);
  }

  void Start(std::mt19937_64&, grpc::CompletionQueue* cq, void* tag) override {
    reader_.reset();  // held in the previous call's memory, which its context frees
    context_.emplace();
    PrepareContext("", &*context_);
    response_.Clear();
    reader_ = stub_.PrepareUnaryCall(&*context_, kHealthCheck, request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, tag);
  }

  Outcome Finish(std::string* error) override {
    const grpc::StatusCode want =
        expect_not_found_ ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::OK;
    if (status_.error_code() == want) return expect_not_found_ ? Outcome::kNotFound : Outcome::kOk;
    *error = absl::StrCat("Health/Check: gRPC code ", status_.error_code(), " where ", want,
                          " was expected: ", status_.error_message());
    return Outcome::kError;
  }

 private:
  grpc::GenericStub stub_;  // holds the channel
  bool expect_not_found_;
  grpc::ByteBuffer request_;
  std::optional<grpc::ClientContext> context_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader_;
};

AsyncCallFactory HealthCheckCalls(const std::string& address, std::string service) {
  return [address, service](int index) -> absl::StatusOr<std::unique_ptr<AsyncCall>> {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = NewDedicatedChannel(address, index);
    if (!channel.ok()) return channel.status();
    return std::unique_ptr<AsyncCall>(std::make_unique<EmptyCallOp>(*std::move(channel), service));
  };
}

class RocksGetOp : public Operation {
 public:
  RocksGetOp(rocksdb::DB* db, uint64_t keys) : db_(db), keys_(keys) {}
  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    const std::string key =
        absl::StrFormat("k%010d", std::uniform_int_distribution<uint64_t>(0, keys_ - 1)(rng));
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value_);
    if (s.ok()) return Outcome::kOk;
    *error = s.ToString();
    return Outcome::kError;
  }

 private:
  rocksdb::DB* db_;
  uint64_t keys_;
  std::string value_;
};

}  // namespace

AsyncCallFactory EmptyGrpcCall(const std::string& address) { return HealthCheckCalls(address, ""); }

AsyncCallFactory NotFoundGrpcCall(const std::string& address) {
  return HealthCheckCalls(address, kUnknownService);
}

absl::StatusOr<std::unique_ptr<RocksDbFloor>> RocksDbFloor::Create(uint64_t keys) {
  if (keys == 0) return absl::InvalidArgumentError("rocksdb floor: keys: must be > 0");
  absl::StatusOr<std::string> dir = MakeTempDir("ctxgraph-bench-rocksdb-");
  if (!dir.ok()) return dir.status();
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, *dir, &raw);
  if (!s.ok()) return absl::InternalError(absl::StrCat("rocksdb floor: open: ", s.ToString()));
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string value(100, 'v');
  rocksdb::WriteOptions write_options;
  write_options.disableWAL = true;
  for (uint64_t i = 0; i < keys && s.ok(); i += 10000) {
    rocksdb::WriteBatch batch;
    for (uint64_t k = i; k < std::min(keys, i + 10000); ++k) {
      batch.Put(absl::StrFormat("k%010d", k), value);
    }
    s = db->Write(write_options, &batch);
  }
  if (s.ok()) s = db->Flush(rocksdb::FlushOptions());
  if (s.ok()) s = db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr);
  if (!s.ok()) {
    std::filesystem::remove_all(*dir);
    return absl::InternalError(absl::StrCat("rocksdb floor: load: ", s.ToString()));
  }
  return std::unique_ptr<RocksDbFloor>(new RocksDbFloor(*dir, std::move(db), keys));
}

RocksDbFloor::RocksDbFloor(std::string dir, std::unique_ptr<rocksdb::DB> db, uint64_t keys)
    : dir_(std::move(dir)), db_(std::move(db)), keys_(keys) {}

RocksDbFloor::~RocksDbFloor() {
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

OperationFactory RocksDbFloor::RandomGets() const {
  rocksdb::DB* db = db_.get();
  const uint64_t keys = keys_;
  return [db, keys](int) -> absl::StatusOr<std::unique_ptr<Operation>> {
    return std::unique_ptr<Operation>(std::make_unique<RocksGetOp>(db, keys));
  };
}

}  // namespace ctxgraph::bench
