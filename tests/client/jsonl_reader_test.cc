#include "client/jsonl_reader.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "client/rfc3339.h"
#include "tests/test_macros.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;
using google::protobuf::util::MessageDifferencer;

v1::WriteOp TextOp(const char* text) {
  v1::WriteOp op;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &op)) << text;
  return op;
}

void ExpectOp(const std::string& line, const v1::WriteOp& expected) {
  absl::StatusOr<v1::WriteOp> op = ParseImportLine(line);
  ASSERT_OK(op.status());
  EXPECT_TRUE(MessageDifferencer::Equals(*op, expected)) << "got:\n"
                                                         << op->DebugString() << "want:\n"
                                                         << expected.DebugString();
}

void ExpectRejected(const std::string& line, const std::string& reason) {
  absl::StatusOr<v1::WriteOp> op = ParseImportLine(line);
  ASSERT_FALSE(op.ok()) << line;
  EXPECT_EQ(op.status().code(), absl::StatusCode::kInvalidArgument) << line;
  EXPECT_EQ(std::string(op.status().message()), reason) << line;
}

TEST(JsonlReaderTest, ParsesCanonicalNodeLine) {
  ExpectOp(
      R"({"type":"node","id":"doc-00000042","labels":["Document"],"boundary":["team:eng"],)"
      R"("props":{"title":"Q3 plan","created_at":"2026-03-01T10:00:00Z"},)"
      R"("source":{"system":"wiki","uri":"wiki://space/page/42","authority":"imported"}})",
      TextOp(
          R"pb(upsert_node {
                 id: "doc-00000042"
                 labels: "Document"
                 boundary: "team:eng"
                 props {
                   key: "title"
                   value { string_value: "Q3 plan" }
                 }
                 props {
                   key: "created_at"
                   value { timestamp_value { seconds: 1772359200 } }
                 }
                 source { system: "wiki" uri: "wiki://space/page/42" authority: AUTHORITY_IMPORTED }
               })pb"));
}

TEST(JsonlReaderTest, ParsesEdgeAndDeleteLines) {
  ExpectOp(
      R"({"type":"edge","from":"msg-00000007","to":"conv-00000002","label":"PART_OF","props":{}})",
      TextOp(R"pb(upsert_edge { from: "msg-00000007" label: "PART_OF" to: "conv-00000002" })pb"));
  ExpectOp(R"({"type":"edge","from":"a","to":"b","label":"L","props":{"w":0.5}})",
           TextOp(R"pb(upsert_edge {
                         from: "a"
                         label: "L"
                         to: "b"
                         props {
                           key: "w"
                           value { double_value: 0.5 }
                         }
                       })pb"));
  ExpectOp(R"({"type":"delete_node","id":"doc-1"})", TextOp(R"pb(delete_node: "doc-1")pb"));
  ExpectOp(R"({"type":"delete_edge","from":"a","label":"L","to":"b"})",
           TextOp(R"pb(delete_edge { from: "a" label: "L" to: "b" })pb"));
  ExpectOp(
      R"({"type":"boundary","name":"pii","description":"Personal data","propagate":true})",
      TextOp(R"pb(define_label { name: "pii" description: "Personal data" propagate: true })pb"));
  ExpectOp(R"({"type":"boundary","name":"team:eng"})",
           TextOp(R"pb(define_label { name: "team:eng" })pb"));
  // Minimal node, surrounding whitespace and a CR from a CRLF file.
  ExpectOp("  {\"type\":\"node\",\"id\":\"n\"}\r", TextOp(R"pb(upsert_node { id: "n" })pb"));
}

v1::Value PropOf(const std::string& json_value) {
  absl::StatusOr<v1::WriteOp> op =
      ParseImportLine(R"({"type":"node","id":"n","props":{"p":)" + json_value + "}}");
  EXPECT_TRUE(op.ok()) << json_value << ": " << op.status();
  if (!op.ok()) return v1::Value();
  return op->upsert_node().props().at("p");
}

