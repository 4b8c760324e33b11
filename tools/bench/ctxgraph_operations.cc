#include "tools/bench/ctxgraph_operations.h"

#include <google/protobuf/arena.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ctxgraph/v1/context.grpc.pb.h"
#include "ctxgraph/v1/graph.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "tools/bench/dedicated_channel.h"
#include "tools/bench/workload.h"

namespace ctxgraph::bench {
namespace {

namespace v1 = ::ctxgraph::v1;

// Where the answers of one kind of call of one client are parsed: a fresh
// arena per call on a first block kept across calls, as a client that
// watches its CPU would do. The benchmark shares the machine with the
// server, so every microsecond of parsing it saves goes to the server it
// measures.
class ResponseArena {
 public:
  template <typename Response>
  Response* New() {
    arena_.reset();  // the previous call's response goes with it
    google::protobuf::ArenaOptions options;
    options.initial_block = first_block_.data();
    options.initial_block_size = first_block_.size();
    options.max_block_size = kFirstBlock;
    arena_.emplace(options);
    return google::protobuf::Arena::CreateMessage<Response>(&*arena_);
  }

 private:
  // Most answers fit; a larger one grows the arena in blocks of this size.
  static constexpr size_t kFirstBlock = 64 * 1024;
  std::vector<char> first_block_ = std::vector<char>(kFirstBlock);
  std::optional<google::protobuf::Arena> arena_;
};

// An answer with nothing in it counts like NOT_FOUND, as no rows do for SQL.
Outcome NotFoundIfEmpty(Outcome outcome, bool empty) {
  return outcome == Outcome::kOk && empty ? Outcome::kNotFound : outcome;
}

template <typename Response>
using Reader = std::unique_ptr<grpc::ClientAsyncResponseReader<Response>>;

// One unary call's client side between AsyncCall::Start and Finish: its
// context, its answer and its status. Start a call with Begin, hand the
// stub's reader to Await.
template <typename Response>
class PendingCall {
 public:
  // Drops the previous call and returns a fresh context carrying `token`
  // (none when empty) for the next one.
  grpc::ClientContext* Begin(const std::string& token) {
    reader_.reset();  // held in the previous call's memory, which its context frees
    context_.emplace();
    PrepareContext(token, &*context_);
    response_ = arena_.New<Response>();
    return &*context_;
  }
  void Await(Reader<Response> reader, void* tag) {
    reader_ = std::move(reader);
    reader_->Finish(response_, &status_, tag);
  }
  const Response& response() const { return *response_; }
  Outcome Classify(std::string* error) const {
    if (status_.ok()) return Outcome::kOk;
    if (status_.error_code() == grpc::StatusCode::NOT_FOUND) return Outcome::kNotFound;
    *error = absl::StrCat("gRPC code ", status_.error_code(), ": ", status_.error_message());
    return Outcome::kError;
  }

 private:
  std::optional<grpc::ClientContext> context_;
  ResponseArena arena_;
  Response* response_ = nullptr;
  grpc::Status status_;
  Reader<Response> reader_;
};

// Owns one channel and a stub of `Service` on it.
template <typename Service>
class ServiceClient : public AsyncCall {
 public:
  ServiceClient(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target)
      : channel_(std::move(channel)), stub_(Service::NewStub(channel_)), target_(target) {}

 protected:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<typename Service::Stub> stub_;
  CtxgraphTarget target_;
};

class GraphClient : public ServiceClient<v1::GraphService> {
 public:
  using ServiceClient::ServiceClient;

 protected:
  void StartGetNode(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) {
    v1::GetNodeRequest request;
    request.set_id(PickOne(target_.workload->seed_ids, rng));
    grpc::ClientContext* context = get_.Begin(target_.token);
    get_.Await(stub_->AsyncGetNode(context, request, cq), tag);
  }

  PendingCall<v1::GetNodeResponse> get_;
};

class GetNodeOp : public GraphClient {
 public:
  using GraphClient::GraphClient;
  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    StartGetNode(rng, cq, tag);
  }
  Outcome Finish(std::string* error) override { return get_.Classify(error); }
};

class ListNeighborsOp : public GraphClient {
 public:
  using GraphClient::GraphClient;
  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    v1::ListNeighborsRequest request;
    request.set_id(PickOne(target_.workload->seed_ids, rng));
    request.set_direction(v1::DIRECTION_BOTH);
    request.set_page_size(50);
    grpc::ClientContext* context = call_.Begin(target_.token);
    call_.Await(stub_->AsyncListNeighbors(context, request, cq), tag);
  }
  Outcome Finish(std::string* error) override {
    return NotFoundIfEmpty(call_.Classify(error), call_.response().neighbors_size() == 0);
  }

