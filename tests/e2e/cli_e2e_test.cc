// ctxgraphd and ctxgraph as real processes: import a JSONL file with the CLI,
// read it back with --json, across principals and a restart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "storage/database.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "tests/e2e/process.h"

namespace ctxgraph::e2e {
namespace {

using nlohmann::json;

// Rewrites a stopped server's store as someone with disk access could: every
// record of node `node_id` gets a forged title at its own version (its
// stored content hash left as it was), and each audit entry of
// `audit_seqs` another principal (its stored hash left as it was).
void TamperStore(const std::string& db_path, const std::string& node_id,
                 const std::vector<uint64_t>& audit_seqs) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(db_path, DatabaseOptions{});
  ASSERT_TRUE(db.ok()) << db.status();
  rocksdb::DB* rocks = (*db)->rocks();
  rocksdb::ColumnFamilyHandle* nodes = (*db)->handle(Cf::kNodes);
  std::unique_ptr<rocksdb::Iterator> it(rocks->NewIterator(rocksdb::ReadOptions(), nodes));
  int forged = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<NodeRecord> node = DecodeNode(it->value().ToStringView());
    ASSERT_TRUE(node.ok()) << node.status();
    if (node->id != node_id) continue;
    node->props["title"] = Value{std::string("forged")};
    ASSERT_TRUE(rocks->Put(rocksdb::WriteOptions(), nodes, it->key(), EncodeNode(*node)).ok());
    ++forged;
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  ASSERT_GT(forged, 0);

  rocksdb::ColumnFamilyHandle* audit = (*db)->handle(Cf::kAudit);
  for (const uint64_t seq : audit_seqs) {
    std::string bytes;
    ASSERT_TRUE(rocks->Get(rocksdb::ReadOptions(), audit, keys::AuditKey(seq), &bytes).ok());
    absl::StatusOr<AuditEntry> entry = DecodeAuditEntry(bytes);
    ASSERT_TRUE(entry.ok()) << entry.status();
    entry->principal = "nobody";
    ASSERT_TRUE(
        rocks->Put(rocksdb::WriteOptions(), audit, keys::AuditKey(seq), EncodeAuditEntry(*entry))
            .ok());
  }
}

// Edges come first on purpose: the importer must cope with any line order.
// The labels the nodes use are defined before them (the admin may).
constexpr char kGraph[] =
    R"({"type":"edge","from":"msg-00000007","to":"conv-00000002","label":"PART_OF","props":{"weight":0.5}}
{"type":"boundary","name":"team:eng","description":"Engineering team material"}
{"type":"boundary","name":"pii","description":"Personal data","propagate":true}
{"type":"node","id":"doc-00000042","labels":["Document"],"boundary":["team:eng"],"props":{"title":"Q3 plan","pages":12,"ratio":2.0,"final":false,"created_at":"2026-03-01T10:00:00Z","tags":["plan","q3"]},"source":{"system":"wiki","uri":"wiki://space/page/42","authority":"imported"}}
{"type":"node","id":"conv-00000002","labels":["Conversation"],"props":{"title":"Planning chat"},"source":{"system":"slack","uri":"slack://C1"}}
{"type":"node","id":"msg-00000007","labels":["Message"],"boundary":["pii"],"props":{"text":"call me at +33 6 00 00 00 00"},"source":{"system":"slack","uri":"slack://C1/7"}}
{"type":"edge","from":"conv-00000002","to":"doc-00000042","label":"REFERENCES"}
)";

