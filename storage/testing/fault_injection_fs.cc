#include "storage/testing/fault_injection_fs.h"

#include <algorithm>
#include <utility>

#include "rocksdb/system_clock.h"

namespace ctxgraph {

using rocksdb::FileOptions;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

namespace {

std::string ParentDir(const std::string& fname) {
  const size_t slash = fname.find_last_of('/');
  return slash == std::string::npos ? std::string() : fname.substr(0, slash);
}

// Renames replace only small files (CURRENT, IDENTITY, OPTIONS); a larger
// one is not kept for restoring, and its replacement counts as durable.
constexpr uint64_t kMaxReplacedBytes = uint64_t{1} << 20;

IOStatus PowerOff() { return IOStatus::IOError("simulated power loss"); }

IOStatus ReadWhole(rocksdb::FileSystem* fs, const std::string& fname, std::string* out) {
  std::unique_ptr<rocksdb::FSSequentialFile> file;
  IOStatus s = fs->NewSequentialFile(fname, FileOptions(), &file, nullptr);
  if (!s.ok()) return s;
  std::string scratch(64 << 10, '\0');
  for (;;) {
    Slice chunk;
    s = file->Read(scratch.size(), IOOptions(), &chunk, scratch.data(), nullptr);
    if (!s.ok()) return s;
    if (chunk.empty()) return IOStatus::OK();
    out->append(chunk.data(), chunk.size());
  }
}

}  // namespace

// A writable file whose appends stay in memory until Sync.
class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(FaultInjectionFs* fs, std::string fname,
                    std::unique_ptr<rocksdb::FSWritableFile> target, uint64_t disk_size,
                    uint64_t synced_size, uint64_t epoch)
      : FSWritableFileOwnerWrapper(std::move(target)),
        fs_(fs),
        fname_(std::move(fname)),
        disk_size_(disk_size),
        synced_size_(synced_size),
        epoch_(epoch) {}

  ~FaultWritableFile() override {
    if (!closed_) Close(IOOptions(), nullptr).PermitUncheckedError();
  }

  IOStatus Append(const Slice& data, const IOOptions&, IODebugContext*) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    if (IOStatus s = CheckAliveLocked(); !s.ok()) return s;
    if (IOStatus s = fs_->CheckFaultLocked(FaultOp::kWrite); !s.ok()) return s;
    buffer_.append(data.data(), data.size());
    return IOStatus::OK();
  }
  IOStatus Append(const Slice& data, const IOOptions& options, const rocksdb::DataVerificationInfo&,
                  IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::NotSupported("FaultInjectionFs: positioned appends (direct I/O)");
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            const rocksdb::DataVerificationInfo&, IODebugContext*) override {
    return IOStatus::NotSupported("FaultInjectionFs: positioned appends (direct I/O)");
  }
  // The kernel's page cache is this buffer: a flush makes nothing durable.
  IOStatus Flush(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus RangeSync(uint64_t, uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::OK();  // sync_file_range guarantees nothing across a power loss
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    return SyncImpl(options, dbg);
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return SyncImpl(options, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    if (IOStatus s = CheckAliveLocked(); !s.ok()) return s;
    if (IOStatus s = WriteBufferLocked(options, dbg); !s.ok()) return s;
    if (IOStatus s = target()->Truncate(size, options, dbg); !s.ok()) return s;
    disk_size_ = size;
    synced_size_ = std::min(synced_size_, size);
    NoteSyncedSizeLocked();
    return IOStatus::OK();
  }
  IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    if (closed_) return IOStatus::OK();
    closed_ = true;
    if (epoch_ != fs_->epoch_) {
      // The machine died with this file open: what was buffered is gone.
      buffer_.clear();
      return target()->Close(options, dbg);
    }
    if (IOStatus s = fs_->CheckMutationLocked(); !s.ok()) {
      buffer_.clear();
      target()->Close(options, dbg).PermitUncheckedError();
      return s;
    }
    // Unsynced data reaches the file (readable, as from the page cache) but
    // a power loss cuts it off again.
    if (IOStatus s = WriteBufferLocked(options, dbg); !s.ok()) return s;
    NoteSyncedSizeLocked();
    return target()->Close(options, dbg);
  }
  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    return disk_size_ + buffer_.size();
  }

 private:
  // Under fs_->mu_: an error when the machine is off or this file predates
  // the last power loss; counts the operation toward PowerLossAfter.
  IOStatus CheckAliveLocked() {
    if (epoch_ != fs_->epoch_) return PowerOff();
    return fs_->CheckMutationLocked();
  }

  IOStatus SyncImpl(const IOOptions& options, IODebugContext* dbg) {
    std::unique_lock<std::mutex> lock(fs_->mu_);
    fs_->syncs_released_.wait(lock, [this] { return !fs_->syncs_held_ || fs_->powered_off_; });
    if (IOStatus s = CheckAliveLocked(); !s.ok()) return s;
    if (IOStatus s = fs_->CheckFaultLocked(FaultOp::kSync); !s.ok()) return s;
    if (IOStatus s = WriteBufferLocked(options, dbg); !s.ok()) return s;
    if (IOStatus s = target()->Fsync(options, dbg); !s.ok()) return s;
    synced_size_ = disk_size_;
    NoteSyncedSizeLocked();
    return IOStatus::OK();
  }

  // Under fs_->mu_: moves the buffer to the underlying file, unsynced.
  IOStatus WriteBufferLocked(const IOOptions& options, IODebugContext* dbg) {
    if (buffer_.empty()) return IOStatus::OK();
    if (IOStatus s = target()->Append(buffer_, options, dbg); !s.ok()) return s;
    disk_size_ += buffer_.size();
    buffer_.clear();
    return IOStatus::OK();
  }

  // Under fs_->mu_: tells the file system how much of the file survives.
  void NoteSyncedSizeLocked() {
    auto it = fs_->files_.find(fname_);
    if (synced_size_ < disk_size_) {
      fs_->files_[fname_].synced_size = synced_size_;
    } else if (it != fs_->files_.end()) {
      it->second.synced_size.reset();
      if (!it->second.new_name) fs_->files_.erase(it);
    }
  }

  FaultInjectionFs* const fs_;
  const std::string fname_;
  // All guarded by fs_->mu_.
  std::string buffer_;    // appended, not yet on the underlying file
  uint64_t disk_size_;    // bytes on the underlying file
  uint64_t synced_size_;  // of which synced
  const uint64_t epoch_;  // FaultInjectionFs::epoch_ when opened
  bool closed_ = false;
};