 private:
  PendingCall<v1::ListNeighborsResponse> call_;
};

class SearchOp : public ServiceClient<v1::ContextService> {
 public:
  SearchOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target, bool common)
      : ServiceClient(std::move(channel), target),
        terms_(common ? target.workload->common_terms : target.workload->rare_terms) {}

  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    v1::SearchRequest request;
    request.set_query(PickOne(terms_, rng));
    request.set_page_size(10);
    grpc::ClientContext* context = call_.Begin(target_.token);
    call_.Await(stub_->AsyncSearch(context, request, cq), tag);
  }
  Outcome Finish(std::string* error) override {
    return NotFoundIfEmpty(call_.Classify(error), call_.response().hits_size() == 0);
  }

 private:
  const std::vector<std::string>& terms_;
  PendingCall<v1::SearchResponse> call_;
};

class RetrieveOp : public ServiceClient<v1::ContextService> {
 public:
  using ServiceClient::ServiceClient;

  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    v1::RetrieveRequest request;
    request.add_seeds(PickOne(target_.workload->seed_ids, rng));
    request.mutable_expansion()->set_max_hops(2);
    request.mutable_budget()->set_max_items(50);
    grpc::ClientContext* context = call_.Begin(target_.token);
    call_.Await(stub_->AsyncRetrieve(context, request, cq), tag);
  }
  Outcome Finish(std::string* error) override {
    // The seed alone is no neighbourhood: the SQL, which leaves the seed
    // out, answers no rows then. So nf compares the two backends' hiding.
    return NotFoundIfEmpty(call_.Classify(error), call_.response().items_size() <= 1);
  }

 private:
  PendingCall<v1::RetrieveResponse> call_;
};

class LineageUpstreamOp : public ServiceClient<v1::LineageService> {
 public:
  LineageUpstreamOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target,
                    v1::LineageView view)
      : ServiceClient(std::move(channel), target), view_(view) {}

  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    v1::LineageRequest request;
    request.set_node_id(PickOne(target_.workload->lineage_starts, rng).id);
    request.set_max_depth(10);
    request.set_view(view_);
    grpc::ClientContext* context = call_.Begin(target_.token);
    call_.Await(stub_->AsyncUpstream(context, request, cq), tag);
  }
  Outcome Finish(std::string* error) override {
    // The start alone is no lineage: the SQL, which leaves the start out,
    // answers no rows then.
    return NotFoundIfEmpty(call_.Classify(error), call_.response().nodes_size() <= 1);
  }

 private:
  v1::LineageView view_;
  PendingCall<v1::LineageResponse> call_;
};

// The write of the mixed workloads: one upserted node, `text` its indexed
// text, sent with `token`.
void StartWriteOneNode(v1::GraphService::Stub& stub, const std::string& token, std::string text,
                       std::mt19937_64& rng, PendingCall<v1::WriteResponse>& call,
                       grpc::CompletionQueue* cq, void* tag) {
  v1::WriteRequest request;
  request.set_description("ctxgraph-bench mixed write");
  v1::Node* node = request.add_ops()->mutable_upsert_node();
  node->set_id(
      absl::StrFormat("bench-write-%08d", std::uniform_int_distribution<int>(0, 99999)(rng)));
  node->add_labels("Document");
  (*node->mutable_props())["title"].set_string_value(std::move(text));
  (*node->mutable_props())["nonce"].set_int_value(static_cast<int64_t>(rng() >> 1));
  node->mutable_source()->set_system("ctxgraph-bench");
  node->mutable_source()->set_authority(v1::AUTHORITY_ASSERTED);
  grpc::ClientContext* context = call.Begin(token);
  call.Await(stub.AsyncWrite(context, request, cq), tag);
}

class MixedOp : public GraphClient {
 public:
  MixedOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target,
          std::string write_token, double write_fraction)
      : GraphClient(std::move(channel), target),
        write_token_(std::move(write_token)),
        write_fraction_(write_fraction) {}

  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    writing_ = std::uniform_real_distribution<double>(0, 1)(rng) < write_fraction_;
    if (!writing_) return StartGetNode(rng, cq, tag);
    StartWriteOneNode(*stub_, write_token_, "benchmark write", rng, write_, cq, tag);
  }
  Outcome Finish(std::string* error) override {
    return writing_ ? write_.Classify(error) : get_.Classify(error);
  }

 private:
  std::string write_token_;
  double write_fraction_;
  bool writing_ = false;  // what the call in flight is
  PendingCall<v1::WriteResponse> write_;
};