TEST(JsonlReaderTest, TypesPropsIntDoubleTimestampString) {
  EXPECT_EQ(PropOf("2").int_value(), 2);
  EXPECT_EQ(PropOf("2").kind_case(), v1::Value::kIntValue);
  EXPECT_EQ(PropOf("-9223372036854775808").int_value(), INT64_MIN);
  EXPECT_EQ(PropOf("9223372036854775807").int_value(), INT64_MAX);
  EXPECT_EQ(PropOf("2.0").kind_case(), v1::Value::kDoubleValue);  // 2.0 stays a double
  EXPECT_EQ(PropOf("2.0").double_value(), 2.0);
  EXPECT_EQ(PropOf("1e3").kind_case(), v1::Value::kDoubleValue);
  EXPECT_EQ(PropOf("-0.25").double_value(), -0.25);
  EXPECT_EQ(PropOf("true").kind_case(), v1::Value::kBoolValue);
  EXPECT_FALSE(PropOf("false").bool_value());
  EXPECT_EQ(PropOf(R"("2026-03-01T10:00:00.25Z")").timestamp_value().nanos(), 250000000);
  // Almost-timestamps stay strings.
  EXPECT_EQ(PropOf(R"("2026-03-01T10:00:00")").string_value(), "2026-03-01T10:00:00");
  EXPECT_EQ(PropOf(R"("2026-02-30T10:00:00Z")").string_value(), "2026-02-30T10:00:00Z");
  EXPECT_EQ(PropOf(R"("2026-03-01T10:00:00+01:00")").string_value(), "2026-03-01T10:00:00+01:00");
  EXPECT_EQ(PropOf(R"("42")").string_value(), "42");  // a quoted number is a string

  const v1::Value list = PropOf(R"([1, 1.5, "x", true, "2026-03-01T10:00:00Z"])");
  ASSERT_EQ(list.list_value().values_size(), 5);
  EXPECT_EQ(list.list_value().values(0).kind_case(), v1::Value::kIntValue);
  EXPECT_EQ(list.list_value().values(1).kind_case(), v1::Value::kDoubleValue);
  EXPECT_EQ(list.list_value().values(2).kind_case(), v1::Value::kStringValue);
  EXPECT_EQ(list.list_value().values(3).kind_case(), v1::Value::kBoolValue);
  EXPECT_EQ(list.list_value().values(4).kind_case(), v1::Value::kTimestampValue);
  EXPECT_EQ(PropOf("[]").kind_case(), v1::Value::kListValue);
}

TEST(JsonlReaderTest, RejectsBadLinesWithExactReasons) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"node","id":"a",})",
       "invalid JSON: parse error at line 1, column 25: syntax error while parsing object key - "
       "unexpected '}'; expected string literal"},
      {R"({"type":"node","id":"a"} x)",
       "invalid JSON: parse error at line 1, column 26: syntax error while parsing value - "
       "invalid literal; last read: '\"a\"} x'; expected end of input"},
      {"",
       "invalid JSON: parse error at line 1, column 1: syntax error while parsing value - "
       "unexpected end of input; expected '[', '{', or a literal"},
      {R"({"type":"node","id":"a","id":"b"})", R"(duplicate key "id")"},
      {R"(["node"])", "line is not a JSON object"},
      {R"("node")", "line is not a JSON object"},
      {R"({"id":"a"})", R"(missing "type")"},
      {R"({"type":1,"id":"a"})", R"("type" must be a string)"},
      {R"({"type":"nodes","id":"a"})",
       R"(unknown type "nodes" (want node, edge, delete_node, delete_edge or boundary))"},
      {R"({"type":"node","id":"a","lables":["X"]})", R"(unknown key "lables" for type node)"},
      {R"({"type":"boundary","description":"d"})", R"(missing "name")"},
      {R"({"type":"boundary","name":""})", R"("name" is empty)"},
      {R"({"type":"boundary","name":"pii","propagate":"yes"})",
       R"("propagate" must be true or false)"},
      {R"({"type":"boundary","name":"pii","description":7})", R"("description" must be a string)"},
      {R"({"type":"boundary","name":"pii","boundary":["x"]})",
       R"(unknown key "boundary" for type boundary)"},
      {R"({"type":"edge","from":"a","label":"L","to":"b","boundary":[]})",
       R"(unknown key "boundary" for type edge)"},
      {R"({"type":"delete_node","id":"a","labels":[]})",
       R"(unknown key "labels" for type delete_node)"},
      {R"({"type":"delete_edge","from":"a","label":"L","to":"b","props":{}})",
       R"(unknown key "props" for type delete_edge)"},
      {R"({"type":"node"})", R"(missing "id")"},
      {R"({"type":"node","id":""})", R"("id" is empty)"},
      {R"({"type":"node","id":7})", R"("id" must be a string)"},
      {R"({"type":"node","id":null})", R"("id" must be a string)"},
      {R"({"type":"delete_node","id":""})", R"("id" is empty)"},
      {R"({"type":"node","id":"a","labels":"Document"})",
       R"("labels" must be an array of strings)"},
      {R"({"type":"node","id":"a","labels":["A",3]})", R"("labels[1]" must be a string)"},
      {R"({"type":"node","id":"a","boundary":["pii",""]})", R"("boundary[1]" is empty)"},
      {R"({"type":"node","id":"a","props":[]})", R"("props" must be an object)"},
      {R"({"type":"node","id":"a","props":"x"})", R"("props" must be an object)"},
      {R"({"type":"edge","from":"a","label":"L","to":"b","props":null})",
       R"("props" must be an object)"},
      {R"({"type":"node","id":"a","props":{"n":null}})", R"(prop "n": null is not allowed)"},
      {R"({"type":"node","id":"a","props":{"o":{"x":1}}})", R"(prop "o": object is not allowed)"},
      {R"({"type":"node","id":"a","props":{"l":[1,[2]]}})",
       R"(prop "l": element 1: nested list is not allowed)"},
      {R"({"type":"node","id":"a","props":{"l":[{}]}})",
       R"(prop "l": element 0: object is not allowed)"},
      {R"({"type":"node","id":"a","props":{"l":["x",null]}})",
       R"(prop "l": element 1: null is not allowed)"},
      {R"({"type":"node","id":"a","props":{"big":9223372036854775808}})",
       R"(prop "big": integer 9223372036854775808 is outside int64)"},
      {R"({"type":"node","id":"a","props":{"big":18446744073709551616}})",
       R"(prop "big": integer 18446744073709551616 is outside int64)"},
      {R"({"type":"node","id":"a","props":{"neg":-9223372036854775809}})",
       R"(prop "neg": integer -9223372036854775809 is outside int64)"},
      {R"({"type":"node","id":"a","props":{"huge":1e999}})",
       "invalid JSON: number overflow parsing '1e999'"},
      {R"({"type":"node","id":"a","source":"wiki"})", R"("source" must be an object)"},
      {R"({"type":"node","id":"a","source":{"sytem":"wiki"}})", R"(unknown key "source.sytem")"},
      {R"({"type":"node","id":"a","source":{"uri":5}})", R"("source.uri" must be a string)"},
      {R"({"type":"node","id":"a","source":{"authority":"guessed"}})",
       R"("source.authority" must be one of imported, asserted, inferred)"},
      {R"({"type":"edge","label":"L","to":"b"})", R"(missing "from")"},
      {R"({"type":"edge","from":"a","to":"b"})", R"(missing "label")"},
      {R"({"type":"edge","from":"a","label":"L"})", R"(missing "to")"},
      {R"({"type":"edge","from":"a","label":"","to":"b"})", R"("label" is empty)"},
      {R"({"type":"delete_edge","from":"a","label":"L","to":false})", R"("to" must be a string)"},
  };
  for (const auto& [line, reason] : cases) ExpectRejected(line, reason);
}

