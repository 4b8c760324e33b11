// Request ids and the access log: every call answers an x-request-id in its
// initial metadata (the client's when valid, else a fresh one), and the
// access line names it with the principal, method, status and items, in
// the text and the JSON log formats, and never a token or a prop value.
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "server/logging.h"
#include "server/rpc_handler.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

// An spdlog sink keeping every formatted line.
class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return absl::StrSplit(text_, '\n', absl::SkipEmpty());
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

class AccessLogTest : public ServerTest {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    sink_ = std::make_shared<LineSink>();
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
    SetLogFormat(LogFormat::kText);
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    DefineLabels({"secret"});
    AdminWrite({UpsertNode(MakeNode("doc-1", {}, "Doc", {{"body", Str("prop-canary-4711")}})),
                UpsertNode(MakeNode("doc-2", {"secret"}))});
    agent_ = CreatePrincipal("agent-7", {v1::ROLE_AGENT}, {});
  }

  void TearDown() override {
    ServerTest::TearDown();
    SetLogFormat(LogFormat::kText);
    spdlog::set_default_logger(previous_);
  }

  // GetNode with `request_ids` as x-request-id values; returns the status
  // and sets `*answered` to the x-request-id values the server sent back.
  grpc::Status GetNodeWithIds(const std::string& token, const std::string& id,
                              const std::vector<std::string>& request_ids,
                              std::vector<std::string>* answered) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    for (const auto& r : request_ids) context.AddMetadata(kRequestIdHeader, r);
    v1::GetNodeRequest request;
    request.set_id(id);
    v1::GetNodeResponse response;
    const grpc::Status status = graph_->GetNode(&context, request, &response);
    answered->clear();
    auto [begin, end] = context.GetServerInitialMetadata().equal_range(kRequestIdHeader);
    for (auto it = begin; it != end; ++it)
      answered->emplace_back(it->second.data(), it->second.size());
    return status;
  }

  // The log lines holding `needle`.
  std::vector<std::string> LinesWith(const std::string& needle) {
    std::vector<std::string> out;
    for (const std::string& line : sink_->Lines()) {
      if (absl::StrContains(line, needle)) out.push_back(line);
    }
    return out;
  }

  static bool IsGeneratedId(const std::string& id) {
    return id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
  }

  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<LineSink> sink_;
  std::string agent_;
};

TEST_F(AccessLogTest, AClientsRequestIdIsEchoedAndLogged) {
  std::vector<std::string> answered;
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {"trace-42"}, &answered));
  EXPECT_EQ(answered, std::vector<std::string>{"trace-42"});
  const std::vector<std::string> lines = LinesWith("request_id=trace-42");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(absl::EndsWith(lines[0].substr(0, lines[0].find(" duration_us=")),
                             "rpc request_id=trace-42 principal=agent-7 method=GetNode code=OK"))
      << lines[0];
  EXPECT_TRUE(absl::EndsWith(lines[0], " items=1")) << lines[0];
}

TEST_F(AccessLogTest, WithoutARequestIdEachCallGetsAFreshOne) {
  std::vector<std::string> first, second;
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {}, &first));
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {}, &second));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(IsGeneratedId(first[0])) << first[0];
  EXPECT_TRUE(IsGeneratedId(second[0])) << second[0];
  EXPECT_NE(first[0], second[0]);
  EXPECT_EQ(LinesWith("rpc request_id=" + first[0] + " ").size(), 1u);
}

