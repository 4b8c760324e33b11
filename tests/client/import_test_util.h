// Helpers shared by the import tests: temporary files and a fake
// GraphService whose Import behaves like the server's contract.
#ifndef CTXGRAPH_TESTS_CLIENT_IMPORT_TEST_UTIL_H_
#define CTXGRAPH_TESTS_CLIENT_IMPORT_TEST_UTIL_H_

#include <grpcpp/grpcpp.h>
#include <unistd.h>
#include <zlib.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ctxgraph/v1/graph.grpc.pb.h"

namespace ctxgraph::client::testing {

// A directory removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            absl::StrCat("ctxgraph_import_test_", ::getpid(), "_", counter++);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) const {
    const std::string path = (path_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Writes `content` gzip-compressed to `path` as two gzip members (as `cat
// a.gz b.gz` would), and returns `path`.
inline std::string WriteGzip(const std::string& path, const std::string& content) {
  const size_t half = content.size() / 2;
  for (int member = 0; member < 2; ++member) {
    gzFile gz = gzopen(path.c_str(), member == 0 ? "wb" : "ab");
    const std::string part = member == 0 ? content.substr(0, half) : content.substr(half);
    gzwrite(gz, part.data(), static_cast<unsigned>(part.size()));
    gzclose(gz);
  }
  return path;
}

// GraphService.Import as the contract describes it: rejects an edge whose
// endpoint was not upserted earlier in the stream ("...: node \"x\" not
// found"), any op on an id starting "secret" (PERMISSION_DENIED-style
// reason), a node with a boundary label no earlier define_label op defined
// ("...: undefined boundary label \"x\"") and a define_label op whose name
// starts with "denied" (the steward-role reason); in strict mode answers
// aborted at the first reject. Lists the first max_listed_rejects rejects
// and counts all. Records every request and whether the call ended
// cancelled.
class FakeImportService final : public ctxgraph::v1::GraphService::Service {
 public:
  grpc::Status Import(grpc::ServerContext* context,
                      grpc::ServerReader<ctxgraph::v1::ImportRequest>* reader,
                      ctxgraph::v1::ImportResponse* response) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.clear();
      done_ = false;
    }
    ctxgraph::v1::ImportRequest request;
    std::set<std::string> nodes;
    std::set<std::string> labels;
    bool strict = false;
    bool first = true;
    uint64_t index = 0;
    bool aborted = false;
    while (!aborted && reader->Read(&request)) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      if (first) strict = request.options().strict();
      first = false;
      for (int i = 0; i < request.ops_size(); ++i, ++index) {
        const ctxgraph::v1::WriteOp& op = request.ops(i);
        std::string reason;
        if (op.has_define_label()) {
          if (absl::StartsWith(op.define_label().name(), "denied")) {
            reason = absl::StrCat("ops[", i,
                                  "].define_label: defining a label requires the steward or "
                                  "admin role");
          } else {
            labels.insert(op.define_label().name());
            response->set_labels_defined(response->labels_defined() + 1);
          }
        } else if (op.has_upsert_node()) {
          for (const std::string& label : op.upsert_node().boundary()) {
            if (reason.empty() && !labels.count(label)) {
              reason = absl::StrCat(
                  "ops[", i, "].upsert_node.boundary: undefined boundary label \"", label, "\"");
            }
          }
          if (!reason.empty()) {
            // refused: the label is not defined
          } else if (absl::StartsWith(op.upsert_node().id(), "secret")) {
            reason = absl::StrCat("ops[", i, "].upsert_node: not cleared for boundary \"pii\"");
          } else {
            nodes.insert(op.upsert_node().id());
            response->set_nodes_written(response->nodes_written() + 1);
          }
        } else if (op.has_upsert_edge()) {
          const auto& e = op.upsert_edge();
          if (!nodes.count(e.from())) {
            reason =
                absl::StrCat("ops[", i, "].upsert_edge.from: node \"", e.from(), "\" not found");
          } else if (!nodes.count(e.to())) {
            reason = absl::StrCat("ops[", i, "].upsert_edge.to: node \"", e.to(), "\" not found");
          } else {
            response->set_edges_written(response->edges_written() + 1);
          }
        } else {
          response->set_deleted(response->deleted() + 1);
        }
        if (!reason.empty()) {
          response->set_rejected(response->rejected() + 1);
          if (static_cast<size_t>(response->rejects_size()) < max_listed_rejects) {
            auto* reject = response->add_rejects();
            reject->set_index(index);
            reject->set_reason(reason);
          }
          if (strict) {
            response->set_aborted(true);
            aborted = true;
            ++index;
            break;
          }
        }
      }
    }
    response->set_ops_received(index);
    response->set_commits(response->nodes_written() + response->edges_written() > 0 ? 1 : 0);
    response->set_version(7);
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = context->IsCancelled();
    done_ = true;
    done_cv_.notify_all();
    return grpc::Status::OK;
  }

  // Waits (up to 5 s) for the last call's handler to return.
  bool WaitDone() {
    std::unique_lock<std::mutex> lock(mu_);
    return done_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return done_; });
  }
  std::vector<ctxgraph::v1::ImportRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  bool cancelled() {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  // Rejects past this many are counted, not listed (the server's bound).
  size_t max_listed_rejects = SIZE_MAX;

 private:
  std::mutex mu_;
  std::condition_variable done_cv_;
  std::vector<ctxgraph::v1::ImportRequest> requests_;
  bool cancelled_ = false;
  bool done_ = false;
};

}  // namespace ctxgraph::client::testing

#endif  // CTXGRAPH_TESTS_CLIENT_IMPORT_TEST_UTIL_H_
