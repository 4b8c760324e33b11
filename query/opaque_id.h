// OpaqueIdHasher: the ids lineage gives the hidden nodes it shows auditors
// as redacted stubs.
//
// opaque id = "redacted:" + lower-case hex of the first 16 bytes of
// HMAC-SHA256(key, real node id), with the database's redaction key
// (Database::redaction_key(): 32 random bytes made when the database was
// first opened, used for nothing else). So the same hidden node gets the
// same opaque id on every call, restart and caller of one database, two
// databases give unrelated ids, and without the key an opaque id cannot be
// turned back into a real one or tested against a guessed id. Nothing maps
// an opaque id back: it is never accepted as input. The key and the real
// ids behind opaque ids are never logged.
//
// Thread safety: immutable after construction; safe to share.
#ifndef CTXGRAPH_QUERY_OPAQUE_ID_H_
#define CTXGRAPH_QUERY_OPAQUE_ID_H_

#include <string>
#include <string_view>

namespace ctxgraph {

inline constexpr char kOpaqueIdPrefix[] = "redacted:";

class OpaqueIdHasher {
 public:
  explicit OpaqueIdHasher(std::string key) : key_(std::move(key)) {}

  // "redacted:" followed by 32 hex digits.
  std::string OpaqueId(std::string_view real_id) const;

 private:
  std::string key_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_OPAQUE_ID_H_