TEST_F(AccessLogTest, AnInvalidRequestIdIsReplacedNotLogged) {
  const std::string huge(500, 'r');
  const std::string at_limit(kMaxRequestIdBytes, 'k');
  std::vector<std::string> answered;
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {huge}, &answered));
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_TRUE(IsGeneratedId(answered[0])) << answered[0];
  // Two ids: which one is meant is not for us to guess.
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {"one", "two"}, &answered));
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_TRUE(IsGeneratedId(answered[0])) << answered[0];
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {at_limit}, &answered));
  EXPECT_EQ(answered, std::vector<std::string>{at_limit});
  EXPECT_TRUE(LinesWith("rrrrrrrrrrrrrrrr").empty());
  EXPECT_TRUE(LinesWith("request_id=one").empty());

  // What gRPC's own client refuses to send still never passes the check.
  EXPECT_FALSE(IsValidRequestId("line\nbreak"));
  EXPECT_FALSE(IsValidRequestId(std::string("nul\0byte", 8)));
  EXPECT_FALSE(IsValidRequestId("del\x7f"));
  EXPECT_FALSE(IsValidRequestId("caf\xc3\xa9"));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(kMaxRequestIdBytes + 1, 'k')));
  EXPECT_TRUE(IsValidRequestId(" spaces \"quotes\" and \\ are printable~"));
}

TEST_F(AccessLogTest, FailedCallsAreLoggedWithTheirIdAndNoItems) {
  std::vector<std::string> answered;
  EXPECT_EQ(GetNodeWithIds("", "doc-1", {"no-token"}, &answered).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(answered, std::vector<std::string>{"no-token"});
  std::vector<std::string> lines = LinesWith("request_id=no-token ");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[0], "auth rejected request_id=no-token method=GetNode peer="))
      << lines[0];
  EXPECT_TRUE(absl::StrContains(
      lines[1], "rpc request_id=no-token principal=- method=GetNode code=UNAUTHENTICATED"))
      << lines[1];
  EXPECT_TRUE(absl::EndsWith(lines[1], " items=0")) << lines[1];

  EXPECT_EQ(GetNodeWithIds(agent_, "doc-2", {"hidden-read"}, &answered).error_code(),
            grpc::StatusCode::NOT_FOUND);
  lines = LinesWith("request_id=hidden-read ");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(absl::StrContains(lines[0], "principal=agent-7 method=GetNode code=NOT_FOUND"));
  EXPECT_TRUE(absl::EndsWith(lines[0], " items=0")) << lines[0];
}

TEST_F(AccessLogTest, NoTokenOrPropValueIsEverLogged) {
  std::vector<std::string> answered;
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {"r1"}, &answered));
  ASSERT_OK(GetNodeWithIds(admin_token_, "doc-1", {"r2"}, &answered));
  EXPECT_EQ(GetNodeWithIds(agent_ + "x", "doc-1", {"r3"}, &answered).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_FALSE(LinesWith("request_id=r3 ").empty());
  for (const std::string& line : sink_->Lines()) {
    EXPECT_FALSE(absl::StrContains(line, agent_)) << line;
    EXPECT_FALSE(absl::StrContains(line, admin_token_)) << line;
    EXPECT_FALSE(absl::StrContains(line, "ctxg_")) << line;
    EXPECT_FALSE(absl::StrContains(line, "prop-canary-4711")) << line;
  }
}

TEST_F(AccessLogTest, TheAccessLogCanBeTurnedOff) {
  SetAccessLog(false);
  std::vector<std::string> answered;
  const grpc::Status status = GetNodeWithIds(agent_, "doc-1", {"quiet"}, &answered);
  SetAccessLog(true);
  ASSERT_OK(status);
  EXPECT_EQ(answered, std::vector<std::string>{"quiet"});
  EXPECT_TRUE(LinesWith("request_id=quiet").empty());
}

