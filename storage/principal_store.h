// PrincipalStore: principals (versioned, like graph records) and bearer
// tokens (by SHA-256 of the secret) in the same database, changed only
// through commits so every change has a version, a time and an actor.
//
// Thread safety: safe for concurrent use; commits are serialized by Database.
#ifndef CTXGRAPH_STORAGE_PRINCIPAL_STORE_H_
#define CTXGRAPH_STORAGE_PRINCIPAL_STORE_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/database.h"
#include "storage/records.h"

namespace ctxgraph {

class PrincipalStore {
 public:
  explicit PrincipalStore(Database* db) : db_(db) {}

  // The principal as of `version`, or nullopt when it did not exist then.
  absl::StatusOr<std::optional<PrincipalRecord>> Get(std::string_view id, uint64_t version) const;
  // Every principal as of `version`, ordered by id length then id.
  absl::StatusOr<std::vector<PrincipalRecord>> List(uint64_t version) const;

  // Commits a change to principal `id`: `change` receives the latest state
  // (nullopt when absent) and edits it in place, or returns an error to abort.
  // Returns the stored state. Leaving it nullopt is an error. `note` names
  // the change in the audit log; its summary is the commit description.
  // `behind_bulk`: what the commit does while a bulk import holds the lock.
  absl::StatusOr<PrincipalRecord> Update(
      std::string_view id, const std::string& actor, const AuditNote& note,
      const std::function<absl::Status(std::optional<PrincipalRecord>&)>& change,
      Database::BehindBulk behind_bulk = Database::BehindBulk::kWait);

  // Token lookups by hash of the secret, or by public token id.
  absl::StatusOr<std::optional<TokenRecord>> FindTokenByHash(const ContentHash& hash) const;
  absl::StatusOr<std::optional<TokenRecord>> FindTokenById(std::string_view token_id) const;
  absl::StatusOr<std::vector<TokenRecord>> ListTokens(std::string_view principal_id) const;
  // Stores (or replaces) a token record in its own commit, named like Update.
  // `note` must not contain the token secret (the record holds only its hash).
  // `check`, when given, runs first under the commit lock (no other change
  // can land meanwhile); its error aborts the commit.
  absl::Status PutToken(const TokenRecord& token, const std::string& actor, const AuditNote& note,
                        const std::function<absl::Status()>& check = nullptr,
                        Database::BehindBulk behind_bulk = Database::BehindBulk::kWait);

  // Moves after every committed change to a principal or token, so caches
  // of authentication results can tell they are stale.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  Database* db_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_PRINCIPAL_STORE_H_
