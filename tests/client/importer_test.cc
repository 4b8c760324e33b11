#include "client/importer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/connection.h"
#include "client/import_source.h"
#include "client/op_limits.h"
#include "tests/client/import_test_util.h"
#include "tests/test_macros.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;
using testing::FakeImportService;
using testing::ReadAll;
using testing::TempDir;
using Ids = std::vector<std::string>;

std::string Node(const std::string& id) {
  return absl::StrCat(R"({"type":"node","id":")", id, R"(","labels":["Document"]})");
}
std::string LabeledNode(const std::string& id, const std::string& label) {
  return absl::StrCat(R"({"type":"node","id":")", id, R"(","labels":["Document"],"boundary":[")",
                      label, R"("]})");
}
std::string Boundary(const std::string& name) {
  return absl::StrCat(R"({"type":"boundary","name":")", name,
                      R"(","description":"test","propagate":false})");
}
std::string Edge(const std::string& from, const std::string& to) {
  return absl::StrCat(R"({"type":"edge","from":")", from, R"(","label":"REFERENCES","to":")", to,
                      R"("})");
}

// Ids of the ops in `request`: "a" nodes, "a->b" edges, "-x" deletes.
Ids OpIds(const v1::ImportRequest& request) {
  Ids ids;
  for (const v1::WriteOp& op : request.ops()) {
    if (op.has_upsert_node()) ids.push_back(op.upsert_node().id());
    if (op.has_upsert_edge()) ids.push_back(op.upsert_edge().from() + "->" + op.upsert_edge().to());
    if (op.has_delete_node()) ids.push_back("-" + op.delete_node());
    if (op.has_define_label()) ids.push_back("label:" + op.define_label().name());
    if (op.has_delete_edge()) {
      ids.push_back("-" + op.delete_edge().from() + "->" + op.delete_edge().to());
    }
  }
  return ids;
}

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    conn_ = std::make_unique<ServerConnection>(absl::StrCat("127.0.0.1:", port), "tok",
                                               absl::Seconds(10));
  }
  void TearDown() override { server_->Shutdown(); }

  // Imports `plan` through the fake server; rejects go to rejects_file_.
  absl::Status Run(const ImportPlan& plan, int batch_size = 2000, bool strict = false,
                   bool bulk = false, size_t batch_bytes = ImportOptions().batch_bytes) {
    v1::ImportOptions options;
    options.set_description("import t");
    options.set_strict(strict);
    options.set_bulk(bulk);
    std::unique_ptr<ImportSink> sink =
        NewGrpcImportSink(conn_->graph(), conn_->NewStreamContext(), options);
    std::ofstream rejects_file(dir_.Path("rejects"), std::ios::binary | std::ios::trunc);
    RejectLog rejects(diagnostics_, &rejects_file);
    Importer importer(*sink, ImportOptions{batch_size, strict, batch_bytes, bulk}, rejects,
                      nullptr);
    absl::Status status = importer.Run(plan, &summary_);
    rejects.Finish();
    EXPECT_TRUE(service_.WaitDone());
    return status;
  }
  std::string Rejects() { return ReadAll(dir_.Path("rejects")); }

  FakeImportService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ServerConnection> conn_;
  TempDir dir_;
  std::ostringstream diagnostics_;
  ImportSummary summary_;
};