class FaultSequentialFile final : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  FaultSequentialFile(FaultInjectionFs* fs, std::unique_ptr<rocksdb::FSSequentialFile> target)
      : FSSequentialFileOwnerWrapper(std::move(target)), fs_(fs) {}

  IOStatus Read(size_t n, const IOOptions& options, Slice* result, char* scratch,
                IODebugContext* dbg) override {
    if (IOStatus s = fs_->CheckRead(); !s.ok()) return s;
    return target()->Read(n, options, result, scratch, dbg);
  }
  IOStatus PositionedRead(uint64_t offset, size_t n, const IOOptions& options, Slice* result,
                          char* scratch, IODebugContext* dbg) override {
    if (IOStatus s = fs_->CheckRead(); !s.ok()) return s;
    return target()->PositionedRead(offset, n, options, result, scratch, dbg);
  }

 private:
  FaultInjectionFs* const fs_;
};

class FaultRandomAccessFile final : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  FaultRandomAccessFile(FaultInjectionFs* fs, std::unique_ptr<rocksdb::FSRandomAccessFile> target)
      : FSRandomAccessFileOwnerWrapper(std::move(target)), fs_(fs) {}

  IOStatus Read(uint64_t offset, size_t n, const IOOptions& options, Slice* result, char* scratch,
                IODebugContext* dbg) const override {
    if (IOStatus s = fs_->CheckRead(); !s.ok()) return s;
    return target()->Read(offset, n, options, result, scratch, dbg);
  }
  IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs, const IOOptions& options,
                     IODebugContext* dbg) override {
    for (size_t i = 0; i < num_reqs; ++i) {
      reqs[i].status =
          Read(reqs[i].offset, reqs[i].len, options, &reqs[i].result, reqs[i].scratch, dbg);
    }
    return IOStatus::OK();
  }
  // Synchronously, through Read, so it meets the same faults.
  IOStatus ReadAsync(rocksdb::FSReadRequest& req, const IOOptions& options,
                     std::function<void(const rocksdb::FSReadRequest&, void*)> cb, void* cb_arg,
                     void** io_handle, rocksdb::IOHandleDeleter* del_fn,
                     IODebugContext* dbg) override {
    return FSRandomAccessFile::ReadAsync(req, options, std::move(cb), cb_arg, io_handle, del_fn,
                                         dbg);
  }

 private:
  FaultInjectionFs* const fs_;
};

