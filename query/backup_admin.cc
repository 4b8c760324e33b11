#include "query/backup_admin.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {

absl::StatusOr<BackupManifest> BackupAdmin::Backup(const Caller& caller,
                                                   const std::string& dir) const {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "Backup"));
  RETURN_IF_ERROR(CheckBackupTarget(dir, data_dir_, "the server's data directory"));
  // The entry is durable before the manifest makes the copy a backup: a
  // crash in between leaves an audited attempt, never an unaudited backup.
  // Even with --no-sync-audit-reads: backups are rare, and whole databases.
  const auto audit = [&](const BackupManifest& manifest) -> absl::Status {
    AuditEntry entry;
    entry.principal = caller.principal.id;
    entry.action = kBackupAction;
    entry.snapshot_version = manifest.version;
    entry.summary =
        absl::StrCat("backup dir=\"", absl::CHexEscape(dir), "\" version=", manifest.version,
                     " audit_seq=", manifest.audit_seq, " audit_head=", ToHex(manifest.audit_head),
                     " files=", manifest.files, " bytes=", manifest.bytes);
    ASSIGN_OR_RETURN(AuditEntry appended, db_.audit().Append(std::move(entry)));
    return db_.audit().SyncThrough(appended.seq);
  };
  return db_.Backup(dir, audit);
}

}  // namespace ctxgraph
