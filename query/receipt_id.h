// ReceiptIdCodec: the receipt ids Retrieve hands out and GetReceipt and
// ReplayReceipt take back, and the cursor of ExposureReport's page tokens.
//
// receipt id = 32 lower-case hex digits: AES-128 of one 16-byte block, the
// audit entry's seq (big-endian) then the first 8 bytes of the entry's hash,
// under a 16-byte key derived from the database's secret by HKDF-SHA256
// (info "ctxgraph receipt id v1"; the secret's other use, page-token MACs,
// never derives a key).
//
// Why not the seq itself: seqs count every principal's entries, the label
// and propagation entries of nodes the caller cannot see included, so the
// gap between two receipts around a write would count hidden nodes
// (SECURITY.md). Why the hash: an
// id names one entry, not one position. A power loss inside the audit sync
// window may lose entry N after its receipt was handed out; the entry later
// stored as N has another hash, and the old id answers NOT_FOUND rather
// than naming someone else's read.
//
// Without the key an id gives away neither its seq nor how two ids relate;
// the same entry always gets the same id (restarts and backups keep the
// secret). Thread safety: immutable after construction; safe to share.
#ifndef CTXGRAPH_QUERY_RECEIPT_ID_H_
#define CTXGRAPH_QUERY_RECEIPT_ID_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/records.h"

namespace ctxgraph {

inline constexpr size_t kReceiptIdDigits = 32;

// What a receipt id names: an entry's seq and the start of its hash.
struct ReceiptRef {
  uint64_t seq = 0;
  std::array<uint8_t, 8> hash_prefix{};

  // Whether the entry stored at `seq` is the one this names.
  bool Names(const ContentHash& entry_hash) const;
};

class ReceiptIdCodec {
 public:
  explicit ReceiptIdCodec(std::string_view secret);

  // INTERNAL when OpenSSL fails (no memory): never an id that names nothing.
  absl::StatusOr<std::string> Encode(uint64_t seq, const ContentHash& entry_hash) const;
  // nullopt unless `id` is 32 lower-case hex digits. Any such id decodes:
  // one this codec did not make names a seq and hash no entry has.
  // INTERNAL as for Encode.
  absl::StatusOr<std::optional<ReceiptRef>> Decode(std::string_view id) const;

 private:
  absl::Status key_status_;  // the derivation's; every call answers it when not ok
  std::array<uint8_t, 16> key_{};
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_RECEIPT_ID_H_
