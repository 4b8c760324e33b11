#include "storage/keys.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/status_macros.h"

namespace ctxgraph::keys {
namespace {

void AppendString(std::string* out, std::string_view s) {
  // Callers validate lengths; a longer string is truncated rather than
  // producing a key that decodes differently.
  const size_t n = s.size() > kMaxKeyString ? kMaxKeyString : s.size();
  out->push_back(static_cast<char>((n >> 8) & 0xFF));
  out->push_back(static_cast<char>(n & 0xFF));
  out->append(s.data(), n);
}

// Reads a length-prefixed string at *pos and advances *pos past it.
absl::StatusOr<std::string> ReadString(std::string_view in, size_t* pos) {
  if (in.size() < *pos + 2) return absl::DataLossError("key: truncated string length");
  const size_t n = (static_cast<uint8_t>(in[*pos]) << 8) | static_cast<uint8_t>(in[*pos + 1]);
  *pos += 2;
  if (in.size() < *pos + n) return absl::DataLossError("key: truncated string");
  std::string s(in.substr(*pos, n));
  *pos += n;
  return s;
}

absl::Status ExpectEnd(std::string_view in, size_t pos, std::string_view what) {
  if (pos != in.size()) {
    return absl::DataLossError(
        absl::StrCat(std::string(what), " key: ", in.size() - pos, " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xFF));
}

absl::StatusOr<uint64_t> ReadU64(std::string_view in, size_t pos) {
  if (in.size() < pos + 8) return absl::DataLossError("key: truncated integer");
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}

std::string EncodeU64(uint64_t v) {
  std::string out;
  AppendU64(&out, v);
  return out;
}

std::string EncodeNodeVersionKey(const NodeVersionKey& k) {
  std::string out;
  out.reserve(16);
  AppendU64(&out, k.iid);
  AppendU64(&out, ~k.version);
  return out;
}

absl::StatusOr<NodeVersionKey> DecodeNodeVersionKey(std::string_view key) {
  if (key.size() != 16) return absl::DataLossError("node key: expected 16 bytes");
  NodeVersionKey k;
  k.iid = *ReadU64(key, 0);
  k.version = ~*ReadU64(key, 8);
  return k;
}

std::string NodePrefix(uint64_t iid) { return EncodeU64(iid); }

std::string AdjacencyPrefix(uint64_t self) { return EncodeU64(self); }

std::string AdjacencyPrefix(uint64_t self, std::string_view label) {
  std::string out = EncodeU64(self);
  AppendString(&out, label);
  return out;
}

std::string AdjacencyEdgePrefix(uint64_t self, std::string_view label, uint64_t other) {
  std::string out = AdjacencyPrefix(self, label);
  AppendU64(&out, other);
  return out;
}

std::string EncodeAdjacencyKey(const AdjacencyKey& k) {
  std::string out = AdjacencyEdgePrefix(k.self, k.label, k.other);
  AppendU64(&out, ~k.version);
  return out;
}

absl::StatusOr<AdjacencyKey> DecodeAdjacencyKey(std::string_view key) {
  AdjacencyKey k;
  auto self = ReadU64(key, 0);
  if (!self.ok()) return self.status();
  k.self = *self;
  size_t pos = 8;
  auto label = ReadString(key, &pos);
  if (!label.ok()) return label.status();
  k.label = std::move(*label);
  auto other = ReadU64(key, pos);
  if (!other.ok()) return other.status();
  k.other = *other;
  auto version = ReadU64(key, pos + 8);
  if (!version.ok()) return version.status();
  k.version = ~*version;
  if (absl::Status st = ExpectEnd(key, pos + 16, "adjacency"); !st.ok()) return st;
  return k;
}

std::string LabelIndexPrefix(std::string_view label) {
  std::string out;
  AppendString(&out, label);
  return out;
}

std::string EncodeLabelIndexKey(const LabelIndexKey& k) {
  std::string out = LabelIndexPrefix(k.label);
  AppendU64(&out, k.iid);
  AppendU64(&out, ~k.version);
  return out;
}

absl::StatusOr<LabelIndexKey> DecodeLabelIndexKey(std::string_view key) {
  LabelIndexKey k;
  size_t pos = 0;
  auto label = ReadString(key, &pos);
  if (!label.ok()) return label.status();
  k.label = std::move(*label);
  auto iid = ReadU64(key, pos);
  if (!iid.ok()) return iid.status();
  k.iid = *iid;
  auto version = ReadU64(key, pos + 8);
  if (!version.ok()) return version.status();
  k.version = ~*version;
  if (absl::Status st = ExpectEnd(key, pos + 16, "label index"); !st.ok()) return st;
  return k;
}

namespace {

// len u16 | name: the prefix of every version of one principal or label.
std::string NamePrefix(std::string_view name) {
  std::string out;
  AppendString(&out, name);
  return out;
}

// len u16 | name | ~version u64: principals and labels.
std::string EncodeNameVersion(std::string_view name, uint64_t version) {
  std::string out = NamePrefix(name);
  AppendU64(&out, ~version);
  return out;
}

absl::Status DecodeNameVersion(std::string_view key, std::string_view what, std::string* name,
                               uint64_t* version) {
  size_t pos = 0;
  ASSIGN_OR_RETURN(*name, ReadString(key, &pos));
  ASSIGN_OR_RETURN(const uint64_t inverted, ReadU64(key, pos));
  *version = ~inverted;
  return ExpectEnd(key, pos + 8, what);
}

}  // namespace

std::string PrincipalPrefix(std::string_view id) { return NamePrefix(id); }

std::string EncodePrincipalKey(const PrincipalKey& k) { return EncodeNameVersion(k.id, k.version); }

absl::StatusOr<PrincipalKey> DecodePrincipalKey(std::string_view key) {
  PrincipalKey k;
  RETURN_IF_ERROR(DecodeNameVersion(key, "principal", &k.id, &k.version));
  return k;
}

std::string LabelPrefix(std::string_view name) { return NamePrefix(name); }

std::string EncodeLabelKey(const LabelKey& k) { return EncodeNameVersion(k.name, k.version); }

absl::StatusOr<LabelKey> DecodeLabelKey(std::string_view key) {
  LabelKey k;
  RETURN_IF_ERROR(DecodeNameVersion(key, "label", &k.name, &k.version));
  return k;
}

absl::StatusOr<uint64_t> VersionOfVersionedKey(std::string_view key) {
  if (key.size() < 8) return absl::DataLossError("versioned key: shorter than 8 bytes");
  ASSIGN_OR_RETURN(uint64_t inverted, ReadU64(key, key.size() - 8));
  return ~inverted;
}

std::string CommitKey(uint64_t version) { return EncodeU64(version); }

absl::StatusOr<uint64_t> DecodeCommitKey(std::string_view key) {
  if (key.size() != 8) return absl::DataLossError("commit key: expected 8 bytes");
  return ReadU64(key, 0);
}

std::string PostingTermPrefix(std::string_view term) {
  std::string out;
  AppendString(&out, term);
  return out;
}

std::string EncodePostingBlockKey(const PostingBlockKey& k) {
  std::string out = PostingTermPrefix(k.term);
  AppendU64(&out, k.first_iid);
  AppendU64(&out, ~k.version);
  return out;
}

absl::StatusOr<PostingBlockKey> DecodePostingBlockKey(std::string_view key) {
  PostingBlockKey k;
  size_t pos = 0;
  ASSIGN_OR_RETURN(k.term, ReadString(key, &pos));
  ASSIGN_OR_RETURN(k.first_iid, ReadU64(key, pos));
  ASSIGN_OR_RETURN(const uint64_t version, ReadU64(key, pos + 8));
  k.version = ~version;
  RETURN_IF_ERROR(ExpectEnd(key, pos + 16, "posting block"));
  return k;
}

std::string TermSetDocsPrefix(std::string_view term) {
  std::string out(1, kTermSetDocsTag);
  AppendString(&out, term);
  return out;
}

std::string EncodeTermSetDocsKey(const TermSetDocsKey& k) {
  std::string out = TermSetDocsPrefix(k.term);
  AppendU64(&out, k.set);
  AppendU64(&out, ~k.version);
  return out;
}

absl::StatusOr<TermSetDocsKey> DecodeTermSetDocsKey(std::string_view key) {
  if (key.empty() || key[0] != kTermSetDocsTag)
    return absl::DataLossError("term docs key: bad tag");
  TermSetDocsKey k;
  size_t pos = 1;
  ASSIGN_OR_RETURN(k.term, ReadString(key, &pos));
  ASSIGN_OR_RETURN(k.set, ReadU64(key, pos));
  ASSIGN_OR_RETURN(const uint64_t version, ReadU64(key, pos + 8));
  k.version = ~version;
  RETURN_IF_ERROR(ExpectEnd(key, pos + 16, "term docs"));
  return k;
}

std::string SetTotalsPrefix() { return std::string(1, kSetTotalsTag); }

std::string EncodeSetTotalsKey(const SetTotalsKey& k) {
  std::string out = SetTotalsPrefix();
  AppendU64(&out, k.set);
  AppendU64(&out, ~k.version);
  return out;
}

absl::StatusOr<SetTotalsKey> DecodeSetTotalsKey(std::string_view key) {
  if (key.size() != 17 || key[0] != kSetTotalsTag) {
    return absl::DataLossError("set totals key: expected 'n' and 16 bytes");
  }
  SetTotalsKey k;
  k.set = *ReadU64(key, 1);
  k.version = ~*ReadU64(key, 9);
  return k;
}

std::string EncodeBoundarySetLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (const auto& label : labels) AppendString(&out, label);
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeBoundarySetLabels(std::string_view bytes) {
  std::vector<std::string> labels;
  size_t pos = 0;
  while (pos < bytes.size()) {
    ASSIGN_OR_RETURN(std::string label, ReadString(bytes, &pos));
    labels.push_back(std::move(label));
  }
  return labels;
}

std::string BoundarySetByLabelsKey(const std::vector<std::string>& labels) {
  return std::string(1, kBoundarySetByLabelsTag) + EncodeBoundarySetLabels(labels);
}

std::string BoundarySetByIdKey(uint64_t set) {
  std::string out(1, kBoundarySetByIdTag);
  AppendU64(&out, set);
  return out;
}

std::string EncodeBoundaryLogKey(const BoundaryLogKey& k) {
  std::string out;
  AppendU64(&out, k.version);
  AppendU64(&out, k.iid);
  return out;
}

absl::StatusOr<BoundaryLogKey> DecodeBoundaryLogKey(std::string_view key) {
  if (key.size() != 16) return absl::DataLossError("boundary log key: expected 16 bytes");
  return BoundaryLogKey{*ReadU64(key, 0), *ReadU64(key, 8)};
}

std::string AuditKey(uint64_t seq) { return EncodeU64(seq); }

absl::StatusOr<uint64_t> DecodeAuditKey(std::string_view key) {
  if (key.size() != 8) return absl::DataLossError("audit key: expected 8 bytes");
  return ReadU64(key, 0);
}

std::string TokenByHashKey(std::string_view sha256) {
  std::string out(1, kTokenByHashTag);
  out.append(sha256);
  return out;
}

std::string TokenByIdKey(std::string_view token_id) {
  std::string out(1, kTokenByIdTag);
  out.append(token_id);
  return out;
}

}  // namespace ctxgraph::keys
