#include "client/import_progress.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ctxgraph::client {
namespace {

constexpr absl::Duration kTerminalPeriod = absl::Milliseconds(100);
constexpr absl::Duration kPlainPeriod = absl::Seconds(5);

std::string MiB(uint64_t bytes) { return absl::StrFormat("%.1f MiB", bytes / 1048576.0); }

}  // namespace

ImportProgress::ImportProgress(std::ostream& out, bool terminal, uint64_t total_bytes,
                               absl::Time start)
    : out_(out),
      terminal_(terminal),
      total_bytes_(total_bytes),
      start_(start),
      next_draw_(start + (terminal ? kTerminalPeriod : kPlainPeriod)) {}

std::string ImportProgress::Format(uint64_t records_sent, uint64_t bytes_read, uint64_t total_bytes,
                                   absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const uint64_t rate = seconds > 0 ? static_cast<uint64_t>(records_sent / seconds) : 0;
  std::string text =
      absl::StrCat("sent ", records_sent, " records (", rate, "/s), read ", MiB(bytes_read));
  if (total_bytes > 0) {
    const uint64_t done = std::min(bytes_read, total_bytes);
    absl::StrAppend(&text, " of ", MiB(total_bytes), " (", done * 100 / total_bytes, "%)");
    if (done > 0 && seconds > 0) {
      const double eta = seconds * (total_bytes - done) / done;
      absl::StrAppend(&text, ", ETA ", static_cast<int64_t>(std::ceil(eta)), "s");
    }
  }
  return text;
}

void ImportProgress::Update(uint64_t records_sent, uint64_t bytes_read, absl::Time now) {
  if (now < next_draw_) return;
  next_draw_ = now + (terminal_ ? kTerminalPeriod : kPlainPeriod);
  const std::string text = Format(records_sent, bytes_read, total_bytes_, now - start_);
  if (terminal_) {
    // Pad with spaces over a longer previous line.
    out_ << '\r' << text
         << std::string(drawn_width_ > text.size() ? drawn_width_ - text.size() : 0, ' ')
         << std::flush;
    drawn_width_ = text.size();
  } else {
    out_ << text << '\n' << std::flush;
  }
}

void ImportProgress::Done() {
  if (terminal_ && drawn_width_ > 0) {
    out_ << '\r' << std::string(drawn_width_, ' ') << '\r' << std::flush;
    drawn_width_ = 0;
  }
}

}  // namespace ctxgraph::client
