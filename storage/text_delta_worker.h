// TextDeltaWorker: the keyword index upkeep of a bulk import, on a thread of
// its own. Tokenizing every node, folding its terms into the pending index
// changes and writing those out is about a third of what the import's
// thread did; handed to this worker, the two parts run on two cores.
//
// Changes are applied in the order they are noted, by one thread, so the
// delta ends exactly as if NoteNodeChange had been called inline for each.
// Whenever the delta passes `flush_bytes`, the worker sets it aside, hands
// it to `flush` (which writes it out and clears it) on a thread of the
// flush's own, and goes on with an empty delta meanwhile: a flush of a
// 1M-node load took seconds, during which the importing thread, its queue
// full, waited. Flushes run one at a time, in order: the next waits for
// the one before (its reads must see what that one wrote), and so does
// Wait. Two deltas may then be held at once, so memory is up to twice
// `flush_bytes`.
//
// Thread safety: Note, Wait and status are for one thread (the importer's);
// the delta belongs to the worker between a Note and the next Wait, and to
// the caller after a Wait that returned OK. `flush` runs on the flush's
// thread (or the worker's, when no thread can be started).
#ifndef CTXGRAPH_STORAGE_TEXT_DELTA_WORKER_H_
#define CTXGRAPH_STORAGE_TEXT_DELTA_WORKER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "storage/records.h"
#include "storage/text_index.h"

namespace ctxgraph {

class TextDeltaWorker {
 public:
  using FlushFn = std::function<absl::Status(TextIndexDelta&)>;
  // `text` and `delta` must outlive the worker.
  TextDeltaWorker(TextIndex& text, TextIndexDelta& delta, size_t flush_bytes, FlushFn flush);
  // Stops the thread, after the flush it may be running; changes not
  // waited for may be left out of the delta.
  ~TextDeltaWorker();
  TextDeltaWorker(const TextDeltaWorker&) = delete;
  TextDeltaWorker& operator=(const TextDeltaWorker&) = delete;

  // Queues NoteNodeChange(delta, iid, before, after, came_back). Blocks while
  // the worker is kMaxQueuedChanges behind, which bounds the memory the
  // queued records take.
  void Note(uint64_t iid, std::optional<NodeRecord> before, std::optional<NodeRecord> after,
            bool came_back);
  // Waits until every noted change is in the delta (or flushed). Returns the
  // first error NoteNodeChange or `flush` met; once one did, the worker
  // dropped everything after it and every later Wait returns it too.
  absl::Status Wait();
  // The first error so far, without waiting.
  absl::Status status();

  // Changes handed over together; the importer fills one without locking.
  static constexpr size_t kChunkChanges = 256;
  static constexpr size_t kMaxQueuedChanges = 64 * 1024;

 private:
  struct Change {
    uint64_t iid;
    std::optional<NodeRecord> before;
    std::optional<NodeRecord> after;
    bool came_back;
  };
  using Chunk = std::vector<Change>;

  void HandOver();  // queues filling_
  void Run();
  // On the worker: sets the delta aside and starts flushing it, after the
  // flush before it (JoinFlush).
  absl::Status StartFlush();
  // Waits for the flush in flight, if any; returns its status. For the
  // worker, or for Wait and the destructor while the worker is idle.
  absl::Status JoinFlush();

  TextIndex& text_;
  TextIndexDelta& delta_;
  const size_t flush_bytes_;
  const FlushFn flush_;
  Chunk filling_;  // importer's thread only

  std::mutex mu_;
  std::condition_variable work_;   // signalled when a chunk is queued or on stop
  std::condition_variable drain_;  // signalled when the worker falls idle or below the cap
  // Guarded by mu_:
  std::deque<Chunk> queue_;
  size_t queued_changes_ = 0;
  bool busy_ = false;  // the worker holds a chunk it has not applied yet
  bool stop_ = false;
  absl::Status error_;

  // The delta being flushed, the flush's thread and its outcome: touched by
  // the flush's thread until joined, then by whoever joined it.
  TextIndexDelta flushing_;
  std::thread flusher_;
  absl::Status flush_status_;

  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_TEXT_DELTA_WORKER_H_