class FaultDirectory final : public rocksdb::FSDirectory {
 public:
  FaultDirectory(FaultInjectionFs* fs, std::string name,
                 std::unique_ptr<rocksdb::FSDirectory> target)
      : fs_(fs), name_(std::move(name)), target_(std::move(target)) {}

  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return FsyncWithDirOptions(options, dbg, rocksdb::DirFsyncOptions());
  }
  IOStatus FsyncWithDirOptions(const IOOptions& options, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    if (IOStatus s = fs_->CheckMutationLocked(); !s.ok()) return s;
    if (IOStatus s = target_->FsyncWithDirOptions(options, dbg, dir_options); !s.ok()) return s;
    fs_->DirSyncedLocked(name_);
    return IOStatus::OK();
  }
  IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
    return target_->Close(options, dbg);
  }
  size_t GetUniqueId(char* id, size_t max_size) const override {
    return target_->GetUniqueId(id, max_size);
  }

 private:
  FaultInjectionFs* const fs_;
  const std::string name_;
  std::unique_ptr<rocksdb::FSDirectory> target_;
};

FaultInjectionFs::FaultInjectionFs() : FaultInjectionFs(rocksdb::FileSystem::Default()) {}

FaultInjectionFs::FaultInjectionFs(const std::shared_ptr<rocksdb::FileSystem>& base)
    : FileSystemWrapper(base) {}

namespace {

// Sleeps at most 10 ms: RocksDB backs off 1 s after each failed background
// flush, which would dominate a run that fails flushes on purpose hundreds
// of times. Nothing in RocksDB relies on a sleep for correctness.
class ShortSleepClock final : public rocksdb::SystemClockWrapper {
 public:
  explicit ShortSleepClock(const std::shared_ptr<rocksdb::SystemClock>& target)
      : SystemClockWrapper(target) {}
  const char* Name() const override { return "CtxgraphShortSleepClock"; }
  void SleepForMicroseconds(int micros) override {
    SystemClockWrapper::SleepForMicroseconds(std::min(micros, 10'000));
  }
};

class FaultEnv final : public rocksdb::EnvWrapper {
 public:
  explicit FaultEnv(std::unique_ptr<rocksdb::Env> target) : EnvWrapper(std::move(target)) {
    system_clock_ = std::make_shared<ShortSleepClock>(system_clock_);
  }
  const char* Name() const override { return "CtxgraphFaultEnv"; }
};

}  // namespace

std::shared_ptr<rocksdb::Env> FaultInjectionFs::NewEnv(
    const std::shared_ptr<FaultInjectionFs>& fs) {
  return std::make_shared<FaultEnv>(rocksdb::NewCompositeEnv(fs));
}

void FaultInjectionFs::SimulatePowerLoss() {
  std::lock_guard<std::mutex> lock(mu_);
  SimulatePowerLossLocked();
}

void FaultInjectionFs::SimulatePowerLossLocked() {
  if (powered_off_) return;
  powered_off_ = true;
  power_loss_after_.reset();
  ++epoch_;
  syncs_released_.notify_all();
}

void FaultInjectionFs::HoldSyncs() {
  std::lock_guard<std::mutex> lock(mu_);
  syncs_held_ = true;
}

void FaultInjectionFs::ReleaseSyncs() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    syncs_held_ = false;
  }
  syncs_released_.notify_all();
}

void FaultInjectionFs::PowerLossAfter(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  if (n == 0) {
    SimulatePowerLossLocked();
  } else {
    power_loss_after_ = n;
  }
}

bool FaultInjectionFs::powered_off() const {
  std::lock_guard<std::mutex> lock(mu_);
  return powered_off_;
}

