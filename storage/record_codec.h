// Byte encodings of stored records, and the canonical content hash.
//
// Every encoding starts with a format byte (kRecordFormat); decoders check it
// and every length, and answer DATA_LOSS on bytes they cannot trust instead of
// crashing or reading past the end. Encoders never fail.
#ifndef CTXGRAPH_STORAGE_RECORD_CODEC_H_
#define CTXGRAPH_STORAGE_RECORD_CODEC_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/records.h"

namespace ctxgraph {

// Never change: on disk. Bump and keep a decoder for the old value instead.
inline constexpr uint8_t kRecordFormat = 1;

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
