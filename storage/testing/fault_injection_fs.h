// FaultInjectionFs: a RocksDB file system for tests and tools (never linked
// into the server) that simulates power loss and injects I/O errors.
//
// Power loss. A process crash (kill -9) loses nothing the process handed to
// the kernel; a power loss also loses everything not yet synced. This file
// system models the latter:
//   - Data appended to a writable file is kept in memory until the file is
//     synced (Sync/Fsync), which writes it to the underlying file and syncs
//     that. Closing a file with unsynced data writes it through (so it can be
//     read back, as from the page cache) but remembers the synced length.
//   - A file created, or a name a rename produced, is only durable once its
//     directory is fsynced. Until then a power loss removes it, and a rename
//     that replaced an older file brings the old content back (RocksDB
//     installs CURRENT by writing a temporary file, syncing it, renaming it
//     over CURRENT and fsyncing the directory).
// SimulatePowerLoss() freezes the file system: every later write, sync,
// create, rename and delete fails with an I/O error, as a dead machine
// would do nothing. The caller then closes the database, whose last writes
// fail harmlessly, and calls Reboot(), which drops what was not durable
// (truncates every file to its synced length, removes undurable names,
// restores replaced files) and unfreezes the file system.
// Simplifications: deletes are durable at once (a real power loss can undo
// an unsynced unlink), unsynced data is lost whole (never partially or as
// garbage), and only files written through this file system are tracked.
//
// Injected faults. FailFrom(op, k, kind) makes the k-th next operation of
// kind `op` (1 = the very next) and every later one fail, with an I/O error
// or "no space left", until ClearFault(op): a disk that breaks and is later
// repaired. A failed write or sync leaves the file as it was.
//
// Thread safety: all methods are safe to call concurrently (one mutex).
#ifndef CTXGRAPH_STORAGE_TESTING_FAULT_INJECTION_FS_H_
#define CTXGRAPH_STORAGE_TESTING_FAULT_INJECTION_FS_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace ctxgraph {

// The operations a fault can be injected into.
enum class FaultOp : int {
  kWrite = 0,  // an append to a writable file
  kSync,       // a Sync/Fsync of a writable file
  kRead,       // a read from a sequential or random-access file
  kCount,
};

enum class FaultKind {
  kIoError,  // IOStatus::IOError: RocksDB's Status::IsIOError()
  kNoSpace,  // IOStatus::NoSpace: the disk is full (Status::IsNoSpace())
};

class FaultInjectionFs : public rocksdb::FileSystemWrapper {
 public:
  // Wraps the default (POSIX) file system.
  FaultInjectionFs();
  explicit FaultInjectionFs(const std::shared_ptr<rocksdb::FileSystem>& base);

  const char* Name() const override { return "CtxgraphFaultInjectionFs"; }

  // An Env doing its file I/O through `fs`, for DatabaseOptions::env. It
  // keeps `fs` alive. Its sleeps last at most 10 ms (RocksDB's 1 s back-off
  // after a failed background flush would dominate a fault-injection run).
  static std::shared_ptr<rocksdb::Env> NewEnv(const std::shared_ptr<FaultInjectionFs>& fs);

  // Power loss now: freezes the file system (see above). Idempotent.
  void SimulatePowerLoss();
  // Power loss once `n` more mutating operations have been attempted (an
  // append, sync, directory fsync, create, rename, delete, truncate or
  // close): the n-th one already fails. Lets a caller cut a running
  // workload at a random point.
  void PowerLossAfter(uint64_t n);
  // Drops everything a power loss loses and unfreezes the file system. Call
  // only when nothing uses it (the database is closed). Returns the first
  // error met while dropping, which leaves the files in an unknown state.
  rocksdb::Status Reboot();
  bool powered_off() const;

  // Injects a fault into the k-th next `op` (k >= 1) and every later one.
  void FailFrom(FaultOp op, uint64_t k, FaultKind kind);
  void ClearFault(FaultOp op);
  // How many `op` operations were attempted since construction, failed ones
  // included.
  uint64_t count(FaultOp op) const;

  // While held, every Sync/Fsync of a writable file waits (a disk slow to
  // sync), until released or a power loss fails it.
  void HoldSyncs();
  void ReleaseSyncs();

  // rocksdb::FileSystem.
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewSequentialFile(const std::string& fname, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& fname,
                                        const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& fname, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;

 private:
  friend class FaultWritableFile;
  friend class FaultDirectory;
  friend class FaultSequentialFile;
  friend class FaultRandomAccessFile;

  // What a power loss does to one file name.
  struct FileState {
    // Bytes of the underlying file that survive; nullopt: all of it.
    std::optional<uint64_t> synced_size;
    // The name is not durable yet (created or renamed since its directory's
    // last fsync).
    bool new_name = false;
    // What the name held before a rename replaced it, restored when the
    // rename is undone; nullopt: it did not exist.
    std::optional<std::string> replaced_content;
  };

  // Under mu_: the failure, if any, of the next mutating operation (counts
  // it toward PowerLossAfter).
  rocksdb::IOStatus CheckMutationLocked();
  // Under mu_: the failure, if any, of the next `op` (counts it).
  rocksdb::IOStatus CheckFaultLocked(FaultOp op);
  rocksdb::IOStatus CheckRead();
  void SimulatePowerLossLocked();
  // Under mu_: records `fname` as created now; a name that did not exist is
  // not durable until its directory is synced.
  void NoteCreatedLocked(const std::string& fname, bool existed);
  // Under mu_: every name in `dir` is durable now.
  void DirSyncedLocked(const std::string& dir);
  bool ExistsLocked(const std::string& fname);

  struct Fault {
    bool armed = false;
    uint64_t fail_at = 0;  // the count() value from which on ops fail
    FaultKind kind = FaultKind::kIoError;
  };

  mutable std::mutex mu_;
  bool powered_off_ = false;                  // guarded by mu_
  bool syncs_held_ = false;                   // guarded by mu_
  std::condition_variable syncs_released_;    // syncs_held_ cleared or power lost
  std::optional<uint64_t> power_loss_after_;  // guarded by mu_: mutations left
  // Bumped by every power loss; a writable file opened before it is dead.
  uint64_t epoch_ = 0;                      // guarded by mu_
  std::map<std::string, FileState> files_;  // guarded by mu_; only files a loss affects
  uint64_t counts_[static_cast<int>(FaultOp::kCount)] = {};  // guarded by mu_
  Fault faults_[static_cast<int>(FaultOp::kCount)];          // guarded by mu_
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_TESTING_FAULT_INJECTION_FS_H_
