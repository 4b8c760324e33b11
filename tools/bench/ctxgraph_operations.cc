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

namespace ctxgraph::bench {
namespace {

namespace v1 = ::ctxgraph::v1;

Outcome Classify(const grpc::Status& status, std::string* error) {
  if (status.ok()) return Outcome::kOk;
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return Outcome::kNotFound;
  *error = absl::StrCat("gRPC code ", status.error_code(), ": ", status.error_message());
  return Outcome::kError;
}

// Where one client thread parses its responses: a fresh arena per call on a
// first block the thread keeps, as a client that watches its CPU would do.
// The benchmark shares the machine with the server, so every microsecond
// of parsing it saves goes to the server it measures.
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

// Owns one channel and a GraphService stub on it.
class GraphClient : public Operation {
 public:
  GraphClient(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target)
      : channel_(std::move(channel)), stub_(v1::GraphService::NewStub(channel_)), target_(target) {}

 protected:
  Outcome GetRandomNode(std::mt19937_64& rng, std::string* error) {
    v1::GetNodeRequest request;
    request.set_id(PickOne(target_.workload->seed_ids, rng));
    v1::GetNodeResponse& response = *responses_.New<v1::GetNodeResponse>();
    grpc::ClientContext context;
    PrepareContext(target_.token, &context);
    return Classify(stub_->GetNode(&context, request, &response), error);
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::GraphService::Stub> stub_;
  CtxgraphTarget target_;
  ResponseArena responses_;
};

class GetNodeOp : public GraphClient {
 public:
  using GraphClient::GraphClient;
  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    return GetRandomNode(rng, error);
  }
};

class ListNeighborsOp : public GraphClient {
 public:
  using GraphClient::GraphClient;
  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    v1::ListNeighborsRequest request;
    request.set_id(PickOne(target_.workload->seed_ids, rng));
    request.set_direction(v1::DIRECTION_BOTH);
    request.set_page_size(50);
    v1::ListNeighborsResponse& response = *responses_.New<v1::ListNeighborsResponse>();
    grpc::ClientContext context;
    PrepareContext(target_.token, &context);
    const Outcome outcome = Classify(stub_->ListNeighbors(&context, request, &response), error);
    // An empty page counts like NOT_FOUND, as an empty result does for SQL.
    return outcome == Outcome::kOk && response.neighbors_size() == 0 ? Outcome::kNotFound : outcome;
  }
};

class SearchOp : public Operation {
 public:
  SearchOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target, bool common)
      : channel_(std::move(channel)),
        stub_(v1::ContextService::NewStub(channel_)),
        target_(target),
        terms_(common ? target.workload->common_terms : target.workload->rare_terms) {}

  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    v1::SearchRequest request;
    request.set_query(PickOne(terms_, rng));
    request.set_page_size(10);
    v1::SearchResponse& response = *responses_.New<v1::SearchResponse>();
    grpc::ClientContext context;
    PrepareContext(target_.token, &context);
    const Outcome outcome = Classify(stub_->Search(&context, request, &response), error);
    return outcome == Outcome::kOk && response.hits_size() == 0 ? Outcome::kNotFound : outcome;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ContextService::Stub> stub_;
  CtxgraphTarget target_;
  ResponseArena responses_;
  const std::vector<std::string>& terms_;
};

class RetrieveOp : public Operation {
 public:
  RetrieveOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target)
      : channel_(std::move(channel)),
        stub_(v1::ContextService::NewStub(channel_)),
        target_(target) {}

  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    v1::RetrieveRequest request;
    request.add_seeds(PickOne(target_.workload->seed_ids, rng));
    request.mutable_expansion()->set_max_hops(2);
    request.mutable_budget()->set_max_items(50);
    v1::RetrieveResponse& response = *responses_.New<v1::RetrieveResponse>();
    grpc::ClientContext context;
    PrepareContext(target_.token, &context);
    const Outcome outcome = Classify(stub_->Retrieve(&context, request, &response), error);
    // The seed alone is no neighbourhood: the SQL, which leaves the seed
    // out, answers no rows then. So nf compares the two backends' hiding.
    return outcome == Outcome::kOk && response.items_size() <= 1 ? Outcome::kNotFound : outcome;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ContextService::Stub> stub_;
  CtxgraphTarget target_;
  ResponseArena responses_;
};

class LineageUpstreamOp : public Operation {
 public:
  LineageUpstreamOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target,
                    v1::LineageView view)
      : channel_(std::move(channel)),
        stub_(v1::LineageService::NewStub(channel_)),
        target_(target),
        view_(view) {}

  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    v1::LineageRequest request;
    request.set_node_id(PickOne(target_.workload->lineage_starts, rng).id);
    request.set_max_depth(10);
    request.set_view(view_);
    v1::LineageResponse& response = *responses_.New<v1::LineageResponse>();
    grpc::ClientContext context;
    PrepareContext(target_.token, &context);
    const Outcome outcome = Classify(stub_->Upstream(&context, request, &response), error);
    // The start alone is no lineage: the SQL, which leaves the start out,
    // answers no rows then.
    return outcome == Outcome::kOk && response.nodes_size() <= 1 ? Outcome::kNotFound : outcome;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LineageService::Stub> stub_;
  CtxgraphTarget target_;
  ResponseArena responses_;
  v1::LineageView view_;
};