TEST_F(ImporterTest, StreamsEveryNodeOpBeforeAnyEdgeOp) {
  const std::string file =
      dir_.Write("g.jsonl", Edge("a", "b") + "\n" + Node("a") + "\n\n" + Node("b") + "\n" +
                                R"({"type":"delete_edge","from":"x","label":"L","to":"y"})" + "\n" +
                                R"({"type":"delete_node","id":"z"})" + "\n" + Node("c") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}, /*batch_size=*/2));
  const std::vector<v1::ImportRequest> requests = service_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(OpIds(requests[0]), (Ids{"a", "b"}));
  EXPECT_EQ(OpIds(requests[1]), (Ids{"-z", "c"}));
  EXPECT_EQ(OpIds(requests[2]), (Ids{"a->b", "-x->y"}));  // edges in a request of their own
  EXPECT_EQ(requests[0].options().description(), "import t");
  EXPECT_FALSE(requests[1].has_options());
  EXPECT_EQ(diagnostics_.str(), "");
  EXPECT_EQ(summary_.lines_read, 7u);
  EXPECT_EQ(summary_.node_ops, 4u);
  EXPECT_EQ(summary_.edge_ops, 2u);
  EXPECT_EQ(summary_.rejected, 0u);
  EXPECT_EQ(summary_.last_version, 7u);
}

TEST_F(ImporterTest, NodeCsvFilesGoBeforeRelationshipFilesAndJsonlEdges) {
  const std::string jsonl = dir_.Write("g.jsonl", Edge("a", "p") + "\n" + Node("a") + "\n");
  const std::string nodes = dir_.Write("n.csv", "id:ID,:LABEL\np,Person\n");
  const std::string rels = dir_.Write("r.csv", ":START_ID,:END_ID,:TYPE\np,a,KNOWS\n");
  ASSERT_OK(Run(ImportPlan{{jsonl}, {nodes}, {rels}}));
  const std::vector<v1::ImportRequest> requests = service_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(OpIds(requests[0]), (Ids{"a", "p"}));
  EXPECT_EQ(OpIds(requests[1]), (Ids{"a->p", "p->a"}));
  EXPECT_EQ(summary_.lines_read, 4u);  // 2 JSONL lines + 2 CSV records
}

TEST_F(ImporterTest, ServerRejectIndexMapsBackToFileAndLine) {
  const std::string file = dir_.Write(
      "g.jsonl", Node("a") + "\n" + Edge("a", "ghost") + "\n" + Node("secret-1") + "\n" +
                     Node("b") + "\n" + Edge("a", "b") + "\n" + Edge("nobody", "b") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}, /*batch_size=*/2));
  EXPECT_EQ(Rejects(), file + ":3: ops[1].upsert_node: not cleared for boundary \"pii\"\n" + file +
                           ":2: ops[0].upsert_edge.to: node \"ghost\" not found\n" + file +
                           ":6: ops[0].upsert_edge.from: node \"nobody\" not found\n");
  EXPECT_EQ(summary_.rejected, 3u);
  EXPECT_EQ(summary_.node_ops, 2u);
  EXPECT_EQ(summary_.edge_ops, 1u);
  EXPECT_EQ(diagnostics_.str(),
            file + ": line 3: ops[1].upsert_node: not cleared for boundary \"pii\"\n" + file +
                ": line 2: ops[0].upsert_edge.to: node \"ghost\" not found\n" + file +
                ": line 6: ops[0].upsert_edge.from: node \"nobody\" not found\n");
}

// Records of 3,000 bytes with a 10,000-byte budget: four to a request
// (about 3,180 bytes each by ApproxOpBytes, which bounds their real size).
TEST_F(ImporterTest, RequestsAreCutByBytesToo) {
  std::string text;
  const std::string body(3000, 'b');
  for (int i = 0; i < 10; ++i) {
    absl::StrAppend(&text, R"({"type":"node","id":"n)", i,
                    R"(","labels":["Document"],"props":{"body":")", body, "\"}}\n");
  }
  ASSERT_OK(Run(ImportPlan{{dir_.Write("big.jsonl", text)}, {}, {}}, 2000, false, false, 10000));
  const std::vector<v1::ImportRequest> requests = service_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(OpIds(requests[0]), (Ids{"n0", "n1", "n2", "n3"}));
  EXPECT_EQ(OpIds(requests[1]), (Ids{"n4", "n5", "n6", "n7"}));
  EXPECT_EQ(OpIds(requests[2]), (Ids{"n8", "n9"}));
  for (const v1::ImportRequest& request : requests) {
    for (const v1::WriteOp& op : request.ops()) {
      EXPECT_LE(op.ByteSizeLong(), ApproxOpBytes(op));
      EXPECT_GE(op.ByteSizeLong() + 200, ApproxOpBytes(op));
    }
  }
  EXPECT_EQ(summary_.node_ops, 10u);
}