TEST(JsonlReaderTest, ValidatesUtf8) {
  // Valid multi-byte text (2, 3 and 4 byte sequences) is kept byte for byte.
  const std::string title = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  absl::StatusOr<v1::WriteOp> op =
      ParseImportLine(R"({"type":"node","id":"a","props":{"t":")" + title + "\"}}");
  ASSERT_OK(op.status());
  EXPECT_EQ(op->upsert_node().props().at("t").string_value(), title);
  // An escaped code point outside the BMP is decoded to UTF-8.
  op = ParseImportLine(R"({"type":"node","id":"\ud83d\ude00"})");
  ASSERT_OK(op.status());
  EXPECT_EQ(op->upsert_node().id(), "\xF0\x9F\x98\x80");

  const std::string prefix = R"({"type":"node","id":")";                       // 21 bytes
  ExpectRejected(prefix + "\xFF\"}", "invalid UTF-8 at byte 22");              // never valid
  ExpectRejected(prefix + "\xC0\xAF\"}", "invalid UTF-8 at byte 22");          // overlong '/'
  ExpectRejected(prefix + "\xE0\x80\xAF\"}", "invalid UTF-8 at byte 22");      // overlong, 3 bytes
  ExpectRejected(prefix + "\xED\xA0\x80\"}", "invalid UTF-8 at byte 22");      // surrogate U+D800
  ExpectRejected(prefix + "\xF4\x90\x80\x80\"}", "invalid UTF-8 at byte 22");  // > U+10FFFF
  ExpectRejected(prefix + "ab\xE2\x82\"}", "invalid UTF-8 at byte 24");        // truncated
  ExpectRejected(prefix + "\x80\"}", "invalid UTF-8 at byte 22");              // lone continuation
  // A NUL byte is never JSON, even after a whole object: the parser would
  // take it for the end of the input and ignore the rest (found by fuzz_jsonl).
  ExpectRejected(R"({"type":"node","id":"a"})" + std::string("\0\xFF", 2),
                 "invalid UTF-8 at byte 26");
  ExpectRejected(R"({"type":"node","id":"a"})" + std::string("\0junk", 5),
                 "invalid JSON: NUL byte at byte 25");
  ExpectRejected(R"({"type":"node","id":"a)" + std::string("\0", 1) + "\"}",
                 "invalid JSON: NUL byte at byte 23");
  // A lone escaped surrogate is refused by the JSON parser.
  ExpectRejected(
      R"({"type":"node","id":"\ud800"})",
      "invalid JSON: parse error at line 1, column 28: syntax error while parsing "
      "value - invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF; "
      "last read: '\"\\ud800\"'");
}

