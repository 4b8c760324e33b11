#include "client/neo4j_csv.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

#include "client/import_source.h"
#include "client/jsonl_reader.h"
#include "tests/client/import_test_util.h"
#include "tests/test_macros.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;
using testing::TempDir;

// The ops of a CSV file as canonical JSONL lines, or "REJECT line: reason".
std::vector<std::string> Convert(const std::string& content, CsvFileKind kind) {
  TempDir dir;
  const std::string path = dir.Write("f.csv", content);
  absl::StatusOr<std::unique_ptr<RecordSource>> source = OpenCsvSource(path, kind);
  EXPECT_TRUE(source.ok()) << source.status();
  if (!source.ok()) return {std::string(source.status().message())};
  std::vector<std::string> out;
  while (true) {
    v1::WriteOp op;
    uint64_t line = 0;
    std::string reason;
    const RecordSource::Result result = (*source)->Next(&op, &line, &reason);
    if (result == RecordSource::Result::kEnd) break;
    out.push_back(result == RecordSource::Result::kOp
                      ? FormatImportLine(op)
                      : "REJECT " + std::to_string(line) + ": " + reason);
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST(Neo4jCsvTest, EveryTypedColumnForm) {
  const Lines lines = Convert(
      "id:ID,:LABEL,boundary:string[],i:int,l:long,f:float,d:double,b:boolean,s:string,"
      "t:datetime,u,is:int[],ds:double[],bs:boolean[],ss:string[],ts:datetime[],"
      "source_system,source_uri,source_authority\n"
      "doc-1,Document;Draft,team:eng;pii,-7,9000000000,1.5,2,TRUE,\"a, b\",2026-03-01T10:00:00Z,"
      "12,1;2,0.5;3,true;False,x;y,2026-03-01T10:00:00Z;2026-03-01T12:00:00+02:00,wiki,"
      "wiki://1,imported\n"
      "doc-2,Document,,,,,,,,,,,,,,,,,\n",
      CsvFileKind::kNodes);
  EXPECT_EQ(
      lines,
      (Lines{R"({"boundary":["team:eng","pii"],"id":"doc-1","labels":["Document","Draft"],)"
             R"("props":{"b":true,"bs":[true,false],"d":2.0,"ds":[0.5,3.0],"f":1.5,)"
             R"("i":-7,"is":[1,2],"l":9000000000,"s":"a, b","ss":["x","y"],)"
             R"("t":"2026-03-01T10:00:00Z","ts":["2026-03-01T10:00:00Z",)"
             R"("2026-03-01T10:00:00Z"],"u":"12"},"source":{"authority":"imported",)"
             R"("system":"wiki","uri":"wiki://1"},"type":"node"})",
             // Empty fields: absent props, no labels, no boundary, no source.
             R"({"boundary":[],"id":"doc-2","labels":["Document"],"props":{},"type":"node"})"}));
}

TEST(Neo4jCsvTest, RelationshipFiles) {
  EXPECT_EQ(Convert(":START_ID(Person),:END_ID(Doc),:TYPE,weight:double,skip:IGNORE\n"
                    "p1,d1,WROTE,0.25,zzz\n"
                    "p1,,WROTE,,\n"
                    "p1,d1,,,\n",
                    CsvFileKind::kRelationships),
            (Lines{R"({"from":"Person:p1","label":"WROTE","props":{"weight":0.25},"to":"Doc:d1",)"
                   R"("type":"edge"})",
                   "REJECT 3: column 2 (\":END_ID(Doc)\"): missing id",
                   "REJECT 4: column 3 (\":TYPE\"): missing type"}));
}

TEST(Neo4jCsvTest, BadValuesNameTheColumn) {
  EXPECT_EQ(
      Convert(":ID,b:boolean,f:float,t:datetime,is:int[],source_authority\n"
              "a,yes,,,,\n"
              "b,,1.2.3,,,\n"
              "c,,,yesterday,,\n"
              "d,,,,1;x,\n"
              "e,,,,,told\n"
              "f,,,,9223372036854775808,\n"
              "g,,nan,,,\n"
              "h,,-inf,,,\n"
              "i,,1e999,,,\n"
              "j,,0x10,,,\n",
              CsvFileKind::kNodes),
      (Lines{"REJECT 2: column 2 (\"b:boolean\"): \"yes\" is not a boolean (want true or false)",
             "REJECT 3: column 3 (\"f:float\"): \"1.2.3\" is not a float",
             "REJECT 4: column 4 (\"t:datetime\"): \"yesterday\" is not an RFC 3339 datetime",
             "REJECT 5: column 5 (\"is:int[]\"): element 1: \"x\" is not an int",
             "REJECT 6: column 6 (\"source_authority\"): \"told\" is not one of imported, "
             "asserted, inferred",
             "REJECT 7: column 5 (\"is:int[]\"): element 0: \"9223372036854775808\" is not "
             "an int",
             // JSON holds no NaN or infinity, and takes no hex.
             "REJECT 8: column 3 (\"f:float\"): \"nan\" is not a float",
             "REJECT 9: column 3 (\"f:float\"): \"-inf\" is not a float",
             "REJECT 10: column 3 (\"f:float\"): \"1e999\" is not a float",
             "REJECT 11: column 3 (\"f:float\"): \"0x10\" is not a float"}));
}

// A reason is one line of the rejects file and the terminal: a value cannot
// forge another line or send terminal escapes.
TEST(Neo4jCsvTest, AValueInAReasonIsEscaped) {
  EXPECT_EQ(Convert("id:ID,age:int\n"
                    "a,\"12\nfake.csv:99: injected\"\n"
                    "b,\"\x1b[31mr\\\"\"q\"\n",
                    CsvFileKind::kNodes),
            (Lines{R"(REJECT 2: column 2 ("age:int"): "12\x0afake.csv:99: injected" is not an int)",
                   R"(REJECT 4: column 2 ("age:int"): "\x1b[31mr\\\"q" is not an int)"}));
  // The header too, and C1 controls (U+009B is a CSI to some terminals).
  EXPECT_EQ(Convert("id:ID,\"n\x1b[0m\nx:int\"\na,\xc2\x9b"
                    "1\n",
                    CsvFileKind::kNodes),
            (Lines{R"(REJECT 3: column 2 ("n\x1b[0m\x0ax:int"): "\u009b1" is not an int)"}));
}

// Excel and others start a UTF-8 CSV file with a byte order mark.
TEST(Neo4jCsvTest, AByteOrderMarkIsNotPartOfTheHeader) {
  const Lines want = {
      R"({"boundary":[],"id":"x","labels":["P"],"props":{"name":"A"},"type":"node"})"};
  EXPECT_EQ(Convert("\xEF\xBB\xBFname,id:ID,:LABEL\nA,x,P\n", CsvFileKind::kNodes), want);
  EXPECT_EQ(Convert("\xEF\xBB\xBF\"name\",id:ID,:LABEL\nA,x,P\n", CsvFileKind::kNodes), want);
}

// Neo4j keeps ids of two ID spaces apart: Keanu and The Matrix are both 1.
TEST(Neo4jCsvTest, IdSpacesKeepTheirIdsApart) {
  EXPECT_EQ(Convert("personId:ID(Person),name,:LABEL\n1,Keanu,Person\n", CsvFileKind::kNodes),
            (Lines{R"({"boundary":[],"id":"Person:1","labels":["Person"],)"
                   R"("props":{"name":"Keanu"},"type":"node"})"}));
  EXPECT_EQ(Convert("movieId:ID(Movie),title,:LABEL\n1,The Matrix,Movie\n", CsvFileKind::kNodes),
            (Lines{R"({"boundary":[],"id":"Movie:1","labels":["Movie"],)"
                   R"("props":{"title":"The Matrix"},"type":"node"})"}));
  EXPECT_EQ(Convert(":START_ID(Person),:END_ID(Movie),:TYPE\n1,1,ACTED_IN\n",
                    CsvFileKind::kRelationships),
            (Lines{R"({"from":"Person:1","label":"ACTED_IN","props":{},"to":"Movie:1",)"
                   R"("type":"edge"})"}));
  // Without a space, an id is as written.
  EXPECT_EQ(Convert(":START_ID,:END_ID,:TYPE\n1,1,ACTED_IN\n", CsvFileKind::kRelationships),
            (Lines{R"({"from":"1","label":"ACTED_IN","props":{},"to":"1","type":"edge"})"}));
}

TEST(Neo4jCsvTest, HeaderErrorsNameFileLineAndColumn) {
  TempDir dir;
  auto header_error = [&](const std::string& header, CsvFileKind kind) {
    const std::string path = dir.Write("h.csv", header + "\n");
    return std::string(ReadCsvHeader(path, kind).status().message()).substr(path.size());
  };
  EXPECT_EQ(header_error("id:ID,age:integer", CsvFileKind::kNodes),
            ":1:7: column \"age:integer\": unknown type \"integer\" (want int, long, short, byte, "
            "float, double, boolean, string or datetime, optionally with [])");
  EXPECT_EQ(header_error("name,:LABEL", CsvFileKind::kNodes), ":1:1: no :ID column");
  EXPECT_EQ(header_error(":START_ID,:END_ID", CsvFileKind::kRelationships),
            ":1:1: no :TYPE column");
  EXPECT_EQ(header_error(":ID,x:int,x", CsvFileKind::kNodes),
            ":1:11: column \"x\": duplicate prop \"x\"");
  EXPECT_EQ(header_error(":ID,:START_ID", CsvFileKind::kNodes),
            ":1:5: column \":START_ID\": :START_ID is not allowed in a node file");
  EXPECT_EQ(header_error(":ID,boundary", CsvFileKind::kNodes),
            ":1:5: column \"boundary\": the boundary column must be boundary:string[]");
  EXPECT_EQ(header_error("", CsvFileKind::kNodes), ":1:1: no header row");
}

}  // namespace
}  // namespace ctxgraph::client
