#include "storage/text_delta_worker.h"

#include <system_error>
#include <utility>

#include "storage/no_throw.h"
#include "storage/status_macros.h"
#include "storage/thread_name.h"

namespace ctxgraph {
namespace {

// Names what the worker's or a flush's thread threw.
constexpr char kUpkeep[] = "storage: keyword index upkeep";

}  // namespace

TextDeltaWorker::TextDeltaWorker(TextIndex& text, TextIndexDelta& delta, size_t flush_bytes,
                                 FlushFn flush)
    : text_(text),
      delta_(delta),
      flush_bytes_(flush_bytes),
      flush_(std::move(flush)),
      thread_([this] { Run(); }) {
  filling_.reserve(kChunkChanges);
}

TextDeltaWorker::~TextDeltaWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_.notify_one();
  thread_.join();
  IGNORE_STATUS(JoinFlush());  // nobody waits for it any more
}

void TextDeltaWorker::Note(uint64_t iid, std::optional<NodeRecord> before,
                           std::optional<NodeRecord> after, bool came_back) {
  filling_.push_back(Change{iid, std::move(before), std::move(after), came_back});
  if (filling_.size() >= kChunkChanges) HandOver();
}

void TextDeltaWorker::HandOver() {
  if (filling_.empty()) return;
  const size_t n = filling_.size();
  {
    std::unique_lock<std::mutex> lock(mu_);
    drain_.wait(lock, [&] { return queued_changes_ < kMaxQueuedChanges; });
    queue_.push_back(std::move(filling_));
    queued_changes_ += n;
  }
  work_.notify_one();
  filling_ = Chunk();
  filling_.reserve(kChunkChanges);
}

absl::Status TextDeltaWorker::Wait() {
  HandOver();
  std::unique_lock<std::mutex> lock(mu_);
  drain_.wait(lock, [&] { return queue_.empty() && !busy_; });
  // The worker is idle, and stays so until the next Note: the flush it
  // started is this thread's to join.
  absl::Status flushed = JoinFlush();
  if (error_.ok()) error_ = flushed;
  return error_;
}

absl::Status TextDeltaWorker::status() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

void TextDeltaWorker::Run() {
  NameThisThread("text-index");
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;  // what is still queued was never waited for
    Chunk chunk = std::move(queue_.front());
    queue_.pop_front();
    const size_t n = chunk.size();
    busy_ = true;
    const bool failed = !error_.ok();
    lock.unlock();
    // After an error the worker takes nothing more (see Wait).
    absl::Status first_error = failed ? absl::OkStatus() : NoThrow(kUpkeep, [&] {
      for (Change& c : chunk) {
        RETURN_IF_ERROR(text_.NoteNodeChange(delta_, c.iid, c.before ? &*c.before : nullptr,
                                             c.after ? &*c.after : nullptr, c.came_back));
      }
      if (delta_.approx_bytes() > flush_bytes_) return StartFlush();
      return absl::OkStatus();
    });
    chunk.clear();  // frees the records outside the lock
    lock.lock();
    if (error_.ok()) error_ = first_error;
    queued_changes_ -= n;
    busy_ = false;
    drain_.notify_all();
  }
}

absl::Status TextDeltaWorker::StartFlush() {
  RETURN_IF_ERROR(JoinFlush());
  // The last flush cleared flushing_ (or failed, and nothing goes on).
  std::swap(flushing_, delta_);
  try {
    flusher_ = std::thread([this] {
      NameThisThread("text-flush");
      flush_status_ = NoThrow(kUpkeep, [&] { return flush_(flushing_); });
    });
  } catch (const std::system_error&) {
    return flush_(flushing_);  // no thread to be had: flushed here
  }
  return absl::OkStatus();
}

absl::Status TextDeltaWorker::JoinFlush() {
  if (!flusher_.joinable()) return absl::OkStatus();
  flusher_.join();
  return flush_status_;
}

}  // namespace ctxgraph
