#include "storage/backup.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/audit_log.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

namespace fs = std::filesystem;

constexpr char kManifestMagic[] = "ctxgraph-backup";

absl::Status ErrnoError(const char* what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// fsyncs a file or a directory (so that the names in it are durable).
absl::Status SyncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return ErrnoError("open", path);
  const bool ok = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok ? absl::OkStatus() : ErrnoError("fsync", path);
}

// Writes `content` to `path` through a synced temporary file and a rename.
absl::Status WriteFileDurably(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("write ", tmp, ": failed"));
  }
  RETURN_IF_ERROR(SyncPath(tmp, false));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError("rename", tmp);
  return SyncPath(fs::absolute(path).parent_path().string(), true);
}

// The number and total size of the regular files under `dir`.
absl::Status CountFiles(const std::string& dir, uint64_t* files, uint64_t* bytes) {
  std::error_code ec;
  *files = 0;
  *bytes = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    ++*files;
    *bytes += it->file_size(ec);
  }
  if (ec) return absl::InternalError(absl::StrCat("list ", dir, ": ", ec.message()));
  return absl::OkStatus();
}

// Discards RocksDB's info log: a read-only look at a backup must not add a
// LOG file to it.
class SilentLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// What the checkpoint at `path` holds: its format marker, latest version
// and audit head, read through a read-only instance (which replays the
// copied WAL in memory and writes nothing to the database's files).
absl::Status ReadCaptured(const std::string& path, BackupManifest* manifest) {
  rocksdb::Options options;
  options.paranoid_checks = true;
  options.info_log = std::make_shared<SilentLogger>();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {keys::kAuditCf, rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::OpenForReadOnly(options, path, descriptors, &handles, &raw)));
  std::unique_ptr<rocksdb::DB> db(raw);
  absl::Status status = [&]() -> absl::Status {
    std::string value;
    RETURN_IF_ERROR(FromRocks(
        db->Get(rocksdb::ReadOptions(), handles[0], keys::kFormatKey, &manifest->db_format)));
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), handles[0], keys::kLastVersionKey, &value);
    if (s.IsNotFound()) {
      manifest->version = 0;
    } else {
      RETURN_IF_ERROR(FromRocks(s));
      ASSIGN_OR_RETURN(manifest->version, keys::ReadU64(value, 0));
    }
    AuditLog audit(db.get(), handles[1], AuditSyncPolicy{.sync = false});
    RETURN_IF_ERROR(audit.Load());
    manifest->audit_seq = audit.head_seq();
    manifest->audit_head = audit.head_hash();
    return absl::OkStatus();
  }();
  for (auto* h : handles) IGNORE_STATUS(db->DestroyColumnFamilyHandle(h));  // read-only: no data
  IGNORE_STATUS(db->Close());  // a read-only instance has nothing to write back
  return status;
}

// Copies the files of `from` into the existing directory `to`: SST files as
// hard links where the filesystem allows (they are immutable), the rest as
// synced copies, since the restored database rewrites its MANIFEST and WAL.
absl::Status CopyDatabaseFiles(const std::string& from, const std::string& to) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(from, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const fs::path target = fs::path(to) / it->path().filename();
    if (it->path().extension() == ".sst") {
      fs::create_hard_link(it->path(), target, ec);
      if (!ec) continue;
      ec.clear();
    }
    fs::copy_file(it->path(), target, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("copy ", it->path().string(), " to ", to, ": ", ec.message()));
    }
    RETURN_IF_ERROR(SyncPath(target.string(), false));
  }
  if (ec) return absl::InternalError(absl::StrCat("list ", from, ": ", ec.message()));
  return SyncPath(to, true);
}