// Values under the 1 MiB limit that add up to more than a record may take
// (it would make the request larger than the server takes): that record
// alone is refused, the rest loads.
TEST_F(ImporterTest, ARecordOverTheRecordLimitIsRejectedAlone) {
  std::string props;
  const std::string value(kMaxStringValueBytes, 'v');
  for (int i = 0; i < 17; ++i) {
    absl::StrAppend(&props, i == 0 ? "" : ",", "\"p", i, "\":\"", value, "\"");
  }
  const std::string file =
      dir_.Write("fat.jsonl", Node("a") + "\n" + R"({"type":"node","id":"fat","props":{)" + props +
                                  "}}\n" + Node("b") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}));
  EXPECT_EQ(Rejects(), absl::StrCat(file,
                                    ":2: oversized record: about 17826748 bytes exceeds "
                                    "the limit of 16777216\n"));
  EXPECT_EQ(summary_.node_ops, 2u);
  EXPECT_EQ(summary_.rejected, 1u);
}

TEST_F(ImporterTest, EveryRejectReasonOfABadJsonlFile) {
  const std::string big(kMaxStringValueBytes + 1, 'x');
  const std::string file = dir_.Write(
      "bad.jsonl",
      Node("ok") + "\n" +                                                      // 1
          "{\"type\":\"node\",\"id\":\"x\",\n" +                               // 2 bad JSON
          R"({"type":"node","labels":["Document"]})" + "\n" +                  // 3 missing id
          R"({"type":"nod","id":"y"})" + "\n" +                                // 4 unknown type
          "{\"type\":\"node\",\"id\":\"\xff\"}\n" +                            // 5 invalid UTF-8
          R"({"type":"node","id":"big","props":{"body":")" + big + "\"}}\n" +  // 6 oversized
          Node("secret-2") + "\n" +                                            // 7 permission
          Edge("ok", "ghost") + "\n" +                                         // 8 dangling
          Edge("ok", "ok") + "\n");                                            // 9 fine
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}));
  EXPECT_EQ(
      Rejects(),
      file +
          ":2: invalid JSON: parse error at line 1, column 25: syntax error while parsing "
          "object key - unexpected end of input; expected string literal\n" +
          file + ":3: missing \"id\"\n" + file +
          ":4: unknown type \"nod\" (want node, edge, delete_node, delete_edge or boundary)\n" +
          file + ":5: invalid UTF-8 at byte 22\n" + file +
          ":6: prop \"body\": oversized value: string of 1048577 bytes exceeds the limit of "
          "1048576\n" +
          file + ":7: ops[1].upsert_node: not cleared for boundary \"pii\"\n" + file +
          ":8: ops[0].upsert_edge.to: node \"ghost\" not found\n");
  EXPECT_EQ(summary_.rejected, 7u);
  EXPECT_EQ(summary_.lines_read, 9u);
}