class CliE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ctxgraph-e2e-XXXXXX";
    dir_ = mkdtemp(pattern);
    server_ = std::make_unique<ServerProcess>(dir_ + "/data");
    std::filesystem::create_directories(dir_ + "/data");
    ASSERT_TRUE(server_->Start()) << "ctxgraphd did not start";
    admin_token_file_ = dir_ + "/data/admin.token";
    WriteFile("graph.jsonl", kGraph);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }

  CommandResult Cli(const std::string& token_file, std::vector<std::string> args) {
    std::vector<std::string> argv = {BuildDir() + "/client/ctxgraph", "--server",
                                     server_->address(), "--token-file", token_file};
    argv.insert(argv.end(), args.begin(), args.end());
    return e2e::Run(argv);
  }

  json CliJson(const std::string& token_file, std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    CommandResult r = Cli(token_file, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }

  // Creates principal `id` with one role and one clearance, as the admin;
  // returns a file holding its token.
  std::string PrincipalTokenFile(const std::string& id, const std::string& role,
                                 const std::string& clearance) {
    EXPECT_EQ(Cli(admin_token_file_,
                  {"principal", "create", id, "--role", role, "--clearance", clearance})
                  .exit_code,
              0);
    const json issued = CliJson(admin_token_file_, {"principal", "token", id});
    return WriteFile(id + ".token", issued.value("token", ""));
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_token_file_;
};

TEST_F(CliE2eTest, ImportThenReadBackTypedPropsAndProvenance) {
  const json summary = CliJson(admin_token_file_, {"import", dir_ + "/graph.jsonl"});
  EXPECT_EQ(summary["lines_read"], 7);
  EXPECT_EQ(summary["labels_defined"], 2);
  EXPECT_EQ(summary["nodes_written"], 3);
  EXPECT_EQ(summary["edges_written"], 2);
  EXPECT_EQ(summary["rejected"], 0);
  const uint64_t version = summary["version"];

  const json doc = CliJson(admin_token_file_, {"get", "doc-00000042"});
  EXPECT_EQ(doc["id"], "doc-00000042");
  EXPECT_EQ(doc["labels"], json::array({"Document"}));
  EXPECT_EQ(doc["boundary"], json::array({"team:eng"}));
  EXPECT_EQ(doc["props"]["title"], "Q3 plan");
  EXPECT_TRUE(doc["props"]["pages"].is_number_integer());
  EXPECT_EQ(doc["props"]["pages"], 12);
  EXPECT_TRUE(doc["props"]["ratio"].is_number_float());  // 2.0 stays a double
  EXPECT_EQ(doc["props"]["final"], false);
  EXPECT_EQ(doc["props"]["created_at"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(doc["props"]["tags"], json::array({"plan", "q3"}));
  EXPECT_EQ(doc["source"]["system"], "wiki");
  EXPECT_EQ(doc["source"]["uri"], "wiki://space/page/42");
  EXPECT_EQ(doc["source"]["authority"], "imported");
  EXPECT_EQ(doc["provenance"]["writer"], "admin");
  EXPECT_EQ(doc["provenance"]["content_hash"].get<std::string>().size(), 64u);
  EXPECT_LE(doc["provenance"]["version"].get<uint64_t>(), version);

  const json neighbors =
      CliJson(admin_token_file_, {"neighbors", "conv-00000002", "--direction", "both"});
  ASSERT_EQ(neighbors["neighbors"].size(), 2u);
  EXPECT_EQ(neighbors["neighbors"][0]["node"]["id"], "doc-00000042");
  EXPECT_EQ(neighbors["neighbors"][1]["node"]["id"], "msg-00000007");
  EXPECT_EQ(neighbors["neighbors"][1]["edge"]["props"]["weight"], 0.5);

  // Re-importing the same file changes nothing and commits no version.
  const json again = CliJson(admin_token_file_, {"import", dir_ + "/graph.jsonl"});
  EXPECT_EQ(again["commits"], 0);
  EXPECT_EQ(again["unchanged"], 7);
  EXPECT_EQ(again["version"], version);
}

TEST_F(CliE2eTest, AuditChecksExitThreeOnAFindingAndOneWhenTheyCannotRun) {
  ASSERT_EQ(CliJson(admin_token_file_, {"import", dir_ + "/graph.jsonl"})["nodes_written"], 3);
  // Two receipts: one whose items will be rewritten underneath, one whose
  // own audit entry will be.
  const json context = CliJson(admin_token_file_, {"context", "--seed", "doc-00000042"});
  const std::string receipt = context["receipt"].value("receipt_id", "");
  ASSERT_EQ(receipt.size(), 32u) << context.dump();
  const json other = CliJson(admin_token_file_, {"context", "--seed", "msg-00000007"});
  const std::string edited_receipt = other["receipt"].value("receipt_id", "");
  ASSERT_EQ(edited_receipt.size(), 32u) << other.dump();
  const uint64_t edited_seq =
      CliJson(admin_token_file_, {"audit", "receipt", edited_receipt})["entry"].value("seq", 0u);
  ASSERT_GT(edited_seq, 2u);
  for (const std::string& id : {receipt, edited_receipt}) {
    EXPECT_EQ(CliJson(admin_token_file_, {"audit", "replay", id})["outcome"], "MATCH");
  }
  EXPECT_EQ(CliJson(admin_token_file_, {"audit", "verify"})["ok"], true);

  // A check that cannot run is a failure, not a finding.
  const CommandResult unknown =
      Cli(admin_token_file_, {"audit", "replay", "00000000000000000000000000000000"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("error: NOT_FOUND: "), std::string::npos) << unknown.err;
  const std::string agent = PrincipalTokenFile("eng-bot", "agent", "team:eng");
  const CommandResult denied = Cli(agent, {"audit", "verify"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("error: PERMISSION_DENIED: "), std::string::npos) << denied.err;

  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(TamperStore(dir_ + "/data/db", "doc-00000042", {2, edited_seq}));
  ASSERT_TRUE(server_->Start());

  const CommandResult replay = Cli(admin_token_file_, {"--json", "audit", "replay", receipt});
  EXPECT_EQ(replay.exit_code, 3) << replay.err;
  const json replayed = json::parse(replay.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(replayed["outcome"], "MISMATCH") << replay.out;
  EXPECT_EQ(replayed["altered"], json::array({"doc-00000042"})) << replay.out;
  EXPECT_EQ(replay.err, "");

  const CommandResult tampered = Cli(admin_token_file_, {"audit", "replay", edited_receipt});
  EXPECT_EQ(tampered.exit_code, 3) << tampered.err;
  EXPECT_EQ(tampered.err, "error: DATA_LOSS: receipt \"" + edited_receipt +
                              "\": the audit entry's hash does not verify\n");

  const CommandResult verify = Cli(admin_token_file_, {"--json", "audit", "verify"});
  EXPECT_EQ(verify.exit_code, 3) << verify.err;
  const json verified = json::parse(verify.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(verified["ok"], false) << verify.out;
  EXPECT_EQ(verified["first_bad_seq"], 2) << verify.out;
  EXPECT_EQ(verified["reason"], "hash does not match the content: entry edited") << verify.out;
  EXPECT_EQ(verify.err, "");
}

TEST_F(CliE2eTest, AnswersLargerThanGrpcsDefaultClientLimitReachTheCli) {
  // Six nodes of ~1 MB each: one ListNodes page of ~6 MB, over gRPC's 4 MiB
  // default receive limit and under the server's 64 MiB send limit.
  std::string lines;
  for (int i = 0; i < 6; ++i) {
    lines += R"({"type":"node","id":"big-)" + std::to_string(i) +
             R"(","labels":["Big"],"props":{"body":")" + std::string(1000000, 'x') + "\"}}\n";
  }
  const json summary = CliJson(admin_token_file_, {"import", WriteFile("big.jsonl", lines)});
  ASSERT_EQ(summary["nodes_written"], 6);
  const CommandResult listed =
      Cli(admin_token_file_, {"--json", "ls", "--label", "Big", "--limit", "10"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json page = json::parse(listed.out);
  ASSERT_EQ(page["nodes"].size(), 6u);
  EXPECT_EQ(page["nodes"][5]["props"]["body"].get<std::string>().size(), 1000000u);
}

// grant and revoke-clearance read the set, edit it and write it back at
// the version read (AuthenticatorTest covers a change in between).
TEST_F(CliE2eTest, GrantAndRevokeClearanceEditTheSetTheyRead) {
  ASSERT_EQ(Cli(admin_token_file_,
                {"principal", "create", "bob", "--role", "agent", "--clearance", "team:eng"})
                .exit_code,
            0);
  json granted = CliJson(admin_token_file_, {"principal", "grant", "bob", "--clearance", "pii"});
  EXPECT_EQ(granted["clearances"], json::array({"pii", "team:eng"})) << granted.dump();
  json revoked = CliJson(admin_token_file_,
                         {"principal", "revoke-clearance", "bob", "--clearance", "team:eng"});
  EXPECT_EQ(revoked["clearances"], json::array({"pii"})) << revoked.dump();
}

TEST_F(CliE2eTest, OutputThatCannotBeWrittenIsAFailure) {
  ASSERT_EQ(Cli(admin_token_file_, {"principal", "create", "bot", "--role", "agent"}).exit_code, 0);
  // The token is shown once: written nowhere, it must not look issued.
  const CommandResult r =
      e2e::Run({"/bin/sh", "-c",
                BuildDir() + "/client/ctxgraph --server " + server_->address() + " --token-file " +
                    admin_token_file_ + " principal token bot > /dev/full"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "(store the token now: it is not shown again)\n"
            "error: writing the output failed\n");
}

TEST_F(CliE2eTest, NumbersAreDecimalOnly) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(
        Cli(admin_token_file_, {"put", "node", "--id", "n" + std::to_string(i), "--label", "Doc"})
            .exit_code,
        0);
  }
  // Not octal (8), as C's strtoull in base 0 would have it.
  EXPECT_EQ(CliJson(admin_token_file_, {"commit", "010"}).value("version", 0), 10);
  for (const char* bad : {"-1", "0x10", "1e3", "", "99999999999999999999"}) {
    SCOPED_TRACE(bad);
    const CommandResult r = Cli(admin_token_file_, {"get", "n1", "--as-of", bad});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("error: --as-of: must be a decimal number"), std::string::npos) << r.err;
  }
}

TEST_F(CliE2eTest, BadLinesAreReportedByNumberAndTheRestLoads) {
  const std::string bad =
      WriteFile("bad.jsonl",
                "{\"type\":\"node\",\"id\":\"ok-1\",\"labels\":[\"Document\"]}\n"
                "{\"type\":\"node\",\"labels\":[\"Document\"]}\n"
                "not json\n"
                "{\"type\":\"edge\",\"from\":\"ok-1\",\"to\":\"ghost\",\"label\":\"MENTIONS\"}\n");
  CommandResult r = Cli(admin_token_file_, {"import", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("line 2: missing \"id\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 4: ops[1].upsert_edge.to: node \"ghost\" not found"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(CliJson(admin_token_file_, {"get", "ok-1"})["id"], "ok-1");
}

TEST_F(CliE2eTest, ATokensLifetimeIsSetAndShownThroughTheCli) {
  ASSERT_EQ(Cli(admin_token_file_, {"principal", "create", "bot", "--role", "agent"}).exit_code, 0);
  const json issued = CliJson(admin_token_file_, {"principal", "token", "bot", "--ttl", "90m"});
  const std::string expires = issued.value("expires", "");
  // RFC 3339 in UTC, e.g. 2026-12-07T14:00:00.123456Z.
  EXPECT_TRUE(expires.size() >= 20 && expires[10] == 'T' && expires.back() == 'Z') << issued.dump();
  const json forever = CliJson(admin_token_file_, {"principal", "token", "bot"});
  EXPECT_EQ(forever["expires"], "");
  const json listed = CliJson(admin_token_file_, {"principal", "tokens", "bot"});
  ASSERT_EQ(listed["tokens"].size(), 2u) << listed.dump();
  for (const json& t : listed["tokens"]) {
    EXPECT_EQ(t["expires"], t["token_id"] == issued["token_id"] ? expires : "") << t.dump();
    EXPECT_EQ(t["expired"], false);
  }
  const CommandResult table = Cli(admin_token_file_, {"principal", "tokens", "bot"});
  EXPECT_NE(table.out.find("EXPIRES"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(expires), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("never"), std::string::npos) << table.out;

  const CommandResult bad = Cli(admin_token_file_, {"principal", "token", "bot", "--ttl", "5y"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("must be a duration"), std::string::npos) << bad.err;
  const CommandResult long_ttl =
      Cli(admin_token_file_, {"principal", "token", "bot", "--ttl", "4000d"});
  EXPECT_EQ(long_ttl.exit_code, 1);
  EXPECT_EQ(long_ttl.err,
            "error: INVALID_ARGUMENT: ttl_seconds: must be 0..316224000 (0: never expires), got "
            "345600000\n");
}

TEST_F(CliE2eTest, BoundariesHoldThroughTheCliAndSurviveARestart) {
  ASSERT_EQ(Cli(admin_token_file_, {"import", dir_ + "/graph.jsonl"}).exit_code, 0);
  ASSERT_EQ(Cli(admin_token_file_,
                {"principal", "create", "eng-bot", "--role", "agent", "--clearance", "team:eng"})
                .exit_code,
            0);
  const json issued = CliJson(admin_token_file_, {"principal", "token", "eng-bot"});
  const std::string token_file = WriteFile("eng-bot.token", issued["token"].get<std::string>());

  EXPECT_EQ(CliJson(token_file, {"get", "doc-00000042"})["id"], "doc-00000042");
  CommandResult hidden = Cli(token_file, {"get", "msg-00000007"});
  CommandResult absent = Cli(token_file, {"get", "msg-99999999"});
  EXPECT_EQ(hidden.exit_code, 1);
  EXPECT_EQ(hidden.err, "error: NOT_FOUND: node \"msg-00000007\" not found\n");
  EXPECT_EQ(absent.err, "error: NOT_FOUND: node \"msg-99999999\" not found\n");
  const json listed = CliJson(token_file, {"ls", "--label", "Message"});
  EXPECT_TRUE(listed["nodes"].empty()) << listed.dump();
  CommandResult write = Cli(token_file, {"put", "node", "--id", "x", "--label", "Document"});
  EXPECT_EQ(write.exit_code, 1);
  EXPECT_EQ(write.err, "error: PERMISSION_DENIED: Write requires the loader or admin role\n");

  // Stop the server, start it again on the same data: same answers.
  const std::string admin_token = [&] {
    std::ifstream in(admin_token_file_);
    std::string t;
    in >> t;
    return t;
  }();
  EXPECT_EQ(server_->Stop(), 0);
  ASSERT_TRUE(server_->Start());
  std::ifstream in(admin_token_file_);
  std::string after;
  in >> after;
  EXPECT_EQ(after, admin_token);  // no second bootstrap
  EXPECT_EQ(CliJson(token_file, {"get", "doc-00000042"})["props"]["pages"], 12);
  EXPECT_EQ(Cli(token_file, {"get", "msg-00000007"}).err,
            "error: NOT_FOUND: node \"msg-00000007\" not found\n");
  EXPECT_EQ(CliJson(admin_token_file_, {"get", "msg-00000007"})["boundary"], json::array({"pii"}));
}

TEST_F(CliE2eTest, LabelCommandsDefineListAssignAndShowHistory) {
  const std::string steward = PrincipalTokenFile("steward", "steward", "*");
  const std::string agent = PrincipalTokenFile("eng-bot", "agent", "team:eng");

  const json defined = CliJson(
      steward, {"label", "define", "restricted", "--description", "Board only", "--propagate"});
  EXPECT_EQ(defined["changed"], true);
  EXPECT_EQ(defined["label"]["name"], "restricted");
  EXPECT_EQ(defined["label"]["propagate"], true);
  EXPECT_EQ(defined["label"]["defined_by"], "steward");
  CommandResult denied = Cli(agent, {"label", "define", "x", "--description", "X"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(denied.err,
            "error: PERMISSION_DENIED: DefineLabel requires the steward or admin role\n");

  ASSERT_EQ(Cli(admin_token_file_, {"import", dir_ + "/graph.jsonl"}).exit_code, 0);
  const json listed = CliJson(agent, {"label", "ls"});
  ASSERT_EQ(listed["labels"].size(), 3u);
  EXPECT_EQ(listed["labels"][0]["name"], "pii");
  EXPECT_EQ(listed["labels"][1]["name"], "team:eng");
  EXPECT_EQ(listed["labels"][2]["name"], "restricted");

  EXPECT_EQ(CliJson(agent, {"get", "doc-00000042"})["id"], "doc-00000042");
  const json assigned = CliJson(steward, {"label", "assign", "--type", "Document", "--add",
                                          "restricted", "--reason", "board review"});
  ASSERT_EQ(assigned["changed"].size(), 1u);
  EXPECT_EQ(assigned["changed"][0]["node_id"], "doc-00000042");
  EXPECT_EQ(assigned["changed"][0]["after"], json::array({"restricted", "team:eng"}));
  EXPECT_EQ(Cli(agent, {"get", "doc-00000042"}).err,
            "error: NOT_FOUND: node \"doc-00000042\" not found\n");
  CommandResult unreasoned =
      Cli(steward, {"label", "assign", "--node", "doc-00000042", "--remove", "restricted"});
  EXPECT_EQ(unreasoned.exit_code, 2) << unreasoned.err;  // --reason is required

  const json history = CliJson(steward, {"label", "history", "doc-00000042"});
  ASSERT_EQ(history["events"].size(), 2u);
  EXPECT_EQ(history["events"][0]["kind"], "created");
  EXPECT_EQ(history["events"][0]["after"], json::array({"team:eng"}));
  EXPECT_EQ(history["events"][1]["kind"], "changed");
  EXPECT_EQ(history["events"][1]["principal"], "steward");
  EXPECT_EQ(history["events"][1]["reason"], "board review");
  CommandResult table = Cli(steward, {"label", "history", "doc-00000042"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("VERSION", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("[restricted,team:eng]"), std::string::npos) << table.out;

  // `label remove` takes it off again: the agent reads the node once more.
  const json removed = CliJson(steward, {"label", "remove", "--node", "doc-00000042", "--label",
                                         "restricted", "--reason", "review done"});
  ASSERT_EQ(removed["changed"].size(), 1u) << removed.dump();
  EXPECT_EQ(removed["changed"][0]["before"], json::array({"restricted", "team:eng"}));
  EXPECT_EQ(removed["changed"][0]["after"], json::array({"team:eng"}));
  EXPECT_EQ(CliJson(agent, {"get", "doc-00000042"})["id"], "doc-00000042");
  EXPECT_EQ(CliJson(steward, {"label", "history", "doc-00000042"})["events"][2]["reason"],
            "review done");
  CommandResult no_label =
      Cli(steward, {"label", "remove", "--node", "doc-00000042", "--reason", "r"});
  EXPECT_EQ(no_label.exit_code, 2) << no_label.err;  // --label is required
  CommandResult no_nodes = Cli(steward, {"label", "remove", "--label", "pii", "--reason", "r"});
  EXPECT_EQ(no_nodes.exit_code, 2) << no_nodes.err;
}

TEST_F(CliE2eTest, ImportRejectsUndefinedLabelsAndLabelLinesWithoutTheStewardRole) {
  const std::string loader = PrincipalTokenFile("loader", "loader", "*");
  const std::string file =
      WriteFile("labels.jsonl",
                "{\"type\":\"boundary\",\"name\":\"pii\",\"description\":\"Personal data\"}\n"
                "{\"type\":\"node\",\"id\":\"a\",\"labels\":[\"Doc\"],\"boundary\":[\"pii\"]}\n"
                "{\"type\":\"node\",\"id\":\"b\",\"labels\":[\"Doc\"]}\n");
  const std::string rejects = dir_ + "/rejects.txt";
  CommandResult r = Cli(loader, {"import", "--rejects", rejects, file});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::ifstream in(rejects);
  const std::string lines((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(lines, file +
                       ":1: ops[0].define_label: defining a label requires the steward or "
                       "admin role\n" +
                       file +
                       ":2: ops[1].upsert_node.boundary: undefined boundary label \"pii\"\n");
  EXPECT_EQ(CliJson(admin_token_file_, {"get", "b"})["id"], "b");

  // --strict stops at the first and writes nothing of that batch.
  CommandResult strict = Cli(loader, {"--json", "import", "--strict", "--bulk", file});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_EQ(json::parse(strict.out)["aborted"], true) << strict.out;
  EXPECT_EQ(Cli(admin_token_file_, {"get", "a"}).err, "error: NOT_FOUND: node \"a\" not found\n");

  // The admin may define: the same file loads whole.
  const json loaded = CliJson(admin_token_file_, {"import", file});
  EXPECT_EQ(loaded["rejected"], 0);
  EXPECT_EQ(loaded["labels_defined"], 1);
  EXPECT_EQ(CliJson(admin_token_file_, {"get", "a"})["boundary"], json::array({"pii"}));
}

TEST_F(CliE2eTest, MissingTokenIsUnauthenticated) {
  CommandResult r =
      Cli(WriteFile("empty.token", "ctxg_not-a-real-token\n"), {"get", "doc-00000042"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: UNAUTHENTICATED: invalid or missing bearer token\n");
}

TEST_F(CliE2eTest, AuditLogListsTheBulkImportAndVerifies) {
  ASSERT_EQ(Cli(admin_token_file_, {"import", "--bulk", dir_ + "/graph.jsonl"}).exit_code, 0);
  const json imports = CliJson(admin_token_file_, {"audit", "ls", "--action", "import"});
  ASSERT_EQ(imports["entries"].size(), 1u);
  const json& entry = imports["entries"][0];
  EXPECT_EQ(entry["seq"], 3);  // after the bootstrap admin and its token
  EXPECT_EQ(entry["principal"], "admin");
  EXPECT_EQ(entry["items_total"], 5);
  EXPECT_EQ(entry["snapshot_version"], 3);
  EXPECT_EQ(entry["summary"].get<std::string>().rfind("bulk=true description=", 0), 0u)
      << entry["summary"];
  EXPECT_EQ(imports["more"], false);

  const json verify = CliJson(admin_token_file_, {"audit", "verify"});
  EXPECT_EQ(verify["ok"], true);
  EXPECT_EQ(verify["entries_checked"], 3);
  EXPECT_EQ(verify["head_hash"], entry["hash"]);

  CommandResult table = Cli(admin_token_file_, {"audit", "ls", "--node", "doc-00000042"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("SEQ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("import"), std::string::npos) << table.out;
  CommandResult limited = Cli(admin_token_file_, {"audit", "ls", "--limit", "1"});
  EXPECT_EQ(limited.exit_code, 0);
  EXPECT_NE(limited.err.find("(more entries may follow; raise --limit to see them)"),
            std::string::npos)
      << limited.err;
  EXPECT_EQ(Cli(admin_token_file_, {"audit", "ls", "--since", "yesterday"}).exit_code, 2);
}

TEST_F(CliE2eTest, LineageUpDownAndPathWithStubsForAnAuditor) {
  const std::string graph =
      WriteFile("lineage.jsonl",
                R"({"type":"boundary","name":"pii","description":"personal data"}
{"type":"node","id":"export","labels":["Dataset"],"props":{"title":"crm export"}}
{"type":"node","id":"summary","labels":["Document"],"boundary":["pii"],"props":{"title":"canary"}}
{"type":"node","id":"report","labels":["Document"],"props":{"title":"Q3 report"}}
{"type":"node","id":"copy","labels":["Document"]}
{"type":"edge","from":"summary","to":"export","label":"DERIVED_FROM"}
{"type":"edge","from":"report","to":"summary","label":"DERIVED_FROM"}
{"type":"edge","from":"copy","to":"report","label":"COPIED_FROM"}
)");
  ASSERT_EQ(Cli(admin_token_file_, {"import", graph}).exit_code, 0);

  // Upstream: report was derived from summary, which was derived from export.
  const json up = CliJson(admin_token_file_, {"lineage", "up", "report"});
  ASSERT_EQ(up["nodes"].size(), 3u) << up.dump();
  EXPECT_EQ(up["nodes"][1]["node"]["id"], "summary");
  EXPECT_EQ(up["nodes"][2]["node"]["id"], "export");
  EXPECT_EQ(up["nodes"][2]["depth"], 2);
  EXPECT_EQ(up["edges"][0]["from"], "report");
  EXPECT_EQ(up["edges"][0]["to"], "summary");
  EXPECT_EQ(up["truncated"], false);
  EXPECT_EQ(up["depth_limited"], false);

  CommandResult down = Cli(admin_token_file_, {"lineage", "down", "export", "--depth", "1",
                                               "--labels", "DERIVED_FROM,COPIED_FROM"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(down.out.rfind("ID", 0), 0u) << down.out;
  EXPECT_NE(down.out.find("summary -DERIVED_FROM-> export"), std::string::npos) << down.out;
  EXPECT_NE(down.out.find("beyond the depth"), std::string::npos) << down.out;
  const json copies = CliJson(
      admin_token_file_, {"lineage", "down", "export", "--labels", "DERIVED_FROM,COPIED_FROM"});
  EXPECT_EQ(copies["nodes"].size(), 4u) << copies.dump();

  // An auditor without pii sees the chain go on through a stub.
  ASSERT_EQ(Cli(admin_token_file_, {"principal", "create", "aud", "--role", "auditor"}).exit_code,
            0);
  const std::string auditor = WriteFile(
      "aud.token",
      CliJson(admin_token_file_, {"principal", "token", "aud"})["token"].get<std::string>());
  const json audited = CliJson(auditor, {"lineage", "up", "report"});
  ASSERT_EQ(audited["nodes"].size(), 3u) << audited.dump();
  const json& stub = audited["nodes"][1];
  EXPECT_EQ(stub["redacted"], true);
  EXPECT_EQ(stub["node"].size(), 1u) << stub.dump();  // the id, nothing else
  EXPECT_EQ(stub["node"]["id"].get<std::string>().rfind("redacted:", 0), 0u);
  EXPECT_EQ(audited["nodes"][2]["node"]["id"], "export");
  EXPECT_EQ(audited.dump().find("canary"), std::string::npos);
  const json path = CliJson(auditor, {"lineage", "path", "report", "export"});
  EXPECT_EQ(path["direction"], "upstream");
  EXPECT_EQ(path["nodes"][1]["node"]["id"], stub["node"]["id"]);
  CommandResult chain = Cli(auditor, {"lineage", "path", "export", "report"});
  EXPECT_EQ(chain.exit_code, 0) << chain.err;
  EXPECT_EQ(chain.out.rfind("export <-DERIVED_FROM- redacted:", 0), 0u) << chain.out;

  CommandResult missing = Cli(auditor, {"lineage", "up", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "error: NOT_FOUND: node_id: node \"nope\" not found\n");
  EXPECT_EQ(Cli(auditor, {"lineage", "up", "report", "--depth", "0"}).exit_code, 2);
  const json entries = CliJson(admin_token_file_, {"audit", "ls", "--action", "lineage.path"});
  EXPECT_EQ(entries["entries"].size(), 2u);

  // Pictures: the stub is drawn as a redacted box, never by its real id.
  CommandResult mermaid = Cli(auditor, {"lineage", "up", "report", "--format", "mermaid"});
  EXPECT_EQ(mermaid.exit_code, 0) << mermaid.err;
  EXPECT_EQ(mermaid.out.rfind("flowchart LR\n  n0[\"report<br>depth 0, v", 0), 0u) << mermaid.out;
  EXPECT_NE(mermaid.out.find("  n1[\"redacted<br>depth 1\"]\n"), std::string::npos) << mermaid.out;
  EXPECT_NE(mermaid.out.find("  n0 -->|\"DERIVED_FROM\"| n1\n"), std::string::npos) << mermaid.out;
  EXPECT_NE(mermaid.out.find("  class n1 redacted\n"), std::string::npos) << mermaid.out;
  CommandResult dot = Cli(auditor, {"lineage", "path", "report", "export", "--format", "dot"});
  EXPECT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(dot.out.rfind("digraph lineage {\n", 0), 0u) << dot.out;
  EXPECT_NE(dot.out.find("[label=\"redacted\\ndepth 1\", style=\"dashed,filled\""),
            std::string::npos)
      << dot.out;
  EXPECT_EQ(dot.out.find("summary"), std::string::npos) << dot.out;
  CommandResult clash = Cli(auditor, {"--json", "lineage", "up", "report", "--format", "dot"});
  EXPECT_EQ(clash.exit_code, 2);
  EXPECT_EQ(clash.err, "error: INVALID_ARGUMENT: --format dot: conflicts with --json\n");

  // Exposure of summary (report derives from it; copy was only copied from
  // it): the eight lineage answers above that returned either (the
  // auditor's stubs gave nothing away, so its walks count for report only).
  const json exposure = CliJson(admin_token_file_, {"audit", "exposure", "summary"});
  EXPECT_EQ(exposure["closure_nodes"], 2);
  ASSERT_EQ(exposure["receipts"].size(), 8u) << exposure.dump();
  const json& first = exposure["receipts"][0];
  EXPECT_EQ(first["principal"], "admin");
  EXPECT_EQ(first["action"], "lineage.upstream");
  EXPECT_EQ(first["receipt_id"].get<std::string>().size(), 32u) << first.dump();
  EXPECT_GT(first["seq"].get<uint64_t>(), 0u);  // the admin is cleared for "*"
  ASSERT_EQ(first["items"].size(), 2u);
  EXPECT_EQ(first["items"][0]["node_id"], "report");
  EXPECT_EQ(first["items"][0]["depth"], 1);
  EXPECT_EQ(first["items"][1]["node_id"], "summary");
  EXPECT_EQ(first["items"][1]["depth"], 0);
  EXPECT_EQ(exposure["receipts"][3]["principal"], "aud");
  EXPECT_EQ(exposure["receipts"][3]["items"],
            json::array({{{"node_id", "report"},
                          {"version", first["items"][0]["version"]},
                          {"depth", 1},
                          {"redacted", false}}}));
  CommandResult hidden = Cli(auditor, {"audit", "exposure", "summary"});
  EXPECT_EQ(hidden.exit_code, 1);
  EXPECT_EQ(hidden.err, "error: NOT_FOUND: node_id: node \"summary\" not found\n");
  CommandResult exposure_table = Cli(admin_token_file_, {"audit", "exposure", "export"});
  EXPECT_EQ(exposure_table.exit_code, 0) << exposure_table.err;
  EXPECT_EQ(exposure_table.out.rfind("RECEIPT ", 0), 0u) << exposure_table.out;
  EXPECT_NE(exposure_table.out.find(first["receipt_id"].get<std::string>()), std::string::npos)
      << exposure_table.out;
  EXPECT_NE(exposure_table.out.find("summary@"), std::string::npos) << exposure_table.out;
}

}  // namespace
}  // namespace ctxgraph::e2e
