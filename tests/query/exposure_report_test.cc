// ExposureReporter: the receipts that returned a node or anything derived
// from it, on receipts written by the real read paths.
#include "query/exposure_report.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/base64url.h"
#include "query/lineage.h"
#include "query/searcher.h"
#include "storage/keys.h"
#include "tests/query/retrieval_fixture.h"

namespace ctxgraph {
namespace {

// One receipt as "seq principal action @snapshot [id@version/depth ...]
// +unlisted", everything but the time.
// `seq` is the entry's: the one its receipt id names.
std::string Describe(const ExposureReceipt& r, uint64_t seq) {
  std::vector<std::string> items;
  for (const ExposedItem& i : r.items) {
    items.push_back(absl::StrCat(i.node_id, "@", i.version, "/", i.depth, i.redacted ? "R" : ""));
  }
  return absl::StrCat(seq, " ", r.principal, " ", r.action, " @", r.snapshot_version, " [",
                      absl::StrJoin(items, " "), "] +", r.items_unlisted);
}

class ExposureReportTest : public ::testing::Test {
 protected:
  // SRC <- D1 <- D2 and SRC <- P1 (pii) along DERIVED_FROM; X only
  // REFERENCES SRC; U is unrelated.
  void SetUp() override {
    g_.DefineLabels({"pii"});
    version_ = g_.Write({NodeOp("SRC", {}, "alpha source"), NodeOp("D1", {}, "alpha summary"),
                         NodeOp("D2"), NodeOp("P1", {"pii"}), NodeOp("X"),
                         NodeOp("U", {}, "alpha unrelated"), EdgeOp("D1", "DERIVED_FROM", "SRC"),
                         EdgeOp("D2", "DERIVED_FROM", "D1"), EdgeOp("P1", "DERIVED_FROM", "SRC"),
                         EdgeOp("X", "REFERENCES", "SRC")});
  }

  // Also checks that seqs reach a caller cleared for "*" and no one else
  // (Describe relies on it).
  absl::StatusOr<ExposureReport> Report(const Caller& caller, ExposureReportRequest request,
                                        ExposureLimits limits = {}) {
    absl::StatusOr<ExposureReport> report =
        ExposureReporter(g_.store(), g_.tokens(), opaque_ids_, g_.receipt_ids(), caller, limits)
            .Report(request, g_.audit());
    if (report.ok()) {
      const bool sees_all = caller.policy.SeesAll();
      EXPECT_EQ(report->audit_seq != 0, sees_all) << caller.principal.id;
      for (const ExposureReceipt& r : report->receipts) {
        EXPECT_EQ(r.seq != 0, sees_all) << caller.principal.id << " " << r.receipt_id;
      }
    }
    return report;
  }

  static ExposureReportRequest Node(const std::string& id) {
    ExposureReportRequest r;
    r.node_id = id;
    return r;
  }

  // Retrieves `seeds` alone (no hops) as `caller`; answers the receipt's seq.
  uint64_t RetrieveOnly(const Caller& caller, std::vector<std::string> seeds) {
    auto r = g_.Retrieve(caller, Seeds(std::move(seeds), 0));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? g_.SeqOf(r->receipt.receipt_id) : 0;
  }

  // Each receipt described with the seq its receipt id names. The seq
  // fields hold seqs for a caller cleared for "*" only (the report's own
  // audit_seq is never 0 then), and 0 for everyone else.
  std::vector<std::string> Describe(const ExposureReport& report) {
    std::vector<std::string> out;
    const bool seqs_shown = report.audit_seq != 0;
    EXPECT_TRUE(!seqs_shown || report.audit_seq == g_.audit().head_seq());
    for (const ExposureReceipt& r : report.receipts) {
      const uint64_t seq = g_.SeqOf(r.receipt_id);
      EXPECT_EQ(r.seq, seqs_shown ? seq : 0) << r.receipt_id;
      out.push_back(ctxgraph::Describe(r, seq));
    }
    return out;
  }