TEST_F(AccessLogTest, JsonLinesCarryTheFieldsEscaped) {
  const size_t text_lines = sink_->Lines().size();  // the setup's, in text
  SetLogFormat(LogFormat::kJson);
  const std::string tricky = "a \"quoted\" id\\with backslash";
  std::vector<std::string> answered;
  ASSERT_OK(GetNodeWithIds(agent_, "doc-1", {tricky}, &answered));
  EXPECT_EQ(answered, std::vector<std::string>{tricky});
  EXPECT_EQ(GetNodeWithIds("", "doc-1", {"007"}, &answered).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  std::vector<nlohmann::json> access;
  const std::vector<std::string> lines = sink_->Lines();
  ASSERT_GT(lines.size(), text_lines);
  for (size_t i = text_lines; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << line;
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j["ts"].is_string() && j["level"].is_string() && j["msg"].is_string()) << line;
    if (j["msg"] == "rpc") access.push_back(j);
  }
  ASSERT_GE(access.size(), 2u);
  const nlohmann::json& ok = access[access.size() - 2];
  EXPECT_EQ(ok["request_id"], tricky);
  EXPECT_EQ(ok["principal"], "agent-7");
  EXPECT_EQ(ok["method"], "GetNode");
  EXPECT_EQ(ok["code"], "OK");
  EXPECT_EQ(ok["items"], 1);
  EXPECT_TRUE(ok["duration_us"].is_number_integer());
  EXPECT_EQ(ok["level"], "info");
  const std::string ts = ok["ts"];
  EXPECT_EQ(ts.size(), std::string("2026-12-02T13:40:00.123456Z").size()) << ts;
  EXPECT_EQ(ts.back(), 'Z');
  const nlohmann::json& rejected = access.back();
  EXPECT_EQ(rejected["request_id"], "007");  // all digits, still a string
  EXPECT_EQ(rejected["principal"], "-");
  EXPECT_EQ(rejected["code"], "UNAUTHENTICATED");
  EXPECT_EQ(rejected["items"], 0);
}

TEST(LogValueTest, QuotesWhatIsNotAPlainToken) {
  EXPECT_EQ(LogValue("alice"), "alice");
  EXPECT_EQ(LogValue("ipv4:127.0.0.1:5"), "ipv4:127.0.0.1:5");
  EXPECT_EQ(LogValue(""), "\"\"");
  EXPECT_EQ(LogValue("42"), "\"42\"");
  // What a JSON log line would read as a number or a bool stays a string.
  EXPECT_EQ(LogValue("-5"), "\"-5\"");
  EXPECT_EQ(LogValue("true"), "\"true\"");
  EXPECT_EQ(LogValue("false"), "\"false\"");
  EXPECT_EQ(LogValue("-"), "\"-\"");
  EXPECT_EQ(LogValue("trueish"), "trueish");
  EXPECT_EQ(LogValue("a b"), "\"a b\"");
  EXPECT_EQ(LogValue("k=v"), "\"k=v\"");
  EXPECT_EQ(LogValue("say \"hi\"\\\n\t\x01"), "\"say \\\"hi\\\"\\\\\\n\\t\\x01\"");
}

TEST(JsonLogLineTest, FieldsBecomeMembersAndOddTextStaysInMsg) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456));
  EXPECT_EQ(JsonLogLine(t, "info", "import done request_id=\"x y\" ops=12 bulk=true who=-"),
            "{\"ts\":\"2023-11-14T22:13:20.123456Z\",\"level\":\"info\",\"msg\":\"import done\","
            "\"request_id\":\"x y\",\"ops\":12,\"bulk\":true,\"who\":\"-\"}");
  // Not message-then-fields: the whole text is the message.
  EXPECT_EQ(JsonLogLine(t, "warning", "cannot start: x=1 failed \"badly\""),
            "{\"ts\":\"2023-11-14T22:13:20.123456Z\",\"level\":\"warning\",\"msg\":\"cannot "
            "start: x=1 failed \\\"badly\\\"\"}");
  // Control bytes, invalid UTF-8 and a field named like a member.
  EXPECT_EQ(JsonLogLine(t, "error", "e msg=\"\\x01\" v=\xff\xc3\xa9"),
            "{\"ts\":\"2023-11-14T22:13:20.123456Z\",\"level\":\"error\",\"msg\":\"e\","
            "\"field.msg\":\"\\u0001\",\"v\":\"\\ufffd\xc3\xa9\"}");
}

}  // namespace
}  // namespace ctxgraph::server
