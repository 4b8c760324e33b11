// BackupAdmin: AdminService.Backup's rules around Database::Backup.
//
//  - Admin role only (PERMISSION_DENIED before the request is looked at).
//  - `dir` is a path on the server's machine: absolute, outside the
//    server's data directory, absent (its parent present) or an empty
//    directory (CheckBackupTarget, storage/backup.h, names the field).
//  - Each backup taken appends one audit entry, action "admin.backup", by
//    the caller, at the backup's version, naming the directory and what it
//    captured. The entry comes after the snapshot, so the backup does not
//    hold it. A refused or failed backup leaves no entry.
//
// Thread safety: stateless beyond its references; one per request is cheap.
#ifndef CTXGRAPH_QUERY_BACKUP_ADMIN_H_
#define CTXGRAPH_QUERY_BACKUP_ADMIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "storage/database.h"

namespace ctxgraph {

inline constexpr char kBackupAction[] = "admin.backup";

class BackupAdmin {
 public:
  // `data_dir` is the server's data directory, which no backup may enter.
  BackupAdmin(const Database& db, const std::string& data_dir) : db_(db), data_dir_(data_dir) {}

  absl::StatusOr<BackupManifest> Backup(const Caller& caller, const std::string& dir) const;

 private:
  const Database& db_;
  const std::string& data_dir_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_BACKUP_ADMIN_H_
