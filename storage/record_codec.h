// Byte encodings of stored records, and the canonical content hash.
//
// Every encoding starts with a format byte (kRecordFormat, or for node and
// edge records with a trailing section kRecordFormatWithTrailer); decoders check it
// and every length, and answer DATA_LOSS on bytes they cannot trust instead of
// crashing or reading past the end. Encoders never fail.
#ifndef CTXGRAPH_STORAGE_RECORD_CODEC_H_
#define CTXGRAPH_STORAGE_RECORD_CODEC_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/records.h"

namespace ctxgraph {

// Never change: on disk. Bump and keep a decoder for the old value instead.
inline constexpr uint8_t kRecordFormat = 1;
// A node or edge record with its trailing section (a node's inherited
// labels, an edge's sanitized labels), which format 1 marks by bytes alone:
// a format-1 record cut right before it decodes as one without it. Format 2
// requires the section, so such a cut is DATA_LOSS; records without one keep
// format 1 and their bytes, and format-1 records with one still decode. A
// token record that expires is format 2 too, its expiry the section; one
// that never expires keeps format 1, byte for byte as before expiry existed.
inline constexpr uint8_t kRecordFormatWithTrailer = 2;

std::string EncodeNode(const NodeRecord& node);
absl::StatusOr<NodeRecord> DecodeNode(std::string_view bytes);

std::string EncodeEdge(const EdgeRecord& edge);
absl::StatusOr<EdgeRecord> DecodeEdge(std::string_view bytes);

std::string EncodeCommit(const CommitRecord& commit);
absl::StatusOr<CommitRecord> DecodeCommit(std::string_view bytes);

std::string EncodePrincipal(const PrincipalRecord& principal);
absl::StatusOr<PrincipalRecord> DecodePrincipal(std::string_view bytes);

std::string EncodeToken(const TokenRecord& token);
absl::StatusOr<TokenRecord> DecodeToken(std::string_view bytes);

std::string EncodeLabelDefinition(const LabelDefinition& label);
absl::StatusOr<LabelDefinition> DecodeLabelDefinition(std::string_view bytes);

// An audit entry is stored as EncodeAuditBody(entry) || prev_hash || hash.
// Body: format u8 | seq varint | time fixed64 LE | principal str | action str
//       | snapshot_version varint | summary str | item count varint
//       | items (node_id str | edge_label str | edge_to str | version varint)...
//       | items_total varint | items_digest (32)
// where str is a varint length then the bytes.
// The body is every field but the two hashes, and is what the chain hashes:
// hash = SHA-256(prev_hash || body). Decoding checks the layout only; whether
// the hashes hold is AuditLog::Verify's job.
std::string EncodeAuditBody(const AuditEntry& entry);
std::string EncodeAuditEntry(const AuditEntry& entry);
absl::StatusOr<AuditEntry> DecodeAuditEntry(std::string_view bytes);
// The fields of an entry up to snapshot_version, without the summary and
// items: what the history horizon's receipt scan needs (history_retention.h).
struct AuditEntryHead {
  uint64_t seq = 0;
  Timestamp time;
  std::string action;
  uint64_t snapshot_version = 0;
};
absl::StatusOr<AuditEntryHead> DecodeAuditEntryHead(std::string_view bytes);
// SHA-256(prev_hash || EncodeAuditBody(entry)): the hash `entry` must carry.
ContentHash AuditEntryHash(const AuditEntry& entry);
// The same from a body already encoded.
ContentHash AuditBodyHash(const ContentHash& prev_hash, std::string_view body);
// The stored form of an entry from its encoded body and its two hashes:
// EncodeAuditEntry without encoding the body again. Consumes `body`.
std::string AuditEntryFromBody(std::string body, const ContentHash& prev_hash,
                               const ContentHash& hash);

// Incremental SHA-256 over a canonical encoding of audit items, in the order
// added: equal item sequences, equal digests; the empty sequence digests to
// SHA-256 of "". Not thread-safe, Digest() included (it hashes what is
// pending).
class AuditItemDigest {
 public:
  AuditItemDigest();
  ~AuditItemDigest();
  AuditItemDigest(AuditItemDigest&&) noexcept;
  AuditItemDigest& operator=(AuditItemDigest&&) noexcept;

  void Add(const AuditItem& item);
  // The digest of everything added so far; Add may continue afterwards.
  ContentHash Digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// SHA-256 over a canonical encoding of (labels, props, boundary). Labels and
// boundary must already be sorted and unique (the store normalizes them);
// props are ordered by key by construction. Equal content, equal hash.
ContentHash NodeContentHash(const NodeRecord& node);
// SHA-256 over the edge's props (its identity is its key).
ContentHash EdgeContentHash(const EdgeRecord& edge);

// Raw SHA-256 of arbitrary bytes, and lower-case hex of a digest.
ContentHash Sha256(std::string_view bytes);
std::string ToHex(std::string_view bytes);
inline std::string ToHex(const ContentHash& h) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_RECORD_CODEC_H_