  RetrievalGraph g_;
  const OpaqueIdHasher opaque_ids_{g_.db().redaction_key()};
  uint64_t version_ = 0;
  const Caller agent_ = MakeCaller("agent", {"pii"});
  const Caller steward_ = MakeCaller("steward", {}, {Role::kSteward});
};

TEST_F(ExposureReportTest, ListsEveryReadOfTheNodeAndWhatWasDerivedFromIt) {
  const uint64_t unrelated = RetrieveOnly(agent_, {"U"});
  const uint64_t derived = RetrieveOnly(agent_, {"D2", "X"});
  SearchRequest search;
  search.query = "alpha";
  ASSERT_OK_AND_ASSIGN(SearchPage page, Searcher(g_.store(), g_.tokens(), agent_).Search(search));
  ASSERT_EQ(page.hits.size(), 3u);
  ASSERT_OK_AND_ASSIGN(AuditEntry searched,
                       g_.audit().Append(SearchAuditEntry(agent_, search, page)));
  std::vector<std::string> search_items;  // SRC and D1 in hit order, not U
  for (const SearchHit& hit : page.hits) {
    if (hit.node->id == "SRC") search_items.push_back(absl::StrCat("SRC@", version_, "/0"));
    if (hit.node->id == "D1") search_items.push_back(absl::StrCat("D1@", version_, "/1"));
  }
  ASSERT_EQ(search_items.size(), 2u);
  LineageRequest up;
  up.node_id = "P1";
  const Caller lin = MakeCaller("lin", {"pii"});
  ASSERT_OK_AND_ASSIGN(LineageGraph walked,
                       LineageWalker(g_.store(), opaque_ids_, lin).Upstream(up, g_.audit()));
  const uint64_t walked_seq = g_.audit().head_seq();  // walked.audit_seq is 0 without "*"
  EXPECT_EQ(walked.audit_seq, 0u);
  ASSERT_EQ(walked.nodes.size(), 2u);

  // The admin (clearance *) sees the whole closure: SRC, D1, P1, D2.
  ASSERT_OK_AND_ASSIGN(ExposureReport report, Report(g_.admin_, Node("SRC")));
  EXPECT_EQ(Describe(report),
            (std::vector<std::string>{
                absl::StrCat(derived, " agent retrieve @", version_, " [D2@", version_, "/2] +0"),
                absl::StrCat(searched.seq, " agent search @", version_, " [",
                             absl::StrJoin(search_items, " "), "] +0"),
                absl::StrCat(walked_seq, " lin lineage.upstream @", version_, " [P1@", version_,
                             "/1 SRC@", version_, "/0] +0"),
            }));
  EXPECT_NE(unrelated, 0u);
  // Cleared for "*": the seqs themselves, as ListEntries shows them.
  EXPECT_EQ(report.audit_seq, g_.audit().head_seq());
  for (const ExposureReceipt& r : report.receipts) EXPECT_EQ(r.seq, g_.SeqOf(r.receipt_id));
  EXPECT_EQ(report.closure_nodes, 4u);
  EXPECT_FALSE(report.closure_truncated);
  EXPECT_FALSE(report.partial);
  EXPECT_EQ(report.snapshot_version, version_);
  EXPECT_TRUE(report.next_page_token.empty());

  // Downstream of D1 is D1 and D2 only.
  ASSERT_OK_AND_ASSIGN(ExposureReport d1, Report(g_.admin_, Node("D1")));
  EXPECT_EQ(
      Describe(d1),
      (std::vector<std::string>{
          absl::StrCat(derived, " agent retrieve @", version_, " [D2@", version_, "/1] +0"),
          absl::StrCat(searched.seq, " agent search @", version_, " [D1@", version_, "/0] +0")}));
}

TEST_F(ExposureReportTest, HiddenDerivedNodesAreCutForStewardsAndRedactedForAuditors) {
  LineageRequest up;
  up.node_id = "P1";
  ASSERT_OK_AND_ASSIGN(LineageGraph walked,
                       LineageWalker(g_.store(), opaque_ids_, agent_).Upstream(up, g_.audit()));
  const uint64_t walked_seq = g_.audit().head_seq();  // walked.audit_seq is 0 without "*"
  EXPECT_EQ(walked.audit_seq, 0u);
  const uint64_t p1_only = RetrieveOnly(agent_, {"P1"});

  // The steward may not see P1: only SRC of the lineage entry is reported,
  // and the retrieval of P1 alone not at all.
  ASSERT_OK_AND_ASSIGN(ExposureReport steward, Report(steward_, Node("SRC")));
  EXPECT_EQ(Describe(steward),
            (std::vector<std::string>{absl::StrCat(walked_seq, " agent lineage.upstream @",
                                                   version_, " [SRC@", version_, "/0] +0")}));
  EXPECT_EQ(steward.closure_nodes, 3u);
  // Seqs count every principal's entries, hidden nodes' included: a caller
  // cleared for less than "*" gets receipt ids only.
  EXPECT_EQ(steward.audit_seq, 0u);
  ASSERT_EQ(steward.receipts.size(), 1u);
  EXPECT_EQ(steward.receipts[0].seq, 0u);
  EXPECT_EQ(steward.receipts[0].receipt_id.size(), kReceiptIdDigits);
  // The walk returned SRC and P1: its count would tell the steward that a
  // node it may not see derives from SRC.
  EXPECT_EQ(steward.receipts[0].items_total, 0u);
  EXPECT_EQ(steward.receipts[0].items_unlisted, 0u);
  EXPECT_FALSE(steward.partial);

  // An auditor cleared for nothing learns that P1 was read, by its opaque id
  // only, at version 0: its real version would date P1's last write. (The
  // log's entries name P1 whole, so reading them needs clearance "*".)
  const std::string opaque = opaque_ids_.OpaqueId("P1");
  const Caller uncleared_auditor = MakeCaller("auditor", {}, {Role::kAuditor});
  ASSERT_OK_AND_ASSIGN(ExposureReport audited, Report(uncleared_auditor, Node("SRC")));
  EXPECT_EQ(Describe(audited),
            (std::vector<std::string>{
                absl::StrCat(walked_seq, " agent lineage.upstream @", version_, " [", opaque,
                             "@0/1R SRC@", version_, "/0] +0"),
                absl::StrCat(p1_only, " agent retrieve @", version_, " [", opaque, "@0/1R] +0")}));
  for (const ExposureReceipt& r : audited.receipts) {
    for (const ExposedItem& i : r.items) EXPECT_NE(i.node_id, "P1");
  }
  ASSERT_OK_AND_ASSIGN(AuditPage own, g_.audit().List({"auditor", "", "", {}, {}}, 0, 10));
  ASSERT_EQ(own.entries.size(), 1u);
  EXPECT_EQ(own.entries[0].items, (std::vector<AuditItem>{{"SRC", "", "", version_},
                                                          {"D1", "", "", version_},
                                                          {opaque, "", "", 0},
                                                          {"D2", "", "", version_}}));
}

// A label taken off later does not open the node's history: reads made
// while it was on are as hidden from a caller not cleared for it as the
// node's record at that version is (GetNode as of it answers NOT_FOUND).
TEST_F(ExposureReportTest, ReadsFromBeforeALabelCameOffNeedItsClearance) {
  // ZK, derived from Z too, never carries a label and is never rewritten.
  const uint64_t labelled =
      g_.Write({NodeOp("Z", {"pii"}), NodeOp("ZD", {"pii"}), NodeOp("ZK"),
                EdgeOp("ZD", "DERIVED_FROM", "Z"), EdgeOp("ZK", "DERIVED_FROM", "Z")});
  const uint64_t before = RetrieveOnly(agent_, {"Z", "ZD"});
  const uint64_t derived_only = RetrieveOnly(agent_, {"ZD"});
  const uint64_t kept = RetrieveOnly(agent_, {"ZK"});
  const uint64_t declassified = g_.Write({NodeOp("Z"), NodeOp("ZD")});
  const uint64_t after = RetrieveOnly(agent_, {"ZD"});
  const std::vector<std::string> everything = {
      absl::StrCat(before, " agent retrieve @", labelled, " [Z@", labelled, "/0 ZD@", labelled,
                   "/1] +0"),
      absl::StrCat(derived_only, " agent retrieve @", labelled, " [ZD@", labelled, "/1] +0"),
      absl::StrCat(kept, " agent retrieve @", labelled, " [ZK@", labelled, "/1] +0"),
      absl::StrCat(after, " agent retrieve @", declassified, " [ZD@", declassified, "/1] +0")};
  const std::vector<std::string> never_hidden = {everything[2], everything[3]};

  ASSERT_OK_AND_ASSIGN(ExposureReport steward, Report(steward_, Node("Z")));
  EXPECT_EQ(Describe(steward), never_hidden);
  const Caller uncleared_auditor = MakeCaller("auditor", {}, {Role::kAuditor});
  ASSERT_OK_AND_ASSIGN(ExposureReport audited, Report(uncleared_auditor, Node("Z")));
  EXPECT_EQ(Describe(audited), never_hidden);
  // Cleared for the label, or for everything: the whole history.
  const Caller pii_steward = MakeCaller("pii-steward", {"pii"}, {Role::kSteward});
  ASSERT_OK_AND_ASSIGN(ExposureReport cleared, Report(pii_steward, Node("Z")));
  EXPECT_EQ(Describe(cleared), everything);
  ASSERT_OK_AND_ASSIGN(ExposureReport admin, Report(g_.admin_, Node("Z")));
  EXPECT_EQ(Describe(admin), everything);

  // Below the history horizon a record rewritten since is gone, and the
  // boundary it had with it: only "*" is told of reads of it. ZK's record
  // is still the one kept at the horizon: its read is told as before.
  g_.db().history_horizon().Raise(declassified);
  ASSERT_OK_AND_ASSIGN(cleared, Report(pii_steward, Node("Z")));
  EXPECT_EQ(Describe(cleared), never_hidden);
  ASSERT_OK_AND_ASSIGN(steward, Report(steward_, Node("Z")));
  EXPECT_EQ(Describe(steward), never_hidden);
  ASSERT_OK_AND_ASSIGN(admin, Report(g_.admin_, Node("Z")));
  EXPECT_EQ(Describe(admin), everything);
}

TEST_F(ExposureReportTest, OnlyAuditorsStewardsAndAdmins) {
  EXPECT_STATUS(Report(agent_, Node("SRC")), absl::StatusCode::kPermissionDenied,
                "ExposureReport requires the auditor or steward or admin role");
  EXPECT_STATUS(Report(MakeCaller("loader", {"*"}, {Role::kLoader}), Node("SRC")),
                absl::StatusCode::kPermissionDenied,
                "ExposureReport requires the auditor or steward or admin role");
  ASSERT_OK_AND_ASSIGN(AuditPage log, g_.audit().List({"", "audit.exposure", "", {}, {}}, 0, 10));
  EXPECT_TRUE(log.entries.empty());
}

TEST_F(ExposureReportTest, HiddenStartIsTheSameNotFoundAsAnAbsentOne) {
  RetrieveOnly(agent_, {"P1"});
  const absl::StatusOr<ExposureReport> hidden = Report(steward_, Node("P1"));
  const absl::StatusOr<ExposureReport> absent = Report(steward_, Node("P9"));
  EXPECT_STATUS(hidden, absl::StatusCode::kNotFound, "node_id: node \"P1\" not found");
  EXPECT_STATUS(absent, absl::StatusCode::kNotFound, "node_id: node \"P9\" not found");
  // An auditor cannot name a hidden start either.
  EXPECT_STATUS(Report(MakeCaller("auditor", {}, {Role::kAuditor}), Node("P1")),
                absl::StatusCode::kNotFound, "node_id: node \"P1\" not found");
  // Both are logged alike, with no item.
  ASSERT_OK_AND_ASSIGN(AuditPage log, g_.audit().List({"steward", "", "", {}, {}}, 0, 10));
  ASSERT_EQ(log.entries.size(), 2u);
  for (const AuditEntry& e : log.entries) {
    EXPECT_EQ(e.action, "audit.exposure");
    EXPECT_TRUE(e.items.empty());
    EXPECT_NE(e.summary.find(" outcome=not_found"), std::string::npos) << e.summary;
  }
}

TEST_F(ExposureReportTest, FieldErrors) {
  EXPECT_STATUS(Report(steward_, Node("")), absl::StatusCode::kInvalidArgument,
                "node_id: must be 1..256 bytes, got 0");
  ExposureReportRequest window = Node("SRC");
  window.since = Timestamp{100};
  window.until = Timestamp{100};
  EXPECT_STATUS(Report(steward_, window), absl::StatusCode::kInvalidArgument,
                "until: must be after since");
  ExposureReportRequest negative = Node("SRC");
  negative.page_size = -1;
  EXPECT_STATUS(Report(steward_, negative), absl::StatusCode::kInvalidArgument,
                "page_size: must not be negative, got -1");
  ExposureReportRequest bad_token = Node("SRC");
  bad_token.page_token = "garbage";
  EXPECT_STATUS(Report(steward_, bad_token), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
}

TEST_F(ExposureReportTest, PagesFollowTokensBoundToTheCallerAndRequest) {
  const uint64_t a = RetrieveOnly(agent_, {"SRC"});
  const uint64_t b = RetrieveOnly(agent_, {"U"});
  const uint64_t c = RetrieveOnly(agent_, {"D1"});
  const uint64_t d = RetrieveOnly(agent_, {"D2"});
  ExposureReportRequest request = Node("SRC");
  request.page_size = 2;
  ASSERT_OK_AND_ASSIGN(ExposureReport first, Report(steward_, request));
  EXPECT_EQ(Describe(first),
            (std::vector<std::string>{
                absl::StrCat(a, " agent retrieve @", version_, " [SRC@", version_, "/0] +0"),
                absl::StrCat(c, " agent retrieve @", version_, " [D1@", version_, "/1] +0")}));
  ASSERT_FALSE(first.next_page_token.empty());
  EXPECT_NE(b, 0u);
  // A token is signed, not sealed: its cursor is the last receipt's id,
  // never the seq the steward is not told.
  const std::optional<std::string> token_bytes = Base64UrlDecode(first.next_page_token);
  ASSERT_TRUE(token_bytes.has_value());
  EXPECT_EQ(token_bytes->find(keys::EncodeU64(c)), std::string::npos);
  EXPECT_NE(token_bytes->find(first.receipts.back().receipt_id), std::string::npos);

  // Another caller, or the same token with another request, is refused.
  ExposureReportRequest next = request;
  next.page_token = first.next_page_token;
  EXPECT_STATUS(Report(g_.admin_, next), absl::StatusCode::kInvalidArgument, "page_token: invalid");
  ExposureReportRequest other = next;
  other.node_id = "D1";
  EXPECT_STATUS(Report(steward_, other), absl::StatusCode::kInvalidArgument, "page_token: invalid");

  // The page size may change from page to page: the CLI asks for what its
  // --limit leaves.
  next.page_size = 1;
  ASSERT_OK_AND_ASSIGN(ExposureReport second, Report(steward_, next));
  EXPECT_EQ(Describe(second), (std::vector<std::string>{absl::StrCat(
                                  d, " agent retrieve @", version_, " [D2@", version_, "/2] +0")}));
  EXPECT_TRUE(second.next_page_token.empty());

  // A full page with nothing after it has no token.
  request.page_size = 3;
  ASSERT_OK_AND_ASSIGN(ExposureReport exact, Report(steward_, request));
  EXPECT_EQ(exact.receipts.size(), 3u);
  EXPECT_TRUE(exact.next_page_token.empty());
}

TEST_F(ExposureReportTest, PageEndsAfterTheReceiptThatReachesTheItemBound) {
  const uint64_t a = RetrieveOnly(agent_, {"SRC", "D1"});
  const uint64_t b = RetrieveOnly(agent_, {"D2"});
  ExposureLimits limits;
  limits.max_items_per_page = 1;
  ASSERT_OK_AND_ASSIGN(ExposureReport first, Report(steward_, Node("SRC"), limits));
  // Both items of the first receipt, in its (rank) order: a receipt is never split.
  EXPECT_EQ(Describe(first),
            (std::vector<std::string>{absl::StrCat(a, " agent retrieve @", version_, " [D1@",
                                                   version_, "/1 SRC@", version_, "/0] +0")}));
  ExposureReportRequest next = Node("SRC");
  next.page_token = first.next_page_token;
  ASSERT_OK_AND_ASSIGN(ExposureReport second, Report(steward_, next, limits));
  EXPECT_EQ(Describe(second), (std::vector<std::string>{absl::StrCat(
                                  b, " agent retrieve @", version_, " [D2@", version_, "/2] +0")}));
  EXPECT_TRUE(second.next_page_token.empty());
}

TEST_F(ExposureReportTest, EntryWithUnlistedItemsIsReportedAsPossibleExposure) {
  // 1,001 items: the closure node D2 is the one left unlisted.
  AuditEntry big;
  big.principal = "bulk";
  big.action = "lineage.downstream";
  big.snapshot_version = version_;
  for (int i = 0; i < 1000; ++i) big.items.push_back(AuditItem{absl::StrCat("n", i), "", "", 1});
  big.items.push_back(AuditItem{"D2", "", "", version_});
  ASSERT_OK_AND_ASSIGN(AuditEntry stored, g_.audit().Append(std::move(big)));
  // One that listed a closure node and more besides.
  AuditEntry listed;
  listed.principal = "bulk";
  listed.action = "search";
  listed.snapshot_version = version_;
  listed.items.push_back(AuditItem{"D1", "", "", version_});
  for (int i = 0; i < 1000; ++i) listed.items.push_back(AuditItem{absl::StrCat("m", i), "", "", 1});
  ASSERT_OK_AND_ASSIGN(AuditEntry stored2, g_.audit().Append(std::move(listed)));

  const Caller cleared_steward = MakeCaller("steward-all", {"*"}, {Role::kSteward});
  ASSERT_OK_AND_ASSIGN(ExposureReport report, Report(cleared_steward, Node("SRC")));
  EXPECT_EQ(
      Describe(report),
      (std::vector<std::string>{
          absl::StrCat(stored.seq, " bulk lineage.downstream @", version_, " [] +1"),
          absl::StrCat(stored2.seq, " bulk search @", version_, " [D1@", version_, "/1] +1")}));
  EXPECT_EQ(report.receipts[0].items_total, 1001u);
  EXPECT_EQ(report.receipts[1].items_total, 1001u);
  EXPECT_TRUE(report.partial);

  // Below "*" the counts would count nodes the caller may not see, and a
  // receipt with no listed match would show a read of them: the listed
  // match only, no counts, and the page still says it may be incomplete.
  ASSERT_OK_AND_ASSIGN(ExposureReport uncleared, Report(steward_, Node("SRC")));
  EXPECT_EQ(Describe(uncleared),
            (std::vector<std::string>{absl::StrCat(stored2.seq, " bulk search @", version_, " [D1@",
                                                   version_, "/1] +0")}));
  EXPECT_EQ(uncleared.receipts[0].items_total, 0u);
  EXPECT_TRUE(uncleared.partial);
}

// An attacker's view: reads of nothing but nodes the steward may not see,
// large enough to list only part of their items, around a node it may see.
TEST_F(ExposureReportTest, ReadsOfHiddenNodesOnlyAreNeitherReportedNorCountedBelowStar) {
  g_.Write({NodeOp("H0", {"pii"})});
  AuditEntry big;
  big.principal = "agent";
  big.action = "lineage.downstream";
  big.snapshot_version = version_;
  for (int i = 0; i < 1001; ++i) big.items.push_back(AuditItem{"H0", "", "", version_});
  ASSERT_OK_AND_ASSIGN(AuditEntry stored, g_.audit().Append(std::move(big)));

  ASSERT_OK_AND_ASSIGN(ExposureReport uncleared, Report(steward_, Node("U")));
  EXPECT_TRUE(uncleared.receipts.empty());
  EXPECT_EQ(uncleared.next_page_token, "");
  EXPECT_TRUE(uncleared.partial);  // U may be among what the entry did not list
  const Caller cleared_steward = MakeCaller("steward-all", {"*"}, {Role::kSteward});
  ASSERT_OK_AND_ASSIGN(ExposureReport cleared, Report(cleared_steward, Node("U")));
  EXPECT_EQ(Describe(cleared),
            (std::vector<std::string>{
                absl::StrCat(stored.seq, " agent lineage.downstream @", version_, " [] +1")}));
}

TEST_F(ExposureReportTest, WritesAndOtherReportsAreNotReceipts) {
  RetrieveOnly(agent_, {"SRC"});
  g_.Write({NodeOp("SRC", {}, "alpha source, edited")});  // a "write" entry naming SRC
  ASSERT_OK_AND_ASSIGN(ExposureReport first, Report(steward_, Node("SRC")));
  ASSERT_EQ(first.receipts.size(), 1u);
  EXPECT_EQ(first.receipts[0].action, "retrieve");
  const uint64_t head = g_.audit().head_seq();
  ASSERT_OK_AND_ASSIGN(ExposureReport second, Report(steward_, Node("SRC")));
  EXPECT_EQ(Describe(second), Describe(first));
  EXPECT_EQ(g_.audit().head_seq(), head + 1);  // its own entry, not a receipt
}

TEST_F(ExposureReportTest, WindowSelectsReceiptsByTime) {
  const uint64_t a = RetrieveOnly(agent_, {"SRC"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // distinct times
  const uint64_t b = RetrieveOnly(agent_, {"D1"});
  ASSERT_OK_AND_ASSIGN(AuditPage entries, g_.audit().List({"agent", "", "", {}, {}}, 0, 10));
  ASSERT_EQ(entries.entries.size(), 2u);
  const Timestamp t_b = entries.entries[1].time;
  ASSERT_GT(t_b.micros, entries.entries[0].time.micros);
  ExposureReportRequest before = Node("SRC");
  before.until = t_b;
  ASSERT_OK_AND_ASSIGN(ExposureReport early, Report(steward_, before));
  ASSERT_EQ(early.receipts.size(), 1u);
  EXPECT_EQ(g_.SeqOf(early.receipts[0].receipt_id), a);
  ExposureReportRequest after = Node("SRC");
  after.since = t_b;
  ASSERT_OK_AND_ASSIGN(ExposureReport late, Report(steward_, after));
  ASSERT_EQ(late.receipts.size(), 1u);
  EXPECT_EQ(g_.SeqOf(late.receipts[0].receipt_id), b);
  EXPECT_EQ(late.receipts[0].time, t_b);
}

TEST_F(ExposureReportTest, ClosureIsReadAsOfAVersionAndReportsTruncation) {
  const uint64_t d2 = RetrieveOnly(agent_, {"D2"});
  // D2 no longer derives from D1: at the latest version it is out of the
  // closure; as of the older version it is in.
  g_.Write({EdgeDelete{"D2", "DERIVED_FROM", "D1"}});
  ASSERT_OK_AND_ASSIGN(ExposureReport latest, Report(steward_, Node("SRC")));
  EXPECT_TRUE(latest.receipts.empty());
  EXPECT_EQ(latest.closure_nodes, 2u);  // SRC, D1 (P1 is hidden)
  ExposureReportRequest old = Node("SRC");
  old.as_of = version_;
  ASSERT_OK_AND_ASSIGN(ExposureReport then, Report(steward_, old));
  ASSERT_EQ(then.receipts.size(), 1u);
  EXPECT_EQ(g_.SeqOf(then.receipts[0].receipt_id), d2);
  EXPECT_EQ(then.snapshot_version, version_);

  ExposureLimits small;
  small.closure.max_nodes = 1;
  ASSERT_OK_AND_ASSIGN(ExposureReport cut, Report(steward_, old, small));
  EXPECT_TRUE(cut.closure_truncated);
  EXPECT_EQ(cut.closure_nodes, 1u);
  EXPECT_TRUE(cut.receipts.empty());
}

}  // namespace
}  // namespace ctxgraph
