#include "storage/record_codec.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

enum ValueTag : uint8_t {
  kString = 1,
  kInt = 2,
  kDouble = 3,
  kBool = 4,
  kTimestamp = 5,
  kList = 6,
};

class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  // Each value is built in place and appended once: a push_back per byte
  // costs a capacity check each.
  void Varint(uint64_t v) {
    char bytes[10];
    size_t n = 0;
    while (v >= 0x80) {
      bytes[n++] = static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    bytes[n++] = static_cast<char>(v);
    out_.append(bytes, n);
  }
  void Fixed64(uint64_t v) {  // little-endian
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    out_.append(bytes, 8);
  }
  void Str(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void Strings(const std::vector<std::string>& v) {
    Varint(v.size());
    for (const auto& s : v) Str(s);
  }
  void Val(const Value& value) {
    std::visit(
        [this](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::string>) {
            U8(kString);
            Str(x);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            U8(kInt);
            Fixed64(static_cast<uint64_t>(x));
          } else if constexpr (std::is_same_v<T, double>) {
            U8(kDouble);
            uint64_t bits;
            std::memcpy(&bits, &x, sizeof bits);
            Fixed64(bits);
          } else if constexpr (std::is_same_v<T, bool>) {
            U8(kBool);
            U8(x ? 1 : 0);
          } else if constexpr (std::is_same_v<T, Timestamp>) {
            U8(kTimestamp);
            Fixed64(static_cast<uint64_t>(x.micros));
          } else {
            U8(kList);
            Varint(x.size());
            for (const Value& e : x) Val(e);
          }
        },
        value.v);
  }
  void Props(const PropMap& props) {
    Varint(props.size());
    for (const auto& [k, v] : props) {
      Str(k);
      Val(v);
    }
  }
  void Prov(const Provenance& p) {
    Varint(p.version);
    Fixed64(static_cast<uint64_t>(p.commit_time.micros));
    Str(p.writer);
    Raw(p.content_hash.data(), p.content_hash.size());
  }
  std::string Take() { return std::move(out_); }
  size_t size() const { return out_.size(); }
  void Clear() { out_.clear(); }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// Reads what ByteWriter wrote. Every read checks bounds; the first failure
// sticks, so callers check ok() once at the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  uint8_t U8() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  uint64_t Fixed64() {
    if (!Need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
  }
  std::string Str() {
    const uint64_t n = Varint();
    if (!Need(n)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  void Raw(void* p, size_t n) {
    if (!Need(n)) return;
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  // A count of items that each take at least one byte: bounded by what is left,
  // so a corrupt count cannot make us reserve gigabytes.
  uint64_t Count() {
    const uint64_t n = Varint();
    if (n > in_.size() - pos_) ok_ = false;
    return ok_ ? n : 0;
  }
  std::vector<std::string> Strings() {
    std::vector<std::string> v(Count());
    for (auto& s : v) s = Str();
    return v;
  }
  Value Val(bool allow_list = true) {
    Value value;
    switch (U8()) {
      case kString:
        value.v = Str();
        break;
      case kInt:
        value.v = static_cast<int64_t>(Fixed64());
        break;
      case kDouble: {
        const uint64_t bits = Fixed64();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        value.v = d;
        break;
      }
      case kBool: {
        const uint8_t b = U8();
        if (b > 1) ok_ = false;
        value.v = b == 1;
        break;
      }
      case kTimestamp:
        value.v = Timestamp{static_cast<int64_t>(Fixed64())};
        break;
      case kList: {
        if (!allow_list) {
          ok_ = false;
          break;
        }
        ValueList list(Count());
        for (auto& e : list) e = Val(/*allow_list=*/false);
        value.v = std::move(list);
        break;
      }
      default:
        ok_ = false;
    }
    return value;
  }
  PropMap Props() {
    PropMap props;
    const uint64_t n = Count();
    for (uint64_t i = 0; i < n && ok_; ++i) {
      std::string key = Str();
      props.emplace(std::move(key), Val());
    }
    return props;
  }
  Provenance Prov() {
    Provenance p;
    p.version = Varint();
    p.commit_time.micros = static_cast<int64_t>(Fixed64());
    p.writer = Str();
    Raw(p.content_hash.data(), p.content_hash.size());
    return p;
  }

 private:
  bool Need(uint64_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

absl::Status Finish(const ByteReader& r, std::string_view what) {
  if (!r.ok())
    return absl::DataLossError(absl::StrCat(std::string(what), " record: corrupt or truncated"));
  if (!r.AtEnd())
    return absl::DataLossError(absl::StrCat(std::string(what), " record: trailing bytes"));
  return absl::OkStatus();
}

absl::Status CheckFormat(ByteReader& r, std::string_view what) {
  const uint8_t format = r.U8();
  if (!r.ok() || format != kRecordFormat) {
    return absl::DataLossError(absl::StrCat(std::string(what), " record: unknown format ", format));
  }
  return absl::OkStatus();
}

// A node or edge record's format: whether its trailing section is required
// (kRecordFormatWithTrailer) or marked by bytes left over (kRecordFormat).
absl::StatusOr<bool> TrailerRequired(ByteReader& r, std::string_view what) {
  const uint8_t format = r.U8();
  if (r.ok() && (format == kRecordFormat || format == kRecordFormatWithTrailer)) {
    return format == kRecordFormatWithTrailer;
  }
  return absl::DataLossError(absl::StrCat(std::string(what), " record: unknown format ", format));
}

absl::Status MissingTrailer(std::string_view what) {
  return absl::DataLossError(absl::StrCat(std::string(what), " record: truncated"));
}

}  // namespace

std::string EncodeNode(const NodeRecord& node) {
  ByteWriter w;
  w.U8(node.inherited.empty() ? kRecordFormat : kRecordFormatWithTrailer);
  w.U8(node.deleted ? 1 : 0);
  w.Str(node.id);
  w.Strings(node.labels);
  w.Props(node.props);
  w.Strings(node.boundary);
  w.Str(node.source.system);
  w.Str(node.source.uri);
  w.U8(static_cast<uint8_t>(node.source.authority));
  w.Prov(node.provenance);
  // The trailing section, so that records written before propagation
  // existed (and nodes that inherit nothing) keep their bytes.
  if (!node.inherited.empty()) {
    w.Varint(node.inherited.size());
    for (const InheritedLabel& l : node.inherited) {
      w.Str(l.label);
      w.Varint(l.from_iid);
    }
  }
  return w.Take();
}

absl::StatusOr<NodeRecord> DecodeNode(std::string_view bytes) {
  ByteReader r(bytes);
  ASSIGN_OR_RETURN(const bool trailer, TrailerRequired(r, "node"));
  NodeRecord node;
  node.deleted = r.U8() != 0;
  node.id = r.Str();
  node.labels = r.Strings();
  node.props = r.Props();
  node.boundary = r.Strings();
  node.source.system = r.Str();
  node.source.uri = r.Str();
  const uint8_t authority = r.U8();
  if (authority > static_cast<uint8_t>(Authority::kInferred)) {
    return absl::DataLossError("node record: bad authority");
  }
  node.source.authority = static_cast<Authority>(authority);
  node.provenance = r.Prov();
  if (trailer && r.ok() && r.AtEnd()) return MissingTrailer("node");
  if (r.ok() && !r.AtEnd()) {
    const uint64_t n = r.Varint();
    if (trailer && n == 0) return absl::DataLossError("node record: empty trailing section");
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      InheritedLabel l;
      l.label = r.Str();
      l.from_iid = r.Varint();
      node.inherited.push_back(std::move(l));
    }
  }
  RETURN_IF_ERROR(Finish(r, "node"));
  return node;
}

std::string EncodeEdge(const EdgeRecord& edge) {
  ByteWriter w;
  w.U8(edge.sanitizes.empty() ? kRecordFormat : kRecordFormatWithTrailer);
  w.U8(edge.deleted ? 1 : 0);
  w.Str(edge.from);
  w.Str(edge.label);
  w.Str(edge.to);
  w.Props(edge.props);
  w.Prov(edge.provenance);
  if (!edge.sanitizes.empty()) w.Strings(edge.sanitizes);  // optional, as for nodes
  return w.Take();
}

absl::StatusOr<EdgeRecord> DecodeEdge(std::string_view bytes) {
  ByteReader r(bytes);
  ASSIGN_OR_RETURN(const bool trailer, TrailerRequired(r, "edge"));
  EdgeRecord edge;
  edge.deleted = r.U8() != 0;
  edge.from = r.Str();
  edge.label = r.Str();
  edge.to = r.Str();
  edge.props = r.Props();
  edge.provenance = r.Prov();
  if (trailer && r.ok() && r.AtEnd()) return MissingTrailer("edge");
  if (r.ok() && !r.AtEnd()) edge.sanitizes = r.Strings();
  if (trailer && r.ok() && edge.sanitizes.empty()) {
    return absl::DataLossError("edge record: empty trailing section");
  }
  RETURN_IF_ERROR(Finish(r, "edge"));
  return edge;
}

std::string EncodeCommit(const CommitRecord& commit) {
  ByteWriter w;
  w.U8(kRecordFormat);
  w.Varint(commit.version);
  w.Fixed64(static_cast<uint64_t>(commit.time.micros));
  w.Str(commit.principal);
  w.Str(commit.description);
  return w.Take();
}

absl::StatusOr<CommitRecord> DecodeCommit(std::string_view bytes) {
  ByteReader r(bytes);
  RETURN_IF_ERROR(CheckFormat(r, "commit"));
  CommitRecord c;
  c.version = r.Varint();
  c.time.micros = static_cast<int64_t>(r.Fixed64());
  c.principal = r.Str();
  c.description = r.Str();
  RETURN_IF_ERROR(Finish(r, "commit"));
  return c;
}

std::string EncodePrincipal(const PrincipalRecord& p) {
  ByteWriter w;
  w.U8(kRecordFormat);
  w.Str(p.id);
  w.Varint(p.roles.size());
  for (Role role : p.roles) w.U8(static_cast<uint8_t>(role));
  w.Strings(p.clearances);
  w.U8(static_cast<uint8_t>(p.status));
  w.Varint(p.version);
  return w.Take();
}

absl::StatusOr<PrincipalRecord> DecodePrincipal(std::string_view bytes) {
  ByteReader r(bytes);
  RETURN_IF_ERROR(CheckFormat(r, "principal"));
  PrincipalRecord p;
  p.id = r.Str();
  const uint64_t n = r.Count();
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t role = r.U8();
    if (role < static_cast<uint8_t>(Role::kAgent) || role > static_cast<uint8_t>(Role::kAdmin)) {
      return absl::DataLossError("principal record: bad role");
    }
    p.roles.push_back(static_cast<Role>(role));
  }
  p.clearances = r.Strings();
  const uint8_t status = r.U8();
  if (status != static_cast<uint8_t>(PrincipalStatus::kActive) &&
      status != static_cast<uint8_t>(PrincipalStatus::kSuspended)) {
    return absl::DataLossError("principal record: bad status");
  }
  p.status = static_cast<PrincipalStatus>(status);
  p.version = r.Varint();
  RETURN_IF_ERROR(Finish(r, "principal"));
  return p;
}

std::string EncodeToken(const TokenRecord& t) {
  ByteWriter w;
  const bool expires = t.expires.micros != 0;
  w.U8(expires ? kRecordFormatWithTrailer : kRecordFormat);
  w.Str(t.token_id);
  w.Str(t.principal_id);
  w.Raw(t.token_hash.data(), t.token_hash.size());
  w.Fixed64(static_cast<uint64_t>(t.created.micros));
  w.U8(t.revoked ? 1 : 0);
  if (expires) w.Fixed64(static_cast<uint64_t>(t.expires.micros));
  return w.Take();
}

absl::StatusOr<TokenRecord> DecodeToken(std::string_view bytes) {
  ByteReader r(bytes);
  ASSIGN_OR_RETURN(const bool expires, TrailerRequired(r, "token"));
  TokenRecord t;
  t.token_id = r.Str();
  t.principal_id = r.Str();
  r.Raw(t.token_hash.data(), t.token_hash.size());
  t.created.micros = static_cast<int64_t>(r.Fixed64());
  t.revoked = r.U8() != 0;
  if (expires) {
    t.expires.micros = static_cast<int64_t>(r.Fixed64());
    // Format 2 is written only for a token that expires.
    if (r.ok() && t.expires.micros == 0) return MissingTrailer("token");
  }
  RETURN_IF_ERROR(Finish(r, "token"));
  return t;
}

std::string EncodeLabelDefinition(const LabelDefinition& label) {
  ByteWriter w;
  w.U8(kRecordFormat);
  w.Str(label.name);
  w.Str(label.description);
  w.U8(label.propagate ? 1 : 0);
  w.Varint(label.version);
  w.Varint(label.created_version);
  w.Str(label.principal);
  w.Fixed64(static_cast<uint64_t>(label.time.micros));
  return w.Take();
}

absl::StatusOr<LabelDefinition> DecodeLabelDefinition(std::string_view bytes) {
  ByteReader r(bytes);
  RETURN_IF_ERROR(CheckFormat(r, "label"));
  LabelDefinition label;
  label.name = r.Str();
  label.description = r.Str();
  const uint8_t propagate = r.U8();
  if (propagate > 1) return absl::DataLossError("label record: bad propagate flag");
  label.propagate = propagate == 1;
  label.version = r.Varint();
  label.created_version = r.Varint();
  label.principal = r.Str();
  label.time.micros = static_cast<int64_t>(r.Fixed64());
  RETURN_IF_ERROR(Finish(r, "label"));
  return label;
}

namespace {

void WriteAuditItem(ByteWriter& w, const AuditItem& item) {
  w.Str(item.node_id);
  w.Str(item.edge_label);
  w.Str(item.edge_to);
  w.Varint(item.version);
}

void WriteHash(ByteWriter& w, const ContentHash& h) { w.Raw(h.data(), h.size()); }

}  // namespace

std::string EncodeAuditBody(const AuditEntry& e) {
  ByteWriter w;
  w.U8(kRecordFormat);
  w.Varint(e.seq);
  w.Fixed64(static_cast<uint64_t>(e.time.micros));
  w.Str(e.principal);
  w.Str(e.action);
  w.Varint(e.snapshot_version);
  w.Str(e.summary);
  w.Varint(e.items.size());
  for (const AuditItem& item : e.items) WriteAuditItem(w, item);
  w.Varint(e.items_total);
  WriteHash(w, e.items_digest);
  return w.Take();
}

std::string EncodeAuditEntry(const AuditEntry& e) {
  return AuditEntryFromBody(EncodeAuditBody(e), e.prev_hash, e.hash);
}

std::string AuditEntryFromBody(std::string body, const ContentHash& prev_hash,
                               const ContentHash& hash) {
  body.append(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size());
  body.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return body;
}

absl::StatusOr<AuditEntry> DecodeAuditEntry(std::string_view bytes) {
  ByteReader r(bytes);
  RETURN_IF_ERROR(CheckFormat(r, "audit"));
  AuditEntry e;
  e.seq = r.Varint();
  e.time.micros = static_cast<int64_t>(r.Fixed64());
  e.principal = r.Str();
  e.action = r.Str();
  e.snapshot_version = r.Varint();
  e.summary = r.Str();
  e.items.resize(r.Count());
  for (AuditItem& item : e.items) {
    item.node_id = r.Str();
    item.edge_label = r.Str();
    item.edge_to = r.Str();
    item.version = r.Varint();
  }
  e.items_total = r.Varint();
  r.Raw(e.items_digest.data(), e.items_digest.size());
  r.Raw(e.prev_hash.data(), e.prev_hash.size());
  r.Raw(e.hash.data(), e.hash.size());
  RETURN_IF_ERROR(Finish(r, "audit"));
  if (e.items_total < e.items.size()) {
    return absl::DataLossError("audit record: items_total below the items listed");
  }
  return e;
}

absl::StatusOr<AuditEntryHead> DecodeAuditEntryHead(std::string_view bytes) {
  ByteReader r(bytes);
  RETURN_IF_ERROR(CheckFormat(r, "audit"));
  AuditEntryHead head;
  head.seq = r.Varint();
  head.time.micros = static_cast<int64_t>(r.Fixed64());
  r.Str();  // principal
  head.action = r.Str();
  head.snapshot_version = r.Varint();
  if (!r.ok()) return absl::DataLossError("audit record: corrupt or truncated");
  return head;
}

ContentHash AuditEntryHash(const AuditEntry& entry) {
  return AuditBodyHash(entry.prev_hash, EncodeAuditBody(entry));
}

ContentHash AuditBodyHash(const ContentHash& prev_hash, std::string_view body) {
  std::string message(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size());
  message.append(body);
  return Sha256(message);
}

namespace {

// SHA-256, fetched once per process: OpenSSL 3 fetches the algorithm behind
// EVP_sha256() again on every digest it starts (a lock and a lookup), which
// was 2% of the server's time per Upstream call in AuditItemDigest alone.
// Should the fetch fail, EVP_sha256() (fetched on every use) stands in.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

}  // namespace

// OpenSSL 3 deprecates the SHA256_* context functions; EVP is the API.
// Items are encoded into `pending` and hashed a few KiB at a time: one
// digest update per item cost more than the hashing.
struct AuditItemDigest::State {
  static constexpr size_t kFlushBytes = 4096;

  State() : ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr); }
  ~State() { EVP_MD_CTX_free(ctx); }
  void Flush() {
    EVP_DigestUpdate(ctx, pending.bytes().data(), pending.size());
    pending.Clear();
  }

  EVP_MD_CTX* ctx;
  ByteWriter pending;
};

