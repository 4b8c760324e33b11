#include "tools/bench/ctxgraph_deployment.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ctxgraph::bench {
namespace {

using nlohmann::json;

absl::StatusOr<json> ParseJsonOutput(const CommandOutput& output, const std::string& what) {
  if (output.exit_code != 0) {
    return absl::InternalError(absl::StrCat(what, " failed: ", DescribeFailure(output)));
  }
  try {
    return json::parse(output.out);
  } catch (const json::exception& e) {
    return absl::InternalError(absl::StrCat(what, ": unparsable --json output: ", e.what()));
  }
}

}  // namespace

CtxgraphDeployment::CtxgraphDeployment(CtxgraphDeploymentOptions options)
    : options_(std::move(options)) {}

CtxgraphDeployment::~CtxgraphDeployment() {
  server_.Kill();
  if (options_.keep_data) return;
  std::error_code ec;
  if (!work_dir_.empty()) std::filesystem::remove_all(work_dir_, ec);
}

absl::Status CtxgraphDeployment::Start() {
  absl::StatusOr<std::string> dir = MakeTempDir("ctxgraph-bench-");
  if (!dir.ok()) return dir.status();
  work_dir_ = *dir;
  data_dir_ = work_dir_ + "/data";
  const std::string port_file = work_dir_ + "/port";
  std::vector<std::string> argv = {options_.bin_dir + "/server/ctxgraphd",
                                   "--data-dir",
                                   data_dir_,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--port-file",
                                   port_file,
                                   "--log-level",
                                   "warn"};
  argv.insert(argv.end(), options_.server_args.begin(), options_.server_args.end());
  if (absl::Status s = server_.Start(argv, work_dir_ + "/ctxgraphd"); !s.ok()) return s;
  absl::StatusOr<std::string> address = WaitForFileWord(port_file, 30000);
  if (!address.ok()) {
    return absl::UnavailableError(
        absl::StrCat("ctxgraphd did not start: ", address.status().message(),
                     "; stderr: ", ReadFileOrEmpty(work_dir_ + "/ctxgraphd.err")));
  }
  address_ = *address;
  const std::string admin = ReadFileOrEmpty(data_dir_ + "/admin.token");
  tokens_["admin"] = std::string(absl::StripAsciiWhitespace(admin));
  if (tokens_["admin"].empty()) return absl::InternalError("admin.token is empty");
  return absl::OkStatus();
}

CommandOutput CtxgraphDeployment::Cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {options_.bin_dir + "/client/ctxgraph",
                                   "--server",
                                   address_,
                                   "--token-file",
                                   data_dir_ + "/admin.token",
                                   "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

absl::StatusOr<LoadStats> CtxgraphDeployment::Import(const std::string& jsonl_path) {
  std::vector<std::string> args = {"import", jsonl_path};
  args.insert(args.end(), options_.import_args.begin(), options_.import_args.end());
  const CommandOutput output = Cli(args);
  absl::StatusOr<json> summary = ParseJsonOutput(output, "ctxgraph import");
  if (!summary.ok()) return summary.status();
  LoadStats stats;
  // Records as PostgreSQL counts them: nodes and edges. The file's label
  // definitions are ops of the node pass ("nodes"), not nodes.
  stats.nodes = summary->value("nodes", 0ull) - summary->value("labels_defined", 0ull);
  stats.edges = summary->value("edges", 0ull);
  stats.rejected = summary->value("rejected", 0ull);
  if (stats.rejected > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ctxgraph import rejected ", stats.rejected, " records: ", output.err));
  }
  stats.seconds = output.seconds;
  stats.records_per_sec =
      output.seconds > 0 ? static_cast<double>(stats.nodes + stats.edges) / output.seconds : 0;
  absl::StatusOr<uint64_t> rss = PeakRssBytes();
  if (rss.ok()) stats.peak_rss_bytes = *rss;
  stats.disk_bytes = DiskBytes();
  return stats;
}

absl::Status CtxgraphDeployment::CreatePrincipals(const std::vector<PrincipalSpec>& principals) {
  for (const PrincipalSpec& p : principals) {
    std::vector<std::string> args = {"principal", "create", p.id};
    for (const std::string& role : p.roles) args.insert(args.end(), {"--role", role});
    for (const std::string& c : p.clearances) args.insert(args.end(), {"--clearance", c});
    const CommandOutput created = Cli(args);
    if (created.exit_code != 0) {
      return absl::InternalError(
          absl::StrCat("principal create ", p.id, " failed: ", DescribeFailure(created)));
    }
    absl::StatusOr<json> issued =
        ParseJsonOutput(Cli({"principal", "token", p.id}), absl::StrCat("principal token ", p.id));
    if (!issued.ok()) return issued.status();
    tokens_[p.id] = issued->value("token", "");
    if (tokens_[p.id].empty()) {
      return absl::InternalError(absl::StrCat("principal token ", p.id, ": no token"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CtxgraphDeployment::Token(const std::string& principal) const {
  auto it = tokens_.find(principal);
  if (it == tokens_.end()) {
    return absl::NotFoundError(absl::StrCat("no token for principal \"", principal, "\""));
  }
  return it->second;
}

absl::StatusOr<uint64_t> CtxgraphDeployment::PeakRssBytes() const {
  return ::ctxgraph::bench::PeakRssBytes(server_.pid());
}

absl::StatusOr<double> CtxgraphDeployment::CpuSeconds() const {
  return ProcessCpuSeconds(server_.pid());
}

uint64_t CtxgraphDeployment::DiskBytes() const { return DirectoryBytes(data_dir_); }

int CtxgraphDeployment::Stop() { return server_.Stop(); }

}  // namespace ctxgraph::bench