// The write of the mixed workloads: one upserted node, `text` its indexed
// text.
Outcome WriteOneNode(v1::GraphService::Stub& stub, const std::string& token, std::string text,
                     std::mt19937_64& rng, std::string* error) {
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
  v1::WriteResponse response;
  grpc::ClientContext context;
  PrepareContext(token, &context);
  return Classify(stub.Write(&context, request, &response), error);
}

class MixedOp : public GraphClient {
 public:
  MixedOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target,
          std::string write_token, double write_fraction)
      : GraphClient(std::move(channel), target),
        write_token_(std::move(write_token)),
        write_fraction_(write_fraction) {}

  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    if (std::uniform_real_distribution<double>(0, 1)(rng) >= write_fraction_) {
      return GetRandomNode(rng, error);
    }
    return WriteOneNode(*stub_, write_token_, "benchmark write", rng, error);
  }

 private:
  std::string write_token_;
  double write_fraction_;
};

class MixedSearchOp : public GraphClient {
 public:
  MixedSearchOp(std::shared_ptr<grpc::Channel> channel, const CtxgraphTarget& target,
                std::string write_token, double write_fraction)
      : GraphClient(std::move(channel), target),
        search_(channel_, target, /*common=*/true),
        write_token_(std::move(write_token)),
        write_fraction_(write_fraction) {}

  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    if (std::uniform_real_distribution<double>(0, 1)(rng) >= write_fraction_) {
      return search_.RunOnce(rng, error);
    }
    // Twenty words, each a common search term or a rare one with even odds:
    // every write changes the postings of several common terms.
    const Workload& w = *target_.workload;
    std::string text;
    for (int i = 0; i < 20; ++i) {
      absl::StrAppend(&text, i > 0 ? " " : "",
                      PickOne(rng() % 2 == 0 ? w.common_terms : w.rare_terms, rng));
    }
    return WriteOneNode(*stub_, write_token_, std::move(text), rng, error);
  }

 private:
  SearchOp search_;
  std::string write_token_;
  double write_fraction_;
};

// A factory that gives each client thread its own dedicated channel and an
// operation of type Op built from it.
template <class Op, class... Extra>
OperationFactory MakeFactory(const CtxgraphTarget& target, Extra... extra) {
  return [target, extra...](int index) -> absl::StatusOr<std::unique_ptr<Operation>> {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        NewDedicatedChannel(target.address, index);
    if (!channel.ok()) return channel.status();
    return std::unique_ptr<Operation>(std::make_unique<Op>(*std::move(channel), target, extra...));
  };
}

}  // namespace

OperationFactory CtxgraphGetNode(const CtxgraphTarget& target) {
  return MakeFactory<GetNodeOp>(target);
}

OperationFactory CtxgraphListNeighbors(const CtxgraphTarget& target) {
  return MakeFactory<ListNeighborsOp>(target);
}

OperationFactory CtxgraphSearch(const CtxgraphTarget& target, bool common_terms) {
  const auto& terms = common_terms ? target.workload->common_terms : target.workload->rare_terms;
  if (terms.empty()) {
    return [](int) -> absl::StatusOr<std::unique_ptr<Operation>> {
      return absl::FailedPreconditionError("search: queries.json has no search terms for it");
    };
  }
  return MakeFactory<SearchOp>(target, common_terms);
}

OperationFactory CtxgraphRetrieve(const CtxgraphTarget& target) {
  return MakeFactory<RetrieveOp>(target);
}

OperationFactory CtxgraphLineageUpstream(const CtxgraphTarget& target, bool full) {
  if (target.workload->lineage_starts.empty()) {
    return [](int) -> absl::StatusOr<std::unique_ptr<Operation>> {
      return absl::FailedPreconditionError(
          "lineage_upstream_10: queries.json has no lineage_starts for it");
    };
  }
  return MakeFactory<LineageUpstreamOp>(target,
                                        full ? v1::LINEAGE_VIEW_FULL : v1::LINEAGE_VIEW_IDS);
}

OperationFactory CtxgraphMixed(const CtxgraphTarget& target, std::string write_token,
                               double write_fraction) {
  return MakeFactory<MixedOp>(target, std::move(write_token), write_fraction);
}

OperationFactory CtxgraphMixedSearch(const CtxgraphTarget& target, std::string write_token,
                                     double write_fraction) {
  if (target.workload->common_terms.empty() || target.workload->rare_terms.empty()) {
    return [](int) -> absl::StatusOr<std::unique_ptr<Operation>> {
      return absl::FailedPreconditionError(
          "mixed_search_90r10w: queries.json has no common or rare search terms");
    };
  }
  return MakeFactory<MixedSearchOp>(target, std::move(write_token), write_fraction);
}

}  // namespace ctxgraph::bench