class MixedSearchOp : public GraphClient {
 public:
  MixedSearchOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target,
                std::string write_token, double write_fraction)
      : GraphClient(std::move(channel), target),
        search_(channel_, target, /*common=*/true),
        write_token_(std::move(write_token)),
        write_fraction_(write_fraction) {}

  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    writing_ = std::uniform_real_distribution<double>(0, 1)(rng) < write_fraction_;
    if (!writing_) return search_.Start(rng, cq, tag);
    // Twenty words, each a common search term or a rare one with even odds:
    // every write changes the postings of several common terms.
    const Workload& w = *target_.workload;
    std::string text;
    for (int i = 0; i < 20; ++i) {
      absl::StrAppend(&text, i > 0 ? " " : "",
                      PickOne(rng() % 2 == 0 ? w.common_terms : w.rare_terms, rng));
    }
    StartWriteOneNode(*stub_, write_token_, std::move(text), rng, write_, cq, tag);
  }
  Outcome Finish(std::string* error) override {
    return writing_ ? write_.Classify(error) : search_.Finish(error);
  }

 private:
  SearchOp search_;
  std::string write_token_;
  double write_fraction_;
  bool writing_ = false;  // what the call in flight is
  PendingCall<v1::WriteResponse> write_;
};

// A factory that gives each client its own dedicated channel and a call of
// type Op built from it.
template <class Op, class... Extra>
AsyncCallFactory MakeFactory(const CtxgraphTarget& target, Extra... extra) {
  return [target, extra...](int index) -> absl::StatusOr<std::unique_ptr<AsyncCall>> {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        NewDedicatedChannel(target.address, index);
    if (!channel.ok()) return channel.status();
    return std::unique_ptr<AsyncCall>(std::make_unique<Op>(*std::move(channel), target, extra...));
  };
}

// A factory whose every client fails with `status`.
AsyncCallFactory Failing(absl::Status status) {
  return [status](int) -> absl::StatusOr<std::unique_ptr<AsyncCall>> { return status; };
}

}  // namespace

AsyncCallFactory CtxgraphGetNode(const CtxgraphTarget& target) {
  return MakeFactory<GetNodeOp>(target);
}

AsyncCallFactory CtxgraphListNeighbors(const CtxgraphTarget& target) {
  return MakeFactory<ListNeighborsOp>(target);
}

AsyncCallFactory CtxgraphSearch(const CtxgraphTarget& target, bool common_terms) {
  const auto& terms = common_terms ? target.workload->common_terms : target.workload->rare_terms;
  if (terms.empty()) {
    return Failing(
        absl::FailedPreconditionError("search: queries.json has no search terms for it"));
  }
  return MakeFactory<SearchOp>(target, common_terms);
}

AsyncCallFactory CtxgraphRetrieve(const CtxgraphTarget& target) {
  return MakeFactory<RetrieveOp>(target);
}

AsyncCallFactory CtxgraphLineageUpstream(const CtxgraphTarget& target, bool full) {
  if (target.workload->lineage_starts.empty()) {
    return Failing(absl::FailedPreconditionError(
        "lineage_upstream_10: queries.json has no lineage_starts for it"));
  }
  return MakeFactory<LineageUpstreamOp>(target,
                                        full ? v1::LINEAGE_VIEW_FULL : v1::LINEAGE_VIEW_IDS);
}

AsyncCallFactory CtxgraphMixed(const CtxgraphTarget& target, std::string write_token,
                               double write_fraction) {
  return MakeFactory<MixedOp>(target, std::move(write_token), write_fraction);
}

AsyncCallFactory CtxgraphMixedSearch(const CtxgraphTarget& target, std::string write_token,
                                     double write_fraction) {
  if (target.workload->common_terms.empty() || target.workload->rare_terms.empty()) {
    return Failing(absl::FailedPreconditionError(
        "mixed_search_90r10w: queries.json has no common or rare search terms"));
  }
  return MakeFactory<MixedSearchOp>(target, std::move(write_token), write_fraction);
}

}  // namespace ctxgraph::bench