TEST_F(ImporterTest, EveryRejectReasonOfABadCsvFile) {
  const std::string big(kMaxStringValueBytes + 1, 'x');
  const std::string nodes =
      dir_.Write("nodes.csv",
                 "id:ID,:LABEL,pages:int,note\n"  // 1
                 "ok,Document,3,fine\n"           // 2
                 "a,Document,\"3\"x,n\n"          // 3 bad quoting
                 "b,Document,3\n"                 // 4 field count
                 "c,Document,three,n\n"           // 5 bad int
                 "d,Document,3,\xc3\x28\n"        // 6 invalid UTF-8
                 ",Document,3,n\n"                // 7 missing id
                 "e,Document,3," +
                     big + "\n" +                             // 8 oversized
                     "secret-3,Document,1,\"multi\nline\"\n"  // 9-10 permission (server)
                     "f,Document,1,\"never closed\n");        // 11 unterminated
  const std::string rels = dir_.Write("rels.csv",
                                      ":START_ID,:END_ID,:TYPE\n"
                                      "ok,ghost,REFERENCES\n"
                                      "ok,ok,REFERENCES\n");
  ASSERT_OK(Run(ImportPlan{{}, {nodes}, {rels}}));
  EXPECT_EQ(Rejects(),
            nodes +
                ":3: column 15: unexpected character 'x' after a closing quote (want ',' or "
                "end of line)\n" +
                nodes + ":4: record has 3 fields, the header has 4\n" + nodes +
                ":5: column 3 (\"pages:int\"): \"three\" is not an int\n" + nodes +
                ":6: column 4 (\"note\"): invalid UTF-8 at byte 1\n" + nodes +
                ":7: column 1 (\"id:ID\"): missing id\n" + nodes +
                ":8: prop \"note\": oversized value: string of 1048577 bytes exceeds the "
                "limit of 1048576\n" +
                nodes +
                ":11: column 14: quoted field opened at line 11, column 14 is not closed "
                "before the end of the file\n" +
                nodes + ":9: ops[1].upsert_node: not cleared for boundary \"pii\"\n" + rels +
                ":2: ops[0].upsert_edge.to: node \"ghost\" not found\n");
  EXPECT_EQ(summary_.lines_read, 11u);
  EXPECT_EQ(summary_.node_ops, 1u);
  EXPECT_EQ(summary_.edge_ops, 1u);
}

TEST_F(ImporterTest, StrictStopsAtTheFirstLocalRejectAndCancels) {
  const std::string file =
      dir_.Write("g.jsonl", Node("a") + "\n" + Node("b") + "\n" + Node("c") + "\n" + "oops\n" +
                                Node("d") + "\n" + Edge("a", "b") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}, /*batch_size=*/2, /*strict=*/true, /*bulk=*/true));
  EXPECT_TRUE(summary_.aborted);
  EXPECT_EQ(summary_.rejected, 1u);
  EXPECT_TRUE(service_.cancelled());
  // Only the full batch before the bad line left the client; "c" was pending.
  for (const v1::ImportRequest& request : service_.requests()) {
    for (const std::string& id : OpIds(request)) EXPECT_TRUE(id == "a" || id == "b") << id;
  }
  EXPECT_TRUE(absl::StartsWith(Rejects(), file + ":4: invalid JSON")) << Rejects();
}

// Without --bulk every request sent is a commit of its own: the call is
// closed, not cancelled, and the summary says what the server wrote.
TEST_F(ImporterTest, StrictLocalRejectWithoutBulkReportsWhatWasCommitted) {
  const std::string file = dir_.Write("g.jsonl", Node("a") + "\n" + Node("b") + "\n" + Node("c") +
                                                     "\n" + "oops\n" + Node("d") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}, /*batch_size=*/2, /*strict=*/true));
  EXPECT_TRUE(summary_.aborted);
  EXPECT_FALSE(service_.cancelled());
  std::vector<std::string> sent;
  for (const v1::ImportRequest& request : service_.requests()) {
    for (const std::string& id : OpIds(request)) sent.push_back(id);
  }
  EXPECT_EQ(sent, (Ids{"a", "b"}));  // "c" shared the rejected record's batch
  EXPECT_EQ(summary_.node_ops, 2u);
  EXPECT_EQ(summary_.nodes_written, 2u);
  EXPECT_EQ(summary_.rejected, 1u);
  EXPECT_TRUE(absl::StartsWith(Rejects(), file + ":4: invalid JSON")) << Rejects();
}