rocksdb::Status FaultInjectionFs::Reboot() {
  std::lock_guard<std::mutex> lock(mu_);
  IOStatus first;
  auto note = [&first](IOStatus s) {
    if (!s.ok() && first.ok()) first = std::move(s);
  };
  for (const auto& [fname, state] : files_) {
    if (state.new_name) {
      if (state.replaced_content) {
        // Write the old content back durably under the old name.
        std::unique_ptr<rocksdb::FSWritableFile> file;
        IOStatus s = target()->NewWritableFile(fname, FileOptions(), &file, nullptr);
        if (s.ok()) s = file->Append(*state.replaced_content, IOOptions(), nullptr);
        if (s.ok()) s = file->Fsync(IOOptions(), nullptr);
        if (s.ok()) s = file->Close(IOOptions(), nullptr);
        note(std::move(s));
      } else {
        IOStatus s = target()->DeleteFile(fname, IOOptions(), nullptr);
        if (!s.IsPathNotFound() && !s.IsNotFound()) note(std::move(s));
      }
    } else if (state.synced_size) {
      // The POSIX file system has no FileSystem::Truncate; a reopened file does.
      std::unique_ptr<rocksdb::FSWritableFile> file;
      IOStatus s = target()->ReopenWritableFile(fname, FileOptions(), &file, nullptr);
      if (s.ok()) s = file->Truncate(*state.synced_size, IOOptions(), nullptr);
      if (s.ok()) s = file->Fsync(IOOptions(), nullptr);
      if (s.ok()) s = file->Close(IOOptions(), nullptr);
      note(std::move(s));
    }
  }
  files_.clear();
  powered_off_ = false;
  power_loss_after_.reset();
  return first;
}

void FaultInjectionFs::FailFrom(FaultOp op, uint64_t k, FaultKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Fault& f = faults_[static_cast<int>(op)];
  f.armed = true;
  f.fail_at = counts_[static_cast<int>(op)] + std::max<uint64_t>(k, 1);
  f.kind = kind;
}

void FaultInjectionFs::ClearFault(FaultOp op) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[static_cast<int>(op)].armed = false;
}

uint64_t FaultInjectionFs::count(FaultOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_[static_cast<int>(op)];
}