// Opens the copy at `path` as the server will and checks it against
// `manifest`: checksums, the audit chain and where it ends, the version.
absl::Status CheckRestored(const std::string& path, const BackupManifest& manifest,
                           const DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path, options));
  RETURN_IF_ERROR(FromRocks(db->rocks()->VerifyChecksum()));
  if (db->LatestVersion() != manifest.version) {
    return absl::DataLossError(absl::StrCat("latest version is ", db->LatestVersion(),
                                            ", the manifest says ", manifest.version));
  }
  ASSIGN_OR_RETURN(AuditVerifyResult audit, db->audit().Verify());
  if (!audit.ok) {
    return absl::DataLossError(
        absl::StrCat("audit log does not verify: seq ", audit.first_bad_seq, ": ", audit.reason));
  }
  if (audit.head_seq != manifest.audit_seq || audit.head_hash != manifest.audit_head) {
    return absl::DataLossError(absl::StrCat(
        "audit log ends at seq ", audit.head_seq, " hash ", ToHex(audit.head_hash),
        ", the manifest says seq ", manifest.audit_seq, " hash ", ToHex(manifest.audit_head)));
  }
  return absl::OkStatus();
}

absl::Status WithContext(const absl::Status& status, const std::string& context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(context, status.message()));
}

}  // namespace

std::string EncodeBackupManifest(const BackupManifest& m) {
  return absl::StrCat(kManifestMagic, " ", m.format_version, "\n",  //
                      "db_format ", m.db_format, "\n",              //
                      "version ", m.version, "\n",                  //
                      "audit_seq ", m.audit_seq, "\n",              //
                      "audit_head ", ToHex(m.audit_head), "\n",     //
                      "created_micros ", m.created.micros, "\n",    //
                      "files ", m.files, "\n",                      //
                      "bytes ", m.bytes, "\n");
}

absl::StatusOr<BackupManifest> DecodeBackupManifest(std::string_view text) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::string_view(text.data(), text.size()), '\n', absl::SkipEmpty());
  const auto malformed = [](absl::string_view why) {
    return absl::DataLossError(absl::StrCat("backup manifest: ", why));
  };
  BackupManifest m;
  if (lines.empty() || !absl::ConsumePrefix(&lines[0], absl::StrCat(kManifestMagic, " ")) ||
      !absl::SimpleAtoi(lines[0], &m.format_version)) {
    return malformed("not a ctxgraph backup manifest");
  }
  if (m.format_version != kBackupFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("backup manifest: format version ", m.format_version,
                     " is not supported (this build reads ", kBackupFormatVersion, ")"));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(lines[i], ' ');
    const auto& [key, value] = kv;
    bool ok = true;
    if (key == "db_format") {
      m.db_format = std::string(value);
    } else if (key == "version") {
      ok = absl::SimpleAtoi(value, &m.version);
    } else if (key == "audit_seq") {
      ok = absl::SimpleAtoi(value, &m.audit_seq);
    } else if (key == "audit_head") {
      const std::string bytes = absl::HexStringToBytes(value);
      ok = value.size() == 64 && ToHex(bytes) == std::string(value);
      if (ok) std::memcpy(m.audit_head.data(), bytes.data(), m.audit_head.size());
    } else if (key == "created_micros") {
      ok = absl::SimpleAtoi(value, &m.created.micros);
    } else if (key == "files") {
      ok = absl::SimpleAtoi(value, &m.files);
    } else if (key == "bytes") {
      ok = absl::SimpleAtoi(value, &m.bytes);
    } else {
      continue;  // a later writer's addition this reader does not need
    }
    if (!ok) return malformed(absl::StrCat("bad ", key, " \"", absl::CHexEscape(value), "\""));
    seen.insert(key);
  }
  if (seen.size() != 7 || m.db_format.empty()) return malformed("incomplete");
  return m;
}

absl::StatusOr<BackupManifest> ReadBackupManifest(const std::string& dir) {
  const std::string path = (fs::path(dir) / kBackupManifestFile).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("not a complete ctxgraph backup: it has no ", kBackupManifestFile));
  }
  std::stringstream text;
  text << in.rdbuf();
  return DecodeBackupManifest(text.str());
}

bool PathIsWithin(const std::string& path, const std::string& root) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) return false;
  const fs::path r = fs::weakly_canonical(fs::absolute(root), ec);
  if (ec) return false;
  auto pi = p.begin();
  for (auto ri = r.begin(); ri != r.end(); ++ri, ++pi) {
    if (ri->empty()) continue;  // the empty last part of a trailing '/'
    if (pi == p.end() || *pi != *ri) return false;
  }
  return true;
}