// The server stopped at line 2 while the client read on to a bad line 6:
// the import ended at line 2, which is the reject reported.
TEST_F(ImporterTest, StrictReportsTheServersEarlierRejectNotALaterLocalOne) {
  const std::string file =
      dir_.Write("g.jsonl", Node("a") + "\n" + Node("secret-2") + "\n" + Node("c") + "\n" +
                                Node("d") + "\n" + Node("e") + "\n" + "oops\n" + Node("f") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}, /*batch_size=*/1, /*strict=*/true));
  EXPECT_TRUE(summary_.aborted);
  EXPECT_EQ(summary_.rejected, 1u);
  EXPECT_EQ(summary_.node_ops, 1u);
  EXPECT_EQ(Rejects(), file + ":2: ops[0].upsert_node: not cleared for boundary \"pii\"\n");
}

TEST_F(ImporterTest, StrictStopsAtTheFirstServerReject) {
  const std::string file =
      dir_.Write("g.jsonl", Node("a") + "\n" + Node("secret-9") + "\n" + Node("c") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}, /*batch_size=*/1, /*strict=*/true));
  EXPECT_TRUE(summary_.aborted);
  EXPECT_EQ(summary_.rejected, 1u);
  EXPECT_EQ(summary_.node_ops, 1u);
  EXPECT_EQ(Rejects(), file + ":2: ops[0].upsert_node: not cleared for boundary \"pii\"\n");
}

// The server lists its first rejects only: the rest are counted, taken from
// the last ops accepted, and said to be missing from the rejects file.
TEST_F(ImporterTest, RejectsTheServerDidNotListAreCounted) {
  service_.max_listed_rejects = 2;
  const std::string file =
      dir_.Write("g.jsonl", Node("a") + "\n" + Edge("a", "x1") + "\n" + Edge("a", "x2") + "\n" +
                                Edge("a", "x3") + "\n" + Edge("a", "a") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}));
  EXPECT_EQ(summary_.rejected, 3u);
  EXPECT_EQ(summary_.rejects_unlisted, 1u);
  EXPECT_EQ(summary_.node_ops, 1u);
  EXPECT_EQ(summary_.edge_ops, 1u);
  EXPECT_EQ(Rejects(), file + ":2: ops[0].upsert_edge.to: node \"x1\" not found\n" + file +
                           ":3: ops[1].upsert_edge.to: node \"x2\" not found\n");
}

TEST_F(ImporterTest, OnlyTheFirstTenRejectsArePrinted) {
  std::string content;
  for (int i = 0; i < 13; ++i) content += "x\n";
  const std::string file = dir_.Write("g.jsonl", content);
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}));
  EXPECT_EQ(summary_.rejected, 13u);
  const std::string out = diagnostics_.str();
  EXPECT_NE(out.find(file + ": line 10: "), std::string::npos);
  EXPECT_EQ(out.find(file + ": line 11: "), std::string::npos);
  EXPECT_TRUE(absl::EndsWith(out, "... and 3 more\n")) << out;
  const std::string rejects = Rejects();
  EXPECT_EQ(std::count(rejects.begin(), rejects.end(), '\n'), 13);
}

TEST_F(ImporterTest, BoundaryLinesGoInFileOrderAndUndefinedLabelsAreRejected) {
  const std::string file =
      dir_.Write("g.jsonl", LabeledNode("early", "pii") + "\n" + Boundary("pii") + "\n" +
                                LabeledNode("a", "pii") + "\n" + Boundary("denied:x") + "\n" +
                                LabeledNode("b", "denied:x") + "\n" + Edge("a", "early") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}));
  const std::vector<v1::ImportRequest> requests = service_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(OpIds(requests[0]), (Ids{"early", "label:pii", "a", "label:denied:x", "b"}));
  EXPECT_EQ(Rejects(),
            file + ":1: ops[0].upsert_node.boundary: undefined boundary label \"pii\"\n" + file +
                ":4: ops[3].define_label: defining a label requires the steward or admin role\n" +
                file + ":5: ops[4].upsert_node.boundary: undefined boundary label \"denied:x\"\n" +
                file + ":6: ops[0].upsert_edge.to: node \"early\" not found\n");
  EXPECT_EQ(summary_.rejected, 4u);
  EXPECT_EQ(summary_.labels_defined, 1u);
}