IOStatus FaultInjectionFs::CheckMutationLocked() {
  if (powered_off_) return PowerOff();
  if (power_loss_after_ && --*power_loss_after_ == 0) {
    SimulatePowerLossLocked();
    return PowerOff();
  }
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::CheckFaultLocked(FaultOp op) {
  const uint64_t n = ++counts_[static_cast<int>(op)];
  const Fault& f = faults_[static_cast<int>(op)];
  if (!f.armed || n < f.fail_at) return IOStatus::OK();
  static constexpr const char* kOpNames[] = {"write", "sync", "read"};
  const char* what = kOpNames[static_cast<int>(op)];
  const std::string msg = std::string("injected fault on ") + what;
  if (f.kind == FaultKind::kNoSpace) return IOStatus::NoSpace(msg);
  return IOStatus::IOError(msg);
}

IOStatus FaultInjectionFs::CheckRead() {
  std::lock_guard<std::mutex> lock(mu_);
  return CheckFaultLocked(FaultOp::kRead);
}

void FaultInjectionFs::NoteCreatedLocked(const std::string& fname, bool existed) {
  FileState& state = files_[fname];
  state.synced_size.reset();
  // Overwriting a durable name keeps the name durable (its old content is
  // gone either way).
  if (!existed) state.new_name = true;
}

void FaultInjectionFs::DirSyncedLocked(const std::string& dir) {
  for (auto it = files_.begin(); it != files_.end();) {
    if (ParentDir(it->first) == dir) {
      it->second.new_name = false;
      it->second.replaced_content.reset();
      if (!it->second.synced_size) {
        it = files_.erase(it);
        continue;
      }
    }
    ++it;
  }
}

bool FaultInjectionFs::ExistsLocked(const std::string& fname) {
  return target()->FileExists(fname, IOOptions(), nullptr).ok();
}

IOStatus FaultInjectionFs::NewWritableFile(const std::string& fname, const FileOptions& options,
                                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                                           IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (IOStatus s = CheckMutationLocked(); !s.ok()) return s;
  const bool existed = ExistsLocked(fname);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  if (IOStatus s = target()->NewWritableFile(fname, options, &file, dbg); !s.ok()) return s;
  NoteCreatedLocked(fname, existed);
  result->reset(new FaultWritableFile(this, fname, std::move(file), 0, 0, epoch_));
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::ReopenWritableFile(const std::string& fname, const FileOptions& options,
                                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                                              IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (IOStatus s = CheckMutationLocked(); !s.ok()) return s;
  const bool existed = ExistsLocked(fname);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  if (IOStatus s = target()->ReopenWritableFile(fname, options, &file, dbg); !s.ok()) return s;
  if (!existed) NoteCreatedLocked(fname, false);
  // From the file system: a reopened POSIX file counts its size from 0.
  uint64_t disk_size = 0;
  if (IOStatus s = target()->GetFileSize(fname, options.io_options, &disk_size, dbg); !s.ok()) {
    return s;
  }
  uint64_t synced_size = disk_size;
  if (auto it = files_.find(fname); it != files_.end() && it->second.synced_size) {
    synced_size = std::min(synced_size, *it->second.synced_size);
  }
  result->reset(
      new FaultWritableFile(this, fname, std::move(file), disk_size, synced_size, epoch_));
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::ReuseWritableFile(const std::string&, const std::string&,
                                             const FileOptions&,
                                             std::unique_ptr<rocksdb::FSWritableFile>*,
                                             IODebugContext*) {
  return IOStatus::NotSupported("FaultInjectionFs: recycled log files");
}

IOStatus FaultInjectionFs::NewRandomRWFile(const std::string&, const FileOptions&,
                                           std::unique_ptr<rocksdb::FSRandomRWFile>*,
                                           IODebugContext*) {
  return IOStatus::NotSupported("FaultInjectionFs: random read-write files");
}

IOStatus FaultInjectionFs::NewSequentialFile(const std::string& fname, const FileOptions& options,
                                             std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                             IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSSequentialFile> file;
  if (IOStatus s = target()->NewSequentialFile(fname, options, &file, dbg); !s.ok()) return s;
  result->reset(new FaultSequentialFile(this, std::move(file)));
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::NewRandomAccessFile(const std::string& fname, const FileOptions& options,
                                               std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                               IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSRandomAccessFile> file;
  if (IOStatus s = target()->NewRandomAccessFile(fname, options, &file, dbg); !s.ok()) return s;
  result->reset(new FaultRandomAccessFile(this, std::move(file)));
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::NewDirectory(const std::string& name, const IOOptions& options,
                                        std::unique_ptr<rocksdb::FSDirectory>* result,
                                        IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  if (IOStatus s = target()->NewDirectory(name, options, &dir, dbg); !s.ok()) return s;
  std::string normalized = name;
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  result->reset(new FaultDirectory(this, std::move(normalized), std::move(dir)));
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::DeleteFile(const std::string& fname, const IOOptions& options,
                                      IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (IOStatus s = CheckMutationLocked(); !s.ok()) return s;
  if (IOStatus s = target()->DeleteFile(fname, options, dbg); !s.ok()) return s;
  files_.erase(fname);
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::RenameFile(const std::string& src, const std::string& dst,
                                      const IOOptions& options, IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (IOStatus s = CheckMutationLocked(); !s.ok()) return s;
  FileState moved;
  if (auto it = files_.find(src); it != files_.end()) moved.synced_size = it->second.synced_size;
  moved.new_name = true;
  if (auto it = files_.find(dst); it != files_.end() && it->second.new_name) {
    // dst is itself undurable: a power loss restores what it held before.
    moved.replaced_content = std::move(it->second.replaced_content);
  } else if (ExistsLocked(dst)) {
    uint64_t size = 0;
    if (target()->GetFileSize(dst, options, &size, dbg).ok() && size <= kMaxReplacedBytes) {
      std::string content;
      if (IOStatus s = ReadWhole(target(), dst, &content); !s.ok()) return s;
      moved.replaced_content = std::move(content);
    } else {
      moved.new_name = false;  // see kMaxReplacedBytes
    }
  }
  if (IOStatus s = target()->RenameFile(src, dst, options, dbg); !s.ok()) return s;
  files_.erase(src);
  if (moved.new_name || moved.synced_size) {
    files_[dst] = std::move(moved);
  } else {
    files_.erase(dst);
  }
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::LinkFile(const std::string& src, const std::string& dst,
                                    const IOOptions& options, IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (IOStatus s = CheckMutationLocked(); !s.ok()) return s;
  if (IOStatus s = target()->LinkFile(src, dst, options, dbg); !s.ok()) return s;
  NoteCreatedLocked(dst, false);
  return IOStatus::OK();
}

IOStatus FaultInjectionFs::Truncate(const std::string& fname, size_t size, const IOOptions& options,
                                    IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (IOStatus s = CheckMutationLocked(); !s.ok()) return s;
  return target()->Truncate(fname, size, options, dbg);
}

}  // namespace ctxgraph