v1::Value Ts(int64_t seconds, int32_t nanos) {
  v1::Value v;
  v.mutable_timestamp_value()->set_seconds(seconds);
  v.mutable_timestamp_value()->set_nanos(nanos);
  return v;
}

TEST(JsonlReaderTest, FormatThenParseRoundTripsEveryOpAndValueKind) {
  v1::WriteOp node_op;
  v1::Node* node = node_op.mutable_upsert_node();
  node->set_id("person-\xC3\xA9lodie");
  node->add_labels("Person");
  node->add_labels("Employee");
  node->add_boundary("pii");
  node->add_boundary("team:eng");
  auto& props = *node->mutable_props();
  props["name"].set_string_value("\xC3\x89lodie \"El\" \\ Martin\n");
  props["age"].set_int_value(41);
  props["min"].set_int_value(INT64_MIN);
  props["max"].set_int_value(INT64_MAX);
  props["score"].set_double_value(2.0);
  props["ratio"].set_double_value(0.1);
  props["tiny"].set_double_value(5e-324);
  props["large"].set_double_value(1.7976931348623157e308);
  props["active"].set_bool_value(false);
  props["joined"] = Ts(1772359200, 0);
  props["seen"] = Ts(-1, 999999999);
  props["empty"].set_string_value("");
  auto* list = props["tags"].mutable_list_value();
  list->add_values()->set_string_value("a");
  list->add_values()->set_int_value(-3);
  list->add_values()->set_double_value(3.0);
  *list->add_values() = Ts(0, 1000);
  props["none"].mutable_list_value();
  node->mutable_source()->set_system("hr");
  node->mutable_source()->set_uri("hr://people/7");
  node->mutable_source()->set_authority(v1::AUTHORITY_ASSERTED);

  v1::WriteOp bare_node_op;
  bare_node_op.mutable_upsert_node()->set_id("n");

  v1::WriteOp edge_op;
  edge_op.mutable_upsert_edge()->set_from("a");
  edge_op.mutable_upsert_edge()->set_label("DERIVED_FROM");
  edge_op.mutable_upsert_edge()->set_to("b");
  (*edge_op.mutable_upsert_edge()->mutable_props())["confidence"].set_double_value(1.0);

  v1::WriteOp delete_node_op;
  delete_node_op.set_delete_node("a");
  v1::WriteOp delete_edge_op;
  delete_edge_op.mutable_delete_edge()->set_from("a");
  delete_edge_op.mutable_delete_edge()->set_label("L");
  delete_edge_op.mutable_delete_edge()->set_to("b");

  v1::WriteOp label_op;
  label_op.mutable_define_label()->set_name("personal:\xC3\xA9lodie");
  label_op.mutable_define_label()->set_description("Notes \"to self\"");
  label_op.mutable_define_label()->set_propagate(true);

  for (const v1::WriteOp& op :
       {node_op, bare_node_op, edge_op, delete_node_op, delete_edge_op, label_op}) {
    const std::string line = FormatImportLine(op);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    absl::StatusOr<v1::WriteOp> parsed = ParseImportLine(line);
    ASSERT_OK(parsed.status());
    EXPECT_TRUE(MessageDifferencer::Equals(*parsed, op)) << line << "\ngot:\n"
                                                         << parsed->DebugString() << "want:\n"
                                                         << op.DebugString();
  }
}

TEST(JsonlReaderTest, FormatsCanonicalLines) {
  EXPECT_EQ(FormatImportLine(TextOp(R"pb(upsert_edge { from: "m" label: "PART_OF" to: "c" })pb")),
            R"({"from":"m","label":"PART_OF","props":{},"to":"c","type":"edge"})");
  EXPECT_EQ(FormatImportLine(TextOp(R"pb(upsert_node {
                                           id: "d"
                                           labels: "Document"
                                           props {
                                             key: "v"
                                             value { double_value: 2 }
                                           }
                                           source { system: "wiki" }
                                         })pb")),
            R"({"boundary":[],"id":"d","labels":["Document"],"props":{"v":2.0},)"
            R"("source":{"system":"wiki","uri":""},"type":"node"})");
  EXPECT_EQ(FormatImportLine(TextOp(R"pb(define_label { name: "pii" description: "PII" })pb")),
            R"({"description":"PII","name":"pii","propagate":false,"type":"boundary"})");
}

}  // namespace
}  // namespace ctxgraph::client
