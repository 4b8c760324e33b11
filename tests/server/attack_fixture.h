// AttackTest: the fixture of the attack catalogue (attack_test.cc,
// attack_read_test.cc). Each attack asserts its exact status, that nothing
// of the hidden node leaked into anything the attacker saw, and, where a
// write was refused, that nothing was written.
//
// The graph: pub (team:eng) -DERIVED_FROM-> hid-7f3a (vault-label, type
// Xsecrettype, title "zebracanary merger") -DERIVED_FROM-> beyond (no
// labels). The agent, loader and auditor hold team:eng only, so hid-7f3a is
// hidden from all three and "beyond" is reachable from pub only through it.
// The chief auditor holds "*", as reading the audit log's entries requires.
#ifndef CTXGRAPH_TESTS_SERVER_ATTACK_FIXTURE_H_
#define CTXGRAPH_TESTS_SERVER_ATTACK_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {

inline constexpr char kHiddenId[] = "hid-7f3a";
// Every text only the hidden node holds.
inline constexpr const char* kHiddenMarkers[] = {"hid-7f3a", "vault-label", "Xsecrettype",
                                                 "zebracanary"};

class AttackTest : public ServerTest {
 protected:
  void SetUp() override;

  // What a refused write must leave as it was.
  struct State {
    uint64_t version = 0;
    uint64_t audit_seq = 0;
    std::string hidden_node;  // the admin's view of hid-7f3a, serialized
  };
  State Snapshot();
  void ExpectUnchanged(const State& before);

  // No hidden marker in `seen`; with `named`, the attacker typed the hidden
  // id itself, so only its echo is allowed.
  static void ExpectNoLeak(std::string_view seen, bool named = false);
  // `transcript` with the id the attacker named replaced, so the answers
  // about a hidden and an absent id can be compared byte for byte.
  static std::string Anonymized(const std::string& transcript, const std::string& id);

  // --- RPCs the catalogue uses beyond ServerTest's ---
  // A whole Import stream of one message as `token`.
  grpc::Status Import(const std::string& token, const std::vector<v1::WriteOp>& ops,
                      v1::ImportResponse* response);
  grpc::Status Suspend(const std::string& id);
  grpc::Status Retrieve(const std::string& token, const v1::RetrieveRequest& request,
                        v1::RetrieveResponse* response);
  grpc::Status Upstream(const std::string& token, const v1::LineageRequest& request,
                        v1::LineageResponse* response);
  static v1::RetrieveRequest FromSeed(const std::string& seed, int hops);
  // The items' ids, sorted.
  static std::vector<std::string> ItemIds(const v1::RetrieveResponse& response);
  // A DERIVED_FROM chain c0 -> c1 -> ... -> c<n-1>, written as admin; with
  // `close_cycle`, c<n-1> -> c0 and c0 -> c0 too.
  void WriteChain(int n, bool close_cycle);

  // --- The audit column family, as an attacker with the files has it ---
  std::string RawEntry(uint64_t seq);
  void PutRaw(uint64_t seq, const std::string& value);
  void DeleteRaw(uint64_t seq);
  v1::VerifyLogResponse Verify();  // as the chief auditor (VerifyLog needs "*")
  uint64_t Head() { return server_->backend().audit.head_seq(); }

  std::unique_ptr<v1::LineageService::Stub> lineage_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::string agent_, loader_, auditor_, chief_auditor_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_TESTS_SERVER_ATTACK_FIXTURE_H_
