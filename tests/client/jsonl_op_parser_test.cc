#include "client/jsonl_op_parser.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

#include "client/jsonl_reader.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

// The fast path must agree with ParseImportLine on every line: same op, or
// the same error, on the heap and on an arena.
void ExpectSameAsSlowPath(const std::string& line) {
  SCOPED_TRACE(line);
  const absl::StatusOr<v1::WriteOp> slow = ParseImportLine(line);
  JsonlOpParser parser;
  google::protobuf::Arena arena;
  for (v1::WriteOp* op : {google::protobuf::Arena::CreateMessage<v1::WriteOp>(nullptr),
                          google::protobuf::Arena::CreateMessage<v1::WriteOp>(&arena)}) {
    const absl::Status fast = parser.Parse(line, op);
    EXPECT_EQ(fast, slow.status());
    if (slow.ok() && fast.ok()) {
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*op, *slow))
          << op->DebugString() << " vs " << slow->DebugString();
    }
    if (op->GetArena() == nullptr) delete op;
  }
}

TEST(JsonlOpParserTest, AgreesWithParseImportLine) {
  for (
      const char* line : {
          R"({"type":"node","id":"d1","labels":["Document"],"boundary":["team:eng"],"props":{"title":"Q3","n":12,"r":2.0,"f":false,"at":"2026-03-01T10:00:00Z","tags":["a",1,true,2.5]},"source":{"system":"wiki","uri":"w://1","authority":"imported"}})",
          R"({"props":{"x":1},"labels":["A","B"],"id":"late-type","type":"node"})",
          R"({"type":"node","id":"s","source":{}})",
          R"({"type":"edge","from":"a","label":"L","to":"b","props":{"w":0.5}})",
          R"({"to":"b","props":{"w":[1,2]},"label":"L","from":"a","type":"edge"})",
          R"({"type":"delete_node","id":"x"})",
          R"({"type":"delete_edge","from":"a","label":"L","to":"b"})",
          R"({"type":"boundary","name":"pii","description":"Personal data","propagate":true})",
          R"({"type":"boundary"})",
          R"({"type":"node","id":"big","props":{"n":9223372036854775807,"m":-9223372036854775808}})",
          // Errors, each worded by ParseImportLine.
          R"({"type":"node","id":"big","props":{"n":9223372036854775808}})",
          R"({"type":"node","id":"big","props":{"n":123456789012345678901234}})",
          R"({"type":"node","id":"x","props":{"n":1e999}})",
          R"({"type":"node","id":"x","id":"y"})",
          R"({"type":"node","id":"x","props":{"a":1,"a":2}})",
          R"({"type":"node","id":"x","props":{"a":null}})",
          R"({"type":"node","id":"x","props":{"a":{"b":1}}})",
          R"({"type":"node","id":"x","props":{"a":[[1]]}})",
          R"({"type":"node","id":"x","lables":["A"]})",
          R"({"type":"node","id":"x","labels":["A",""]})",
          R"({"type":"node","id":"x","labels":"A"})",
          R"({"type":"node","id":""})",
          R"({"type":"node","id":7})",
          R"({"type":"edge","from":"a","label":"L"})",
          R"({"type":"edge","from":"a","label":"L","to":"b","id":"x"})",
          R"({"type":"delete_node","id":"x","props":{}})",
          R"({"type":"node","id":"x","source":{"sytem":"a"}})",
          R"({"type":"node","id":"x","source":{"authority":"told"}})",
          R"({"type":"node","id":"x","source":{"uri":1}})",
          R"({"type":"nod","id":"x"})",
          R"({"id":"x"})",
          R"(["type","node"])",
          "{\"type\":\"node\",\"id\":\"\xc3\x28\"}",
          "{\"type\":\"node\",\"id\":\"x\"} trailing",
          "",
          // Corners where two JSON parsers could part ways.
          R"({"type":"node","\u0069d":"escaped-key","props":{"\u00e9":"\"q\" \\ \/ \b\f\n\r\t"}})",
          R"({"type":"node","id":"pair","props":{"s":"\ud83d\ude00","t":"\u00e9\u4e2d"}})",
          R"({"type":"node","id":"lone","props":{"s":"\ud800"}})",
          R"({"type":"node","id":"lone2","props":{"s":"\udc00x"}})",
          R"({"type":"node","id":"nul","props":{"s":"a\u0000b"}})",
          R"({"type":"node","id":"n","props":{"z":-0,"y":-0.0,"e":1E5,"u":1e-400,"m":-9223372036854775808}})",
          R"({"type":"node","id":"n","props":{"m":-9223372036854775809}})",
          R"({"type":"node","id":"long","props":{"t":0.53333333333333333333333333333333333333333333333333,"i":12345678901234567890e-5}})",
          R"({"type":"node","id":"n","props":{"a":01}})",
          R"({"type":"node","id":"n","props":{"a":1.}})",
          R"({"type":"node","id":"n","props":{"a":.5}})",
          R"({"type":"node","id":"n","props":{"a":+1}})",
          R"({"type":"node","id":"n","props":{"a":-}})",
          R"({"type":"node","id":"n","props":{"a":tru}})",
          R"({"type":"node","id":"n","props":{"a":truex}})",
          R"({"type":"node","id":"n","props":{"a":"x\q"}})",
          R"({"type":"node","id":"n"}})",
          R"({"type":"node","id":"n",})",
          R"({"type":"node","id":"n","labels":["A",]})",
          R"({"type":"node","id":"n")",
          R"(  {"type" : "node" , "id" : "spaced"}  )",
          R"({"type":"node","id":"sp","props":{"a" : -7  , "b" : 2.5 , "c" : [ 1 , 2e1 ] }})",
          "{\"type\":\"node\",\t\"id\":\"tab-outside\"}",
          "{\"type\":\"node\",\"id\":\"tab\tinside\"}",
          "{\"type\":\"node\",\"id\":\"x\"}\r",
          R"({"type":"node","id":"ts","props":{"a":"2026-13-01T10:00:00Z","b":"2026-03-01T10:00:00.5Z"}})",
      }) {
    ExpectSameAsSlowPath(line);
  }
  // Lines holding a NUL byte, which nlohmann takes for the end of the input.
  for (const std::string& line :
       {std::string(R"({"type":"node","id":"a"})") + std::string("\0\xFF", 2),
        std::string(R"({"type":"node","id":"a"})") + std::string("\0", 1),
        std::string(R"({"type":"node","id":"a)") + std::string("\0", 1) + "\"}"}) {
    ExpectSameAsSlowPath(line);
  }
}

}  // namespace
}  // namespace ctxgraph::client
