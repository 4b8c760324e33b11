#include "storage/principal_store.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

std::string_view HashView(const ContentHash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace

absl::StatusOr<std::optional<PrincipalRecord>> PrincipalStore::Get(std::string_view id,
                                                                   uint64_t version) const {
  auto it = db_->NewIterator(Cf::kPrincipals);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   NewestAtOrBefore(it.get(), keys::PrincipalPrefix(id),
                                    keys::EncodePrincipalKey({std::string(id), version})));
  if (!bytes) return std::nullopt;
  return DecodePrincipal(*bytes);
}

absl::StatusOr<std::vector<PrincipalRecord>> PrincipalStore::List(uint64_t version) const {
  std::vector<PrincipalRecord> out;
  auto it = db_->NewIterator(Cf::kPrincipals);
  std::optional<std::string> decided;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(keys::PrincipalKey k, keys::DecodePrincipalKey(std::string_view(
                                               it->key().data(), it->key().size())));
    if (k.version > version || (decided && *decided == k.id)) continue;
    decided = k.id;
    ASSIGN_OR_RETURN(PrincipalRecord p,
                     DecodePrincipal(std::string_view(it->value().data(), it->value().size())));
    out.push_back(std::move(p));
  }
  RETURN_IF_ERROR(FromRocks(it->status()));
  return out;
}

absl::StatusOr<PrincipalRecord> PrincipalStore::Update(
    std::string_view id, const std::string& actor, const AuditNote& note,
    const std::function<absl::Status(std::optional<PrincipalRecord>&)>& change,
    Database::BehindBulk behind_bulk) {
  PrincipalRecord stored;
  ASSIGN_OR_RETURN(
      CommitOutcome outcome,
      db_->Commit(
          actor, note.summary,
          [&](CommitContext& ctx) -> absl::Status {
            ctx.SetAuditNote(note);
            // The commit lock is held, so the latest state cannot move.
            ASSIGN_OR_RETURN(std::optional<PrincipalRecord> current, Get(id, keys::kMaxVersion));
            RETURN_IF_ERROR(change(current));
            if (!current) return absl::InternalError("principal change left no record");
            current->id = std::string(id);
            current->version = ctx.version();
            stored = *current;
            ctx.Put(Cf::kPrincipals, keys::EncodePrincipalKey({stored.id, ctx.version()}),
                    EncodePrincipal(stored));
            return absl::OkStatus();
          },
          behind_bulk));
  if (!outcome.committed) return absl::InternalError("principal change wrote nothing");
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return stored;
}

absl::StatusOr<std::optional<TokenRecord>> PrincipalStore::FindTokenByHash(
    const ContentHash& hash) const {
  std::string value;
  ASSIGN_OR_RETURN(bool found, db_->Get(Cf::kTokens, keys::TokenByHashKey(HashView(hash)), &value));
  if (!found) return std::nullopt;
  return DecodeToken(value);
}

absl::StatusOr<std::optional<TokenRecord>> PrincipalStore::FindTokenById(
    std::string_view token_id) const {
  std::string hash;
  ASSIGN_OR_RETURN(bool found, db_->Get(Cf::kTokens, keys::TokenByIdKey(token_id), &hash));
  if (!found) return std::nullopt;
  if (hash.size() != 32) return absl::DataLossError("token index: bad hash length");
  ContentHash h;
  std::copy(hash.begin(), hash.end(), h.begin());
  return FindTokenByHash(h);
}

absl::StatusOr<std::vector<TokenRecord>> PrincipalStore::ListTokens(
    std::string_view principal_id) const {
  std::vector<TokenRecord> out;
  auto it = db_->NewIterator(Cf::kTokens);
  const std::string prefix(1, keys::kTokenByHashTag);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ASSIGN_OR_RETURN(TokenRecord t,
                     DecodeToken(std::string_view(it->value().data(), it->value().size())));
    if (t.principal_id == principal_id) out.push_back(std::move(t));
  }
  RETURN_IF_ERROR(FromRocks(it->status()));
  return out;
}

absl::Status PrincipalStore::PutToken(const TokenRecord& token, const std::string& actor,
                                      const AuditNote& note,
                                      const std::function<absl::Status()>& check,
                                      Database::BehindBulk behind_bulk) {
  RETURN_IF_ERROR(db_->Commit(
                         actor, note.summary,
                         [&](CommitContext& ctx) {
                           if (check) RETURN_IF_ERROR(check());
                           ctx.SetAuditNote(note);
                           ctx.Put(Cf::kTokens, keys::TokenByHashKey(HashView(token.token_hash)),
                                   EncodeToken(token));
                           ctx.Put(Cf::kTokens, keys::TokenByIdKey(token.token_id),
                                   HashView(token.token_hash));
                           return absl::OkStatus();
                         },
                         behind_bulk)
                      .status());
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

}  // namespace ctxgraph
