// The progress line of a running import.
#ifndef CTXGRAPH_CLIENT_IMPORT_PROGRESS_H_
#define CTXGRAPH_CLIENT_IMPORT_PROGRESS_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace ctxgraph::client {

// On a terminal: one line redrawn in place with '\r', at most 10 times a
// second. Otherwise: one plain line every 5 seconds. Each shows records sent,
// records/s, bytes read, % of the input bytes and the ETA:
//   sent 1200000 records (245310/s), read 210.4 MiB of 400.0 MiB (52%), ETA 4s
// Not thread-safe. `out` must outlive the printer.
class ImportProgress {
 public:
  // `total_bytes`: every byte the import will read (a file read twice counts
  // twice); 0 disables % and ETA.
  ImportProgress(std::ostream& out, bool terminal, uint64_t total_bytes, absl::Time start);

  // Cheap to call often: prints only when a redraw is due at `now`.
  void Update(uint64_t records_sent, uint64_t bytes_read, absl::Time now);

  // Erases the terminal line (so the summary starts on a clean line).
  void Done();

  // The text of one progress report (exposed for tests).
  static std::string Format(uint64_t records_sent, uint64_t bytes_read, uint64_t total_bytes,
                            absl::Duration elapsed);

 private:
  std::ostream& out_;
  bool terminal_;
  uint64_t total_bytes_;
  absl::Time start_;
  absl::Time next_draw_;
  size_t drawn_width_ = 0;  // terminal: width of the line on screen
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_IMPORT_PROGRESS_H_