namespace {

// Every directory above `path`, as written and as resolved, must belong to
// root or the server's user and let no one else rename what is in it (not
// group- or other-writable, or sticky like /tmp): else another user could
// move DIR (or a symlink on the way to it) aside between the checks and the
// checkpoint and put their own in its place, with a db.tmp that links to
// the live database.
absl::Status CheckAncestors(const std::string& dir, const fs::path& path) {
  std::error_code ec;
  const fs::path resolved = fs::weakly_canonical(path, ec);
  if (ec) return absl::InternalError(absl::StrCat("dir: \"", dir, "\": ", ec.message()));
  for (const fs::path& chain : {path.lexically_normal(), resolved}) {
    for (fs::path up = chain.parent_path();; up = up.parent_path()) {
      struct stat info {};
      if (::stat(up.c_str(), &info) != 0) return ErrnoError("stat", up.string());
      const bool owned = info.st_uid == 0 || info.st_uid == ::geteuid();
      const bool others_rename = (info.st_mode & 022) != 0 && (info.st_mode & S_ISVTX) == 0;
      if (!owned || others_rename) {
        return absl::FailedPreconditionError(absl::StrCat(
            "dir: \"", dir, "\": \"", up.string(),
            "\" lets another user replace what is in it (it must belong to root or the server's "
            "user, and be writable by no one else unless sticky); uid ",
            info.st_uid, " mode ", absl::StrFormat("%04o", info.st_mode & 07777)));
      }
      if (up == up.root_path()) break;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckBackupTarget(const std::string& dir, const std::string& root,
                               std::string_view root_what) {
  if (dir.empty()) return absl::InvalidArgumentError("dir: required");
  const fs::path path(dir);
  if (!path.is_absolute()) {
    return absl::InvalidArgumentError(
        absl::StrCat("dir: \"", dir, "\" is not an absolute path on the server"));
  }
  if (PathIsWithin(dir, root)) {
    return absl::InvalidArgumentError(
        absl::StrCat("dir: \"", dir, "\" is inside ", std::string(root_what)));
  }
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      return absl::AlreadyExistsError(
          absl::StrCat("dir: \"", dir, "\" exists and is not a directory"));
    }
    if (!fs::is_empty(path, ec) || ec) {
      return absl::AlreadyExistsError(absl::StrCat("dir: \"", dir, "\" exists and is not empty"));
    }
    // The copy holds every node, token hash and key, and RocksDB stages it
    // in DIR/db.tmp, emptying whatever that names first: another user able
    // to read DIR could read the backup, one able to write DIR could plant
    // db.tmp as a link to the live database.
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0) return ErrnoError("stat", dir);
    if (info.st_uid != ::geteuid() || (info.st_mode & 077) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("dir: \"", dir, "\" must belong to the server's user (uid ", ::geteuid(),
                       ") with mode 0700, not uid ", info.st_uid, " mode ",
                       absl::StrFormat("%04o", info.st_mode & 0777)));
    }
    return CheckAncestors(dir, path);
  }
  const fs::path parent = path.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("dir: parent directory \"", parent.string(), "\" does not exist"));
  }
  return CheckAncestors(dir, path);
}

absl::StatusOr<BackupManifest> Database::Backup(const std::string& dir,
                                                const BackupHook& before_manifest) const {
  std::lock_guard<std::mutex> lock(backup_mu_);
  RETURN_IF_ERROR(CheckBackupTarget(dir, db_->GetName(), "the database directory"));
  const fs::path root(dir);
  const std::string db_dir = (root / kBackupDbDir).string();
  std::error_code ec;
  const bool created_root = !fs::exists(root, ec);
  if (created_root && ::mkdir(dir.c_str(), 0700) != 0) {
    return errno == EEXIST ? absl::AlreadyExistsError(absl::StrCat("dir: \"", dir, "\" exists"))
                           : ErrnoError("mkdir", dir);
  }
  bool checkpointed = false;  // db_dir is ours to remove only once we made it
  absl::StatusOr<BackupManifest> result = [&]() -> absl::StatusOr<BackupManifest> {
    BackupManifest manifest;
    manifest.created = Now();
    rocksdb::Checkpoint* raw = nullptr;
    RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw)));
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // log_size_for_flush 0: flush every column family first, so the copy
    // replays little WAL. Commits that land during the checkpoint are in the
    // copied WAL or not, each whole; a session's Finish waits for it
    // (checkpoint_mu_), and a session still open is dropped on restore.
    {
      std::lock_guard<std::mutex> checkpointing(checkpoint_mu_);
      RETURN_IF_ERROR(FromRocks(checkpoint->CreateCheckpoint(db_dir, /*log_size_for_flush=*/0)));
    }
    checkpointed = true;
    RETURN_IF_ERROR(ReadCaptured(db_dir, &manifest));
    RETURN_IF_ERROR(CountFiles(db_dir, &manifest.files, &manifest.bytes));
    if (before_manifest) RETURN_IF_ERROR(before_manifest(manifest));
    RETURN_IF_ERROR(
        WriteFileDurably((root / kBackupManifestFile).string(), EncodeBackupManifest(manifest)));
    return manifest;
  }();
  if (!result.ok()) {
    // Leave nothing that could pass for a backup.
    fs::remove((root / kBackupManifestFile).string() + ".tmp", ec);
    if (!checkpointed) fs::remove_all(db_dir + ".tmp", ec);  // RocksDB's staging directory
    if (checkpointed) fs::remove_all(db_dir, ec);
    if (created_root) fs::remove(root, ec);
  }
  return result;
}

