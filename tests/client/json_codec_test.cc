#include "client/json_codec.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "tests/test_macros.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;

TEST(JsonCodecTest, ParseJsonTextKeepsOverflowingNumbersForRejection) {
  absl::StatusOr<json> j = ParseJsonText(R"({"b":99999999999999999999,"c":1.5})");
  ASSERT_OK(j.status());
  EXPECT_TRUE((*j)["b"].is_binary());
  EXPECT_TRUE((*j)["c"].is_number_float());
  // A double that overflows is a parse error.
  EXPECT_EQ(ParseJsonText(R"({"a":1e400})").status(),
            absl::InvalidArgumentError("invalid JSON: number overflow parsing '1e400'"));
  EXPECT_EQ(ValueFromJson((*j)["b"]).status().message(),
            "integer 99999999999999999999 is outside int64");
}

TEST(JsonCodecTest, ParseJsonTextRejectsDuplicateKeysAtAnyDepth) {
  EXPECT_EQ(ParseJsonText(R"({"p":{"k":1,"k":2}})").status().message(), R"(duplicate key "k")");
  // The same key in sibling objects is fine.
  EXPECT_OK(ParseJsonText(R"([{"k":1},{"k":2}])").status());
}

TEST(JsonCodecTest, ValueFromCliTextTypesLikeJsonElseString) {
  EXPECT_EQ(ValueFromCliText("3")->int_value(), 3);
  EXPECT_EQ(ValueFromCliText("3.0")->kind_case(), v1::Value::kDoubleValue);
  EXPECT_TRUE(ValueFromCliText("true")->bool_value());
  EXPECT_EQ(ValueFromCliText("Q3 plan")->string_value(), "Q3 plan");
  EXPECT_EQ(ValueFromCliText("007")->string_value(), "007");  // not JSON: a string
  EXPECT_EQ(ValueFromCliText("\"true\"")->string_value(), "true");
  EXPECT_EQ(ValueFromCliText("")->string_value(), "");
  EXPECT_TRUE(ValueFromCliText("2026-03-01T10:00:00Z")->has_timestamp_value());
  EXPECT_EQ(ValueFromCliText("[1,2]")->list_value().values_size(), 2);
  EXPECT_EQ(ValueFromCliText("null").status().message(), "null is not allowed");
  EXPECT_EQ(ValueFromCliText("{}").status().message(), "object is not allowed");
  EXPECT_EQ(ValueFromCliText("\xFF").status().message(), "invalid UTF-8 at byte 1");
}

TEST(JsonCodecTest, NodeToJsonHasTheDocumentedShape) {
  v1::Node node;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(id: "doc-1"
           labels: "Document"
           boundary: "team:eng"
           props {
             key: "created_at"
             value { timestamp_value { seconds: 1772359200 } }
           }
           props {
             key: "score"
             value { double_value: 2 }
           }
           props {
             key: "pages"
             value { int_value: 12 }
           }
           source { system: "wiki" uri: "wiki://1" authority: AUTHORITY_IMPORTED }
           provenance {
             version: 7
             commit_time { seconds: 1772359200 nanos: 5000000 }
             writer: "loader"
             content_hash: "ab12"
           })pb",
      &node));
  EXPECT_EQ(
      DumpJson(NodeToJson(node)),
      R"({"boundary":["team:eng"],"id":"doc-1","inherited":[],"inherited_boundary":[],"labels":["Document"],)"
      R"("props":{"created_at":"2026-03-01T10:00:00Z","pages":12,"score":2.0},)"
      R"("provenance":{"commit_time":"2026-03-01T10:00:00.005Z","content_hash":"ab12",)"
      R"("version":7,"writer":"loader"},)"
      R"("source":{"authority":"imported","system":"wiki","uri":"wiki://1"}})");
}

TEST(JsonCodecTest, PrincipalAndTokenShapes) {
  v1::Principal p;
  p.set_id("alice");
  p.add_roles(v1::ROLE_AGENT);
  p.add_roles(v1::ROLE_STEWARD);
  p.add_clearances("team:*");
  p.set_status(v1::PRINCIPAL_STATUS_SUSPENDED);
  p.set_version(4);
  EXPECT_EQ(DumpJson(PrincipalToJson(p)),
            R"({"clearances":["team:*"],"id":"alice","roles":["agent","steward"],)"
            R"("status":"suspended","version":4})");
  v1::TokenInfo t;
  t.set_token_id("tok-1");
  t.set_principal_id("alice");
  EXPECT_EQ(DumpJson(TokenInfoToJson(t)),
            R"({"created":"","expired":false,"expires":"","principal_id":"alice",)"
            R"("revoked":false,"token_id":"tok-1"})");
  t.mutable_expires()->set_seconds(1700000000);
  t.set_expired(true);
  EXPECT_EQ(DumpJson(TokenInfoToJson(t)),
            R"({"created":"","expired":true,"expires":"2023-11-14T22:13:20Z",)"
            R"("principal_id":"alice","revoked":false,"token_id":"tok-1"})");
}

TEST(JsonCodecTest, DumpJsonReplacesInvalidUtf8InsteadOfThrowing) {
  EXPECT_EQ(DumpJson(json("a\xFF"
                          "b")),
            "\"a\xEF\xBF\xBD"
            "b\"");
}

TEST(JsonCodecTest, EnumNames) {
  EXPECT_EQ(*ParseRole("loader"), v1::ROLE_LOADER);
  EXPECT_EQ(ParseRole("root").status().message(),
            R"(unknown role "root" (want agent, auditor, steward, loader or admin))");
  EXPECT_EQ(*ParseAuthority("inferred"), v1::AUTHORITY_INFERRED);
  EXPECT_EQ(AuthorityName(v1::AUTHORITY_UNSPECIFIED), "");
  EXPECT_EQ(DirectionName(v1::DIRECTION_UNSPECIFIED), "out");
}

}  // namespace
}  // namespace ctxgraph::client