TEST_F(ImporterTest, StrictStopsAtAnUndefinedLabel) {
  const std::string file = dir_.Write(
      "g.jsonl", Node("a") + "\n" + LabeledNode("b", "team:x") + "\n" + Node("c") + "\n");
  ASSERT_OK(Run(ImportPlan{{file}, {}, {}}, /*batch_size=*/1, /*strict=*/true));
  EXPECT_TRUE(summary_.aborted);
  EXPECT_EQ(summary_.rejected, 1u);
  EXPECT_EQ(summary_.node_ops, 1u);
  EXPECT_EQ(Rejects(),
            file + ":2: ops[0].upsert_node.boundary: undefined boundary label \"team:x\"\n");
}

TEST_F(ImporterTest, LabelFilesGoFirstEvenBeforeCsvAndHoldOnlyBoundaryLines) {
  const std::string labels =
      dir_.Write("labels.jsonl", Boundary("pii") + "\n" + Node("stray") + "\n");
  const std::string nodes = dir_.Write("n.csv", "id:ID,:LABEL,boundary:string[]\np,Person,pii\n");
  ImportPlan plan{{}, {nodes}, {}, {labels}};
  ASSERT_OK(Run(plan));
  const std::vector<v1::ImportRequest> requests = service_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(OpIds(requests[0]), (Ids{"label:pii", "p"}));
  EXPECT_EQ(Rejects(), labels + ":2: only \"boundary\" lines belong in a --labels file\n");
  EXPECT_EQ(summary_.lines_read, 3u);
}

TEST(ResolveImportPlanTest, LabelFilesJoinEitherFormOrStandAlone) {
  ASSERT_OK_AND_ASSIGN(ImportPlan csv, ResolveImportPlan({}, {"n.csv"}, {}, "auto", {"l.jsonl"}));
  EXPECT_EQ(csv.node_csv_files, (std::vector<std::string>{"n.csv"}));
  EXPECT_EQ(csv.label_files, (std::vector<std::string>{"l.jsonl"}));
  ASSERT_OK_AND_ASSIGN(ImportPlan alone, ResolveImportPlan({}, {}, {}, "auto", {"l.jsonl"}));
  EXPECT_TRUE(alone.jsonl_files.empty());
  EXPECT_EQ(alone.label_files, (std::vector<std::string>{"l.jsonl"}));
}

// A JSONL file is read twice: one rewritten between the passes is an
// error, not a silent loss of edges.
TEST(JsonlSourceTest, AFileChangedBetweenThePassesIsDataLoss) {
  TempDir dir;
  const std::string path = dir.Write("g.jsonl", Node("a") + "\n" + Edge("a", "b") + "\n");
  EdgeLineSet edges;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordSource> nodes,
                       OpenJsonlSource(path, JsonlPass::kNodes, &edges));
  v1::WriteOp op;
  uint64_t line = 0;
  std::string reason;
  ASSERT_EQ(nodes->Next(&op, &line, &reason), RecordSource::Result::kOp);
  ASSERT_EQ(nodes->Next(&op, &line, &reason), RecordSource::Result::kEnd);
  ASSERT_TRUE(edges.Contains(2));

  dir.Write("g.jsonl", Node("a") + "\n" + Node("b") + "\n");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordSource> rest,
                       OpenJsonlSource(path, JsonlPass::kEdges, &edges));
  EXPECT_EQ(rest->Next(&op, &line, &reason), RecordSource::Result::kEnd);
  EXPECT_EQ(rest->status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(rest->status().message(),
            absl::StrCat("\"", path,
                         "\": line 2 changed between the node pass and the edge pass; import a "
                         "file nothing writes to"));
}