absl::StatusOr<BackupManifest> RestoreBackup(const std::string& backup_dir,
                                             const std::string& db_path,
                                             const DatabaseOptions& options) {
  const std::string context = absl::StrCat("backup \"", backup_dir, "\": ");
  absl::StatusOr<BackupManifest> manifest = ReadBackupManifest(backup_dir);
  if (!manifest.ok()) return WithContext(manifest.status(), context);
  if (manifest->db_format != kDatabaseFormat && manifest->db_format != kPreviousDatabaseFormat) {
    return absl::FailedPreconditionError(absl::StrCat(
        context, "database format \"", manifest->db_format, "\" is not \"", kDatabaseFormat, "\""));
  }
  // One restore into db_path at a time: the staging copy below is removed
  // and redone, which must not happen under a restore still running (it
  // would then rename a half copy into place). The lock goes with the
  // process, so a crashed restore never blocks the next one, and its file
  // is removed, still locked, on the way out.
  const std::string lock_path = db_path + ".restoring.lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return ErrnoError("open", lock_path);
  struct LockHolder {
    const std::string& path;
    int fd;
    bool held = false;
    ~LockHolder() {
      if (held) ::unlink(path.c_str());
      ::close(fd);
    }
  } holder{lock_path, lock_fd};
  const absl::Status running = absl::FailedPreconditionError(
      absl::StrCat("another restore into \"", db_path, "\" is running"));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    return errno == EWOULDBLOCK ? running : ErrnoError("flock", lock_path);
  }
  // Locked the file another restore just removed on its way out: the next
  // restore may hold the file now at that path.
  struct stat locked {};
  struct stat named {};
  if (::fstat(lock_fd, &locked) != 0 || ::stat(lock_path.c_str(), &named) != 0 ||
      locked.st_ino != named.st_ino || locked.st_dev != named.st_dev) {
    return running;
  }
  holder.held = true;
  std::error_code ec;
  if (fs::exists(db_path, ec) || ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("\"", db_path, "\" already holds a database: a restore never replaces one"));
  }
  const std::string source = (fs::path(backup_dir) / kBackupDbDir).string();
  if (!fs::is_directory(source, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(context, "it has no ", kBackupDbDir, "/"));
  }
  // A leftover staging copy is from a restore that did not finish: redo it.
  const std::string staging = db_path + ".restoring";
  fs::remove_all(staging, ec);
  if (ec || !fs::create_directory(staging, ec)) {
    return absl::InternalError(absl::StrCat("create ", staging, ": ", ec.message()));
  }
  absl::Status status = CopyDatabaseFiles(source, staging);
  if (status.ok()) status = WithContext(CheckRestored(staging, *manifest, options), context);
  if (status.ok() && ::rename(staging.c_str(), db_path.c_str()) != 0) {
    status = ErrnoError("rename", staging);
  }
  if (status.ok()) status = SyncPath(fs::absolute(db_path).parent_path().string(), true);
  if (!status.ok()) {
    fs::remove_all(staging, ec);
    return status;
  }
  return manifest;
}

}  // namespace ctxgraph