AuditItemDigest::AuditItemDigest() : state_(std::make_unique<State>()) {}
AuditItemDigest::~AuditItemDigest() = default;
AuditItemDigest::AuditItemDigest(AuditItemDigest&&) noexcept = default;
AuditItemDigest& AuditItemDigest::operator=(AuditItemDigest&&) noexcept = default;

void AuditItemDigest::Add(const AuditItem& item) {
  WriteAuditItem(state_->pending, item);
  if (state_->pending.size() >= State::kFlushBytes) state_->Flush();
}

ContentHash AuditItemDigest::Digest() const {
  state_->Flush();  // the same bytes in the same order: the same digest
  // Finalizing consumes a context, so finalize a copy.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, state_->ctx);
  ContentHash h;
  EVP_DigestFinal_ex(copy, h.data(), nullptr);
  EVP_MD_CTX_free(copy);
  return h;
}

ContentHash NodeContentHash(const NodeRecord& node) {
  ByteWriter w;
  w.Str("ctxgraph.node.v1");
  w.Strings(node.labels);
  w.Props(node.props);
  w.Strings(node.boundary);
  return Sha256(w.Take());
}

ContentHash EdgeContentHash(const EdgeRecord& edge) {
  ByteWriter w;
  w.Str("ctxgraph.edge.v1");
  w.Props(edge.props);
  return Sha256(w.Take());
}

namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm and allocates a
// context on every call, which was 4% of GetNode's server time (every call
// hashes its bearer token). One fetch per process, one context per thread.
class Sha256Context {
 public:
  Sha256Context() : md_(Sha256Md()), ctx_(EVP_MD_CTX_new()) {}
  ~Sha256Context() { EVP_MD_CTX_free(ctx_); }
  Sha256Context(const Sha256Context&) = delete;
  Sha256Context& operator=(const Sha256Context&) = delete;

  // False only when OpenSSL could not allocate or has no SHA-256.
  bool Hash(std::string_view bytes, ContentHash* out) {
    unsigned int len = 0;
    return md_ && ctx_ && EVP_DigestInit_ex2(ctx_, md_, nullptr) == 1 &&
           EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) == 1 &&
           EVP_DigestFinal_ex(ctx_, out->data(), &len) == 1 && len == out->size();
  }

 private:
  const EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

}  // namespace

ContentHash Sha256(std::string_view bytes) {
  thread_local Sha256Context context;
  ContentHash h;
  if (!context.Hash(bytes, &h)) {
    // The slow path, which has no failure to report either.
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), h.data());
  }
  return h;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* digit = out.data();
  for (unsigned char c : bytes) {
    *digit++ = kDigits[c >> 4];
    *digit++ = kDigits[c & 0xF];
  }
  return out;
}

}  // namespace ctxgraph