TEST_F(ImporterTest, GzipInputEqualsPlainInput) {
  std::string content;
  for (int i = 0; i < 5000; ++i) {
    content += Node(absl::StrCat("n", i)) + "\n";
    if (i > 0) content += Edge(absl::StrCat("n", i - 1), absl::StrCat("n", i)) + "\n";
  }
  const std::string plain = dir_.Write("g.jsonl", content);
  ASSERT_OK(Run(ImportPlan{{plain}, {}, {}}, /*batch_size=*/700));
  const std::vector<v1::ImportRequest> plain_requests = service_.requests();
  const ImportSummary plain_summary = summary_;

  const std::string gz = testing::WriteGzip(dir_.Path("g.jsonl.gz"), content);
  ASSERT_OK(Run(ImportPlan{{gz}, {}, {}}, /*batch_size=*/700));
  const std::vector<v1::ImportRequest> gz_requests = service_.requests();
  ASSERT_EQ(gz_requests.size(), plain_requests.size());
  for (size_t i = 0; i < gz_requests.size(); ++i) {
    EXPECT_EQ(gz_requests[i].SerializeAsString(), plain_requests[i].SerializeAsString()) << i;
  }
  EXPECT_EQ(summary_.lines_read, plain_summary.lines_read);
  EXPECT_EQ(summary_.edge_ops, 4999u);
}

TEST(ResolveImportPlanTest, FormatsAndMisuse) {
  ASSERT_OK_AND_ASSIGN(ImportPlan jsonl, ResolveImportPlan({"a.jsonl.gz", "b"}, {}, {}, "auto"));
  EXPECT_EQ(jsonl.jsonl_files, (Ids{"a.jsonl.gz", "b"}));
  ASSERT_OK_AND_ASSIGN(ImportPlan csv, ResolveImportPlan({}, {"n.csv"}, {"r.csv.gz"}, "auto"));
  EXPECT_EQ(csv.node_csv_files, (Ids{"n.csv"}));
  EXPECT_EQ(csv.relationship_csv_files, (Ids{"r.csv.gz"}));
  EXPECT_EQ(ResolveImportPlan({"x.csv.gz"}, {}, {}, "auto").status().message(),
            "\"x.csv.gz\": a CSV import takes --nodes FILE and --relationships FILE");
  EXPECT_EQ(ResolveImportPlan({}, {}, {}, "auto").status().message(),
            "no input: give FILE (JSONL) or --nodes/--relationships (CSV)");
  EXPECT_EQ(ResolveImportPlan({}, {"n.csv"}, {}, "jsonl").status().message(),
            "--format jsonl takes FILE arguments, not --nodes/--relationships");
  EXPECT_EQ(ResolveImportPlan({"x.txt"}, {}, {}, "csv").status().message(),
            "\"x.txt\": a CSV import takes --nodes FILE and --relationships FILE");
  ASSERT_OK_AND_ASSIGN(ImportPlan forced, ResolveImportPlan({"x.csv"}, {}, {}, "jsonl"));
  EXPECT_EQ(forced.jsonl_files, (Ids{"x.csv"}));
}

TEST(ImportProgressTest, FormatsRateShareAndEta) {
  EXPECT_EQ(ImportProgress::Format(500000, 100 << 20, 400 << 20, absl::Seconds(2)),
            "sent 500000 records (250000/s), read 100.0 MiB of 400.0 MiB (25%), ETA 6s");
  EXPECT_EQ(ImportProgress::Format(10, 1 << 20, 0, absl::Seconds(1)),
            "sent 10 records (10/s), read 1.0 MiB");
  std::ostringstream out;
  ImportProgress plain(out, /*terminal=*/false, 100, absl::UnixEpoch());
  plain.Update(1, 10, absl::UnixEpoch() + absl::Seconds(1));  // not due yet
  EXPECT_EQ(out.str(), "");
  plain.Update(2, 50, absl::UnixEpoch() + absl::Seconds(5));
  EXPECT_EQ(out.str(), "sent 2 records (0/s), read 0.0 MiB of 0.0 MiB (50%), ETA 5s\n");
}

}  // namespace
}  // namespace ctxgraph::client
