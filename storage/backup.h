// Online backups of a ctxgraph database and their restore.
//
// A backup is a directory DIR holding:
//
//   DIR/db/                     a RocksDB checkpoint of every column family:
//                               SST files hard-linked from the live database
//                               when DIR is on the same filesystem (copied
//                               otherwise), MANIFEST, OPTIONS and the WAL copied
//   DIR/ctxgraph-backup.manifest
//                               what the checkpoint captured (BackupManifest),
//                               written last: a backup without it is incomplete
//
// Database::Backup takes it while commits go on. The checkpoint is one
// consistent point of the commit stream (every commit is one WAL record, so
// it is in the copy whole or not at all): every commit acknowledged before
// the backup began is in it; a commit written but not yet acknowledged may
// be too, as after a crash. A CommitSession still open at that point left
// its batches and its open_session marker in the copy, never its commit
// record or audit entry; restoring opens the copy, which removes them, as
// after a crash. The manifest names the version and the audit head the copy
// holds, read back from the copy itself.
//
// RestoreBackup puts a backup in place of a database directory that does
// not exist yet (it never replaces one), and accepts it only when it opens
// with paranoid checks, its checksums verify, its audit chain verifies and
// ends at the manifest's head, and its latest version is the manifest's.
//
// A backup holds what the database holds: tokens only as SHA-256 hashes,
// but also the page-token and redaction secrets. Keep it like the data dir.
#ifndef CTXGRAPH_STORAGE_BACKUP_H_
#define CTXGRAPH_STORAGE_BACKUP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/records.h"

namespace ctxgraph {

struct DatabaseOptions;

// The manifest's first line is "ctxgraph-backup <format version>".
inline constexpr uint32_t kBackupFormatVersion = 1;
inline constexpr char kBackupManifestFile[] = "ctxgraph-backup.manifest";
inline constexpr char kBackupDbDir[] = "db";

struct BackupManifest {
  uint32_t format_version = kBackupFormatVersion;
  std::string db_format;   // the database's format marker, e.g. "ctxgraph-1"
  uint64_t version = 0;    // the latest committed version in the backup
  uint64_t audit_seq = 0;  // the audit log's head in the backup (0: empty log)
  ContentHash audit_head{};
  Timestamp created;
  uint64_t files = 0;  // regular files under DIR/db, and their total size
  uint64_t bytes = 0;
  friend bool operator==(const BackupManifest&, const BackupManifest&) = default;
};

// One "key value" line each, after the "ctxgraph-backup N" line.
std::string EncodeBackupManifest(const BackupManifest& manifest);
// FAILED_PRECONDITION for another format version; DATA_LOSS for a malformed
// or incomplete manifest.
absl::StatusOr<BackupManifest> DecodeBackupManifest(std::string_view text);
// Reads DIR's manifest. FAILED_PRECONDITION when DIR has none (not a
// ctxgraph backup, or an incomplete one). Messages do not name DIR.
absl::StatusOr<BackupManifest> ReadBackupManifest(const std::string& dir);

// True when `path` is `root` or inside it, after resolving "..", "." and
// the symlinks of the parts that exist.
bool PathIsWithin(const std::string& path, const std::string& root);

// OK when `dir` may receive a backup. Errors name the field "dir":
// INVALID_ARGUMENT when it is empty, relative, or `root` or inside it
// (`root_what` says what root is, e.g. "the server's data directory");
// ALREADY_EXISTS when it exists and is not an empty directory;
// FAILED_PRECONDITION when its parent directory does not exist, when it
// exists but is not private to the server's user (owned by another user, or
// any group or other permission bit set), or when a directory above it lets
// another user rename what is in it (owned by a user other than root or the
// server's, or group- or other-writable without the sticky bit).
absl::Status CheckBackupTarget(const std::string& dir, const std::string& root,
                               std::string_view root_what);

// Restores the backup at `backup_dir` as the database directory `db_path`:
// copies it into `db_path`.restoring (hard-linking SST files where it can:
// they are never modified), opens it with `options`, checks it as above,
// closes it and renames it to `db_path`. FAILED_PRECONDITION, with nothing
// touched, when `db_path` already exists, `backup_dir` is not a backup, or
// another restore into `db_path` is running (each holds an flock on
// `db_path`.restoring.lock while it runs, and removes the file when done);
// DATA_LOSS when the copy fails a check (the partial copy is removed).
absl::StatusOr<BackupManifest> RestoreBackup(const std::string& backup_dir,
                                             const std::string& db_path,
                                             const DatabaseOptions& options);

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_BACKUP_H_
