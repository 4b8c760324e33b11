// PowerLossRun: the simulation behind ctxgraph-powerloss. Cycles of: open the
// database on a FaultInjectionFs (storage/testing/fault_injection_fs.h),
// check what survived the last power loss, commit small batches through
// GraphStore::Apply with synced writes, or now and then as a bulk
// CommitSession of several batches (remembering every acknowledged one),
// cut the power after a random number of file operations (during a commit,
// a flush, a compaction or while idle), close, drop what was not durable and
// start again. Some cycles also cut the power while the database opens.
//
// What is checked after every power loss, against an in-memory model of the
// commits:
//   - no acknowledged commit is lost: the recovered latest version is at
//     least the last acknowledged one;
//   - the state is exactly a prefix of the commit order: the latest version
//     is the last acknowledged commit or the one commit in flight when the
//     power failed, and every node reads (at the newest record, past any
//     version filter) exactly as the model says after that commit, so no
//     record of a later or lost commit is visible;
//   - each acknowledged commit's record exists, the next version's does not;
//   - the audit chain verifies.
#ifndef CTXGRAPH_TOOLS_POWERLOSS_POWER_LOSS_RUN_H_
#define CTXGRAPH_TOOLS_POWERLOSS_POWER_LOSS_RUN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ctxgraph {

struct PowerLossReport;

struct PowerLossOptions {
  std::string dir;  // the database directory; must be empty or absent
  int cycles = 200;
  uint64_t seed = 1;
  int max_commits_per_cycle = 40;
  // Every N cycles, compact every column family fully (with the power on)
  // before the commits; 0: never. The tiny memtables and the flush at every
  // recovery leave a few small files per cycle, and in the append-only
  // families (audit log, commits) whose keys never overlap, compaction only
  // moves files down, never merges them: without this a long run opens
  // thousands of files per cycle.
  int compact_every = 50;
  // Called after every `progress_every` cycles (0: never).
  int progress_every = 0;
  std::function<void(const PowerLossReport&)> progress;
};

struct PowerLossReport {
  int cycles = 0;                     // power losses during the commit phase
  int compactions = 0;                // full compactions (compact_every)
  int open_losses = 0;                // power losses while the database opened
  uint64_t acked_commits = 0;         // commits acknowledged to the writer
  uint64_t bulk_commits = 0;          // of which bulk sessions (CommitSession)
  uint64_t unacked_durable = 0;       // in-flight commits that survived anyway (allowed)
  uint64_t lost_commits = 0;          // acknowledged commits missing after a reboot
  uint64_t non_prefix_states = 0;     // recovered states that are no prefix of the commits
  uint64_t audit_failures = 0;        // audit chains that did not verify
  std::vector<std::string> problems;  // the first few failures, in words

  bool ok() const {
    return lost_commits == 0 && non_prefix_states == 0 && audit_failures == 0 && problems.empty();
  }
};

// Runs the simulation. An error means the run itself could not go on (e.g.
// the database would not open without a fault); what it found wrong with
// the database is in the report.
absl::StatusOr<PowerLossReport> RunPowerLoss(const PowerLossOptions& options);

}  // namespace ctxgraph

#endif  // CTXGRAPH_TOOLS_POWERLOSS_POWER_LOSS_RUN_H_
